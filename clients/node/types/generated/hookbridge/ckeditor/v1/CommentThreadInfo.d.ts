import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
/**
 * The thread a comment belongs to, sent with comment events when the
 * comments archive feature is used.
 */
export interface CommentThreadInfo {
    'id'?: (string);
    'created_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Context of the thread, required by the comments archive feature.
     */
    'context'?: (_google_protobuf_Struct | null);
    'attributes'?: (_google_protobuf_Struct | null);
    /**
     * Set only when the thread is resolved.
     */
    'resolved_at'?: (_google_protobuf_Timestamp | null);
    'resolved_by'?: (string);
}
/**
 * The thread a comment belongs to, sent with comment events when the
 * comments archive feature is used.
 */
export interface CommentThreadInfo__Output {
    'id': (string);
    'created_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Context of the thread, required by the comments archive feature.
     */
    'context': (_google_protobuf_Struct__Output | null);
    'attributes': (_google_protobuf_Struct__Output | null);
    /**
     * Set only when the thread is resolved.
     */
    'resolved_at': (_google_protobuf_Timestamp__Output | null);
    'resolved_by': (string);
}
