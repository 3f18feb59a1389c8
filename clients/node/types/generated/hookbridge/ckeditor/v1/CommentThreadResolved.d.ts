import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { ThreadComment as _hookbridge_ckeditor_v1_ThreadComment, ThreadComment__Output as _hookbridge_ckeditor_v1_ThreadComment__Output } from '../../../hookbridge/ckeditor/v1/ThreadComment';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
export interface _hookbridge_ckeditor_v1_CommentThreadResolved_CommentThread {
    'id'?: (string);
    'comments'?: (_hookbridge_ckeditor_v1_ThreadComment)[];
    'resolved_at'?: (_google_protobuf_Timestamp | null);
    'resolved_by'?: (string);
}
export interface _hookbridge_ckeditor_v1_CommentThreadResolved_CommentThread__Output {
    'id': (string);
    'comments': (_hookbridge_ckeditor_v1_ThreadComment__Output)[];
    'resolved_at': (_google_protobuf_Timestamp__Output | null);
    'resolved_by': (string);
}
export interface CommentThreadResolved {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'comment_thread'?: (_hookbridge_ckeditor_v1_CommentThreadResolved_CommentThread | null);
}
export interface CommentThreadResolved__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'comment_thread': (_hookbridge_ckeditor_v1_CommentThreadResolved_CommentThread__Output | null);
}
