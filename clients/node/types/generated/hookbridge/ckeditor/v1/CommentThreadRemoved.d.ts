import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { ThreadComment as _hookbridge_ckeditor_v1_ThreadComment, ThreadComment__Output as _hookbridge_ckeditor_v1_ThreadComment__Output } from '../../../hookbridge/ckeditor/v1/ThreadComment';
export interface _hookbridge_ckeditor_v1_CommentThreadRemoved_CommentThread {
    'id'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
    'comments'?: (_hookbridge_ckeditor_v1_ThreadComment)[];
}
export interface _hookbridge_ckeditor_v1_CommentThreadRemoved_CommentThread__Output {
    'id': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
    'comments': (_hookbridge_ckeditor_v1_ThreadComment__Output)[];
}
export interface CommentThreadRemoved {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'comment_thread'?: (_hookbridge_ckeditor_v1_CommentThreadRemoved_CommentThread | null);
}
export interface CommentThreadRemoved__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'comment_thread': (_hookbridge_ckeditor_v1_CommentThreadRemoved_CommentThread__Output | null);
}
