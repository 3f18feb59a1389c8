#include "bridge/providers/zoom/zoom_source.h"

#include "absl/strings/match.h"
#include "bridge/crypto.h"
#include "bridge/providers/hmac/hmac_source.h"
#include "google/protobuf/util/json_util.h"

namespace hookbridge {
const Catalog kZoomCatalog = {v1::PROVIDER_ZOOM, "", {}, {}};

const HmacSignatureSpec& ZoomSignature() {
  static const HmacSignatureSpec* const spec = [] {
    auto* spec = new HmacSignatureSpec;
    spec->scheme = "zoom-v0";
    spec->header = "x-zm-signature";
    spec->prefix = "v0=";
    spec->algorithm = HashAlgorithm::kSha256;
    spec->encoding = HmacSignatureSpec::Encoding::kHex;
    spec->timestamp_header = "x-zm-request-timestamp";
    spec->signed_content =
        *ParseSignedTemplate("v0:{timestamp}:{body}", !spec->timestamp_header.empty());
    return spec;
  }();
  return *spec;
}

absl::StatusOr<std::unique_ptr<Source>> CreateZoomSource(const SourceConfig& config) {
  GenericScheme scheme = HmacScheme(ZoomSignature());
  scheme.event_type = {FieldLocation("event")};
  scheme.delivery_id = {};
  scheme.subject = {FieldLocation("payload.object.id")};
  scheme.may_be_check = [](const WebhookRequest& request) {
    return absl::StrContains(request.body, "endpoint.url_validation");
  };
  scheme.answer =
      [](const WebhookRequest&, const google::protobuf::Struct& body,
         const std::vector<std::string>& secrets,
         const Verification& verified) -> absl::StatusOr<std::optional<ProviderAnswer>> {
    const auto& fields = body.fields();
    auto event = fields.find("event");
    if (event == fields.end() || event->second.string_value() != "endpoint.url_validation") {
      return std::nullopt;
    }
    std::string plain;
    if (auto payload = fields.find("payload");
        payload != fields.end() && payload->second.has_struct_value()) {
      const auto& inner = payload->second.struct_value().fields();
      if (auto token = inner.find("plainToken"); token != inner.end()) {
        plain = token->second.string_value();
      }
    }
    if (plain.empty()) {
      return absl::InvalidArgumentError(
          "endpoint.url_validation without a payload.plainToken string");
    }
    // Hashed with the secret token that verified the request.
    const std::string& secret = secrets.at(static_cast<size_t>(verified.secret_index));
    google::protobuf::Struct reply;
    (*reply.mutable_fields())["plainToken"].set_string_value(plain);
    (*reply.mutable_fields())["encryptedToken"].set_string_value(
        HexEncodeBytes(Hmac(HashAlgorithm::kSha256, secret, {plain})));
    std::string answer;
    if (!google::protobuf::util::MessageToJsonString(reply, &answer).ok()) {
      return absl::InternalError("the url_validation answer could not be written as JSON");
    }
    return ProviderAnswer{200, "application/json", std::move(answer),
                          "zoom endpoint.url_validation"};
  };
  return CreateGenericSource("zoom", std::move(scheme), config);
}

TestSignature SignZoomRequest(absl::string_view secret, const WebhookRequest& request) {
  return SignWithSpec(ZoomSignature(), secret, request);
}

}  // namespace hookbridge
