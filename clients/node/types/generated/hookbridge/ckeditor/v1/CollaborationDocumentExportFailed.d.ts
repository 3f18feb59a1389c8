import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';
export interface _hookbridge_ckeditor_v1_CollaborationDocumentExportFailed_Document {
    'id'?: (string);
    /**
     * Why the document operations could not be converted, e.g.
     * "general-conversion-fail".
     */
    'reason'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
    'version'?: (number | string | Long);
}
export interface _hookbridge_ckeditor_v1_CollaborationDocumentExportFailed_Document__Output {
    'id': (string);
    /**
     * Why the document operations could not be converted, e.g.
     * "general-conversion-fail".
     */
    'reason': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
    'version': (string);
}
export interface CollaborationDocumentExportFailed {
    'document'?: (_hookbridge_ckeditor_v1_CollaborationDocumentExportFailed_Document | null);
}
export interface CollaborationDocumentExportFailed__Output {
    'document': (_hookbridge_ckeditor_v1_CollaborationDocumentExportFailed_Document__Output | null);
}
