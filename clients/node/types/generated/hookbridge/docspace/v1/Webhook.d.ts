import type { WebhookTarget as _hookbridge_docspace_v1_WebhookTarget, WebhookTarget__Output as _hookbridge_docspace_v1_WebhookTarget__Output } from '../../../hookbridge/docspace/v1/WebhookTarget';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';
/**
 * The delivery's `webhook` object: the webhook configuration that sent the
 * delivery and its delivery state at send time.
 */
export interface Webhook {
    /**
     * The webhook (configuration) id.
     */
    'id'?: (number | string | Long);
    /**
     * The name given to the webhook in DocSpace.
     */
    'name'?: (string);
    /**
     * The payload URL the webhook posts to.
     */
    'url'?: (string);
    /**
     * The triggers the webhook is subscribed to, or ["*"] for all.
     */
    'triggers'?: (string)[];
    /**
     * Set only when the webhook is restricted to one entity.
     */
    'target'?: (_hookbridge_docspace_v1_WebhookTarget | null);
    /**
     * When the previous attempt of this delivery failed (retries only).
     */
    'last_failure_on'?: (_google_protobuf_Timestamp | null);
    /**
     * The error of the previous attempt (retries only).
     */
    'last_failure_content'?: (string);
    /**
     * When the webhook last delivered successfully (retries only).
     */
    'last_success_on'?: (_google_protobuf_Timestamp | null);
    /**
     * Number of earlier attempts of this delivery; absent on the first.
     */
    'retry_count'?: (number);
    /**
     * When this retry was sent (retries only).
     */
    'retry_on'?: (_google_protobuf_Timestamp | null);
}
/**
 * The delivery's `webhook` object: the webhook configuration that sent the
 * delivery and its delivery state at send time.
 */
export interface Webhook__Output {
    /**
     * The webhook (configuration) id.
     */
    'id': (string);
    /**
     * The name given to the webhook in DocSpace.
     */
    'name': (string);
    /**
     * The payload URL the webhook posts to.
     */
    'url': (string);
    /**
     * The triggers the webhook is subscribed to, or ["*"] for all.
     */
    'triggers': (string)[];
    /**
     * Set only when the webhook is restricted to one entity.
     */
    'target': (_hookbridge_docspace_v1_WebhookTarget__Output | null);
    /**
     * When the previous attempt of this delivery failed (retries only).
     */
    'last_failure_on': (_google_protobuf_Timestamp__Output | null);
    /**
     * The error of the previous attempt (retries only).
     */
    'last_failure_content': (string);
    /**
     * When the webhook last delivered successfully (retries only).
     */
    'last_success_on': (_google_protobuf_Timestamp__Output | null);
    /**
     * Number of earlier attempts of this delivery; absent on the first.
     */
    'retry_count': (number);
    /**
     * When this retry was sent (retries only).
     */
    'retry_on': (_google_protobuf_Timestamp__Output | null);
}
