#include "bridge/providers/generic/generic_source.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/config.h"
#include "bridge/json.h"
#include "bridge/providers/github/signature.h"
#include "bridge/providers/registry.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "bridge/providers/stripe/signature.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

constexpr absl::string_view kStandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr absl::string_view kGithubSecret = "It's a Secret to Everybody";
constexpr absl::string_view kStripeSecret = "whsec_test_secret";
constexpr int64_t kNow = 1614265330;

ValueLocation Header(std::string name) { return {ValueLocation::Kind::kHeader, std::move(name)}; }
ValueLocation Field(std::string name) { return {ValueLocation::Kind::kField, std::move(name)}; }

SourceConfig Config(absl::string_view provider) {
  SourceConfig config;
  config.name = "hooks";
  config.provider = std::string(provider);
  if (provider == "standard-webhooks") config.secrets = {std::string(kStandardSecret)};
  if (provider == "github") config.secrets = {std::string(kGithubSecret)};
  if (provider == "stripe") config.secrets = {std::string(kStripeSecret)};
  return config;
}

std::unique_ptr<Source> MakeSource(const SourceConfig& config) {
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
  EXPECT_TRUE(source.ok()) << source.status();
  return source.ok() ? *std::move(source) : nullptr;
}

// A request signed the way `provider` signs, holding the strings its views
// point to. `headers` are added to the signature headers.
struct SignedRequest {
  SignedRequest(absl::string_view provider, absl::string_view body_in,
                std::vector<std::pair<std::string, std::string>> extra = {},
                absl::string_view delivery_id = "msg_2Lz8cSBl7Fq9dBYVjYtq9a3tLQa")
      : body(body_in), owned_headers(std::move(extra)) {
    const std::string timestamp = absl::StrCat(kNow);
    if (provider == "standard-webhooks") {
      owned_headers.emplace_back("webhook-id", std::string(delivery_id));
      owned_headers.emplace_back("webhook-timestamp", timestamp);
      owned_headers.emplace_back(
          "webhook-signature",
          StandardWebhooksSignature(kStandardSecret, delivery_id, timestamp, body));
    } else if (provider == "github") {
      owned_headers.emplace_back("X-Hub-Signature-256", GithubSignature(kGithubSecret, body));
    } else if (provider == "stripe") {
      owned_headers.emplace_back("Stripe-Signature",
                                 StripeSignature(kStripeSecret, timestamp, body));
    }
    request.method = "POST";
    request.target = "/webhooks/hooks";
    request.headers.emplace_back("Content-Type", "application/json");
    for (const auto& [name, value] : owned_headers) request.headers.emplace_back(name, value);
    request.body = body;
    request.received_at = absl::FromUnixSeconds(kNow);
  }
  SignedRequest(const SignedRequest&) = delete;

  std::string body;
  std::vector<std::pair<std::string, std::string>> owned_headers;
  WebhookRequest request;
};

// Verifies and decodes `signed_request` with a source built from `config`.
absl::Status VerifyAndDecode(const SourceConfig& config, const SignedRequest& signed_request,
                             v1::Event* event) {
  std::unique_ptr<Source> source = MakeSource(config);
  if (source == nullptr) return absl::InternalError("no source");
  if (absl::Status s = source->Verify(signed_request.request); !s.ok()) return s;
  return source->Decode(signed_request.request, event);
}

// Expects `event.untyped` to be exactly `body`, parsed.
void ExpectUntypedBody(const v1::Event& event, absl::string_view body) {
  ASSERT_TRUE(event.has_untyped());
  absl::StatusOr<google::protobuf::Struct> parsed = ParseJsonObject(body);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_TRUE(MessageDifferencer::Equals(event.untyped(), *parsed))
      << event.untyped().DebugString();
  EXPECT_EQ(event.decode_error(), "");
}

// ---- standard-webhooks -----------------------------------------------------

constexpr absl::string_view kStandardBody = R"({
  "type": "invoice.paid",
  "timestamp": "2021-02-25T15:02:10Z",
  "data": {"invoice": {"id": "inv_1", "customer": "cus_9"}, "amount": 4200, "tags": ["a", "b"]}
})";

TEST(StandardWebhooksSourceTest, DefaultsTypeFromFieldAndIdFromHeader) {
  SignedRequest r("standard-webhooks", kStandardBody, {}, "msg_p5jXN8AQM9LWM0D4loKWxJek");
  v1::Event event;
  const absl::Status status = VerifyAndDecode(Config("standard-webhooks"), r, &event);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(event.type(), "invoice.paid");
  EXPECT_EQ(event.id(), "msg_p5jXN8AQM9LWM0D4loKWxJek");
  EXPECT_EQ(event.subject(), "");
  EXPECT_EQ(event.environment_id(), "");
  ExpectUntypedBody(event, kStandardBody);
}

TEST(StandardWebhooksSourceTest, SentAtIsTheSignedTimestamp) {
  SignedRequest r("standard-webhooks", kStandardBody);
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(Config("standard-webhooks"), r, &event).ok());
  ASSERT_TRUE(event.has_sent_at());
  EXPECT_EQ(event.sent_at().seconds(), kNow);
  EXPECT_EQ(event.sent_at().nanos(), 0);
}

TEST(StandardWebhooksSourceTest, VerifiesWithTheConfiguredSecretsAndTolerance) {
  SourceConfig config = Config("standard-webhooks");
  config.secrets = {"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", std::string(kStandardSecret)};
  config.timestamp_tolerance = absl::Seconds(10);
  std::unique_ptr<Source> source = MakeSource(config);
  ASSERT_NE(source, nullptr);
  SignedRequest r("standard-webhooks", kStandardBody);
  EXPECT_TRUE(source->Verify(r.request).ok());
  r.request.received_at = absl::FromUnixSeconds(kNow + 11);
  EXPECT_TRUE(IsStaleTimestamp(source->Verify(r.request)));

  config.secrets = {"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"};
  r.request.received_at = absl::FromUnixSeconds(kNow);
  const absl::Status status = MakeSource(config)->Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(IsStaleTimestamp(status));
}

TEST(StandardWebhooksSourceTest, InvalidSecretFailsCreationNamingIt) {
  SourceConfig config = Config("standard-webhooks");
  config.secrets = {std::string(kStandardSecret), "whsec_not base64!"};
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("hooks"));
  EXPECT_THAT(source.status().message(), HasSubstr("secrets[1]"));

  config.secrets = {"s3cr3t-not-base64!"};
  source = CreateStandardWebhooksSource(config);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("secrets[0]"));
}

TEST(StandardWebhooksSourceTest, MissingTypeNamesTheField) {
  SignedRequest r("standard-webhooks", R"({"data": {"type": "nested"}})");
  v1::Event event;
  const absl::Status status = VerifyAndDecode(Config("standard-webhooks"), r, &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("body field \"type\""));

  for (absl::string_view body :
       {R"({"type": ""})", R"({"type": null})", R"({"type": {"name": "x"}})", R"({"type": 1.5})"}) {
    SignedRequest bad("standard-webhooks", body);
    v1::Event e;
    EXPECT_EQ(VerifyAndDecode(Config("standard-webhooks"), bad, &e).code(),
              absl::StatusCode::kInvalidArgument)
        << body;
  }
}

// ---- github ------------------------------------------------------------------

constexpr absl::string_view kGithubPush = R"({
  "ref": "refs/heads/main",
  "repository": {"id": 1296269, "full_name": "octocat/Hello-World"},
  "sender": {"login": "octocat", "id": 1}
})";

TEST(GithubSourceTest, TypeComesFromItsHeaderButNotTheIdWhichIsUnsigned) {
  SignedRequest r("github", kGithubPush,
                  {{"X-GitHub-Event", "push"},
                   {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"},
                   {"X-GitHub-Hook-ID", "292430182"}});
  v1::Event event;
  const absl::Status status = VerifyAndDecode(Config("github"), r, &event);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(event.type(), "push");
  // GitHub signs the body alone: the Ingestor's content hash is the id.
  EXPECT_EQ(event.id(), "");
  EXPECT_EQ(event.subject(), "");
  ExpectUntypedBody(event, kGithubPush);
}

TEST(GithubSourceTest, HasNoSentAt) {
  SignedRequest r("github", kGithubPush, {{"X-GitHub-Event", "push"}});
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(Config("github"), r, &event).ok());
  EXPECT_FALSE(event.has_sent_at());
  EXPECT_EQ(event.id(), "");
}

TEST(GithubSourceTest, HeaderNamesAreCaseInsensitive) {
  SignedRequest r("github", kGithubPush, {{"x-github-event", "issues"}});
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(Config("github"), r, &event).ok());
  EXPECT_EQ(event.type(), "issues");
}

TEST(GithubSourceTest, MissingTypeNamesTheHeader) {
  // The body's own fields are not consulted for the default location.
  SignedRequest r("github", R"({"type": "push", "action": "opened"})",
                  {{"X-GitHub-Delivery", "d-1"}});
  v1::Event event;
  const absl::Status status = VerifyAndDecode(Config("github"), r, &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("header X-GitHub-Event"));

  SignedRequest empty("github", kGithubPush, {{"X-GitHub-Event", ""}});
  EXPECT_EQ(VerifyAndDecode(Config("github"), empty, &event).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(GithubSourceTest, RepeatedTypeHeadersAreRejectedNotFirstOneWins) {
  for (const char* header : {"X-GitHub-Event"}) {
    SignedRequest r("github", kGithubPush,
                    {{"X-GitHub-Event", "push"}, {"X-GitHub-Delivery", "d-1"}, {header, "other"}});
    v1::Event event;
    const absl::Status status = VerifyAndDecode(Config("github"), r, &event);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << header;
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("header ", header, " appears 2 times")));
  }
}

TEST(GithubSourceTest, HeaderValuesThatAreNotUtf8AreRejected) {
  // Event fields are protobuf strings: they must be UTF-8.
  SignedRequest r("github", kGithubPush, {{"X-GitHub-Event", "push\xff"}});
  v1::Event event;
  const absl::Status status = VerifyAndDecode(Config("github"), r, &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("header X-GitHub-Event is not valid UTF-8"));
}

TEST(GenericSourceTest, RepeatedSignatureHeadersAreUnauthenticated) {
  for (const char* provider : {"standard-webhooks", "github", "stripe"}) {
    SignedRequest r(provider, kGithubPush, {{"X-GitHub-Event", "push"}});
    // The same genuine header once more.
    for (const auto& [name, value] : r.owned_headers) {
      if (name != "X-GitHub-Event") r.request.headers.emplace_back(name, value);
    }
    std::unique_ptr<Source> source = MakeSource(Config(provider));
    ASSERT_NE(source, nullptr);
    const absl::Status status = source->Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << provider;
    EXPECT_THAT(status.message(), HasSubstr("appears 2 times")) << provider;
  }
}

TEST(GithubSourceTest, VerifiesTheBody) {
  SignedRequest r("github", kGithubPush, {{"X-GitHub-Event", "push"}});
  std::unique_ptr<Source> source = MakeSource(Config("github"));
  ASSERT_NE(source, nullptr);
  EXPECT_TRUE(source->Verify(r.request).ok());
  r.request.body = R"({"ref": "refs/heads/evil"})";
  EXPECT_EQ(source->Verify(r.request).code(), absl::StatusCode::kUnauthenticated);
}

// ---- stripe --------------------------------------------------------------------

constexpr absl::string_view kStripeEvent = R"({
  "id": "evt_1NG8Du2eZvKYlo2CUI79vXWy",
  "object": "event",
  "api_version": "2022-11-15",
  "created": 1686089970,
  "type": "customer.subscription.updated",
  "data": {"object": {"id": "sub_1NG8Dt2eZvKYlo2C", "object": "subscription",
                      "customer": "cus_NoRfP6tJd5MOXg"}},
  "livemode": false
})";

TEST(StripeSourceTest, DefaultsTypeIdAndSubjectFromTheBody) {
  SignedRequest r("stripe", kStripeEvent);
  v1::Event event;
  const absl::Status status = VerifyAndDecode(Config("stripe"), r, &event);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(event.type(), "customer.subscription.updated");
  EXPECT_EQ(event.id(), "evt_1NG8Du2eZvKYlo2CUI79vXWy");
  EXPECT_EQ(event.subject(), "sub_1NG8Dt2eZvKYlo2C");
  ExpectUntypedBody(event, kStripeEvent);
}

TEST(StripeSourceTest, SentAtIsTheSignedTimestamp) {
  SignedRequest r("stripe", kStripeEvent);
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(Config("stripe"), r, &event).ok());
  ASSERT_TRUE(event.has_sent_at());
  // t of Stripe-Signature, not the body's "created".
  EXPECT_EQ(event.sent_at().seconds(), kNow);
}

TEST(StripeSourceTest, SubjectAndIdAreOptional) {
  SignedRequest r("stripe", R"({"type": "balance.available", "data": {"object": {}}})");
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(Config("stripe"), r, &event).ok());
  EXPECT_EQ(event.type(), "balance.available");
  EXPECT_EQ(event.id(), "");
  EXPECT_EQ(event.subject(), "");
}

TEST(StripeSourceTest, MissingTypeNamesTheField) {
  SignedRequest r("stripe", R"({"id": "evt_1", "object": "event"})");
  v1::Event event;
  const absl::Status status = VerifyAndDecode(Config("stripe"), r, &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("body field \"type\""));
}

// ---- configurable locations ------------------------------------------------------

TEST(GenericSourceTest, EventTypeFromAConfiguredHeader) {
  SourceConfig config = Config("standard-webhooks");
  config.event_type = Header("X-Event-Name");
  SignedRequest r("standard-webhooks", R"({"type": "not.this.one"})",
                  {{"x-event-name", "order.shipped"}});
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(config, r, &event).ok());
  EXPECT_EQ(event.type(), "order.shipped");

  SignedRequest missing("standard-webhooks", R"({"type": "not.this.one"})");
  const absl::Status status = VerifyAndDecode(config, missing, &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("header X-Event-Name"));
}

TEST(GenericSourceTest, EventTypeFromAConfiguredNestedField) {
  SourceConfig config = Config("github");
  config.event_type = Field("meta.event.name");
  SignedRequest r("github", R"({"meta": {"event": {"name": "build.finished"}}})",
                  {{"X-GitHub-Event", "push"}});
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(config, r, &event).ok());
  EXPECT_EQ(event.type(), "build.finished");

  SignedRequest missing("github", R"({"meta": {"event": {}}})", {{"X-GitHub-Event", "push"}});
  const absl::Status status = VerifyAndDecode(config, missing, &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("body field \"meta.event.name\""));
}

TEST(GenericSourceTest, SubjectFromAConfiguredNestedField) {
  SourceConfig config = Config("github");
  config.subject = Field("repository.full_name");
  SignedRequest r("github", kGithubPush, {{"X-GitHub-Event", "push"}});
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(config, r, &event).ok());
  EXPECT_EQ(event.subject(), "octocat/Hello-World");
}

TEST(GenericSourceTest, SubjectFromAConfiguredHeader) {
  SourceConfig config = Config("standard-webhooks");
  config.subject = Header("X-Tenant-Object");
  SignedRequest r("standard-webhooks", kStandardBody, {{"X-Tenant-Object", "obj-7"}});
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(config, r, &event).ok());
  EXPECT_EQ(event.subject(), "obj-7");

  // Absent: no subject, not an error.
  SignedRequest absent("standard-webhooks", kStandardBody);
  v1::Event other;
  ASSERT_TRUE(VerifyAndDecode(config, absent, &other).ok());
  EXPECT_EQ(other.subject(), "");
}

TEST(GenericSourceTest, ConfiguredSubjectReplacesStripesDefault) {
  SourceConfig config = Config("stripe");
  config.subject = Field("data.object.customer");
  SignedRequest r("stripe", kStripeEvent);
  v1::Event event;
  ASSERT_TRUE(VerifyAndDecode(config, r, &event).ok());
  EXPECT_EQ(event.subject(), "cus_NoRfP6tJd5MOXg");
}

TEST(GenericSourceTest, NumericValuesBecomeDecimalText) {
  SourceConfig config = Config("stripe");
  config.subject = Field("data.object.number");
  SignedRequest r("stripe", R"({"id": 9007199254740991, "type": 42,
                                "data": {"object": {"number": 1296269}}})");
  v1::Event event;
  const absl::Status status = VerifyAndDecode(config, r, &event);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(event.id(), "9007199254740991");
  EXPECT_EQ(event.type(), "42");
  EXPECT_EQ(event.subject(), "1296269");

  // A fraction is no id.
  SignedRequest fraction("stripe", R"({"id": 1.5, "type": "t", "data": {"object": {"id": 2.5}}})");
  v1::Event other;
  ASSERT_TRUE(VerifyAndDecode(Config("stripe"), fraction, &other).ok());
  EXPECT_EQ(other.id(), "");
  EXPECT_EQ(other.subject(), "");
}

TEST(GenericSourceTest, NonJsonBodyIsInvalidArgument) {
  for (absl::string_view provider : {"standard-webhooks", "github", "stripe"}) {
    for (absl::string_view body : {"payload=%7B%7D", "{not json", "[1, 2]", "\"push\"", ""}) {
      SignedRequest r(provider, body, {{"X-GitHub-Event", "push"}});
      v1::Event event;
      const absl::Status status = VerifyAndDecode(Config(provider), r, &event);
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << provider << ": " << body;
    }
  }
}

TEST(GenericSourceTest, EveryProviderNeedsASecret) {
  for (absl::string_view provider : {"standard-webhooks", "github", "stripe"}) {
    SourceConfig config = Config(provider);
    config.secrets.clear();
    absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
    EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument) << provider;
    EXPECT_THAT(source.status().message(), HasSubstr("hooks")) << provider;
  }
}

TEST(GenericSourceTest, SignedForOneSchemeIsRejectedByAnother) {
  SignedRequest github("github", kStripeEvent, {{"X-GitHub-Event", "push"}});
  SignedRequest stripe("stripe", kStripeEvent);
  EXPECT_EQ(MakeSource(Config("stripe"))->Verify(github.request).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(MakeSource(Config("github"))->Verify(stripe.request).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(MakeSource(Config("standard-webhooks"))->Verify(stripe.request).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(GenericSourceTest, CatalogsAreEmpty) {
  for (const Catalog* catalog : {&kStandardWebhooksCatalog, &kGithubCatalog, &kStripeCatalog}) {
    EXPECT_TRUE(catalog->events.empty());
    EXPECT_TRUE(catalog->untyped_subject_paths.empty());
    EXPECT_EQ(catalog->event_field, "");
  }
  EXPECT_EQ(kStandardWebhooksCatalog.provider, v1::PROVIDER_STANDARD_WEBHOOKS);
  EXPECT_EQ(kGithubCatalog.provider, v1::PROVIDER_GITHUB);
  EXPECT_EQ(kStripeCatalog.provider, v1::PROVIDER_STRIPE);
}

}  // namespace
}  // namespace hookbridge
