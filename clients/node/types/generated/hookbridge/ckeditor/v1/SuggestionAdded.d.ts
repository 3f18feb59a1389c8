import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { UserRef as _hookbridge_ckeditor_v1_UserRef, UserRef__Output as _hookbridge_ckeditor_v1_UserRef__Output } from '../../../hookbridge/ckeditor/v1/UserRef';
export interface _hookbridge_ckeditor_v1_SuggestionAdded_Suggestion {
    'id'?: (string);
    'created_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Id of the parent suggestion; empty when the provider sends null.
     */
    'child_of'?: (string);
    /**
     * The author.
     */
    'user'?: (_hookbridge_ckeditor_v1_UserRef | null);
}
export interface _hookbridge_ckeditor_v1_SuggestionAdded_Suggestion__Output {
    'id': (string);
    'created_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Id of the parent suggestion; empty when the provider sends null.
     */
    'child_of': (string);
    /**
     * The author.
     */
    'user': (_hookbridge_ckeditor_v1_UserRef__Output | null);
}
export interface SuggestionAdded {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'suggestion'?: (_hookbridge_ckeditor_v1_SuggestionAdded_Suggestion | null);
}
export interface SuggestionAdded__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'suggestion': (_hookbridge_ckeditor_v1_SuggestionAdded_Suggestion__Output | null);
}
