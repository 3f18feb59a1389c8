#include "bridge/providers/slack/slack_source.h"

#include "absl/strings/match.h"
#include "bridge/providers/hmac/hmac_source.h"
#include "google/protobuf/util/json_util.h"

namespace hookbridge {
const Catalog kSlackCatalog = {v1::PROVIDER_SLACK, "", {}, {}};

const HmacSignatureSpec& SlackSignature() {
  static const HmacSignatureSpec* const spec = [] {
    auto* spec = new HmacSignatureSpec;
    spec->scheme = "slack-v0";
    spec->header = "X-Slack-Signature";
    spec->prefix = "v0=";
    spec->algorithm = HashAlgorithm::kSha256;
    spec->encoding = HmacSignatureSpec::Encoding::kHex;
    spec->timestamp_header = "X-Slack-Request-Timestamp";
    spec->signed_content =
        *ParseSignedTemplate("v0:{timestamp}:{body}", !spec->timestamp_header.empty());
    return spec;
  }();
  return *spec;
}

absl::StatusOr<std::unique_ptr<Source>> CreateSlackSource(const SourceConfig& config) {
  GenericScheme scheme = HmacScheme(SlackSignature());
  scheme.event_type = {FieldLocation("event.type"), FieldLocation("type"),
                       FieldLocation("command")};
  scheme.delivery_id = {FieldLocation("event_id"), FieldLocation("trigger_id")};
  scheme.subject = {FieldLocation("team_id")};
  scheme.may_be_check = [](const WebhookRequest& request) {
    return absl::StrContains(request.body, "url_verification") ||
           absl::StrContains(request.body, "ssl_check");
  };
  scheme.answer = [](const WebhookRequest&, const google::protobuf::Struct& body,
                     const std::vector<std::string>&,
                     const Verification&) -> absl::StatusOr<std::optional<ProviderAnswer>> {
    const auto& fields = body.fields();
    auto text = [&](absl::string_view key) -> std::string {
      auto it = fields.find(std::string(key));
      return it != fields.end() && it->second.has_string_value() ? it->second.string_value() : "";
    };
    if (text("type") == "url_verification") {
      const std::string challenge = text("challenge");
      if (challenge.empty()) {
        return absl::InvalidArgumentError("url_verification without a \"challenge\" string");
      }
      // As Slack's Bolt answers it.
      google::protobuf::Struct reply;
      (*reply.mutable_fields())["challenge"].set_string_value(challenge);
      std::string answer;
      if (!google::protobuf::util::MessageToJsonString(reply, &answer).ok()) {
        return absl::InternalError("the url_verification answer could not be written as JSON");
      }
      return ProviderAnswer{200, "application/json", std::move(answer),
                            "slack url_verification challenge"};
    }
    if (text("ssl_check") == "1") {
      // Slack checking the certificate of a slash command's URL.
      return ProviderAnswer{200, "", "", "slack ssl_check"};
    }
    return std::nullopt;
  };
  return CreateGenericSource("slack", std::move(scheme), config);
}

TestSignature SignSlackRequest(absl::string_view secret, const WebhookRequest& request) {
  return SignWithSpec(SlackSignature(), secret, request);
}

}  // namespace hookbridge
