// Linear: Linear-Signature is the hex HMAC-SHA256 of the body under the
// webhook's signing secret; the signed body carries webhookTimestamp (Unix
// milliseconds), checked against the source's timestamp_tolerance. The
// type is "<type>.<action>" of the body (e.g. Issue.create), the subject
// data.id. Linear-Delivery is not signed: the id is a digest of the body.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_LINEAR_LINEAR_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_LINEAR_LINEAR_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kLinearCatalog;
absl::StatusOr<std::unique_ptr<Source>> CreateLinearSource(const SourceConfig& config);
TestSignature SignLinearRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_LINEAR_LINEAR_SOURCE_H_
