import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { UserRef as _hookbridge_ckeditor_v1_UserRef, UserRef__Output as _hookbridge_ckeditor_v1_UserRef__Output } from '../../../hookbridge/ckeditor/v1/UserRef';
export interface CollaborationUserDisconnected {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    /**
     * The user who disconnected.
     */
    'user'?: (_hookbridge_ckeditor_v1_UserRef | null);
    /**
     * Users still connected after this change.
     */
    'connected_users'?: (_hookbridge_ckeditor_v1_UserRef)[];
}
export interface CollaborationUserDisconnected__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    /**
     * The user who disconnected.
     */
    'user': (_hookbridge_ckeditor_v1_UserRef__Output | null);
    /**
     * Users still connected after this change.
     */
    'connected_users': (_hookbridge_ckeditor_v1_UserRef__Output)[];
}
