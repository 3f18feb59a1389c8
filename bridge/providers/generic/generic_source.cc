#include "bridge/providers/generic/generic_source.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/json.h"
#include "bridge/json_document.h"
#include "bridge/providers/github/signature.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "bridge/providers/stripe/signature.h"
#include "bridge/providers/timestamp.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

using google::protobuf::Struct;

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

// The t= of a Stripe-Signature header (the last one, as the verifier reads
// it); empty if none.
absl::string_view StripeTimestamp(const WebhookRequest& request) {
  absl::string_view text;
  if (const absl::string_view* header = request.FindHeader("Stripe-Signature")) {
    for (absl::string_view item : absl::StrSplit(*header, ',')) {
      item = absl::StripAsciiWhitespace(item);
      if (absl::ConsumePrefix(&item, "t=")) text = item;
    }
  }
  return text;
}

absl::string_view StandardWebhooksTimestamp(const WebhookRequest& request) {
  const absl::string_view* t = request.FindHeader("webhook-timestamp");
  return t != nullptr ? *t : absl::string_view();
}

absl::string_view NoTimestamp(const WebhookRequest&) { return {}; }

using Scheme = GenericScheme;

const Scheme& StandardWebhooksScheme() {
  static const Scheme* const scheme =
      new Scheme{"standard-webhooks-v1",     &VerifyStandardWebhooksSignature,
                 &StandardWebhooksTimestamp, Field("type"),
                 Header("webhook-id"),       ValueLocation{}};
  return *scheme;
}

const Scheme& GithubScheme() {
  static const Scheme* const scheme = new Scheme{
      "github-hmac-sha256",
      [](const WebhookRequest& request, const std::vector<std::string>& secrets, absl::Duration,
         Verification* verified) { return VerifyGithubSignature(request, secrets, verified); },
      // Not X-GitHub-Delivery as the id: GitHub signs the body alone, so a
      // captured body sent again with fresh delivery ids (or another
      // X-GitHub-Event) would become another event. The id is the hash of
      // the signed content, which a redelivery repeats.
      &NoTimestamp, Header("X-GitHub-Event"), ValueLocation{}, ValueLocation{}};
  return *scheme;
}

const Scheme& StripeScheme() {
  static const Scheme* const scheme =
      new Scheme{"stripe-v1", &VerifyStripeSignature, &StripeTimestamp, Field("type"),
                 Field("id"), Field("data.object.id")};
  return *scheme;
}

class GenericSource : public Source {
 public:
  GenericSource(const Scheme& scheme, const SourceConfig& config)
      : scheme_(scheme),
        secrets_(config.secrets),
        tolerance_(config.timestamp_tolerance),
        event_type_(config.event_type.empty() ? scheme.event_type : config.event_type),
        delivery_id_(scheme.delivery_id),
        subject_(config.subject.empty() ? scheme.subject : config.subject) {}

  absl::Status Verify(const WebhookRequest& request, Verification* verified) const override {
    verified->scheme = scheme_.name;
    return scheme_.verify(request, secrets_, tolerance_, verified);
  }

  absl::Status Decode(const WebhookRequest& request, int max_json_depth,
                      v1::Event* event) const override {
    // The whole body is delivered as it is: a Struct, read once.
    Struct body;
    {
      JsonDocument document;
      if (absl::Status s = document.Parse(request.body, request.body_padding, max_json_depth);
          !s.ok()) {
        return s;
      }
      document.root().ToStruct(&body);
    }
    std::optional<std::string> type, id, subject;
    HB_ASSIGN_OR_RETURN(type, Lookup(event_type_, request, body));
    HB_ASSIGN_OR_RETURN(id, Lookup(delivery_id_, request, body));
    HB_ASSIGN_OR_RETURN(subject, Lookup(subject_, request, body));
    if (!type.has_value() || type->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no event type: expected it in the ", Describe(event_type_)));
    }
    event->set_type(*std::move(type));
    if (id.has_value()) event->set_id(*std::move(id));
    if (subject.has_value()) event->set_subject(*std::move(subject));
    if (const absl::string_view sent = scheme_.timestamp(request); !sent.empty()) {
      if (absl::StatusOr<absl::Time> t = ParseUnixSeconds(sent, "timestamp"); t.ok()) {
        event->mutable_sent_at()->set_seconds(absl::ToUnixSeconds(*t));
      }
    }
    event->mutable_untyped()->Swap(&body);
    return absl::OkStatus();
  }

 private:
  const Scheme& scheme_;
  const std::vector<std::string> secrets_;
  const absl::Duration tolerance_;
  const ValueLocation event_type_;
  const ValueLocation delivery_id_;
  const ValueLocation subject_;
};

}  // namespace

const Catalog kStandardWebhooksCatalog = {v1::PROVIDER_STANDARD_WEBHOOKS, "", {}, {}};
const Catalog kGithubCatalog = {v1::PROVIDER_GITHUB, "", {}, {}};
const Catalog kStripeCatalog = {v1::PROVIDER_STRIPE, "", {}, {}};

absl::Status ValidateStandardWebhooksSource(const SourceConfig& config) {
  for (size_t i = 0; i < config.secrets.size(); ++i) {
    if (absl::StatusOr<std::string> key = StandardWebhooksKey(config.secrets[i]); !key.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("secrets[", i, "]: ", key.status().message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Source>> CreateGenericSource(absl::string_view provider,
                                                            const GenericScheme& scheme,
                                                            const SourceConfig& config) {
  if (absl::Status s = CheckSourceConfig(provider, config); !s.ok()) return s;
  return std::make_unique<GenericSource>(scheme, config);
}

absl::StatusOr<std::unique_ptr<Source>> CreateStandardWebhooksSource(const SourceConfig& config) {
  return CreateGenericSource("standard-webhooks", StandardWebhooksScheme(), config);
}

absl::StatusOr<std::unique_ptr<Source>> CreateGithubSource(const SourceConfig& config) {
  return CreateGenericSource("github", GithubScheme(), config);
}

absl::StatusOr<std::unique_ptr<Source>> CreateStripeSource(const SourceConfig& config) {
  return CreateGenericSource("stripe", StripeScheme(), config);
}

TestSignature SignStandardWebhooksRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  const absl::string_view* id = request.FindHeader("webhook-id");
  const absl::string_view* sent = request.FindHeader("webhook-timestamp");
  out.used_request_timestamp = sent != nullptr;
  const std::string message_id = id != nullptr ? std::string(*id) : "msg_test";
  const std::string timestamp =
      sent != nullptr ? std::string(*sent) : absl::StrCat(absl::ToUnixSeconds(request.received_at));
  out.headers = {{"webhook-id", message_id},
                 {"webhook-timestamp", timestamp},
                 {"webhook-signature",
                  StandardWebhooksSignature(secret, message_id, timestamp, request.body)}};
  return out;
}

TestSignature SignGithubRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  out.headers = {{"X-Hub-Signature-256", GithubSignature(secret, request.body)}};
  return out;
}

TestSignature SignStripeRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  const absl::string_view sent = StripeTimestamp(request);
  out.used_request_timestamp = !sent.empty();
  const std::string timestamp =
      !sent.empty() ? std::string(sent) : absl::StrCat(absl::ToUnixSeconds(request.received_at));
  out.headers = {{"Stripe-Signature", StripeSignature(secret, timestamp, request.body)}};
  return out;
}

}  // namespace hookbridge
