import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';
/**
 * Moves a consumer: everything before the new position counts as
 * acknowledged, everything after it as not yet delivered. Events
 * outstanding at members are taken back.
 */
export interface SeekConsumerRequest {
    'name'?: (string);
    'latest'?: (boolean);
    'earliest'?: (boolean);
    'after_sequence'?: (number | string | Long);
    'since'?: (_google_protobuf_Timestamp | null);
    'position'?: "latest" | "earliest" | "after_sequence" | "since";
}
/**
 * Moves a consumer: everything before the new position counts as
 * acknowledged, everything after it as not yet delivered. Events
 * outstanding at members are taken back.
 */
export interface SeekConsumerRequest__Output {
    'name': (string);
    'latest'?: (boolean);
    'earliest'?: (boolean);
    'after_sequence'?: (string);
    'since'?: (_google_protobuf_Timestamp__Output | null);
    'position'?: "latest" | "earliest" | "after_sequence" | "since";
}
