import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';
export interface _hookbridge_ckeditor_v1_CollaborationDocumentRecovered_Document {
    'id'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Content including only the operations that could be applied.
     */
    'data'?: (string);
    'version'?: (number | string | Long);
    'attributes'?: (_google_protobuf_Struct | null);
}
export interface _hookbridge_ckeditor_v1_CollaborationDocumentRecovered_Document__Output {
    'id': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Content including only the operations that could be applied.
     */
    'data': (string);
    'version': (string);
    'attributes': (_google_protobuf_Struct__Output | null);
}
export interface CollaborationDocumentRecovered {
    'document'?: (_hookbridge_ckeditor_v1_CollaborationDocumentRecovered_Document | null);
}
export interface CollaborationDocumentRecovered__Output {
    'document': (_hookbridge_ckeditor_v1_CollaborationDocumentRecovered_Document__Output | null);
}
