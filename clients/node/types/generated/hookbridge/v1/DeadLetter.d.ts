import type { Event as _hookbridge_v1_Event, Event__Output as _hookbridge_v1_Event__Output } from '../../hookbridge/v1/Event';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
/**
 * An event delivered max_deliveries times without an acknowledgement.
 */
export interface DeadLetter {
    'event'?: (_hookbridge_v1_Event | null);
    'deliveries'?: (number);
    /**
     * The deadline expiries and negative acknowledgements that made it dead,
     * and the last reason a member gave.
     */
    'deadline_expiries'?: (number);
    'negative_acknowledgements'?: (number);
    'last_reason'?: (string);
    'dead_at'?: (_google_protobuf_Timestamp | null);
}
/**
 * An event delivered max_deliveries times without an acknowledgement.
 */
export interface DeadLetter__Output {
    'event': (_hookbridge_v1_Event__Output | null);
    'deliveries': (number);
    /**
     * The deadline expiries and negative acknowledgements that made it dead,
     * and the last reason a member gave.
     */
    'deadline_expiries': (number);
    'negative_acknowledgements': (number);
    'last_reason': (string);
    'dead_at': (_google_protobuf_Timestamp__Output | null);
}
