// ONLYOFFICE DocSpace sources.
//
// Body: {"event": {"id", "createOn", "createBy", "trigger", "triggerId"},
// "payload": <the entity>, "webhook": {...}}, signed as described in
// signature.h. Decoding:
//
// - Event.type is event.trigger (required: a non-empty string, else
//   InvalidArgument). Event.id is event.id as decimal text: the delivery-log
//   id, the same on every retry of one delivery, so it is the dedup key.
//   Event.sent_at and environment_id stay unset (DocSpace sends neither;
//   event.createOn, the event time, is in DocspaceEvent.event).
// - The payload decodes by trigger group (see kDocspaceCatalog); unknown
//   triggers, and payloads that do not fit their message, arrive untyped
//   (then without the typed event/webhook metadata, which lives in the
//   DocspaceEvent container; it is still in the raw body).
// - event and webhook are converted key by key: a key that does not fit is
//   left out and named in Event.decode_error, but never fails the delivery.
// - A payload that is not an object (DocSpace re-sends deliveries recorded
//   by older versions with trigger "*" and the old body as a string) is
//   delivered untyped as {"payload": <value>} with decode_error set.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_DOCSPACE_DOCSPACE_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_DOCSPACE_DOCSPACE_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

// Every trigger of DocSpace's WebhookTrigger enum (36), each mapped to the
// DocspaceEvent field of its group ("file.downloaded" -> file). The subject
// is the payload's id; for form.submit, whose payload is
// {originalForm, submittedForm}, it is originalForm.id.
extern const Catalog kDocspaceCatalog;

// Requires at least one secret (InvalidArgument otherwise).
absl::StatusOr<std::unique_ptr<Source>> CreateDocspaceSource(const SourceConfig& config);

// The signature header of `request` signed with `secret`: the provider
// table's test signer.
TestSignature SignDocspaceRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_DOCSPACE_DOCSPACE_SOURCE_H_
