import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
export interface _hookbridge_ckeditor_v1_CollaborationDocumentRemoved_Document {
    'id'?: (string);
    'removed_at'?: (_google_protobuf_Timestamp | null);
    /**
     * Set only when document storage is disabled and an editor bundle is
     * uploaded; empty if some operations could not be applied.
     */
    'data'?: (string);
}
export interface _hookbridge_ckeditor_v1_CollaborationDocumentRemoved_Document__Output {
    'id': (string);
    'removed_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * Set only when document storage is disabled and an editor bundle is
     * uploaded; empty if some operations could not be applied.
     */
    'data': (string);
}
/**
 * Deprecated by the provider (replaced by collaboration.document.finished and
 * collaboration.document.exported) but still sent.
 */
export interface CollaborationDocumentRemoved {
    'document'?: (_hookbridge_ckeditor_v1_CollaborationDocumentRemoved_Document | null);
}
/**
 * Deprecated by the provider (replaced by collaboration.document.finished and
 * collaboration.document.exported) but still sent.
 */
export interface CollaborationDocumentRemoved__Output {
    'document': (_hookbridge_ckeditor_v1_CollaborationDocumentRemoved_Document__Output | null);
}
