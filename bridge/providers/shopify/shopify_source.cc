#include "bridge/providers/shopify/shopify_source.h"

#include "bridge/providers/hmac/hmac_source.h"

namespace hookbridge {
const Catalog kShopifyCatalog = {v1::PROVIDER_SHOPIFY, "", {}, {}};

const HmacSignatureSpec& ShopifySignature() {
  static const HmacSignatureSpec* const spec = [] {
    auto* spec = new HmacSignatureSpec;
    spec->scheme = "shopify-hmac-sha256";
    spec->header = "X-Shopify-Hmac-Sha256";
    spec->prefix = "";
    spec->algorithm = HashAlgorithm::kSha256;
    spec->encoding = HmacSignatureSpec::Encoding::kBase64;
    spec->signed_content = *ParseSignedTemplate("{body}", !spec->timestamp_header.empty());
    return spec;
  }();
  return *spec;
}

absl::StatusOr<std::unique_ptr<Source>> CreateShopifySource(const SourceConfig& config) {
  GenericScheme scheme = HmacScheme(ShopifySignature());
  scheme.event_type = {HeaderLocation("X-Shopify-Topic")};
  scheme.delivery_id = {};
  scheme.subject = {FieldLocation("admin_graphql_api_id")};
  return CreateGenericSource("shopify", std::move(scheme), config);
}

TestSignature SignShopifyRequest(absl::string_view secret, const WebhookRequest& request) {
  return SignWithSpec(ShopifySignature(), secret, request);
}

}  // namespace hookbridge
