#include "bridge/providers/cand/cand_source.h"

#include "absl/strings/str_cat.h"
#include "bridge/json.h"

namespace hookbridge {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

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

// The non-empty string field `key` of `fields`, or nullptr.
const std::string* NonEmptyString(const google::protobuf::Map<std::string, Value>& fields,
                                  const std::string& key) {
  auto it = fields.find(key);
  if (it == fields.end() || it->second.kind_case() != Value::kStringValue ||
      it->second.string_value().empty()) {
    return nullptr;
  }
  return &it->second.string_value();
}

class CandSource : public Source {
 public:
  absl::Status Verify(const WebhookRequest& request) const override { return absl::OkStatus(); }

  absl::Status Decode(const WebhookRequest& request, v1::Event* event) const override {
    absl::StatusOr<Struct> body = ParseJsonObject(request.body);
    if (!body.ok()) return body.status();
    auto& fields = *body->mutable_fields();
    const std::string* module = NonEmptyString(fields, "module");
    const std::string* type = NonEmptyString(fields, "type");
    if (module == nullptr) {
      return absl::InvalidArgumentError("envelope: \"module\" must be a non-empty string");
    }
    if (type == nullptr) {
      return absl::InvalidArgumentError("envelope: \"type\" must be a non-empty string");
    }
    event->set_type(absl::StrCat(*module, ":", *type));

    // The context is kept whether or not the payload is typed.
    std::string context_error;
    if (auto context = fields.find("context"); context != fields.end()) {
      if (context->second.kind_case() != Value::kStructValue) {
        return absl::InvalidArgumentError("envelope: \"context\" must be an object");
      }
      const Struct& context_object = context->second.struct_value();
      if (std::optional<std::string> community = IdAtPath(context_object, "communityId")) {
        event->set_environment_id(*std::move(community));
      }
      absl::Status s =
          StructToMessage(context_object, event->mutable_cand()->mutable_context(), "context");
      if (!s.ok()) context_error = std::string(s.message());
    }

    Struct payload;
    if (absl::Status s = TakeObjectField(&fields, "payload", &payload); !s.ok()) return s;
    DecodePayload(kCandCatalog, event->type(), &payload, event);
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
