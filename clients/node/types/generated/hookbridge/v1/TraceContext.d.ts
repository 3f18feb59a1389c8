/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) of the webhook
 * request behind an event. Set on every event hookbridge takes in (events
 * appended before this field existed have none).
 */
export interface TraceContext {
    /**
     * The `traceparent` to continue from: the request's own when it carried
     * a valid one, else one made when the request was received (a new random
     * trace id and parent id, flags `00`).
     */
    'traceparent'?: (string);
    /**
     * The request's `tracestate` (several headers joined with commas), kept
     * only with the request's own traceparent, and only up to 512 bytes.
     */
    'tracestate'?: (string);
    /**
     * True when `traceparent` is the request's own; false when it was made
     * here (the request sent none, or one that is not valid).
     */
    'from_request'?: (boolean);
}
/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) of the webhook
 * request behind an event. Set on every event hookbridge takes in (events
 * appended before this field existed have none).
 */
export interface TraceContext__Output {
    /**
     * The `traceparent` to continue from: the request's own when it carried
     * a valid one, else one made when the request was received (a new random
     * trace id and parent id, flags `00`).
     */
    'traceparent': (string);
    /**
     * The request's `tracestate` (several headers joined with commas), kept
     * only with the request's own traceparent, and only up to 512 bytes.
     */
    'tracestate': (string);
    /**
     * True when `traceparent` is the request's own; false when it was made
     * here (the request sent none, or one that is not valid).
     */
    'from_request': (boolean);
}
