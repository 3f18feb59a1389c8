import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { EventFormat as _hookbridge_v1_EventFormat, EventFormat__Output as _hookbridge_v1_EventFormat__Output } from '../../hookbridge/v1/EventFormat';
import type { Long } from '@grpc/proto-loader';
/**
 * Filters: an empty list means "any". Values within one list are alternatives
 * (OR); different lists must all match (AND).
 */
export interface SubscribeRequest {
    /**
     * Event type names or patterns. `*` matches any run of characters, so
     * `comment.*` matches `comment.added`, `collaboration.document.*` matches
     * `collaboration.document.update.exported`, and `*` matches everything.
     */
    'types'?: (string)[];
    /**
     * Source names, exactly as configured.
     */
    'sources'?: (string)[];
    /**
     * Provider environment ids, exact.
     */
    'environment_ids'?: (string)[];
    /**
     * Subjects (document, asset, file... ids), exact.
     */
    'subjects'?: (string)[];
    /**
     * Events with a sequence greater than this one: the resume cursor.
     * 0 means from the first event ever appended.
     */
    'after_sequence'?: (number | string | Long);
    /**
     * Events appended to the log at or after this time.
     */
    'since'?: (_google_protobuf_Timestamp | null);
    /**
     * From the oldest event still retained. Must be true when set.
     */
    'earliest'?: (boolean);
    /**
     * Also send each event's original request body in `raw_body`.
     */
    'include_raw'?: (boolean);
    /**
     * When events this stream should deliver are no longer retained (the
     * start position is older than the log's retention, or the subscriber
     * fell behind eviction), send a Gap saying which sequences are lost and
     * go on with the oldest retained event, instead of ending with
     * OUT_OF_RANGE. For consumers that prefer fresh events to a complete
     * history.
     */
    'allow_gaps'?: (boolean);
    /**
     * The form events arrive in: hookbridge Events in `events` (the default)
     * or CloudEvents in `cloud_events` (docs/CLOUDEVENTS.md has the mapping).
     * Filters, start positions and the resume cursor are the same either way.
     */
    'format'?: (_hookbridge_v1_EventFormat);
    /**
     * Where to start. When none is set the stream is live: only events
     * appended after the subscription starts.
     */
    'start'?: "after_sequence" | "since" | "earliest";
}
/**
 * Filters: an empty list means "any". Values within one list are alternatives
 * (OR); different lists must all match (AND).
 */
export interface SubscribeRequest__Output {
    /**
     * Event type names or patterns. `*` matches any run of characters, so
     * `comment.*` matches `comment.added`, `collaboration.document.*` matches
     * `collaboration.document.update.exported`, and `*` matches everything.
     */
    'types': (string)[];
    /**
     * Source names, exactly as configured.
     */
    'sources': (string)[];
    /**
     * Provider environment ids, exact.
     */
    'environment_ids': (string)[];
    /**
     * Subjects (document, asset, file... ids), exact.
     */
    'subjects': (string)[];
    /**
     * Events with a sequence greater than this one: the resume cursor.
     * 0 means from the first event ever appended.
     */
    'after_sequence'?: (string);
    /**
     * Events appended to the log at or after this time.
     */
    'since'?: (_google_protobuf_Timestamp__Output | null);
    /**
     * From the oldest event still retained. Must be true when set.
     */
    'earliest'?: (boolean);
    /**
     * Also send each event's original request body in `raw_body`.
     */
    'include_raw': (boolean);
    /**
     * When events this stream should deliver are no longer retained (the
     * start position is older than the log's retention, or the subscriber
     * fell behind eviction), send a Gap saying which sequences are lost and
     * go on with the oldest retained event, instead of ending with
     * OUT_OF_RANGE. For consumers that prefer fresh events to a complete
     * history.
     */
    'allow_gaps': (boolean);
    /**
     * The form events arrive in: hookbridge Events in `events` (the default)
     * or CloudEvents in `cloud_events` (docs/CLOUDEVENTS.md has the mapping).
     * Filters, start positions and the resume cursor are the same either way.
     */
    'format': (_hookbridge_v1_EventFormat__Output);
    /**
     * Where to start. When none is set the stream is live: only events
     * appended after the subscription starts.
     */
    'start'?: "after_sequence" | "since" | "earliest";
}
