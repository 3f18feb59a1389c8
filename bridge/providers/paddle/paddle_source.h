// Paddle Billing: Paddle-Signature is "ts=<Unix seconds>;h1=<hex>", the
// HMAC-SHA256 of "<ts>:<body>" under the notification destination's secret
// key (several h1 entries may come while a secret is rotated; any may
// match). The signed body's event_id is the delivery id, event_type the
// type, data.id the subject.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_PADDLE_PADDLE_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_PADDLE_PADDLE_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kPaddleCatalog;
absl::StatusOr<std::unique_ptr<Source>> CreatePaddleSource(const SourceConfig& config);
TestSignature SignPaddleRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_PADDLE_PADDLE_SOURCE_H_
