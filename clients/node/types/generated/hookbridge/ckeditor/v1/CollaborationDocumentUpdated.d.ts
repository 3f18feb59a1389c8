import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';
export interface _hookbridge_ckeditor_v1_CollaborationDocumentUpdated_Document {
    'id'?: (string);
    'updated_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Id of the last user who changed the document.
     */
    'updated_by'?: (string);
    'version'?: (number | string | Long);
}
export interface _hookbridge_ckeditor_v1_CollaborationDocumentUpdated_Document__Output {
    'id': (string);
    'updated_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Id of the last user who changed the document.
     */
    'updated_by': (string);
    'version': (string);
}
export interface CollaborationDocumentUpdated {
    'document'?: (_hookbridge_ckeditor_v1_CollaborationDocumentUpdated_Document | null);
}
export interface CollaborationDocumentUpdated__Output {
    'document': (_hookbridge_ckeditor_v1_CollaborationDocumentUpdated_Document__Output | null);
}
