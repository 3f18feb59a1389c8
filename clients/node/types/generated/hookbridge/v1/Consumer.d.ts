import type { ConsumerConfig as _hookbridge_v1_ConsumerConfig, ConsumerConfig__Output as _hookbridge_v1_ConsumerConfig__Output } from '../../hookbridge/v1/ConsumerConfig';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';
/**
 * A consumer and where it is.
 */
export interface Consumer {
    'config'?: (_hookbridge_v1_ConsumerConfig | null);
    /**
     * Declared in the server's config (`consumers:`), not created by an RPC.
     */
    'declared'?: (boolean);
    /**
     * Every matching event up to this sequence is acknowledged (or dead).
     */
    'ack_floor'?: (number | string | Long);
    /**
     * Events delivered and not yet acknowledged, plus matching events not yet
     * delivered (counted up to the log's last sequence).
     */
    'pending'?: (number | string | Long);
    /**
     * Of those, delivered to a member and not yet acknowledged.
     */
    'outstanding'?: (number | string | Long);
    /**
     * When the oldest pending event was appended; unset when none is pending.
     */
    'oldest_pending_appended_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Deliveries after the first, since the server started.
     */
    'redeliveries'?: (number | string | Long);
    /**
     * Events in the dead-letter list now.
     */
    'dead_letters'?: (number | string | Long);
    /**
     * Members connected now (to this server).
     */
    'members'?: (number);
    /**
     * Matching events the log's retention removed before this consumer
     * acknowledged them.
     */
    'lost_to_retention'?: (number | string | Long);
}
/**
 * A consumer and where it is.
 */
export interface Consumer__Output {
    'config': (_hookbridge_v1_ConsumerConfig__Output | null);
    /**
     * Declared in the server's config (`consumers:`), not created by an RPC.
     */
    'declared': (boolean);
    /**
     * Every matching event up to this sequence is acknowledged (or dead).
     */
    'ack_floor': (string);
    /**
     * Events delivered and not yet acknowledged, plus matching events not yet
     * delivered (counted up to the log's last sequence).
     */
    'pending': (string);
    /**
     * Of those, delivered to a member and not yet acknowledged.
     */
    'outstanding': (string);
    /**
     * When the oldest pending event was appended; unset when none is pending.
     */
    'oldest_pending_appended_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Deliveries after the first, since the server started.
     */
    'redeliveries': (string);
    /**
     * Events in the dead-letter list now.
     */
    'dead_letters': (string);
    /**
     * Members connected now (to this server).
     */
    'members': (number);
    /**
     * Matching events the log's retention removed before this consumer
     * acknowledged them.
     */
    'lost_to_retention': (string);
}
