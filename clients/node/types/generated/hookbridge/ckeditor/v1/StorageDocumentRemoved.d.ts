import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
export interface _hookbridge_ckeditor_v1_StorageDocumentRemoved_Document {
    'id'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
    'data'?: (string);
    'attributes'?: (_google_protobuf_Struct | null);
}
export interface _hookbridge_ckeditor_v1_StorageDocumentRemoved_Document__Output {
    'id': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
    'data': (string);
    'attributes': (_google_protobuf_Struct__Output | null);
}
export interface StorageDocumentRemoved {
    'document'?: (_hookbridge_ckeditor_v1_StorageDocumentRemoved_Document | null);
}
export interface StorageDocumentRemoved__Output {
    'document': (_hookbridge_ckeditor_v1_StorageDocumentRemoved_Document__Output | null);
}
