#include "bridge/providers/intercom/intercom_source.h"

#include "bridge/providers/hmac/hmac_source.h"

namespace hookbridge {
const Catalog kIntercomCatalog = {v1::PROVIDER_INTERCOM, "", {}, {}};

const HmacSignatureSpec& IntercomSignature() {
  static const HmacSignatureSpec* const spec = [] {
    auto* spec = new HmacSignatureSpec;
    spec->scheme = "intercom-hmac-sha1";
    spec->header = "X-Hub-Signature";
    spec->prefix = "sha1=";
    spec->algorithm = HashAlgorithm::kSha1;
    spec->encoding = HmacSignatureSpec::Encoding::kHex;
    spec->signed_content = *ParseSignedTemplate("{body}", !spec->timestamp_header.empty());
    return spec;
  }();
  return *spec;
}

absl::StatusOr<std::unique_ptr<Source>> CreateIntercomSource(const SourceConfig& config) {
  GenericScheme scheme = HmacScheme(IntercomSignature());
  scheme.event_type = {FieldLocation("topic")};
  scheme.delivery_id = {FieldLocation("id")};
  scheme.subject = {FieldLocation("data.item.id")};
  return CreateGenericSource("intercom", std::move(scheme), config);
}

TestSignature SignIntercomRequest(absl::string_view secret, const WebhookRequest& request) {
  return SignWithSpec(IntercomSignature(), secret, request);
}

}  // namespace hookbridge
