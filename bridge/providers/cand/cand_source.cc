#include "bridge/providers/cand/cand_source.h"

#include "absl/strings/str_cat.h"
#include "bridge/json_document.h"

namespace hookbridge {
namespace {

constexpr TypedEventSpec kCandEvents[] = {
    {"MOIM:member.joined", "member_joined", "id"},
    {"MOIM:member.updated", "member_updated", "id"},
    {"MOIM:member.activated", "member_activated", "id"},
    {"MOIM:product.created", "product_created", "id"},
    {"MOIM:product.updated", "product_updated", "id"},
    {"MOIM:product.voted", "product_voted", "id"},
    {"MOIM:payment.paid", "payment_paid", "id"},
    {"MOIM:subscription.subscribed", "subscription_subscribed", "id"},
    {"MOIM:subscription.expired", "subscription_expired", "id"},
    {"MOIM:message.created", "message_created", "id"},
};

constexpr absl::string_view kCandUntypedSubjects[] = {"id"};

// The non-empty string member `key` of `object`, or nullopt.
std::optional<absl::string_view> NonEmptyString(const JsonValue& object, absl::string_view key) {
  const std::optional<JsonValue> value = object.Find(key);
  if (!value.has_value() || !value->is_string() || value->string().empty()) return std::nullopt;
  return value->string();
}

class CandSource : public Source {
 public:
  // The path token was checked when the request was routed here.
  absl::Status Verify(const WebhookRequest& request, Verification* verified) const override {
    verified->scheme = "path-token";
    return absl::OkStatus();
  }

  absl::Status Decode(const WebhookRequest& request, int max_json_depth,
                      v1::Event* event) const override {
    JsonDocument body;
    if (absl::Status s = body.Parse(request.body, request.body_padding, max_json_depth); !s.ok()) {
      return s;
    }
    const JsonValue root = body.root();
    const std::optional<absl::string_view> module = NonEmptyString(root, "module");
    const std::optional<absl::string_view> type = NonEmptyString(root, "type");
    if (!module.has_value()) {
      return absl::InvalidArgumentError("envelope: \"module\" must be a non-empty string");
    }
    if (!type.has_value()) {
      return absl::InvalidArgumentError("envelope: \"type\" must be a non-empty string");
    }
    event->set_type(absl::StrCat(*module, ":", *type));

    // The context is kept whether or not the payload is typed.
    std::string context_error;
    if (const std::optional<JsonValue> context = root.Find("context"); context.has_value()) {
      if (!context->is_object()) {
        return absl::InvalidArgumentError("envelope: \"context\" must be an object");
      }
      if (std::optional<std::string> community = JsonIdAtPath(*context, "communityId")) {
        event->set_environment_id(*std::move(community));
      }
      absl::Status s = JsonToMessage(*context, event->mutable_cand()->mutable_context(), "context");
      if (!s.ok()) context_error = std::string(s.message());
    }

    std::optional<JsonValue> payload = root.Find("payload");
    if (payload.has_value() && payload->is_null()) payload.reset();
    if (payload.has_value() && !payload->is_object()) {
      return absl::InvalidArgumentError("envelope: \"payload\" must be an object");
    }
    DecodePayload(kCandCatalog, event->type(), payload.has_value() ? &*payload : nullptr, event);
    if (!context_error.empty()) {
      event->set_decode_error(event->decode_error().empty()
                                  ? context_error
                                  : absl::StrCat(event->decode_error(), "; ", context_error));
    }
    return absl::OkStatus();
  }
};

}  // namespace

const Catalog kCandCatalog = {
    v1::PROVIDER_CAND,
    "cand",
    kCandEvents,
    kCandUntypedSubjects,
};

absl::StatusOr<std::unique_ptr<Source>> CreateCandSource(const SourceConfig& config) {
  if (absl::Status s = CheckSourceConfig("cand", config); !s.ok()) return s;
  return std::make_unique<CandSource>();
}

TestSignature SignCandRequest(absl::string_view, const WebhookRequest&) { return {}; }

}  // namespace hookbridge
