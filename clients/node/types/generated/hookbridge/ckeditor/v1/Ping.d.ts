/**
 * Sent once when a webhook is created, to check the endpoint.
 */
export interface Ping {
    /**
     * Id of the webhook.
     */
    'id'?: (string);
    /**
     * The URL the webhook posts to.
     */
    'url'?: (string);
}
/**
 * Sent once when a webhook is created, to check the endpoint.
 */
export interface Ping__Output {
    /**
     * Id of the webhook.
     */
    'id': (string);
    /**
     * The URL the webhook posts to.
     */
    'url': (string);
}
