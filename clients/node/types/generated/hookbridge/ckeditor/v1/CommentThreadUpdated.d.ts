import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { ThreadComment as _hookbridge_ckeditor_v1_ThreadComment, ThreadComment__Output as _hookbridge_ckeditor_v1_ThreadComment__Output } from '../../../hookbridge/ckeditor/v1/ThreadComment';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
export interface _hookbridge_ckeditor_v1_CommentThreadUpdated_CommentThread {
    'id'?: (string);
    'comments'?: (_hookbridge_ckeditor_v1_ThreadComment)[];
    'updated_at'?: (_google_protobuf_Timestamp | null);
    'context'?: (_google_protobuf_Struct | null);
    'attributes'?: (_google_protobuf_Struct | null);
}
export interface _hookbridge_ckeditor_v1_CommentThreadUpdated_CommentThread__Output {
    'id': (string);
    'comments': (_hookbridge_ckeditor_v1_ThreadComment__Output)[];
    'updated_at': (_google_protobuf_Timestamp__Output | null);
    'context': (_google_protobuf_Struct__Output | null);
    'attributes': (_google_protobuf_Struct__Output | null);
}
export interface CommentThreadUpdated {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'comment_thread'?: (_hookbridge_ckeditor_v1_CommentThreadUpdated_CommentThread | null);
}
export interface CommentThreadUpdated__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'comment_thread': (_hookbridge_ckeditor_v1_CommentThreadUpdated_CommentThread__Output | null);
}
