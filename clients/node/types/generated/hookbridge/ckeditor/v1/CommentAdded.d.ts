import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
import type { UserRef as _hookbridge_ckeditor_v1_UserRef, UserRef__Output as _hookbridge_ckeditor_v1_UserRef__Output } from '../../../hookbridge/ckeditor/v1/UserRef';
import type { CommentThreadInfo as _hookbridge_ckeditor_v1_CommentThreadInfo, CommentThreadInfo__Output as _hookbridge_ckeditor_v1_CommentThreadInfo__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadInfo';
export interface _hookbridge_ckeditor_v1_CommentAdded_Comment {
    'id'?: (string);
    'created_at'?: (_google_protobuf_Timestamp | null);
    'content'?: (string);
    'attributes'?: (_google_protobuf_Struct | null);
    'thread_id'?: (string);
    /**
     * The author.
     */
    'user'?: (_hookbridge_ckeditor_v1_UserRef | null);
    /**
     * Sent when the comments archive feature is used.
     */
    'thread'?: (_hookbridge_ckeditor_v1_CommentThreadInfo | null);
}
export interface _hookbridge_ckeditor_v1_CommentAdded_Comment__Output {
    'id': (string);
    'created_at': (_google_protobuf_Timestamp__Output | null);
    'content': (string);
    'attributes': (_google_protobuf_Struct__Output | null);
    'thread_id': (string);
    /**
     * The author.
     */
    'user': (_hookbridge_ckeditor_v1_UserRef__Output | null);
    /**
     * Sent when the comments archive feature is used.
     */
    'thread': (_hookbridge_ckeditor_v1_CommentThreadInfo__Output | null);
}
export interface CommentAdded {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'comment'?: (_hookbridge_ckeditor_v1_CommentAdded_Comment | null);
}
export interface CommentAdded__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'comment': (_hookbridge_ckeditor_v1_CommentAdded_Comment__Output | null);
}
