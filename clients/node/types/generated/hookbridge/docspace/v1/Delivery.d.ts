import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';
/**
 * The delivery's `event` object: which trigger fired, when, and for whom.
 */
export interface Delivery {
    /**
     * The delivery-log record id. Stable across the automatic retries of one
     * delivery; hookbridge uses it as Event.id, the de-duplication key.
     */
    'id'?: (number | string | Long);
    /**
     * When the event happened (UTC, whole seconds). DocSpace sends no separate
     * send time.
     */
    'create_on'?: (_google_protobuf_Timestamp | null);
    /**
     * Id (GUID) of the user who caused the event; absent for background jobs.
     */
    'create_by'?: (string);
    /**
     * The trigger name, e.g. "file.created"; "*" when DocSpace re-sends a
     * delivery recorded by an older version, without its trigger.
     */
    'trigger'?: (string);
    /**
     * The trigger's bit value (user.created = 1 << 0 ... folder.downloaded =
     * 1 << 35, see docs/EVENTS.md); absent for "*".
     */
    'trigger_id'?: (number | string | Long);
}
/**
 * The delivery's `event` object: which trigger fired, when, and for whom.
 */
export interface Delivery__Output {
    /**
     * The delivery-log record id. Stable across the automatic retries of one
     * delivery; hookbridge uses it as Event.id, the de-duplication key.
     */
    'id': (string);
    /**
     * When the event happened (UTC, whole seconds). DocSpace sends no separate
     * send time.
     */
    'create_on': (_google_protobuf_Timestamp__Output | null);
    /**
     * Id (GUID) of the user who caused the event; absent for background jobs.
     */
    'create_by': (string);
    /**
     * The trigger name, e.g. "file.created"; "*" when DocSpace re-sends a
     * delivery recorded by an older version, without its trigger.
     */
    'trigger': (string);
    /**
     * The trigger's bit value (user.created = 1 << 0 ... folder.downloaded =
     * 1 << 35, see docs/EVENTS.md); absent for "*".
     */
    'trigger_id': (string);
}
