#include "bridge/providers/generic/generic_source.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/json.h"
#include "bridge/providers/github/signature.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "bridge/providers/stripe/signature.h"
#include "bridge/providers/timestamp.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

using google::protobuf::Struct;

enum class Scheme { kStandardWebhooks, kGithub, kStripe };

ValueLocation Header(std::string name) { return {ValueLocation::Kind::kHeader, std::move(name)}; }
ValueLocation Field(std::string name) { return {ValueLocation::Kind::kField, std::move(name)}; }

// Reads the value at `location` from the request or its parsed body.
// InvalidArgument when the header is repeated or not UTF-8.
absl::StatusOr<std::optional<std::string>> Lookup(const ValueLocation& location,
                                                  const WebhookRequest& request,
                                                  const Struct& body) {
  switch (location.kind) {
    case ValueLocation::Kind::kHeader: {
      absl::StatusOr<const absl::string_view*> v = request.FindUniqueHeader(location.name);
      if (!v.ok()) return absl::InvalidArgumentError(v.status().message());
      if (*v == nullptr || (*v)->empty()) return std::nullopt;
      if (!IsValidUtf8(**v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("header ", location.name, " is not valid UTF-8"));
      }
      return std::string(**v);
    }
    case ValueLocation::Kind::kField:
      return IdAtPath(body, location.name);
    case ValueLocation::Kind::kNone:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string Describe(const ValueLocation& location) {
  return location.kind == ValueLocation::Kind::kHeader
             ? absl::StrCat("header ", location.name)
             : absl::StrCat("body field \"", location.name, "\"");
}

// The time the sender signed the request, where the scheme carries one.
std::optional<absl::Time> SignedAt(Scheme scheme, const WebhookRequest& request) {
  absl::string_view text;
  if (scheme == Scheme::kStandardWebhooks) {
    if (const absl::string_view* t = request.FindHeader("webhook-timestamp")) text = *t;
  } else if (scheme == Scheme::kStripe) {
    if (const absl::string_view* header = request.FindHeader("Stripe-Signature")) {
      for (absl::string_view item : absl::StrSplit(*header, ',')) {
        item = absl::StripAsciiWhitespace(item);
        if (absl::ConsumePrefix(&item, "t=")) text = item;
      }
    }
  }
  if (text.empty()) return std::nullopt;
  absl::StatusOr<absl::Time> t = ParseUnixSeconds(text, "timestamp");
  if (!t.ok()) return std::nullopt;
  return *t;
}

class GenericSource : public Source {
 public:
  GenericSource(Scheme scheme, const SourceConfig& config, ValueLocation event_type,
                ValueLocation delivery_id, ValueLocation subject)
      : scheme_(scheme),
        secrets_(config.secrets),
        tolerance_(config.timestamp_tolerance),
        event_type_(config.event_type.empty() ? std::move(event_type) : config.event_type),
        delivery_id_(std::move(delivery_id)),
        subject_(config.subject.empty() ? std::move(subject) : config.subject) {}

  absl::Status Verify(const WebhookRequest& request) const override {
    switch (scheme_) {
      case Scheme::kStandardWebhooks:
        return VerifyStandardWebhooksSignature(request, secrets_, tolerance_);
      case Scheme::kGithub:
        return VerifyGithubSignature(request, secrets_);
      case Scheme::kStripe:
        return VerifyStripeSignature(request, secrets_, tolerance_);
    }
    return absl::InternalError("unknown scheme");
  }

  absl::Status Decode(const WebhookRequest& request, v1::Event* event) const override {
    absl::StatusOr<Struct> body = ParseJsonObject(request.body);
    if (!body.ok()) return body.status();
    std::optional<std::string> type, id, subject;
    HB_ASSIGN_OR_RETURN(type, Lookup(event_type_, request, *body));
    HB_ASSIGN_OR_RETURN(id, Lookup(delivery_id_, request, *body));
    HB_ASSIGN_OR_RETURN(subject, Lookup(subject_, request, *body));
    if (!type.has_value() || type->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no event type: expected it in the ", Describe(event_type_)));
    }
    event->set_type(*std::move(type));
    if (id.has_value()) event->set_id(*std::move(id));
    if (subject.has_value()) event->set_subject(*std::move(subject));
    if (std::optional<absl::Time> sent = SignedAt(scheme_, request)) {
      event->mutable_sent_at()->set_seconds(absl::ToUnixSeconds(*sent));
    }
    event->mutable_untyped()->Swap(&*body);
    return absl::OkStatus();
  }

 private:
  const Scheme scheme_;
  const std::vector<std::string> secrets_;
  const absl::Duration tolerance_;
  const ValueLocation event_type_;
  const ValueLocation delivery_id_;
  const ValueLocation subject_;
};

absl::Status CheckSecrets(const SourceConfig& config) {
  if (config.secrets.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("source ", config.name, ": at least one secret is required"));
  }
  return absl::OkStatus();
}

}  // namespace

const Catalog kStandardWebhooksCatalog = {v1::PROVIDER_STANDARD_WEBHOOKS, "", {}, {}};
const Catalog kGithubCatalog = {v1::PROVIDER_GITHUB, "", {}, {}};
const Catalog kStripeCatalog = {v1::PROVIDER_STRIPE, "", {}, {}};

absl::StatusOr<std::unique_ptr<Source>> CreateStandardWebhooksSource(const SourceConfig& config) {
  if (absl::Status s = CheckSecrets(config); !s.ok()) return s;
  for (size_t i = 0; i < config.secrets.size(); ++i) {
    if (absl::StatusOr<std::string> key = StandardWebhooksKey(config.secrets[i]); !key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("source ", config.name, ": secrets[", i, "]: ", key.status().message()));
    }
  }
  return std::make_unique<GenericSource>(Scheme::kStandardWebhooks, config, Field("type"),
                                         Header("webhook-id"), ValueLocation{});
}

absl::StatusOr<std::unique_ptr<Source>> CreateGithubSource(const SourceConfig& config) {
  if (absl::Status s = CheckSecrets(config); !s.ok()) return s;
  return std::make_unique<GenericSource>(Scheme::kGithub, config, Header("X-GitHub-Event"),
                                         Header("X-GitHub-Delivery"), ValueLocation{});
}

absl::StatusOr<std::unique_ptr<Source>> CreateStripeSource(const SourceConfig& config) {
  if (absl::Status s = CheckSecrets(config); !s.ok()) return s;
  return std::make_unique<GenericSource>(Scheme::kStripe, config, Field("type"), Field("id"),
                                         Field("data.object.id"));
}

}  // namespace hookbridge
