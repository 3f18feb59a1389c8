import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';
export interface _hookbridge_ckeditor_v1_CollaborationDocumentExported_Document {
    'id'?: (string);
    'data'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
    'version'?: (number | string | Long);
    'attributes'?: (_google_protobuf_Struct | null);
}
export interface _hookbridge_ckeditor_v1_CollaborationDocumentExported_Document__Output {
    'id': (string);
    'data': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
    'version': (string);
    'attributes': (_google_protobuf_Struct__Output | null);
}
export interface CollaborationDocumentExported {
    'document'?: (_hookbridge_ckeditor_v1_CollaborationDocumentExported_Document | null);
}
export interface CollaborationDocumentExported__Output {
    'document': (_hookbridge_ckeditor_v1_CollaborationDocumentExported_Document__Output | null);
}
