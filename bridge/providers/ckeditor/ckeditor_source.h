// CKEditor Cloud Services sources, and the envelope CKBox shares with them.
//
// Body: {"event": <name>, "environment_id": <id>, "sent_at": <RFC 3339>,
// "payload": {...}}, signed as described in signature.h.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_CKEDITOR_CKEDITOR_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_CKEDITOR_CKEDITOR_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

// Every event of the provider's event reference, including the deprecated
// collaboration.document.removed, the legacy document.* names and ping.
extern const Catalog kCkeditorCatalog;

absl::StatusOr<std::unique_ptr<Source>> CreateCkeditorSource(const SourceConfig& config);

// A source of provider `provider` (its row's name) with the CKEditor
// signature and envelope and the given catalog.
absl::StatusOr<std::unique_ptr<Source>> CreateCkeditorFamilySource(absl::string_view provider,
                                                                   const SourceConfig& config,
                                                                   const Catalog* catalog);

// The X-CS-Timestamp (the request's own, or its receive time) and
// X-CS-Signature headers of `request` signed with `secret`: the provider
// table's test signer for CKEditor Cloud Services and CKBox.
TestSignature SignCkeditorRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_CKEDITOR_CKEDITOR_SOURCE_H_
