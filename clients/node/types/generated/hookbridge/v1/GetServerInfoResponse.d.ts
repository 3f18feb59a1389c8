import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { Long } from '@grpc/proto-loader';
export interface GetServerInfoResponse {
    /**
     * The server's version, e.g. "0.9.0".
     */
    'version'?: (string);
    /**
     * The event log backend: "file", "memory" or "jetstream".
     */
    'log_backend'?: (string);
    /**
     * The largest Event the server stores and sends, raw_body included. A
     * webhook whose event would be larger is refused with 413.
     */
    'max_event_bytes'?: (number | string | Long);
    /**
     * The largest SubscribeResponse the server sends: set the client's
     * receive limit (gRPC's default is 4 MiB) to at least this.
     */
    'max_response_bytes'?: (number | string | Long);
    /**
     * The most events in one SubscribeResponse.
     */
    'max_batch_events'?: (number);
    /**
     * How long a Subscribe stream stays silent before it sends a Heartbeat.
     * A client that hears nothing for a few intervals may reconnect.
     */
    'heartbeat_interval'?: (_google_protobuf_Duration | null);
    /**
     * The most entries in a SubscribeRequest's sources plus types.
     */
    'max_filter_patterns'?: (number);
    /**
     * The most Subscribe streams open at once.
     */
    'max_subscribers'?: (number);
    /**
     * The oldest retained sequence (0 when the log is empty) and the last
     * appended one, when the response was made.
     */
    'first_sequence'?: (number | string | Long);
    'last_sequence'?: (number | string | Long);
}
export interface GetServerInfoResponse__Output {
    /**
     * The server's version, e.g. "0.9.0".
     */
    'version': (string);
    /**
     * The event log backend: "file", "memory" or "jetstream".
     */
    'log_backend': (string);
    /**
     * The largest Event the server stores and sends, raw_body included. A
     * webhook whose event would be larger is refused with 413.
     */
    'max_event_bytes': (string);
    /**
     * The largest SubscribeResponse the server sends: set the client's
     * receive limit (gRPC's default is 4 MiB) to at least this.
     */
    'max_response_bytes': (string);
    /**
     * The most events in one SubscribeResponse.
     */
    'max_batch_events': (number);
    /**
     * How long a Subscribe stream stays silent before it sends a Heartbeat.
     * A client that hears nothing for a few intervals may reconnect.
     */
    'heartbeat_interval': (_google_protobuf_Duration__Output | null);
    /**
     * The most entries in a SubscribeRequest's sources plus types.
     */
    'max_filter_patterns': (number);
    /**
     * The most Subscribe streams open at once.
     */
    'max_subscribers': (number);
    /**
     * The oldest retained sequence (0 when the log is empty) and the last
     * appended one, when the response was made.
     */
    'first_sequence': (string);
    'last_sequence': (string);
}
