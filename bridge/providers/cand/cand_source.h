// canD sources. canD does not sign webhooks: a source is authenticated by
// its secret path token (/webhooks/<source>/<token>, checked by
// Ingestor::Resolve), so Verify accepts every request that reached it.
//
// Body: {"module": "MOIM", "type": "product.created", "context": {...},
// "payload": {...}}. Event.type is "<module>:<type>"; environment_id is the
// community where the event occurred (context.communityId).
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_CAND_CAND_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_CAND_CAND_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

// The MOIM events whose payload shapes canD documents.
extern const Catalog kCandCatalog;

absl::StatusOr<std::unique_ptr<Source>> CreateCandSource(const SourceConfig& config);

// canD signs nothing: no headers. The provider table's test signer.
TestSignature SignCandRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_CAND_CAND_SOURCE_H_
