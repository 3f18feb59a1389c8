import type { DocumentRef as _hookbridge_ckeditor_v1_DocumentRef, DocumentRef__Output as _hookbridge_ckeditor_v1_DocumentRef__Output } from '../../../hookbridge/ckeditor/v1/DocumentRef';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
export interface _hookbridge_ckeditor_v1_SuggestionRestored_Suggestion {
    'id'?: (string);
    'restored_at'?: (_google_protobuf_Timestamp | null);
}
export interface _hookbridge_ckeditor_v1_SuggestionRestored_Suggestion__Output {
    'id': (string);
    'restored_at': (_google_protobuf_Timestamp__Output | null);
}
export interface SuggestionRestored {
    'document'?: (_hookbridge_ckeditor_v1_DocumentRef | null);
    'suggestion'?: (_hookbridge_ckeditor_v1_SuggestionRestored_Suggestion | null);
}
export interface SuggestionRestored__Output {
    'document': (_hookbridge_ckeditor_v1_DocumentRef__Output | null);
    'suggestion': (_hookbridge_ckeditor_v1_SuggestionRestored_Suggestion__Output | null);
}
