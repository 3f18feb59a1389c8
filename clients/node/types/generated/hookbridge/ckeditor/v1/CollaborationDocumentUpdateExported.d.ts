import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';
export interface _hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported_Document {
    'id'?: (string);
    /**
     * Documented as the update date.
     */
    'updated_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Sent by the provider's example instead of `updated_at`.
     */
    'exported_at'?: (_google_protobuf_Timestamp | null);
    'version'?: (number | string | Long);
    /**
     * Export status, e.g. "success".
     */
    'status'?: (string);
    /**
     * The document content; empty if the export failed.
     */
    'data'?: (string);
    /**
     * Present for documents exported from a multi-root editor.
     */
    'attributes'?: (_google_protobuf_Struct | null);
}
export interface _hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported_Document__Output {
    'id': (string);
    /**
     * Documented as the update date.
     */
    'updated_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Sent by the provider's example instead of `updated_at`.
     */
    'exported_at': (_google_protobuf_Timestamp__Output | null);
    'version': (string);
    /**
     * Export status, e.g. "success".
     */
    'status': (string);
    /**
     * The document content; empty if the export failed.
     */
    'data': (string);
    /**
     * Present for documents exported from a multi-root editor.
     */
    'attributes': (_google_protobuf_Struct__Output | null);
}
export interface CollaborationDocumentUpdateExported {
    'document'?: (_hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported_Document | null);
}
export interface CollaborationDocumentUpdateExported__Output {
    'document': (_hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported_Document__Output | null);
}
