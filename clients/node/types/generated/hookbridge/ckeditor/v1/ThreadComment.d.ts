import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
/**
 * A comment as listed inside a comment thread. Thread events that only list
 * comment ids leave the other fields unset.
 */
export interface ThreadComment {
    'id'?: (string);
    'content'?: (string);
    'attributes'?: (_google_protobuf_Struct | null);
    'user_id'?: (string);
    'created_at'?: (_google_protobuf_Timestamp | null);
}
/**
 * A comment as listed inside a comment thread. Thread events that only list
 * comment ids leave the other fields unset.
 */
export interface ThreadComment__Output {
    'id': (string);
    'content': (string);
    'attributes': (_google_protobuf_Struct__Output | null);
    'user_id': (string);
    'created_at': (_google_protobuf_Timestamp__Output | null);
}
