// Shopify: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the body
// under the app's client secret. No timestamp is signed, and the headers
// naming the delivery (X-Shopify-Webhook-Id, X-Shopify-Event-Id) are not:
// the event id is a digest of the body, so a captured body posted again
// is a duplicate within dedup.window whatever headers come with it. The
// type is X-Shopify-Topic (e.g. orders/create), the subject the
// resource's admin_graphql_api_id.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_SHOPIFY_SHOPIFY_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_SHOPIFY_SHOPIFY_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kShopifyCatalog;
const HmacSignatureSpec& ShopifySignature();
absl::StatusOr<std::unique_ptr<Source>> CreateShopifySource(const SourceConfig& config);
TestSignature SignShopifyRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_SHOPIFY_SHOPIFY_SOURCE_H_
