#include "bridge/providers/generic/generic_source.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/json.h"
#include "bridge/json_document.h"
#include "bridge/providers/form.h"
#include "bridge/providers/github/signature.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "bridge/providers/stripe/signature.h"
#include "bridge/providers/timestamp.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

using google::protobuf::Struct;

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

using Scheme = GenericScheme;

Scheme StandardWebhooksScheme() {
  Scheme scheme;
  scheme.name = "standard-webhooks-v1";
  scheme.verify = [](const WebhookRequest& request, absl::string_view,
                     const std::vector<std::string>& secrets, absl::Duration tolerance,
                     Verification* verified) {
    return VerifyStandardWebhooksSignature(request, secrets, tolerance, verified);
  };
  scheme.timestamp = &StandardWebhooksTimestamp;
  scheme.event_type = {FieldLocation("type")};
  scheme.delivery_id = {HeaderLocation("webhook-id")};
  return scheme;
}

Scheme GithubScheme() {
  Scheme scheme;
  scheme.name = "github-hmac-sha256";
  scheme.verify = [](const WebhookRequest& request, absl::string_view,
                     const std::vector<std::string>& secrets, absl::Duration,
                     Verification* verified) {
    return VerifyGithubSignature(request, secrets, verified);
  };
  // Not X-GitHub-Delivery as the id: GitHub signs the body alone, so a
  // captured body sent again with fresh delivery ids (or another
  // X-GitHub-Event) would become another event. The id is the hash of the
  // signed content, which a redelivery repeats.
  scheme.event_type = {HeaderLocation("X-GitHub-Event")};
  return scheme;
}

Scheme StripeScheme() {
  Scheme scheme;
  scheme.name = "stripe-v1";
  scheme.verify = [](const WebhookRequest& request, absl::string_view,
                     const std::vector<std::string>& secrets, absl::Duration tolerance,
                     Verification* verified) {
    return VerifyStripeSignature(request, secrets, tolerance, verified);
  };
  scheme.timestamp = &StripeTimestamp;
  scheme.event_type = {FieldLocation("type")};
  scheme.delivery_id = {FieldLocation("id")};
  scheme.subject = {FieldLocation("data.object.id")};
  return scheme;
}

// The first location that has a value, or nullopt.
absl::StatusOr<std::optional<std::string>> LookupFirst(const std::vector<ValueLocation>& locations,
                                                       const WebhookRequest& request,
                                                       const Struct& body) {
  for (const ValueLocation& location : locations) {
    std::optional<std::string> value;
    HB_ASSIGN_OR_RETURN(value, Lookup(location, request, body));
    if (value.has_value() && !value->empty()) return value;
  }
  return std::nullopt;
}

std::string DescribeAll(const std::vector<ValueLocation>& locations) {
  std::string out;
  for (size_t i = 0; i < locations.size(); ++i) {
    if (i > 0) absl::StrAppend(&out, i + 1 == locations.size() ? " or the " : ", the ");
    absl::StrAppend(&out, Describe(locations[i]));
  }
  return out;
}

class GenericSource : public Source {
 public:
  GenericSource(Scheme scheme, const SourceConfig& config)
      : scheme_(std::move(scheme)),
        config_(config),
        event_type_(config.event_type.empty() ? scheme_.event_type
                                              : std::vector<ValueLocation>{config.event_type}),
        delivery_id_(config.delivery_id.empty() ? scheme_.delivery_id
                                                : std::vector<ValueLocation>{config.delivery_id}),
        subject_(config.subject.empty() ? scheme_.subject
                                        : std::vector<ValueLocation>{config.subject}),
        type_of_(config.event_type.empty() ? scheme_.type_of : nullptr) {}

  absl::Status Verify(const WebhookRequest& request, Verification* verified) const override {
    verified->scheme = scheme_.name;
    // The target as received unless a public_url says otherwise: no copy
    // per request for the sources without one.
    if (config_.public_url.empty()) {
      return scheme_.verify(request, request.target, config_.secrets, config_.timestamp_tolerance,
                            verified);
    }
    return scheme_.verify(request, SignedPath(config_.public_url, request.target), config_.secrets,
                          config_.timestamp_tolerance, verified);
  }

  std::string DiagnoseSignature(const WebhookRequest& request) const override {
    if (!scheme_.verifies_with_path) return "";
    return DiagnoseUrlForms(config_.public_url, request.target, [&](absl::string_view path) {
      return scheme_.verifies_with_path(request, path, config_.secrets);
    });
  }

  absl::StatusOr<std::optional<ProviderAnswer>> Answer(
      const WebhookRequest& request, const Verification& verified) const override {
    if (!scheme_.answer || (scheme_.may_be_check && !scheme_.may_be_check(request))) {
      return std::nullopt;
    }
    Struct body;
    if (absl::Status s = BodyToStruct(request, kMaxJsonDepth, &body); !s.ok()) return s;
    return scheme_.answer(request, body, config_.secrets, verified);
  }

  absl::Status Decode(const WebhookRequest& request, int max_json_depth,
                      v1::Event* event) const override {
    // The whole body is delivered as it is: a Struct, read once (a form as
    // its fields, or its JSON `payload` field).
    Struct body;
    if (absl::Status s = BodyToStruct(request, max_json_depth, &body); !s.ok()) return s;
    std::optional<std::string> type, id, subject;
    if (type_of_) type = type_of_(body);
    if (!type.has_value()) HB_ASSIGN_OR_RETURN(type, LookupFirst(event_type_, request, body));
    HB_ASSIGN_OR_RETURN(id, LookupFirst(delivery_id_, request, body));
    HB_ASSIGN_OR_RETURN(subject, LookupFirst(subject_, request, body));
    if (!type.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("no event type: expected it in the ", DescribeAll(event_type_)));
    }
    event->set_type(*std::move(type));
    if (id.has_value()) event->set_id(*std::move(id));
    if (subject.has_value()) event->set_subject(*std::move(subject));
    if (scheme_.timestamp) {
      if (const absl::string_view sent = scheme_.timestamp(request); !sent.empty()) {
        if (absl::StatusOr<absl::Time> t = ParseUnixSeconds(sent, "timestamp"); t.ok()) {
          event->mutable_sent_at()->set_seconds(absl::ToUnixSeconds(*t));
        }
      }
    }
    event->mutable_untyped()->Swap(&body);
    return absl::OkStatus();
  }

 private:
  const Scheme scheme_;
  const SourceConfig config_;
  const std::vector<ValueLocation> event_type_;
  const std::vector<ValueLocation> delivery_id_;
  const std::vector<ValueLocation> subject_;
  const std::function<std::optional<std::string>(const Struct& body)> type_of_;
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
                                                            GenericScheme scheme,
                                                            const SourceConfig& config) {
  if (absl::Status s = CheckSourceConfig(provider, config); !s.ok()) return s;
  return std::make_unique<GenericSource>(std::move(scheme), config);
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
