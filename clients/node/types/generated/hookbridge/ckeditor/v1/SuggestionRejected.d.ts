import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { UserRef as _hookbridge_ckeditor_v1_UserRef, UserRef__Output as _hookbridge_ckeditor_v1_UserRef__Output } from '../../../hookbridge/ckeditor/v1/UserRef';
export interface _hookbridge_ckeditor_v1_SuggestionRejected_Suggestion {
    'id'?: (string);
    'created_at'?: (_google_protobuf_Timestamp | null);
    'updated_at'?: (_google_protobuf_Timestamp | null);
    /**
     * The user who rejected the suggestion.
     */
    'user'?: (_hookbridge_ckeditor_v1_UserRef | null);
}
export interface _hookbridge_ckeditor_v1_SuggestionRejected_Suggestion__Output {
    'id': (string);
    'created_at': (_google_protobuf_Timestamp__Output | null);
    'updated_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * The user who rejected the suggestion.
     */
    'user': (_hookbridge_ckeditor_v1_UserRef__Output | null);
}
export interface SuggestionRejected {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'suggestion'?: (_hookbridge_ckeditor_v1_SuggestionRejected_Suggestion | null);
}
export interface SuggestionRejected__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'suggestion': (_hookbridge_ckeditor_v1_SuggestionRejected_Suggestion__Output | null);
}
