import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
export interface _hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Document {
    'id'?: (string);
    'failed_at'?: (_google_protobuf_Timestamp | null);
}
export interface _hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Document__Output {
    'id': (string);
    'failed_at': (_google_protobuf_Timestamp__Output | null);
}
export interface _hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Editor {
    /**
     * The editor bundle version used during the save (JSON `bundleVersion`).
     */
    'bundle_version'?: (string);
}
export interface _hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Editor__Output {
    /**
     * The editor bundle version used during the save (JSON `bundleVersion`).
     */
    'bundle_version': (string);
}
export interface _hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Failure {
    'reason'?: (string);
    'details'?: (string);
    'trace_id'?: (string);
}
export interface _hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Failure__Output {
    'reason': (string);
    'details': (string);
    'trace_id': (string);
}
export interface StorageDocumentSaveFailed {
    'document'?: (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Document | null);
    'editor'?: (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Editor | null);
    'fail'?: (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Failure | null);
}
export interface StorageDocumentSaveFailed__Output {
    'document': (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Document__Output | null);
    'editor': (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Editor__Output | null);
    'fail': (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Failure__Output | null);
}
