import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
export interface _hookbridge_ckeditor_v1_SuggestionRemoved_Suggestion {
    'id'?: (string);
    'deleted_at'?: (_google_protobuf_Timestamp | null);
}
export interface _hookbridge_ckeditor_v1_SuggestionRemoved_Suggestion__Output {
    'id': (string);
    'deleted_at': (_google_protobuf_Timestamp__Output | null);
}
export interface SuggestionRemoved {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'suggestion'?: (_hookbridge_ckeditor_v1_SuggestionRemoved_Suggestion | null);
}
export interface SuggestionRemoved__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'suggestion': (_hookbridge_ckeditor_v1_SuggestionRemoved_Suggestion__Output | null);
}
