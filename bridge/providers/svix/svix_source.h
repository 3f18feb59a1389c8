// Svix: Standard Webhooks under Svix's header names (svix-id,
// svix-timestamp, svix-signature); the standard's webhook-* names are
// accepted too, as Svix's libraries do. Secrets are whsec_ keys.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_SVIX_SVIX_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_SVIX_SVIX_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kSvixCatalog;
absl::StatusOr<std::unique_ptr<Source>> CreateSvixSource(const SourceConfig& config);
TestSignature SignSvixRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_SVIX_SVIX_SOURCE_H_
