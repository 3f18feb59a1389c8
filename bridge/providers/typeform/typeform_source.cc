#include "bridge/providers/typeform/typeform_source.h"

#include "bridge/providers/hmac/hmac_source.h"

namespace hookbridge {
const Catalog kTypeformCatalog = {v1::PROVIDER_TYPEFORM, "", {}, {}};

const HmacSignatureSpec& TypeformSignature() {
  static const HmacSignatureSpec* const spec = [] {
    auto* spec = new HmacSignatureSpec;
    spec->scheme = "typeform-hmac-sha256";
    spec->header = "Typeform-Signature";
    spec->prefix = "sha256=";
    spec->algorithm = HashAlgorithm::kSha256;
    spec->encoding = HmacSignatureSpec::Encoding::kBase64;
    spec->signed_content = *ParseSignedTemplate("{body}", !spec->timestamp_header.empty());
    return spec;
  }();
  return *spec;
}

absl::StatusOr<std::unique_ptr<Source>> CreateTypeformSource(const SourceConfig& config) {
  GenericScheme scheme = HmacScheme(TypeformSignature());
  scheme.event_type = {FieldLocation("event_type")};
  scheme.delivery_id = {FieldLocation("event_id")};
  scheme.subject = {FieldLocation("form_response.form_id")};
  return CreateGenericSource("typeform", std::move(scheme), config);
}

TestSignature SignTypeformRequest(absl::string_view secret, const WebhookRequest& request) {
  return SignWithSpec(TypeformSignature(), secret, request);
}

}  // namespace hookbridge
