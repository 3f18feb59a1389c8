import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { UserRef as _hookbridge_ckeditor_v1_UserRef, UserRef__Output as _hookbridge_ckeditor_v1_UserRef__Output } from '../../../hookbridge/ckeditor/v1/UserRef';
export interface _hookbridge_ckeditor_v1_CommentRemoved_Comment {
    'id'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
    /**
     * The user who removed the comment.
     */
    'user'?: (_hookbridge_ckeditor_v1_UserRef | null);
}
export interface _hookbridge_ckeditor_v1_CommentRemoved_Comment__Output {
    'id': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * The user who removed the comment.
     */
    'user': (_hookbridge_ckeditor_v1_UserRef__Output | null);
}
export interface CommentRemoved {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'comment'?: (_hookbridge_ckeditor_v1_CommentRemoved_Comment | null);
}
export interface CommentRemoved__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'comment': (_hookbridge_ckeditor_v1_CommentRemoved_Comment__Output | null);
}
