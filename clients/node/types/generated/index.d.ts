export declare namespace google {
    namespace protobuf {
        type Any = import('./google/protobuf/Any').Any__Output;
        type Duration = import('./google/protobuf/Duration').Duration__Output;
        type ListValue = import('./google/protobuf/ListValue').ListValue__Output;
        type NullValue = import('./google/protobuf/NullValue').NullValue__Output;
        type Struct = import('./google/protobuf/Struct').Struct__Output;
        type Timestamp = import('./google/protobuf/Timestamp').Timestamp__Output;
        type Value = import('./google/protobuf/Value').Value__Output;
    }
    namespace rpc {
        type ErrorInfo = import('./google/rpc/ErrorInfo').ErrorInfo__Output;
        type RetryInfo = import('./google/rpc/RetryInfo').RetryInfo__Output;
        type Status = import('./google/rpc/Status').Status__Output;
    }
}
export declare namespace hookbridge {
    namespace cand {
        namespace v1 {
            type CandEvent = import('./hookbridge/cand/v1/CandEvent').CandEvent__Output;
            type Context = import('./hookbridge/cand/v1/Context').Context__Output;
            type MemberActivated = import('./hookbridge/cand/v1/MemberActivated').MemberActivated__Output;
            type MemberJoined = import('./hookbridge/cand/v1/MemberJoined').MemberJoined__Output;
            type MemberUpdated = import('./hookbridge/cand/v1/MemberUpdated').MemberUpdated__Output;
            type MessageCreated = import('./hookbridge/cand/v1/MessageCreated').MessageCreated__Output;
            type PaymentPaid = import('./hookbridge/cand/v1/PaymentPaid').PaymentPaid__Output;
            type PaymentPaid_Purchase = import('./hookbridge/cand/v1/PaymentPaid')._hookbridge_cand_v1_PaymentPaid_Purchase__Output;
            type PaymentPaid_PurchaseItem = import('./hookbridge/cand/v1/PaymentPaid')._hookbridge_cand_v1_PaymentPaid_PurchaseItem__Output;
            type ProductCreated = import('./hookbridge/cand/v1/ProductCreated').ProductCreated__Output;
            type ProductUpdated = import('./hookbridge/cand/v1/ProductUpdated').ProductUpdated__Output;
            type ProductVoted = import('./hookbridge/cand/v1/ProductVoted').ProductVoted__Output;
            type SubscriptionExpired = import('./hookbridge/cand/v1/SubscriptionExpired').SubscriptionExpired__Output;
            type SubscriptionSubscribed = import('./hookbridge/cand/v1/SubscriptionSubscribed').SubscriptionSubscribed__Output;
        }
    }
    namespace ckbox {
        namespace v1 {
            type AssetUploaded = import('./hookbridge/ckbox/v1/AssetUploaded').AssetUploaded__Output;
            type AssetUploaded_Asset = import('./hookbridge/ckbox/v1/AssetUploaded')._hookbridge_ckbox_v1_AssetUploaded_Asset__Output;
            type AssetUploaded_Metadata = import('./hookbridge/ckbox/v1/AssetUploaded')._hookbridge_ckbox_v1_AssetUploaded_Metadata__Output;
            type AssetUploaded_User = import('./hookbridge/ckbox/v1/AssetUploaded')._hookbridge_ckbox_v1_AssetUploaded_User__Output;
            type CkboxEvent = import('./hookbridge/ckbox/v1/CkboxEvent').CkboxEvent__Output;
        }
    }
    namespace ckeditor {
        namespace v1 {
            type CkeditorEvent = import('./hookbridge/ckeditor/v1/CkeditorEvent').CkeditorEvent__Output;
            type CollaborationDocumentExportFailed = import('./hookbridge/ckeditor/v1/CollaborationDocumentExportFailed').CollaborationDocumentExportFailed__Output;
            type CollaborationDocumentExportFailed_Document = import('./hookbridge/ckeditor/v1/CollaborationDocumentExportFailed')._hookbridge_ckeditor_v1_CollaborationDocumentExportFailed_Document__Output;
            type CollaborationDocumentExported = import('./hookbridge/ckeditor/v1/CollaborationDocumentExported').CollaborationDocumentExported__Output;
            type CollaborationDocumentExported_Document = import('./hookbridge/ckeditor/v1/CollaborationDocumentExported')._hookbridge_ckeditor_v1_CollaborationDocumentExported_Document__Output;
            type CollaborationDocumentFinished = import('./hookbridge/ckeditor/v1/CollaborationDocumentFinished').CollaborationDocumentFinished__Output;
            type CollaborationDocumentFinished_Document = import('./hookbridge/ckeditor/v1/CollaborationDocumentFinished')._hookbridge_ckeditor_v1_CollaborationDocumentFinished_Document__Output;
            type CollaborationDocumentRecovered = import('./hookbridge/ckeditor/v1/CollaborationDocumentRecovered').CollaborationDocumentRecovered__Output;
            type CollaborationDocumentRecovered_Document = import('./hookbridge/ckeditor/v1/CollaborationDocumentRecovered')._hookbridge_ckeditor_v1_CollaborationDocumentRecovered_Document__Output;
            type CollaborationDocumentRemoved = import('./hookbridge/ckeditor/v1/CollaborationDocumentRemoved').CollaborationDocumentRemoved__Output;
            type CollaborationDocumentRemoved_Document = import('./hookbridge/ckeditor/v1/CollaborationDocumentRemoved')._hookbridge_ckeditor_v1_CollaborationDocumentRemoved_Document__Output;
            type CollaborationDocumentUpdateExported = import('./hookbridge/ckeditor/v1/CollaborationDocumentUpdateExported').CollaborationDocumentUpdateExported__Output;
            type CollaborationDocumentUpdateExported_Document = import('./hookbridge/ckeditor/v1/CollaborationDocumentUpdateExported')._hookbridge_ckeditor_v1_CollaborationDocumentUpdateExported_Document__Output;
            type CollaborationDocumentUpdated = import('./hookbridge/ckeditor/v1/CollaborationDocumentUpdated').CollaborationDocumentUpdated__Output;
            type CollaborationDocumentUpdated_Document = import('./hookbridge/ckeditor/v1/CollaborationDocumentUpdated')._hookbridge_ckeditor_v1_CollaborationDocumentUpdated_Document__Output;
            type CollaborationUserConnected = import('./hookbridge/ckeditor/v1/CollaborationUserConnected').CollaborationUserConnected__Output;
            type CollaborationUserDisconnected = import('./hookbridge/ckeditor/v1/CollaborationUserDisconnected').CollaborationUserDisconnected__Output;
            type CommentAdded = import('./hookbridge/ckeditor/v1/CommentAdded').CommentAdded__Output;
            type CommentAdded_Comment = import('./hookbridge/ckeditor/v1/CommentAdded')._hookbridge_ckeditor_v1_CommentAdded_Comment__Output;
            type CommentRemoved = import('./hookbridge/ckeditor/v1/CommentRemoved').CommentRemoved__Output;
            type CommentRemoved_Comment = import('./hookbridge/ckeditor/v1/CommentRemoved')._hookbridge_ckeditor_v1_CommentRemoved_Comment__Output;
            type CommentThreadAdded = import('./hookbridge/ckeditor/v1/CommentThreadAdded').CommentThreadAdded__Output;
            type CommentThreadAdded_CommentThread = import('./hookbridge/ckeditor/v1/CommentThreadAdded')._hookbridge_ckeditor_v1_CommentThreadAdded_CommentThread__Output;
            type CommentThreadAllRemoved = import('./hookbridge/ckeditor/v1/CommentThreadAllRemoved').CommentThreadAllRemoved__Output;
            type CommentThreadAllRemoved_CommentThread = import('./hookbridge/ckeditor/v1/CommentThreadAllRemoved')._hookbridge_ckeditor_v1_CommentThreadAllRemoved_CommentThread__Output;
            type CommentThreadInfo = import('./hookbridge/ckeditor/v1/CommentThreadInfo').CommentThreadInfo__Output;
            type CommentThreadRemoved = import('./hookbridge/ckeditor/v1/CommentThreadRemoved').CommentThreadRemoved__Output;
            type CommentThreadRemoved_CommentThread = import('./hookbridge/ckeditor/v1/CommentThreadRemoved')._hookbridge_ckeditor_v1_CommentThreadRemoved_CommentThread__Output;
            type CommentThreadReopened = import('./hookbridge/ckeditor/v1/CommentThreadReopened').CommentThreadReopened__Output;
            type CommentThreadReopened_CommentThread = import('./hookbridge/ckeditor/v1/CommentThreadReopened')._hookbridge_ckeditor_v1_CommentThreadReopened_CommentThread__Output;
            type CommentThreadResolved = import('./hookbridge/ckeditor/v1/CommentThreadResolved').CommentThreadResolved__Output;
            type CommentThreadResolved_CommentThread = import('./hookbridge/ckeditor/v1/CommentThreadResolved')._hookbridge_ckeditor_v1_CommentThreadResolved_CommentThread__Output;
            type CommentThreadRestored = import('./hookbridge/ckeditor/v1/CommentThreadRestored').CommentThreadRestored__Output;
            type CommentThreadRestored_CommentThread = import('./hookbridge/ckeditor/v1/CommentThreadRestored')._hookbridge_ckeditor_v1_CommentThreadRestored_CommentThread__Output;
            type CommentThreadUpdated = import('./hookbridge/ckeditor/v1/CommentThreadUpdated').CommentThreadUpdated__Output;
            type CommentThreadUpdated_CommentThread = import('./hookbridge/ckeditor/v1/CommentThreadUpdated')._hookbridge_ckeditor_v1_CommentThreadUpdated_CommentThread__Output;
            type CommentUpdated = import('./hookbridge/ckeditor/v1/CommentUpdated').CommentUpdated__Output;
            type CommentUpdated_Comment = import('./hookbridge/ckeditor/v1/CommentUpdated')._hookbridge_ckeditor_v1_CommentUpdated_Comment__Output;
            type DocumentRef = import('./hookbridge/ckeditor/v1/DocumentRef').DocumentRef__Output;
            type Ping = import('./hookbridge/ckeditor/v1/Ping').Ping__Output;
            type StorageDocumentRemoved = import('./hookbridge/ckeditor/v1/StorageDocumentRemoved').StorageDocumentRemoved__Output;
            type StorageDocumentRemoved_Document = import('./hookbridge/ckeditor/v1/StorageDocumentRemoved')._hookbridge_ckeditor_v1_StorageDocumentRemoved_Document__Output;
            type StorageDocumentSaveFailed = import('./hookbridge/ckeditor/v1/StorageDocumentSaveFailed').StorageDocumentSaveFailed__Output;
            type StorageDocumentSaveFailed_Document = import('./hookbridge/ckeditor/v1/StorageDocumentSaveFailed')._hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Document__Output;
            type StorageDocumentSaveFailed_Editor = import('./hookbridge/ckeditor/v1/StorageDocumentSaveFailed')._hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Editor__Output;
            type StorageDocumentSaveFailed_Failure = import('./hookbridge/ckeditor/v1/StorageDocumentSaveFailed')._hookbridge_ckeditor_v1_StorageDocumentSaveFailed_Failure__Output;
            type StorageDocumentSaved = import('./hookbridge/ckeditor/v1/StorageDocumentSaved').StorageDocumentSaved__Output;
            type StorageDocumentSaved_Document = import('./hookbridge/ckeditor/v1/StorageDocumentSaved')._hookbridge_ckeditor_v1_StorageDocumentSaved_Document__Output;
            type SuggestionAccepted = import('./hookbridge/ckeditor/v1/SuggestionAccepted').SuggestionAccepted__Output;
            type SuggestionAccepted_Suggestion = import('./hookbridge/ckeditor/v1/SuggestionAccepted')._hookbridge_ckeditor_v1_SuggestionAccepted_Suggestion__Output;
            type SuggestionAdded = import('./hookbridge/ckeditor/v1/SuggestionAdded').SuggestionAdded__Output;
            type SuggestionAdded_Suggestion = import('./hookbridge/ckeditor/v1/SuggestionAdded')._hookbridge_ckeditor_v1_SuggestionAdded_Suggestion__Output;
            type SuggestionRejected = import('./hookbridge/ckeditor/v1/SuggestionRejected').SuggestionRejected__Output;
            type SuggestionRejected_Suggestion = import('./hookbridge/ckeditor/v1/SuggestionRejected')._hookbridge_ckeditor_v1_SuggestionRejected_Suggestion__Output;
            type SuggestionRemoved = import('./hookbridge/ckeditor/v1/SuggestionRemoved').SuggestionRemoved__Output;
            type SuggestionRemoved_Suggestion = import('./hookbridge/ckeditor/v1/SuggestionRemoved')._hookbridge_ckeditor_v1_SuggestionRemoved_Suggestion__Output;
            type SuggestionRestored = import('./hookbridge/ckeditor/v1/SuggestionRestored').SuggestionRestored__Output;
            type SuggestionRestored_Suggestion = import('./hookbridge/ckeditor/v1/SuggestionRestored')._hookbridge_ckeditor_v1_SuggestionRestored_Suggestion__Output;
            type ThreadComment = import('./hookbridge/ckeditor/v1/ThreadComment').ThreadComment__Output;
            type UserRef = import('./hookbridge/ckeditor/v1/UserRef').UserRef__Output;
        }
    }
    namespace docspace {
        namespace v1 {
            type Contact = import('./hookbridge/docspace/v1/Contact').Contact__Output;
            type Delivery = import('./hookbridge/docspace/v1/Delivery').Delivery__Output;
            type DocspaceEvent = import('./hookbridge/docspace/v1/DocspaceEvent').DocspaceEvent__Output;
            type Employee = import('./hookbridge/docspace/v1/Employee').Employee__Output;
            type File = import('./hookbridge/docspace/v1/File').File__Output;
            type Folder = import('./hookbridge/docspace/v1/Folder').Folder__Output;
            type Form = import('./hookbridge/docspace/v1/Form').Form__Output;
            type Group = import('./hookbridge/docspace/v1/Group').Group__Output;
            type GroupSummary = import('./hookbridge/docspace/v1/GroupSummary').GroupSummary__Output;
            type Room = import('./hookbridge/docspace/v1/Room').Room__Output;
            type User = import('./hookbridge/docspace/v1/User').User__Output;
            type Webhook = import('./hookbridge/docspace/v1/Webhook').Webhook__Output;
            type WebhookTarget = import('./hookbridge/docspace/v1/WebhookTarget').WebhookTarget__Output;
        }
    }
    namespace v1 {
        type Acknowledge = import('./hookbridge/v1/Acknowledge').Acknowledge__Output;
        type ConsumeRequest = import('./hookbridge/v1/ConsumeRequest').ConsumeRequest__Output;
        type ConsumeResponse = import('./hookbridge/v1/ConsumeResponse').ConsumeResponse__Output;
        type ConsumeStart = import('./hookbridge/v1/ConsumeStart').ConsumeStart__Output;
        type ConsumedEvent = import('./hookbridge/v1/ConsumedEvent').ConsumedEvent__Output;
        type Consumer = import('./hookbridge/v1/Consumer').Consumer__Output;
        type ConsumerConfig = import('./hookbridge/v1/ConsumerConfig').ConsumerConfig__Output;
        type ConsumerOrdering = import('./hookbridge/v1/ConsumerOrdering').ConsumerOrdering__Output;
        type CreateConsumerRequest = import('./hookbridge/v1/CreateConsumerRequest').CreateConsumerRequest__Output;
        type CreateConsumerResponse = import('./hookbridge/v1/CreateConsumerResponse').CreateConsumerResponse__Output;
        type DeadLetter = import('./hookbridge/v1/DeadLetter').DeadLetter__Output;
        type DeleteConsumerRequest = import('./hookbridge/v1/DeleteConsumerRequest').DeleteConsumerRequest__Output;
        type DeleteConsumerResponse = import('./hookbridge/v1/DeleteConsumerResponse').DeleteConsumerResponse__Output;
        type Event = import('./hookbridge/v1/Event').Event__Output;
        type EventFormat = import('./hookbridge/v1/EventFormat').EventFormat__Output;
        type EventType = import('./hookbridge/v1/EventType').EventType__Output;
        type ExtendDeadline = import('./hookbridge/v1/ExtendDeadline').ExtendDeadline__Output;
        type Gap = import('./hookbridge/v1/Gap').Gap__Output;
        type GetConsumerRequest = import('./hookbridge/v1/GetConsumerRequest').GetConsumerRequest__Output;
        type GetConsumerResponse = import('./hookbridge/v1/GetConsumerResponse').GetConsumerResponse__Output;
        type GetServerInfoRequest = import('./hookbridge/v1/GetServerInfoRequest').GetServerInfoRequest__Output;
        type GetServerInfoResponse = import('./hookbridge/v1/GetServerInfoResponse').GetServerInfoResponse__Output;
        type Heartbeat = import('./hookbridge/v1/Heartbeat').Heartbeat__Output;
        type ListConsumersRequest = import('./hookbridge/v1/ListConsumersRequest').ListConsumersRequest__Output;
        type ListConsumersResponse = import('./hookbridge/v1/ListConsumersResponse').ListConsumersResponse__Output;
        type ListDeadLettersRequest = import('./hookbridge/v1/ListDeadLettersRequest').ListDeadLettersRequest__Output;
        type ListDeadLettersResponse = import('./hookbridge/v1/ListDeadLettersResponse').ListDeadLettersResponse__Output;
        type ListEventTypesRequest = import('./hookbridge/v1/ListEventTypesRequest').ListEventTypesRequest__Output;
        type ListEventTypesResponse = import('./hookbridge/v1/ListEventTypesResponse').ListEventTypesResponse__Output;
        type NegativeAcknowledge = import('./hookbridge/v1/NegativeAcknowledge').NegativeAcknowledge__Output;
        type Provenance = import('./hookbridge/v1/Provenance').Provenance__Output;
        type Provider = import('./hookbridge/v1/Provider').Provider__Output;
        type ProviderEventTypes = import('./hookbridge/v1/ProviderEventTypes').ProviderEventTypes__Output;
        type RedriveDeadLettersRequest = import('./hookbridge/v1/RedriveDeadLettersRequest').RedriveDeadLettersRequest__Output;
        type RedriveDeadLettersResponse = import('./hookbridge/v1/RedriveDeadLettersResponse').RedriveDeadLettersResponse__Output;
        type RejectedSequences = import('./hookbridge/v1/RejectedSequences').RejectedSequences__Output;
        type SeekConsumerRequest = import('./hookbridge/v1/SeekConsumerRequest').SeekConsumerRequest__Output;
        type SeekConsumerResponse = import('./hookbridge/v1/SeekConsumerResponse').SeekConsumerResponse__Output;
        type SequenceRange = import('./hookbridge/v1/SequenceRange').SequenceRange__Output;
        type SequenceSet = import('./hookbridge/v1/SequenceSet').SequenceSet__Output;
        type SubscribeRequest = import('./hookbridge/v1/SubscribeRequest').SubscribeRequest__Output;
        type SubscribeResponse = import('./hookbridge/v1/SubscribeResponse').SubscribeResponse__Output;
        type TraceContext = import('./hookbridge/v1/TraceContext').TraceContext__Output;
    }
}
export declare namespace io {
    namespace cloudevents {
        namespace v1 {
            type CloudEvent = import('./io/cloudevents/v1/CloudEvent').CloudEvent__Output;
            type CloudEventBatch = import('./io/cloudevents/v1/CloudEventBatch').CloudEventBatch__Output;
            type CloudEvent_CloudEventAttributeValue = import('./io/cloudevents/v1/CloudEvent')._io_cloudevents_v1_CloudEvent_CloudEventAttributeValue__Output;
        }
    }
}
