import type { CollaborationUserConnected as _hookbridge_ckeditor_v1_CollaborationUserConnected, CollaborationUserConnected__Output as _hookbridge_ckeditor_v1_CollaborationUserConnected__Output } from '../../../hookbridge/ckeditor/v1/CollaborationUserConnected';
import type { CollaborationUserDisconnected as _hookbridge_ckeditor_v1_CollaborationUserDisconnected, CollaborationUserDisconnected__Output as _hookbridge_ckeditor_v1_CollaborationUserDisconnected__Output } from '../../../hookbridge/ckeditor/v1/CollaborationUserDisconnected';
import type { CollaborationDocumentUpdated as _hookbridge_ckeditor_v1_CollaborationDocumentUpdated, CollaborationDocumentUpdated__Output as _hookbridge_ckeditor_v1_CollaborationDocumentUpdated__Output } from '../../../hookbridge/ckeditor/v1/CollaborationDocumentUpdated';
import type { CollaborationDocumentUpdateExported as _hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported, CollaborationDocumentUpdateExported__Output as _hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported__Output } from '../../../hookbridge/ckeditor/v1/CollaborationDocumentUpdateExported';
import type { CollaborationDocumentFinished as _hookbridge_ckeditor_v1_CollaborationDocumentFinished, CollaborationDocumentFinished__Output as _hookbridge_ckeditor_v1_CollaborationDocumentFinished__Output } from '../../../hookbridge/ckeditor/v1/CollaborationDocumentFinished';
import type { CollaborationDocumentExported as _hookbridge_ckeditor_v1_CollaborationDocumentExported, CollaborationDocumentExported__Output as _hookbridge_ckeditor_v1_CollaborationDocumentExported__Output } from '../../../hookbridge/ckeditor/v1/CollaborationDocumentExported';
import type { CollaborationDocumentExportFailed as _hookbridge_ckeditor_v1_CollaborationDocumentExportFailed, CollaborationDocumentExportFailed__Output as _hookbridge_ckeditor_v1_CollaborationDocumentExportFailed__Output } from '../../../hookbridge/ckeditor/v1/CollaborationDocumentExportFailed';
import type { CollaborationDocumentRecovered as _hookbridge_ckeditor_v1_CollaborationDocumentRecovered, CollaborationDocumentRecovered__Output as _hookbridge_ckeditor_v1_CollaborationDocumentRecovered__Output } from '../../../hookbridge/ckeditor/v1/CollaborationDocumentRecovered';
import type { CollaborationDocumentRemoved as _hookbridge_ckeditor_v1_CollaborationDocumentRemoved, CollaborationDocumentRemoved__Output as _hookbridge_ckeditor_v1_CollaborationDocumentRemoved__Output } from '../../../hookbridge/ckeditor/v1/CollaborationDocumentRemoved';
import type { StorageDocumentSaved as _hookbridge_ckeditor_v1_StorageDocumentSaved, StorageDocumentSaved__Output as _hookbridge_ckeditor_v1_StorageDocumentSaved__Output } from '../../../hookbridge/ckeditor/v1/StorageDocumentSaved';
import type { StorageDocumentSaveFailed as _hookbridge_ckeditor_v1_StorageDocumentSaveFailed, StorageDocumentSaveFailed__Output as _hookbridge_ckeditor_v1_StorageDocumentSaveFailed__Output } from '../../../hookbridge/ckeditor/v1/StorageDocumentSaveFailed';
import type { StorageDocumentRemoved as _hookbridge_ckeditor_v1_StorageDocumentRemoved, StorageDocumentRemoved__Output as _hookbridge_ckeditor_v1_StorageDocumentRemoved__Output } from '../../../hookbridge/ckeditor/v1/StorageDocumentRemoved';
import type { CommentAdded as _hookbridge_ckeditor_v1_CommentAdded, CommentAdded__Output as _hookbridge_ckeditor_v1_CommentAdded__Output } from '../../../hookbridge/ckeditor/v1/CommentAdded';
import type { CommentUpdated as _hookbridge_ckeditor_v1_CommentUpdated, CommentUpdated__Output as _hookbridge_ckeditor_v1_CommentUpdated__Output } from '../../../hookbridge/ckeditor/v1/CommentUpdated';
import type { CommentRemoved as _hookbridge_ckeditor_v1_CommentRemoved, CommentRemoved__Output as _hookbridge_ckeditor_v1_CommentRemoved__Output } from '../../../hookbridge/ckeditor/v1/CommentRemoved';
import type { CommentThreadAdded as _hookbridge_ckeditor_v1_CommentThreadAdded, CommentThreadAdded__Output as _hookbridge_ckeditor_v1_CommentThreadAdded__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadAdded';
import type { CommentThreadUpdated as _hookbridge_ckeditor_v1_CommentThreadUpdated, CommentThreadUpdated__Output as _hookbridge_ckeditor_v1_CommentThreadUpdated__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadUpdated';
import type { CommentThreadResolved as _hookbridge_ckeditor_v1_CommentThreadResolved, CommentThreadResolved__Output as _hookbridge_ckeditor_v1_CommentThreadResolved__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadResolved';
import type { CommentThreadReopened as _hookbridge_ckeditor_v1_CommentThreadReopened, CommentThreadReopened__Output as _hookbridge_ckeditor_v1_CommentThreadReopened__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadReopened';
import type { CommentThreadRemoved as _hookbridge_ckeditor_v1_CommentThreadRemoved, CommentThreadRemoved__Output as _hookbridge_ckeditor_v1_CommentThreadRemoved__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadRemoved';
import type { CommentThreadRestored as _hookbridge_ckeditor_v1_CommentThreadRestored, CommentThreadRestored__Output as _hookbridge_ckeditor_v1_CommentThreadRestored__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadRestored';
import type { CommentThreadAllRemoved as _hookbridge_ckeditor_v1_CommentThreadAllRemoved, CommentThreadAllRemoved__Output as _hookbridge_ckeditor_v1_CommentThreadAllRemoved__Output } from '../../../hookbridge/ckeditor/v1/CommentThreadAllRemoved';
import type { SuggestionAdded as _hookbridge_ckeditor_v1_SuggestionAdded, SuggestionAdded__Output as _hookbridge_ckeditor_v1_SuggestionAdded__Output } from '../../../hookbridge/ckeditor/v1/SuggestionAdded';
import type { SuggestionAccepted as _hookbridge_ckeditor_v1_SuggestionAccepted, SuggestionAccepted__Output as _hookbridge_ckeditor_v1_SuggestionAccepted__Output } from '../../../hookbridge/ckeditor/v1/SuggestionAccepted';
import type { SuggestionRejected as _hookbridge_ckeditor_v1_SuggestionRejected, SuggestionRejected__Output as _hookbridge_ckeditor_v1_SuggestionRejected__Output } from '../../../hookbridge/ckeditor/v1/SuggestionRejected';
import type { SuggestionRemoved as _hookbridge_ckeditor_v1_SuggestionRemoved, SuggestionRemoved__Output as _hookbridge_ckeditor_v1_SuggestionRemoved__Output } from '../../../hookbridge/ckeditor/v1/SuggestionRemoved';
import type { SuggestionRestored as _hookbridge_ckeditor_v1_SuggestionRestored, SuggestionRestored__Output as _hookbridge_ckeditor_v1_SuggestionRestored__Output } from '../../../hookbridge/ckeditor/v1/SuggestionRestored';
import type { Ping as _hookbridge_ckeditor_v1_Ping, Ping__Output as _hookbridge_ckeditor_v1_Ping__Output } from '../../../hookbridge/ckeditor/v1/Ping';
/**
 * One typed CKEditor Cloud Services event. The field that is set says which
 * event it is; `Event.type` keeps the name as received, which matters for
 * the legacy names mapped onto current messages (noted per field).
 */
export interface CkeditorEvent {
    /**
     * collaboration.user.connected (legacy: document.user.connected)
     */
    'collaboration_user_connected'?: (_hookbridge_ckeditor_v1_CollaborationUserConnected | null);
    /**
     * collaboration.user.disconnected (legacy: document.user.disconnected)
     */
    'collaboration_user_disconnected'?: (_hookbridge_ckeditor_v1_CollaborationUserDisconnected | null);
    /**
     * collaboration.document.updated
     */
    'collaboration_document_updated'?: (_hookbridge_ckeditor_v1_CollaborationDocumentUpdated | null);
    /**
     * collaboration.document.update.exported
     */
    'collaboration_document_update_exported'?: (_hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported | null);
    /**
     * collaboration.document.finished
     */
    'collaboration_document_finished'?: (_hookbridge_ckeditor_v1_CollaborationDocumentFinished | null);
    /**
     * collaboration.document.exported
     */
    'collaboration_document_exported'?: (_hookbridge_ckeditor_v1_CollaborationDocumentExported | null);
    /**
     * collaboration.document.export.failed
     */
    'collaboration_document_export_failed'?: (_hookbridge_ckeditor_v1_CollaborationDocumentExportFailed | null);
    /**
     * collaboration.document.recovered
     */
    'collaboration_document_recovered'?: (_hookbridge_ckeditor_v1_CollaborationDocumentRecovered | null);
    /**
     * collaboration.document.removed (deprecated; legacy: document.removed)
     */
    'collaboration_document_removed'?: (_hookbridge_ckeditor_v1_CollaborationDocumentRemoved | null);
    /**
     * storage.document.saved
     */
    'storage_document_saved'?: (_hookbridge_ckeditor_v1_StorageDocumentSaved | null);
    /**
     * storage.document.save.failed
     */
    'storage_document_save_failed'?: (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed | null);
    /**
     * storage.document.removed
     */
    'storage_document_removed'?: (_hookbridge_ckeditor_v1_StorageDocumentRemoved | null);
    /**
     * comment.added
     */
    'comment_added'?: (_hookbridge_ckeditor_v1_CommentAdded | null);
    /**
     * comment.updated
     */
    'comment_updated'?: (_hookbridge_ckeditor_v1_CommentUpdated | null);
    /**
     * comment.removed
     */
    'comment_removed'?: (_hookbridge_ckeditor_v1_CommentRemoved | null);
    /**
     * commentthread.added
     */
    'comment_thread_added'?: (_hookbridge_ckeditor_v1_CommentThreadAdded | null);
    /**
     * commentthread.updated
     */
    'comment_thread_updated'?: (_hookbridge_ckeditor_v1_CommentThreadUpdated | null);
    /**
     * commentthread.resolved
     */
    'comment_thread_resolved'?: (_hookbridge_ckeditor_v1_CommentThreadResolved | null);
    /**
     * commentthread.reopened
     */
    'comment_thread_reopened'?: (_hookbridge_ckeditor_v1_CommentThreadReopened | null);
    /**
     * commentthread.removed
     */
    'comment_thread_removed'?: (_hookbridge_ckeditor_v1_CommentThreadRemoved | null);
    /**
     * commentthread.restored
     */
    'comment_thread_restored'?: (_hookbridge_ckeditor_v1_CommentThreadRestored | null);
    /**
     * commentthread.all.removed
     */
    'comment_thread_all_removed'?: (_hookbridge_ckeditor_v1_CommentThreadAllRemoved | null);
    /**
     * suggestion.added
     */
    'suggestion_added'?: (_hookbridge_ckeditor_v1_SuggestionAdded | null);
    /**
     * suggestion.accepted
     */
    'suggestion_accepted'?: (_hookbridge_ckeditor_v1_SuggestionAccepted | null);
    /**
     * suggestion.rejected
     */
    'suggestion_rejected'?: (_hookbridge_ckeditor_v1_SuggestionRejected | null);
    /**
     * suggestion.removed
     */
    'suggestion_removed'?: (_hookbridge_ckeditor_v1_SuggestionRemoved | null);
    /**
     * suggestion.restored
     */
    'suggestion_restored'?: (_hookbridge_ckeditor_v1_SuggestionRestored | null);
    /**
     * ping: sent once when a webhook is created.
     */
    'ping'?: (_hookbridge_ckeditor_v1_Ping | null);
    'event'?: "collaboration_user_connected" | "collaboration_user_disconnected" | "collaboration_document_updated" | "collaboration_document_update_exported" | "collaboration_document_finished" | "collaboration_document_exported" | "collaboration_document_export_failed" | "collaboration_document_recovered" | "collaboration_document_removed" | "storage_document_saved" | "storage_document_save_failed" | "storage_document_removed" | "comment_added" | "comment_updated" | "comment_removed" | "comment_thread_added" | "comment_thread_updated" | "comment_thread_resolved" | "comment_thread_reopened" | "comment_thread_removed" | "comment_thread_restored" | "comment_thread_all_removed" | "suggestion_added" | "suggestion_accepted" | "suggestion_rejected" | "suggestion_removed" | "suggestion_restored" | "ping";
}
/**
 * One typed CKEditor Cloud Services event. The field that is set says which
 * event it is; `Event.type` keeps the name as received, which matters for
 * the legacy names mapped onto current messages (noted per field).
 */
export interface CkeditorEvent__Output {
    /**
     * collaboration.user.connected (legacy: document.user.connected)
     */
    'collaboration_user_connected'?: (_hookbridge_ckeditor_v1_CollaborationUserConnected__Output | null);
    /**
     * collaboration.user.disconnected (legacy: document.user.disconnected)
     */
    'collaboration_user_disconnected'?: (_hookbridge_ckeditor_v1_CollaborationUserDisconnected__Output | null);
    /**
     * collaboration.document.updated
     */
    'collaboration_document_updated'?: (_hookbridge_ckeditor_v1_CollaborationDocumentUpdated__Output | null);
    /**
     * collaboration.document.update.exported
     */
    'collaboration_document_update_exported'?: (_hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported__Output | null);
    /**
     * collaboration.document.finished
     */
    'collaboration_document_finished'?: (_hookbridge_ckeditor_v1_CollaborationDocumentFinished__Output | null);
    /**
     * collaboration.document.exported
     */
    'collaboration_document_exported'?: (_hookbridge_ckeditor_v1_CollaborationDocumentExported__Output | null);
    /**
     * collaboration.document.export.failed
     */
    'collaboration_document_export_failed'?: (_hookbridge_ckeditor_v1_CollaborationDocumentExportFailed__Output | null);
    /**
     * collaboration.document.recovered
     */
    'collaboration_document_recovered'?: (_hookbridge_ckeditor_v1_CollaborationDocumentRecovered__Output | null);
    /**
     * collaboration.document.removed (deprecated; legacy: document.removed)
     */
    'collaboration_document_removed'?: (_hookbridge_ckeditor_v1_CollaborationDocumentRemoved__Output | null);
    /**
     * storage.document.saved
     */
    'storage_document_saved'?: (_hookbridge_ckeditor_v1_StorageDocumentSaved__Output | null);
    /**
     * storage.document.save.failed
     */
    'storage_document_save_failed'?: (_hookbridge_ckeditor_v1_StorageDocumentSaveFailed__Output | null);
    /**
     * storage.document.removed
     */
    'storage_document_removed'?: (_hookbridge_ckeditor_v1_StorageDocumentRemoved__Output | null);
    /**
     * comment.added
     */
    'comment_added'?: (_hookbridge_ckeditor_v1_CommentAdded__Output | null);
    /**
     * comment.updated
     */
    'comment_updated'?: (_hookbridge_ckeditor_v1_CommentUpdated__Output | null);
    /**
     * comment.removed
     */
    'comment_removed'?: (_hookbridge_ckeditor_v1_CommentRemoved__Output | null);
    /**
     * commentthread.added
     */
    'comment_thread_added'?: (_hookbridge_ckeditor_v1_CommentThreadAdded__Output | null);
    /**
     * commentthread.updated
     */
    'comment_thread_updated'?: (_hookbridge_ckeditor_v1_CommentThreadUpdated__Output | null);
    /**
     * commentthread.resolved
     */
    'comment_thread_resolved'?: (_hookbridge_ckeditor_v1_CommentThreadResolved__Output | null);
    /**
     * commentthread.reopened
     */
    'comment_thread_reopened'?: (_hookbridge_ckeditor_v1_CommentThreadReopened__Output | null);
    /**
     * commentthread.removed
     */
    'comment_thread_removed'?: (_hookbridge_ckeditor_v1_CommentThreadRemoved__Output | null);
    /**
     * commentthread.restored
     */
    'comment_thread_restored'?: (_hookbridge_ckeditor_v1_CommentThreadRestored__Output | null);
    /**
     * commentthread.all.removed
     */
    'comment_thread_all_removed'?: (_hookbridge_ckeditor_v1_CommentThreadAllRemoved__Output | null);
    /**
     * suggestion.added
     */
    'suggestion_added'?: (_hookbridge_ckeditor_v1_SuggestionAdded__Output | null);
    /**
     * suggestion.accepted
     */
    'suggestion_accepted'?: (_hookbridge_ckeditor_v1_SuggestionAccepted__Output | null);
    /**
     * suggestion.rejected
     */
    'suggestion_rejected'?: (_hookbridge_ckeditor_v1_SuggestionRejected__Output | null);
    /**
     * suggestion.removed
     */
    'suggestion_removed'?: (_hookbridge_ckeditor_v1_SuggestionRemoved__Output | null);
    /**
     * suggestion.restored
     */
    'suggestion_restored'?: (_hookbridge_ckeditor_v1_SuggestionRestored__Output | null);
    /**
     * ping: sent once when a webhook is created.
     */
    'ping'?: (_hookbridge_ckeditor_v1_Ping__Output | null);
    'event'?: "collaboration_user_connected" | "collaboration_user_disconnected" | "collaboration_document_updated" | "collaboration_document_update_exported" | "collaboration_document_finished" | "collaboration_document_exported" | "collaboration_document_export_failed" | "collaboration_document_recovered" | "collaboration_document_removed" | "storage_document_saved" | "storage_document_save_failed" | "storage_document_removed" | "comment_added" | "comment_updated" | "comment_removed" | "comment_thread_added" | "comment_thread_updated" | "comment_thread_resolved" | "comment_thread_reopened" | "comment_thread_removed" | "comment_thread_restored" | "comment_thread_all_removed" | "suggestion_added" | "suggestion_accepted" | "suggestion_rejected" | "suggestion_removed" | "suggestion_restored" | "ping";
}
