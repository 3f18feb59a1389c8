import type { Provider as _hookbridge_v1_Provider, Provider__Output as _hookbridge_v1_Provider__Output } from '../../hookbridge/v1/Provider';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Provenance as _hookbridge_v1_Provenance, Provenance__Output as _hookbridge_v1_Provenance__Output } from '../../hookbridge/v1/Provenance';
import type { TraceContext as _hookbridge_v1_TraceContext, TraceContext__Output as _hookbridge_v1_TraceContext__Output } from '../../hookbridge/v1/TraceContext';
import type { CkeditorEvent as _hookbridge_ckeditor_v1_CkeditorEvent, CkeditorEvent__Output as _hookbridge_ckeditor_v1_CkeditorEvent__Output } from '../../hookbridge/ckeditor/v1/CkeditorEvent';
import type { CkboxEvent as _hookbridge_ckbox_v1_CkboxEvent, CkboxEvent__Output as _hookbridge_ckbox_v1_CkboxEvent__Output } from '../../hookbridge/ckbox/v1/CkboxEvent';
import type { DocspaceEvent as _hookbridge_docspace_v1_DocspaceEvent, DocspaceEvent__Output as _hookbridge_docspace_v1_DocspaceEvent__Output } from '../../hookbridge/docspace/v1/DocspaceEvent';
import type { CandEvent as _hookbridge_cand_v1_CandEvent, CandEvent__Output as _hookbridge_cand_v1_CandEvent__Output } from '../../hookbridge/cand/v1/CandEvent';
import type { CloudEvent as _io_cloudevents_v1_CloudEvent, CloudEvent__Output as _io_cloudevents_v1_CloudEvent__Output } from '../../io/cloudevents/v1/CloudEvent';
import type { Struct as _google_protobuf_Struct, Struct__Output as _google_protobuf_Struct__Output } from '../../google/protobuf/Struct';
import type { Long } from '@grpc/proto-loader';
export interface Event {
    /**
     * Unique per event: the provider's delivery id where its signature covers
     * one, else a content hash of the delivery (GitHub's X-GitHub-Delivery is
     * not signed, so a GitHub event's id is the hash). A redelivery of the
     * same webhook has the same id and is not appended twice.
     */
    'id'?: (string);
    /**
     * Position in the event log, starting at 1 and strictly increasing. This is
     * the resume cursor: subscribe with `after_sequence` set to the last
     * sequence you processed.
     */
    'sequence'?: (number | string | Long);
    /**
     * Name of the configured source the webhook was posted to.
     */
    'source'?: (string);
    'provider'?: (_hookbridge_v1_Provider);
    /**
     * The provider's event name exactly as received, e.g. `comment.added` or the
     * legacy `document.user.connected`.
     */
    'type'?: (string);
    /**
     * The provider's environment (tenant) id, where it sends one. For an
     * incoming CloudEvent, its `source` attribute (id and source together
     * identify a CloudEvent).
     */
    'environment_id'?: (string);
    /**
     * Id of the main entity the event is about: the document, asset, file...
     * Empty when the event names none.
     */
    'subject'?: (string);
    /**
     * When the provider says it sent the webhook (absent if it does not say).
     */
    'sent_at'?: (_google_protobuf_Timestamp | null);
    /**
     * When hookbridge received the request.
     */
    'received_at'?: (_google_protobuf_Timestamp | null);
    /**
     * The request body exactly as received. Only sent to subscribers that set
     * `include_raw`.
     */
    'raw_body'?: (Buffer | Uint8Array | string);
    /**
     * Set when the event type is known but its payload did not match the
     * schema (a field of an unexpected JSON type). The event is then still
     * delivered, with its payload in `untyped`; this says what did not match.
     */
    'decode_error'?: (string);
    /**
     * The entity's own time, for event types that carry one and are sent out
     * of order: the document's updated_at / removed_at / saved_at... for
     * collaboration.document.* and storage.document.* events.
     */
    'entity_time'?: (_google_protobuf_Timestamp | null);
    /**
     * True when an event with a later entity_time for the same source and
     * subject was already appended: applying this one would overwrite newer
     * state with older (see the provider's "Webhook order" advice). The event
     * is still delivered; a subscriber that keeps the latest state skips it.
     */
    'superseded'?: (boolean);
    /**
     * What hookbridge verified of the request this event came from, so that
     * a subscriber can show it, and re-verify `raw_body` against
     * `body_sha256` itself.
     */
    'provenance'?: (_hookbridge_v1_Provenance | null);
    /**
     * The W3C Trace Context of the webhook request, so that a subscriber
     * continues the sender's trace.
     */
    'trace_context'?: (_hookbridge_v1_TraceContext | null);
    'ckeditor'?: (_hookbridge_ckeditor_v1_CkeditorEvent | null);
    'ckbox'?: (_hookbridge_ckbox_v1_CkboxEvent | null);
    'docspace'?: (_hookbridge_docspace_v1_DocspaceEvent | null);
    'cand'?: (_hookbridge_cand_v1_CandEvent | null);
    /**
     * An incoming CloudEvent (the cloudevents provider) exactly as it
     * arrived: every attribute, extensions included, and its data. The
     * event's id, type, subject, sent_at (`time`) and environment_id
     * (`source`) repeat its attributes; see docs/CLOUDEVENTS.md.
     */
    'cloudevents'?: (_io_cloudevents_v1_CloudEvent | null);
    /**
     * The payload of an event whose type the schema does not know (every
     * event of the generic standard-webhooks, github and stripe providers), or
     * whose payload did not fit its message (see decode_error): delivered
     * as JSON, never dropped. Unset when the payload arrived typed.
     */
    'untyped'?: (_google_protobuf_Struct | null);
    /**
     * The decoded payload. Known event types arrive typed, in the message of
     * their provider. For DocSpace and canD the provider message also carries
     * the delivery's metadata (DocSpace's event and webhook objects, canD's
     * context), set even when the payload itself is untyped.
     */
    'payload'?: "ckeditor" | "ckbox" | "docspace" | "cand" | "cloudevents";
}
export interface Event__Output {
    /**
     * Unique per event: the provider's delivery id where its signature covers
     * one, else a content hash of the delivery (GitHub's X-GitHub-Delivery is
     * not signed, so a GitHub event's id is the hash). A redelivery of the
     * same webhook has the same id and is not appended twice.
     */
    'id': (string);
    /**
     * Position in the event log, starting at 1 and strictly increasing. This is
     * the resume cursor: subscribe with `after_sequence` set to the last
     * sequence you processed.
     */
    'sequence': (string);
    /**
     * Name of the configured source the webhook was posted to.
     */
    'source': (string);
    'provider': (_hookbridge_v1_Provider__Output);
    /**
     * The provider's event name exactly as received, e.g. `comment.added` or the
     * legacy `document.user.connected`.
     */
    'type': (string);
    /**
     * The provider's environment (tenant) id, where it sends one. For an
     * incoming CloudEvent, its `source` attribute (id and source together
     * identify a CloudEvent).
     */
    'environment_id': (string);
    /**
     * Id of the main entity the event is about: the document, asset, file...
     * Empty when the event names none.
     */
    'subject': (string);
    /**
     * When the provider says it sent the webhook (absent if it does not say).
     */
    'sent_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * When hookbridge received the request.
     */
    'received_at': (_google_protobuf_Timestamp__Output | null);
    /**
     * The request body exactly as received. Only sent to subscribers that set
     * `include_raw`.
     */
    'raw_body': (Buffer);
    /**
     * Set when the event type is known but its payload did not match the
     * schema (a field of an unexpected JSON type). The event is then still
     * delivered, with its payload in `untyped`; this says what did not match.
     */
    'decode_error': (string);
    /**
     * The entity's own time, for event types that carry one and are sent out
     * of order: the document's updated_at / removed_at / saved_at... for
     * collaboration.document.* and storage.document.* events.
     */
    'entity_time': (_google_protobuf_Timestamp__Output | null);
    /**
     * True when an event with a later entity_time for the same source and
     * subject was already appended: applying this one would overwrite newer
     * state with older (see the provider's "Webhook order" advice). The event
     * is still delivered; a subscriber that keeps the latest state skips it.
     */
    'superseded': (boolean);
    /**
     * What hookbridge verified of the request this event came from, so that
     * a subscriber can show it, and re-verify `raw_body` against
     * `body_sha256` itself.
     */
    'provenance': (_hookbridge_v1_Provenance__Output | null);
    /**
     * The W3C Trace Context of the webhook request, so that a subscriber
     * continues the sender's trace.
     */
    'trace_context': (_hookbridge_v1_TraceContext__Output | null);
    'ckeditor'?: (_hookbridge_ckeditor_v1_CkeditorEvent__Output | null);
    'ckbox'?: (_hookbridge_ckbox_v1_CkboxEvent__Output | null);
    'docspace'?: (_hookbridge_docspace_v1_DocspaceEvent__Output | null);
    'cand'?: (_hookbridge_cand_v1_CandEvent__Output | null);
    /**
     * An incoming CloudEvent (the cloudevents provider) exactly as it
     * arrived: every attribute, extensions included, and its data. The
     * event's id, type, subject, sent_at (`time`) and environment_id
     * (`source`) repeat its attributes; see docs/CLOUDEVENTS.md.
     */
    'cloudevents'?: (_io_cloudevents_v1_CloudEvent__Output | null);
    /**
     * The payload of an event whose type the schema does not know (every
     * event of the generic standard-webhooks, github and stripe providers), or
     * whose payload did not fit its message (see decode_error): delivered
     * as JSON, never dropped. Unset when the payload arrived typed.
     */
    'untyped': (_google_protobuf_Struct__Output | null);
    /**
     * The decoded payload. Known event types arrive typed, in the message of
     * their provider. For DocSpace and canD the provider message also carries
     * the delivery's metadata (DocSpace's event and webhook objects, canD's
     * context), set even when the payload itself is untyped.
     */
    'payload'?: "ckeditor" | "ckbox" | "docspace" | "cand" | "cloudevents";
}
