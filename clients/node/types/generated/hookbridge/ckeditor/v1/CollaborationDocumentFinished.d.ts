import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
export interface _hookbridge_ckeditor_v1_CollaborationDocumentFinished_Document {
    'id'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
}
export interface _hookbridge_ckeditor_v1_CollaborationDocumentFinished_Document__Output {
    'id': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
}
export interface CollaborationDocumentFinished {
    'document'?: (_hookbridge_ckeditor_v1_CollaborationDocumentFinished_Document | null);
}
export interface CollaborationDocumentFinished__Output {
    'document': (_hookbridge_ckeditor_v1_CollaborationDocumentFinished_Document__Output | null);
}
