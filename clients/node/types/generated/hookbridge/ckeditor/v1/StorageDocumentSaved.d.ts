import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
export interface _hookbridge_ckeditor_v1_StorageDocumentSaved_Document {
    'id'?: (string);
    'saved_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Path (relative to the Cloud Services API) to download the document.
     */
    'download_url'?: (string);
    'attributes'?: (_google_protobuf_Struct | null);
}
export interface _hookbridge_ckeditor_v1_StorageDocumentSaved_Document__Output {
    'id': (string);
    'saved_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Path (relative to the Cloud Services API) to download the document.
     */
    'download_url': (string);
    'attributes': (_google_protobuf_Struct__Output | null);
}
export interface StorageDocumentSaved {
    'document'?: (_hookbridge_ckeditor_v1_StorageDocumentSaved_Document | null);
}
export interface StorageDocumentSaved__Output {
    'document': (_hookbridge_ckeditor_v1_StorageDocumentSaved_Document__Output | null);
}
