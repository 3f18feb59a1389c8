import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { ConsumerOrdering as _hookbridge_v1_ConsumerOrdering, ConsumerOrdering__Output as _hookbridge_v1_ConsumerOrdering__Output } from '../../hookbridge/v1/ConsumerOrdering';
import type { Long } from '@grpc/proto-loader';
/**
 * What a consumer is: fixed at creation, except through SeekConsumer.
 */
export interface ConsumerConfig {
    /**
     * [a-z0-9][a-z0-9_.-]{0,62}: a metric label and a file name.
     */
    'name'?: (string);
    /**
     * The filter, as in SubscribeRequest.
     */
    'types'?: (string)[];
    'sources'?: (string)[];
    'environment_ids'?: (string)[];
    'subjects'?: (string)[];
    /**
     * Only events appended after the consumer is created.
     */
    'latest'?: (boolean);
    /**
     * The oldest event still retained.
     */
    'earliest'?: (boolean);
    /**
     * Events with a sequence greater than this one.
     */
    'after_sequence'?: (number | string | Long);
    /**
     * Events appended at or after this time.
     */
    'since'?: (_google_protobuf_Timestamp | null);
    /**
     * How long a member holds an event before it goes to another member (or
     * back to it) unacknowledged. Unset: 30 s.
     */
    'ack_deadline'?: (_google_protobuf_Duration | null);
    /**
     * Deliveries of an event before it becomes a dead letter. Unset: 5;
     * 0: unlimited.
     */
    'max_deliveries'?: (number);
    'ordering'?: (_hookbridge_v1_ConsumerOrdering);
    /**
     * Unacknowledged events one member holds at most. Unset: 1,000.
     */
    'max_outstanding'?: (number);
    /**
     * Where the consumer starts when it is created. None: latest.
     */
    'start'?: "latest" | "earliest" | "after_sequence" | "since";
    '_max_deliveries'?: "max_deliveries";
    '_max_outstanding'?: "max_outstanding";
}
/**
 * What a consumer is: fixed at creation, except through SeekConsumer.
 */
export interface ConsumerConfig__Output {
    /**
     * [a-z0-9][a-z0-9_.-]{0,62}: a metric label and a file name.
     */
    'name': (string);
    /**
     * The filter, as in SubscribeRequest.
     */
    'types': (string)[];
    'sources': (string)[];
    'environment_ids': (string)[];
    'subjects': (string)[];
    /**
     * Only events appended after the consumer is created.
     */
    'latest'?: (boolean);
    /**
     * The oldest event still retained.
     */
    'earliest'?: (boolean);
    /**
     * Events with a sequence greater than this one.
     */
    'after_sequence'?: (string);
    /**
     * Events appended at or after this time.
     */
    'since'?: (_google_protobuf_Timestamp__Output | null);
    /**
     * How long a member holds an event before it goes to another member (or
     * back to it) unacknowledged. Unset: 30 s.
     */
    'ack_deadline': (_google_protobuf_Duration__Output | null);
    /**
     * Deliveries of an event before it becomes a dead letter. Unset: 5;
     * 0: unlimited.
     */
    'max_deliveries'?: (number);
    'ordering': (_hookbridge_v1_ConsumerOrdering__Output);
    /**
     * Unacknowledged events one member holds at most. Unset: 1,000.
     */
    'max_outstanding'?: (number);
    /**
     * Where the consumer starts when it is created. None: latest.
     */
    'start'?: "latest" | "earliest" | "after_sequence" | "since";
    '_max_deliveries'?: "max_deliveries";
    '_max_outstanding'?: "max_outstanding";
}
