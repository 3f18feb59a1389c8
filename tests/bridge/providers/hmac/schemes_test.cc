// The machinery the signature schemes share: the declarative HMAC
// description (its template, its config, its checks), the provider checks
// answered instead of stored, public_url and the diagnosis of a URL that
// was rewritten. The schemes themselves are checked against their
// providers' libraries in vectors_test.cc and row by row in
// provider_table_test.cc.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/config_types.h"
#include "bridge/crypto.h"
#include "bridge/ingest.h"
#include "bridge/log/memory/memory_log.h"
#include "bridge/providers/ckeditor/signature.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/hmac/hmac_source.h"
#include "bridge/providers/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/owned_request.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1765000000;

// A request with its own storage, received at kNow.
struct Request : OwnedRequest {
  Request(std::string target_in, std::string body_in,
          std::vector<std::pair<std::string, std::string>> headers_in = {})
      : OwnedRequest(std::move(target_in), std::move(body_in), std::move(headers_in),
                     absl::FromUnixSeconds(kNow)) {}
};

TEST(HmacTemplateTest, PlaceholdersAreCheckedWhenTheConfigIsRead) {
  EXPECT_TRUE(ParseSignedTemplate("{method} {path}\n{timestamp}.{body}", true).ok());
  struct Case {
    const char* text;
    bool timestamp;
    const char* error;
  } cases[] = {
      {"{timestamp}.{body}", false, "{timestamp} needs a timestamp_header"},
      {"{url}{body}", true, "unknown placeholder {url}"},
      {"{body", true, "is not closed"},
      {"body}", true, "closes no placeholder"},
      {"{timestamp}", true, "must include {body}"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::vector<SignedPart>> parsed = ParseSignedTemplate(c.text, c.timestamp);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.error)) << c.text;
  }
}

TEST(HmacTemplateTest, TheDeclarativeConfigIsValidatedKeyByKey) {
  HmacConfig config = ExampleHmacConfig();
  EXPECT_TRUE(HmacSpecFromConfig(config).ok());
  for (auto [key, mutate] : std::vector<std::pair<std::string, void (*)(HmacConfig*)>>{
           {"hmac.header", [](HmacConfig* c) { c->header.clear(); }},
           {"hmac.algorithm", [](HmacConfig* c) { c->algorithm = "md5"; }},
           {"hmac.encoding", [](HmacConfig* c) { c->encoding = "base32"; }},
           {"hmac.timestamp_unit", [](HmacConfig* c) { c->timestamp_unit = "hours"; }},
           {"hmac.signed_content", [](HmacConfig* c) { c->signed_content = "{timestamp}"; }}}) {
    HmacConfig bad = ExampleHmacConfig();
    mutate(&bad);
    EXPECT_THAT(HmacSpecFromConfig(bad).status().message(), HasSubstr(key + ": "));
  }
  SourceConfig source;
  source.name = "acme";
  source.provider = "hmac";
  source.secrets = {"s"};
  EXPECT_THAT(CheckSourceConfig(*FindProvider("hmac"), source).message(),
              HasSubstr("hmac: provider hmac needs its signature described"));
  source.hmac = ExampleHmacConfig();
  EXPECT_THAT(CheckSourceConfig(*FindProvider("hmac"), source).message(),
              HasSubstr("event_type: provider hmac does not know where the event type is"));
  // Only the hmac provider takes a description.
  source.provider = "github";
  EXPECT_THAT(CheckSourceConfig(*FindProvider("github"), source).message(),
              HasSubstr("hmac: only the hmac provider takes this"));
}

TEST(HmacTemplateTest, ADescribedSignatureCoversWhatItsTemplateNames) {
  SourceConfig source;
  source.name = "acme";
  source.provider = "hmac";
  source.secrets = {"old", "acme-secret"};
  source.event_type = {ValueLocation::Kind::kField, "kind"};
  source.delivery_id = {ValueLocation::Kind::kField, "id"};
  source.hmac = HmacConfig{
      "X-Acme-Signature", "v1=",         "sha512", "base64", "{method} {path} {timestamp} {body}",
      "X-Acme-Time",      "milliseconds"};
  absl::StatusOr<std::unique_ptr<Source>> created = CreateSource(source);
  ASSERT_TRUE(created.ok()) << created.status();
  const Source& acme = **created;
  absl::StatusOr<HmacSignatureSpec> spec = HmacSpecFromConfig(*source.hmac);
  ASSERT_TRUE(spec.ok());

  Request r("/webhooks/acme?x=1", R"({"kind":"order.paid","id":"o-7"})");
  r.Add("X-Acme-Time", absl::StrCat(kNow * 1000 - 1500));
  // The documented form, computed independently of HmacSignature.
  const std::string mac =
      Hmac(HashAlgorithm::kSha512, "acme-secret",
           {absl::StrCat("POST /webhooks/acme?x=1 ", kNow * 1000 - 1500, " ", r.body)});
  const std::string signature = absl::StrCat("v1=", absl::Base64Escape(mac));
  EXPECT_EQ(HmacSignature(*spec, "acme-secret", r.request, r.target), signature);
  r.Add("X-Acme-Signature", signature);
  Verification verified;
  ASSERT_TRUE(acme.Verify(r.request, &verified).ok()) << acme.Verify(r.request, &verified);
  EXPECT_EQ(verified.scheme, "hmac-sha512");
  EXPECT_EQ(verified.secret_index, 1);
  EXPECT_EQ(verified.signed_at, absl::FromUnixMillis(kNow * 1000 - 1500));
  v1::Event event;
  ASSERT_TRUE(acme.Decode(r.request, &event).ok());
  EXPECT_EQ(event.type(), "order.paid");
  EXPECT_EQ(event.id(), "o-7");

  // Each signed part matters: the method, the path, the time, the body.
  for (auto change : std::vector<void (*)(Request*)>{
           [](Request* q) { q->target = "/webhooks/acme?x=2"; }, [](Request* q) { q->body += " "; },
           [](Request* q) { q->headers[0].second = absl::StrCat(kNow * 1000); }}) {
    Request changed = r;
    change(&changed);
    changed.Refresh();
    EXPECT_EQ(acme.Verify(changed.request).code(), absl::StatusCode::kUnauthenticated);
  }
  // A genuine signature on a time outside the tolerance is stale.
  Request late("/webhooks/acme?x=1", r.body, {{"X-Acme-Time", absl::StrCat((kNow - 600) * 1000)}});
  late.Add("X-Acme-Signature", HmacSignature(*spec, "acme-secret", late.request, late.target));
  EXPECT_TRUE(IsStaleTimestamp(acme.Verify(late.request)));
}

Config IngestConfig(std::vector<SourceConfig> sources) {
  Config config;
  config.sources = std::move(sources);
  return config;
}

SourceConfig Source(std::string name, std::string provider, std::string secret) {
  SourceConfig s;
  s.name = std::move(name);
  s.provider = std::move(provider);
  s.secrets = {std::move(secret)};
  return s;
}

IngestResult HandleOnce(Ingestor& ingestor, absl::string_view source,
                        const WebhookRequest& request) {
  IngestResult result;
  int calls = 0;
  ingestor.Handle(source, request, [&](IngestResult r) {
    ++calls;
    result = std::move(r);
  });
  EXPECT_EQ(calls, 1);
  return result;
}

TEST(ProviderCheckTest, EndpointChecksAreVerifiedAnsweredAndNeverStored) {
  MemoryLog log{{}};
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor =
      Ingestor::Create(IngestConfig({Source("slack", "slack", "slack-secret"),
                                     Source("zoom", "zoom", "zoom-token")}),
                       &log);
  ASSERT_TRUE(ingestor.ok()) << ingestor.status();

  Request slack("/webhooks/slack",
                R"({"token":"t","challenge":"3eZbrw1aBm2rZ","type":"url_verification"})",
                {{"X-Slack-Request-Timestamp", absl::StrCat(kNow)}});
  WebhookRequest unsigned_check = slack.request;
  EXPECT_EQ(HandleOnce(**ingestor, "slack", unsigned_check).outcome, Outcome::kBadSignature);
  for (const auto& [n, v] : FindProvider("slack")->sign("slack-secret", slack.request).headers) {
    if (n != "X-Slack-Request-Timestamp") slack.Add(n, v);
  }
  IngestResult answered = HandleOnce(**ingestor, "slack", slack.request);
  EXPECT_EQ(answered.outcome, Outcome::kAnswered) << answered.reason;
  ASSERT_TRUE(answered.answer.has_value());
  EXPECT_EQ(answered.answer->status, 200);
  EXPECT_EQ(answered.answer->content_type, "application/json");
  EXPECT_EQ(answered.answer->body, R"({"challenge":"3eZbrw1aBm2rZ"})");
  EXPECT_EQ(answered.reason, "slack url_verification challenge");

  Request zoom("/webhooks/zoom",
               R"({"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,)"
               R"("event":"endpoint.url_validation"})");
  for (const auto& [n, v] : FindProvider("zoom")->sign("zoom-token", zoom.request).headers) {
    zoom.Add(n, v);
  }
  answered = HandleOnce(**ingestor, "zoom", zoom.request);
  EXPECT_EQ(answered.outcome, Outcome::kAnswered) << answered.reason;
  ASSERT_TRUE(answered.answer.has_value());
  // Members in any order (Zoom parses the JSON).
  EXPECT_THAT(answered.answer->body, HasSubstr(R"("plainToken":"qgg8vlvZRS6UYooatFL8Aw")"));
  EXPECT_THAT(answered.answer->body,
              HasSubstr(absl::StrCat(R"("encryptedToken":")",
                                     HexEncodeBytes(Hmac(HashAlgorithm::kSha256, "zoom-token",
                                                         {"qgg8vlvZRS6UYooatFL8Aw"})),
                                     R"(")")));
  // A check without its token is malformed, not answered.
  Request empty("/webhooks/zoom", R"({"payload":{},"event":"endpoint.url_validation"})");
  for (const auto& [n, v] : FindProvider("zoom")->sign("zoom-token", empty.request).headers) {
    empty.Add(n, v);
  }
  IngestResult malformed = HandleOnce(**ingestor, "zoom", empty.request);
  EXPECT_EQ(malformed.outcome, Outcome::kMalformed);
  EXPECT_THAT(malformed.reason, HasSubstr("payload.plainToken"));

  EXPECT_EQ(log.Stats().last_sequence, 0u) << "a check was stored as an event";
}

TEST(PublicUrlTest, BehindARewritingProxyThePublicUrlIsVerifiedAndAMismatchDiagnosed) {
  // CKEditor was given https://example.com/hb/webhooks/docs?tenant=7; the
  // proxy strips /hb.
  const std::string body = R"({"event":"ping","payload":{"id":"p1"}})";
  const std::string timestamp = absl::StrCat(kNow * 1000);
  auto signed_for = [&](const std::string& path) {
    return Request(
        "/webhooks/docs?tenant=7", body,
        {{"X-CS-Timestamp", timestamp},
         {"X-CS-Signature", CkeditorSignature("docs-secret", "POST", path, timestamp, body)}});
  };
  SourceConfig docs = Source("docs", "ckeditor-cloud-services", "docs-secret");
  MemoryLog log{{}};
  absl::StatusOr<std::unique_ptr<Ingestor>> plain = Ingestor::Create(IngestConfig({docs}), &log);
  ASSERT_TRUE(plain.ok());
  Request sent = signed_for("/hb/webhooks/docs?tenant=7");
  sent.request.diagnose = true;
  IngestResult refused = HandleOnce(**plain, "docs", sent.request);
  EXPECT_EQ(refused.outcome, Outcome::kBadSignature);
  EXPECT_EQ(refused.diagnosis, "");  // no form of /webhooks/docs fits /hb/...

  docs.public_url = "https://example.com/hb/webhooks/docs";
  absl::StatusOr<std::unique_ptr<Ingestor>> behind = Ingestor::Create(IngestConfig({docs}), &log);
  ASSERT_TRUE(behind.ok());
  EXPECT_EQ(HandleOnce(**behind, "docs", sent.request).outcome, Outcome::kAccepted);

  // Signed for the path as received: refused against public_url, and the
  // console is told which form would have matched (and nothing of the
  // path itself, which may hold a path token).
  Request direct = signed_for("/webhooks/docs?tenant=7");
  direct.request.diagnose = true;
  refused = HandleOnce(**behind, "docs", direct.request);
  EXPECT_EQ(refused.outcome, Outcome::kBadSignature);
  EXPECT_THAT(refused.diagnosis,
              HasSubstr("the signature matches the path as received, not public_url's path"));
  EXPECT_THAT(refused.diagnosis, HasSubstr("a diagnosis only"));
  EXPECT_THAT(refused.diagnosis, ::testing::Not(HasSubstr("tenant")));
  // Without the query, or with a trailing slash: named as such.
  Request no_query = signed_for("/hb/webhooks/docs");
  no_query.request.diagnose = true;
  EXPECT_THAT(HandleOnce(**behind, "docs", no_query.request).diagnosis,
              HasSubstr("public_url's path without its query"));
  Request slash = signed_for("/hb/webhooks/docs/?tenant=7");
  slash.request.diagnose = true;
  EXPECT_THAT(HandleOnce(**behind, "docs", slash.request).diagnosis,
              HasSubstr("public_url's path with a trailing slash"));
  // Only when asked (the console is on): it costs HMACs.
  slash.request.diagnose = false;
  EXPECT_EQ(HandleOnce(**behind, "docs", slash.request).diagnosis, "");
  EXPECT_EQ(log.Stats().last_sequence, 1u);
}

}  // namespace
}  // namespace hookbridge
