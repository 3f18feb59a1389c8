// The cloudevents provider: the HTTP protocol binding's three content
// modes read into io.cloudevents.v1.CloudEvent as the specification says,
// what is not a valid CloudEvent refused with its reason, bearer and
// Standard Webhooks authentication, the webhook handshake, batches stored
// whole or not at all and de-duplicated by id and source, and the event
// going out as the CloudEvent that came in.
#include "bridge/providers/cloudevents/cloudevents_source.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/cloudevents.h"
#include "bridge/config.h"
#include "bridge/ingest.h"
#include "bridge/log/memory/memory_log.h"
#include "bridge/providers/registry.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/owned_request.h"

namespace hookbridge {
namespace {

using io::cloudevents::v1::CloudEvent;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1765000000;

// A request to the source "events" with its own storage, received at kNow.
struct Request : OwnedRequest {
  Request(std::vector<std::pair<std::string, std::string>> headers_in, std::string body_in)
      : OwnedRequest("/webhooks/events", std::move(body_in), std::move(headers_in),
                     absl::FromUnixSeconds(kNow)) {}
};

absl::StatusOr<std::vector<CloudEvent>> Parse(const Request& r) {
  std::vector<CloudEvent> events;
  std::vector<std::string> raw;
  absl::Status status = ParseCloudEvents(r.request, kMaxJsonDepth, &events, &raw);
  if (!status.ok()) return status;
  return events;
}

CloudEvent ParseOne(const Request& r) {
  absl::StatusOr<std::vector<CloudEvent>> events = Parse(r);
  EXPECT_TRUE(events.ok()) << events.status();
  if (!events.ok() || events->size() != 1) return CloudEvent();
  return (*events)[0];
}

std::string Refusal(const Request& r) {
  absl::StatusOr<std::vector<CloudEvent>> events = Parse(r);
  EXPECT_FALSE(events.ok());
  if (events.ok()) return "";
  EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(events.status().message());
}

const CloudEvent::CloudEventAttributeValue& Attr(const CloudEvent& event, const char* name) {
  static const CloudEvent::CloudEventAttributeValue kNone;
  auto it = event.attributes().find(name);
  return it == event.attributes().end() ? kNone : it->second;
}

constexpr char kStructured[] = "application/cloudevents+json; charset=UTF-8";
constexpr char kBatch[] = "application/cloudevents-batch+json";

TEST(CloudEventsParseTest, StructuredModeReadsTheSpecificationsExample) {
  // The JSON format specification's example, with its XML data.
  const CloudEvent event = ParseOne(Request(
      {{"Content-Type", kStructured}},
      R"({"specversion":"1.0","type":"com.github.pull_request.opened",)"
      R"("source":"https://github.com/cloudevents/spec/pull","subject":"123",)"
      R"("id":"A234-1234-1234","time":"2018-04-05T17:31:00Z","comexampleextension1":"value",)"
      R"("comexampleothervalue":5,"unsetext":null,"datacontenttype":"text/xml",)"
      R"("data":"<much wow=\"xml\"/>"})"));
  EXPECT_EQ(event.spec_version(), "1.0");
  EXPECT_EQ(event.id(), "A234-1234-1234");
  EXPECT_EQ(event.source(), "https://github.com/cloudevents/spec/pull");
  EXPECT_EQ(event.type(), "com.github.pull_request.opened");
  EXPECT_EQ(Attr(event, "subject").ce_string(), "123");
  EXPECT_EQ(Attr(event, "time").ce_timestamp().seconds(), 1522949460);
  EXPECT_EQ(Attr(event, "comexampleextension1").ce_string(), "value");
  EXPECT_EQ(Attr(event, "comexampleothervalue").ce_integer(), 5);
  EXPECT_EQ(Attr(event, "datacontenttype").ce_string(), "text/xml");
  EXPECT_EQ(event.attributes().count("unsetext"), 0u) << "null is unset";
  EXPECT_EQ(event.text_data(), R"(<much wow="xml"/>)");
}

TEST(CloudEventsParseTest, StructuredDataIsJsonTextBinaryOrAStringAsItsContentTypeSays) {
  const CloudEvent json =
      ParseOne(Request({{"Content-Type", kStructured}},
                       R"({"specversion":"1.0","type":"t","source":"/s","id":"1",)"
                       R"("data":{"appinfoA":"abc","appinfoB":123, "appinfoC":true}})"));
  EXPECT_EQ(json.text_data(), R"({"appinfoA":"abc","appinfoB":123,"appinfoC":true})");
  // Implied, and made explicit for whoever reads it in another format.
  EXPECT_EQ(Attr(json, "datacontenttype").ce_string(), "application/json");

  const CloudEvent binary = ParseOne(
      Request({{"Content-Type", kStructured}},
              R"({"specversion":"1.0","type":"t","source":"/s","id":"1",)"
              R"("datacontenttype":"application/octet-stream","data_base64":"Zm9vYg=="})"));
  EXPECT_EQ(binary.binary_data(), "foob");

  const CloudEvent vendor_json =
      ParseOne(Request({{"Content-Type", kStructured}},
                       R"({"specversion":"1.0","type":"t","source":"/s","id":"1",)"
                       R"("datacontenttype":"application/vnd.x+json","data":"a string"})"));
  EXPECT_EQ(vendor_json.text_data(), R"("a string")") << "JSON data is JSON text";

  const CloudEvent no_data =
      ParseOne(Request({{"Content-Type", kStructured}},
                       R"({"specversion":"1.0","type":"t","source":"/s","id":"1"})"));
  EXPECT_EQ(no_data.data_case(), CloudEvent::DATA_NOT_SET);
  EXPECT_EQ(no_data.attributes().count("datacontenttype"), 0u);
}

TEST(CloudEventsParseTest, WhatIsNotAValidCloudEventIsRefusedWithItsReason) {
  const auto structured = [](std::string body) {
    return Refusal(Request({{"Content-Type", kStructured}}, std::move(body)));
  };
  const std::string base = R"("specversion":"1.0","type":"t","source":"/s","id":"1")";
  EXPECT_THAT(structured(R"({"specversion":"1.0","type":"t","source":"/s"})"), HasSubstr("no id"));
  EXPECT_THAT(structured(R"({"specversion":"1.0","type":"t","source":"","id":"1"})"),
              HasSubstr("no source"));
  EXPECT_THAT(structured(R"({"specversion":"1.0","source":"/s","id":"1","type":null})"),
              HasSubstr("no type"));
  EXPECT_THAT(structured(R"({"type":"t","source":"/s","id":"1"})"), HasSubstr("no specversion"));
  EXPECT_THAT(structured(R"({"specversion":"0.3","type":"t","source":"/s","id":"1"})"),
              HasSubstr("specversion 0.3 is not taken"));
  EXPECT_THAT(structured(R"({"specversion":"1.0","type":"t","source":"/s","id":7})"),
              HasSubstr("id must be a string, not a number"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"Bad-Name":"x"})")),
              HasSubstr("attribute names must be lower-case"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"ext":1.5})")),
              HasSubstr("extension attribute ext is a number that is not a CloudEvents Integer"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"ext":4294967296})")),
              HasSubstr("not a CloudEvents Integer"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"ext":{"a":1}})")),
              HasSubstr("extension attribute ext is an object"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"time":"yesterday"})")),
              HasSubstr("RFC 3339"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"data":1,"data_base64":"AA=="})")),
              HasSubstr("not both"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"data_base64":"*not base64*"})")),
              HasSubstr("data_base64 is not base64"));
  EXPECT_THAT(structured(absl::StrCat("{", base, R"(,"datacontenttype":"text/plain","data":[1]})")),
              HasSubstr("text/plain is not JSON"));
  EXPECT_THAT(structured(R"(["not", "an object"])"), HasSubstr("object"));
  EXPECT_THAT(Refusal(Request({{"Content-Type", "application/cloudevents+avro"}}, "x")),
              HasSubstr("the JSON event format is the one taken"));
  EXPECT_THAT(Refusal(Request({{"Content-Type", "application/json"}}, R"({"a":1})")),
              HasSubstr("not a CloudEvent"));
}

std::vector<std::pair<std::string, std::string>> BinaryHeaders(std::string content_type) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"ce-specversion", "1.0"},
      {"CE-Type", "com.example.someevent"},
      {"ce-time", "2018-04-05T03:56:24.5Z"},
      {"ce-id", "1234-1234-1234"},
      {"ce-source", "/mycontext/subcontext"}};
  if (!content_type.empty()) headers.emplace_back("Content-Type", std::move(content_type));
  return headers;
}

TEST(CloudEventsParseTest, BinaryModeReadsHeadersPercentDecodedAndTheBodyAsData) {
  Request json(BinaryHeaders("application/json; charset=utf-8"), R"({ "key": "value" })");
  // The HTTP binding's own example of percent-encoding, and an older
  // sender's quoted string.
  json.Add("ce-subject", "Euro%20%E2%82%AC%20%F0%9F%98%80");
  json.Add("ce-comexample", R"("quoted \"value\"")");
  const CloudEvent event = ParseOne(json);
  EXPECT_EQ(event.id(), "1234-1234-1234");
  EXPECT_EQ(event.type(), "com.example.someevent") << "header names are case-insensitive";
  EXPECT_EQ(event.source(), "/mycontext/subcontext");
  EXPECT_EQ(Attr(event, "subject").ce_string(), "Euro \u20ac \U0001F600");
  EXPECT_EQ(Attr(event, "comexample").ce_string(), R"(quoted "value")");
  EXPECT_EQ(Attr(event, "time").ce_timestamp().nanos(), 500000000);
  EXPECT_EQ(Attr(event, "datacontenttype").ce_string(), "application/json; charset=utf-8");
  EXPECT_EQ(event.text_data(), R"({ "key": "value" })") << "the body exactly";

  const CloudEvent bytes =
      ParseOne(Request(BinaryHeaders("application/octet-stream"), std::string("\x00\xff\x01", 3)));
  EXPECT_EQ(bytes.binary_data(), std::string("\x00\xff\x01", 3));
  const CloudEvent text = ParseOne(Request(BinaryHeaders("text/plain"), "hello"));
  EXPECT_EQ(text.text_data(), "hello");
  const CloudEvent empty = ParseOne(Request(BinaryHeaders("application/json"), ""));
  EXPECT_EQ(empty.data_case(), CloudEvent::DATA_NOT_SET);

  // The reason for a JSON binary-mode event with one more header.
  const auto refusal_with = [](std::string name, std::string value) {
    Request r(BinaryHeaders("application/json"), "{}");
    r.Add(std::move(name), std::move(value));
    return Refusal(r);
  };
  EXPECT_THAT(refusal_with("ce-id", "again"), HasSubstr("ce-id is sent more than once"));
  EXPECT_THAT(refusal_with("ce-datacontenttype", "application/json"),
              HasSubstr("Content-Type is the datacontenttype"));
  EXPECT_THAT(refusal_with("ce-subject", "100%"), HasSubstr("percent-encoded"));
  // The binding's example of an encoding that must be refused.
  EXPECT_THAT(refusal_with("ce-subject", "%C0%A0"), HasSubstr("not UTF-8"));
  EXPECT_THAT(refusal_with("ce-my_ext", "x"), HasSubstr("lower-case letters"));
  // Content-Type becomes datacontenttype, a string: found by the fuzzer
  // (fuzz/regressions/cloudevents_fuzzer/), the event could not be read back.
  EXPECT_THAT(Refusal(Request(BinaryHeaders("appli\xce\xce"
                                            "cation/json"),
                              "{}")),
              HasSubstr("Content-Type: bytes that are not UTF-8"));
  EXPECT_THAT(Refusal(Request(BinaryHeaders("application/json"), "{not json")), HasSubstr("data"));
}

// ---- through the ingest path -------------------------------------------------------

SourceConfig EventsSource(std::vector<std::string> secrets, CloudEventsConfig ce = {}) {
  SourceConfig s;
  s.name = "events";
  s.provider = "cloudevents";
  s.secrets = std::move(secrets);
  s.cloudevents = std::move(ce);
  return s;
}

struct Fixture {
  explicit Fixture(SourceConfig source) {
    Config config;
    config.sources = {std::move(source)};
    absl::StatusOr<std::unique_ptr<Ingestor>> created = Ingestor::Create(config, &log);
    EXPECT_TRUE(created.ok()) << created.status();
    if (created.ok()) ingestor = *std::move(created);
  }
  IngestResult Handle(const WebhookRequest& request) {
    IngestResult result;
    int calls = 0;
    ingestor->Handle("events", request, [&](IngestResult r) {
      ++calls;
      result = std::move(r);
    });
    EXPECT_EQ(calls, 1);
    return result;
  }
  std::vector<RecordPtr> Records() {
    std::vector<RecordPtr> records;
    EXPECT_TRUE(log.Read(0, 100, &records, nullptr).ok());
    return records;
  }
  MemoryLog log{{}};
  std::unique_ptr<Ingestor> ingestor;
};

v1::Event EventOf(const LogRecord& record) {
  v1::Event event;
  EXPECT_TRUE(event.ParseFromString(record.event_bytes));
  EXPECT_TRUE(event.MergeFromString(record.raw_body_field));
  return event;
}

TEST(CloudEventsIngestTest, ABearerTokenAuthenticatesAndTheEventIsStoredAsItCame) {
  Fixture f(EventsSource({"old-token", "new-token"}));
  Request r(BinaryHeaders("application/json"), R"({"n":1})");
  r.Add("ce-subject", "doc-1");
  r.Add("ce-traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(f.Handle(r.request).outcome, Outcome::kBadSignature) << "no Authorization";
  Request wrong = r;
  wrong.Add("Authorization", "Bearer not-a-token");
  EXPECT_THAT(f.Handle(wrong.request).reason, HasSubstr("matches no configured secret"));
  Request basic = r;
  basic.Add("Authorization", "Basic bmV3LXRva2Vu");
  EXPECT_EQ(f.Handle(basic.request).outcome, Outcome::kBadSignature);

  r.Add("Authorization", "bearer new-token");
  const IngestResult accepted = f.Handle(r.request);
  ASSERT_EQ(accepted.outcome, Outcome::kAccepted) << accepted.reason;
  EXPECT_EQ(accepted.event_id, "1234-1234-1234");
  EXPECT_EQ(accepted.type, "com.example.someevent");
  EXPECT_FALSE(accepted.batch);

  const std::vector<RecordPtr> records = f.Records();
  ASSERT_EQ(records.size(), 1u);
  const v1::Event event = EventOf(*records[0]);
  EXPECT_EQ(event.provider(), v1::PROVIDER_CLOUDEVENTS);
  EXPECT_EQ(event.id(), "1234-1234-1234");
  EXPECT_EQ(event.type(), "com.example.someevent");
  EXPECT_EQ(event.environment_id(), "/mycontext/subcontext");
  EXPECT_EQ(event.subject(), "doc-1");
  EXPECT_EQ(event.provenance().scheme(), "cloudevents-bearer");
  EXPECT_EQ(event.provenance().secret_index(), 1u);
  EXPECT_EQ(event.trace_context().traceparent(),
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
      << "the event's distributed-tracing extension continues its trace";
  EXPECT_EQ(event.raw_body(), R"({"n":1})");
  ASSERT_TRUE(event.has_cloudevents());
  EXPECT_EQ(event.cloudevents().text_data(), R"({"n":1})");
  EXPECT_FALSE(event.has_untyped());

  // Out as a CloudEvent: the one that came in, hookbridge's extensions
  // added.
  CloudEvent out;
  ToCloudEvent(event, &out);
  EXPECT_EQ(out.id(), "1234-1234-1234");
  EXPECT_EQ(out.source(), "/mycontext/subcontext") << "never re-wrapped";
  EXPECT_EQ(out.type(), "com.example.someevent");
  EXPECT_EQ(out.text_data(), R"({"n":1})");
  EXPECT_EQ(Attr(out, "subject").ce_string(), "doc-1");
  EXPECT_EQ(Attr(out, "time").ce_timestamp().seconds(), 1522900584);
  EXPECT_EQ(Attr(out, "sequence").ce_string(), CloudEventSequence(records[0]->sequence));
  EXPECT_EQ(Attr(out, "provider").ce_string(), "cloudevents");
  EXPECT_EQ(Attr(out, "provenancescheme").ce_string(), "cloudevents-bearer");
  EXPECT_EQ(out.attributes().count("superseded"), 0u);
  EXPECT_EQ(out.attributes().count("environmentid"), 0u);

  // A retry is a duplicate.
  EXPECT_EQ(f.Handle(r.request).outcome, Outcome::kDuplicate);
  EXPECT_EQ(f.Records().size(), 1u);
}

TEST(CloudEventsIngestTest, AStandardWebhooksSignatureAuthenticatesWhenConfigured) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  CloudEventsConfig ce;
  ce.auth = "standard-webhooks";
  Fixture f(EventsSource({secret}, ce));
  const std::string body = R"({"specversion":"1.0","type":"t","source":"/s","id":"e1"})";
  const auto signed_at = [&](int64_t when) {
    Request r({{"Content-Type", kStructured}}, body);
    r.Add("webhook-id", "msg_1");
    r.Add("webhook-timestamp", absl::StrCat(when));
    r.Add("webhook-signature",
          StandardWebhooksSignature(secret, "msg_1", absl::StrCat(when), body));
    return r;
  };
  Request stale = signed_at(kNow - 3600);
  EXPECT_EQ(f.Handle(stale.request).outcome, Outcome::kStaleTimestamp);
  Request bearer({{"Content-Type", kStructured}, {"Authorization", "Bearer " + secret}}, body);
  EXPECT_EQ(f.Handle(bearer.request).outcome, Outcome::kBadSignature)
      << "a source signed with Standard Webhooks takes no bearer token";
  Request fresh = signed_at(kNow);
  const IngestResult accepted = f.Handle(fresh.request);
  ASSERT_EQ(accepted.outcome, Outcome::kAccepted) << accepted.reason;
  EXPECT_EQ(accepted.event_id, "e1") << "the CloudEvent's id, not the webhook-id";
  EXPECT_EQ(EventOf(*f.Records()[0]).provenance().scheme(), "cloudevents-standard-webhooks");
}

std::string Element(absl::string_view id, absl::string_view source, absl::string_view extra = "") {
  return absl::StrCat(R"({"specversion":"1.0","type":"com.example.t","source":")", source,
                      R"(","id":")", id, R"(")", extra, "}");
}

TEST(CloudEventsIngestTest, ABatchIsStoredWholeEachEventDeduplicatedByIdAndSource) {
  Fixture f(EventsSource({"token"}));
  const auto batch = [](std::vector<std::string> elements) {
    std::string body = "[";
    for (size_t i = 0; i < elements.size(); ++i) {
      absl::StrAppend(&body, i == 0 ? "" : ", ", elements[i]);
    }
    body.append("]");
    return Request({{"Content-Type", kBatch}, {"Authorization", "Bearer token"}}, body);
  };

  // The second event of the batch is malformed: nothing of it is stored.
  Request bad = batch({Element("1", "/a"), R"({"specversion":"1.0","type":"t","id":"2"})"});
  const IngestResult refused = f.Handle(bad.request);
  EXPECT_EQ(refused.outcome, Outcome::kMalformed);
  EXPECT_THAT(refused.reason, HasSubstr("event 2 of the batch: the CloudEvent has no source"));
  EXPECT_TRUE(f.Records().empty());

  // Same id, another source: another event. Same id and source twice in
  // one batch: one event.
  Request good = batch({Element("1", "/a", R"(,"data":{"x": 1})"), Element("1", "/b"),
                        Element("2", "/a"), Element("2", "/a")});
  const IngestResult accepted = f.Handle(good.request);
  ASSERT_EQ(accepted.outcome, Outcome::kAccepted) << accepted.reason;
  EXPECT_TRUE(accepted.batch);
  EXPECT_EQ(accepted.events, 4u);
  EXPECT_EQ(accepted.duplicates, 1u);
  EXPECT_TRUE(accepted.event_id.empty());
  EXPECT_EQ(accepted.appended.size(), 3u);
  std::vector<RecordPtr> records = f.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(accepted.sequence, records.back()->sequence);
  const v1::Event first = EventOf(*records[0]);
  EXPECT_EQ(first.id(), "1");
  EXPECT_EQ(first.environment_id(), "/a");
  EXPECT_EQ(first.cloudevents().text_data(), R"({"x":1})");
  // Each event's raw body is its own JSON; the digest is of what was
  // authenticated, the whole request.
  EXPECT_EQ(first.raw_body(), Element("1", "/a", R"(,"data":{"x":1})"));
  EXPECT_EQ(first.provenance().body_sha256(), EventOf(*records[1]).provenance().body_sha256());
  EXPECT_EQ(EventOf(*records[1]).environment_id(), "/b");

  // The sender's retry: every event a duplicate.
  const IngestResult retried = f.Handle(good.request);
  EXPECT_EQ(retried.outcome, Outcome::kDuplicate);
  EXPECT_EQ(retried.duplicates, 4u);
  // One more after a partial retry: only the new one is stored.
  Request more = batch({Element("2", "/a"), Element("3", "/a")});
  const IngestResult partly = f.Handle(more.request);
  EXPECT_EQ(partly.outcome, Outcome::kAccepted);
  EXPECT_EQ(partly.duplicates, 1u);
  EXPECT_EQ(f.Records().size(), 4u);

  // An empty batch stores nothing and is no error.
  Request empty = batch({});
  EXPECT_EQ(f.Handle(empty.request).outcome, Outcome::kAccepted);
  EXPECT_EQ(f.Records().size(), 4u);
}

TEST(CloudEventsIngestTest, TheWebhookHandshakeIsAnsweredForAllowedOriginsOnly) {
  Request options(
      {{"WebHook-Request-Origin", "EventEmitter.example.com"}, {"WebHook-Request-Rate", "120"}},
      "");
  options.request.method = "OPTIONS";
  {
    Fixture f(EventsSource({"token"}));
    const Route route = f.ingestor->Resolve("/webhooks/events");
    EXPECT_FALSE(f.ingestor->Preflight(route, options.request).has_value())
        << "no allowed_origins: no handshake (405)";
  }
  CloudEventsConfig ce;
  ce.allowed_origins = {"other.example.com", "eventemitter.example.com"};
  SourceConfig limited = EventsSource({"token"}, ce);
  limited.rate_limit = RateLimit{2, 10};
  Fixture f(limited);
  const Route route = f.ingestor->Resolve("/webhooks/events");
  std::optional<ProviderAnswer> answer = f.ingestor->Preflight(route, options.request);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_THAT(
      answer->headers,
      ::testing::UnorderedElementsAre(
          std::pair<std::string, std::string>("Allow", "POST, OPTIONS"),
          std::pair<std::string, std::string>("WebHook-Allowed-Origin", "EventEmitter.example.com"),
          std::pair<std::string, std::string>("WebHook-Allowed-Rate", "120")));

  Request stranger({{"WebHook-Request-Origin", "evil.example.org"}}, "");
  answer = f.ingestor->Preflight(route, stranger.request);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 403);
  EXPECT_TRUE(answer->headers.empty()) << "no consent without the headers";
  EXPECT_THAT(answer->body, HasSubstr("allowed_origins"));

  Request anonymous({}, "");
  answer = f.ingestor->Preflight(route, anonymous.request);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 400);

  ce.allowed_origins = {"*"};
  Fixture any(EventsSource({"token"}, ce));
  answer = any.ingestor->Preflight(any.ingestor->Resolve("/webhooks/events"), stranger.request);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 200);
  EXPECT_THAT(answer->headers, ::testing::Contains(std::pair<std::string, std::string>(
                                   "WebHook-Allowed-Origin", "*")));
  EXPECT_THAT(answer->headers, ::testing::Contains(std::pair<std::string, std::string>(
                                   "WebHook-Allowed-Rate", "60000")))
      << "http.rate_limit's default, 1000 a second";
  EXPECT_TRUE(any.Records().empty());
}

TEST(CloudEventsConfigTest, TheCloudEventsKeyIsCheckedAndOnlyTakenByItsProvider) {
  CloudEventsConfig ce;
  ce.auth = "basic";
  EXPECT_THAT(CheckSourceConfig(*FindProvider("cloudevents"), EventsSource({"t"}, ce)).message(),
              HasSubstr("cloudevents.auth: \"basic\" is not bearer or standard-webhooks"));
  ce.auth = "standard-webhooks";
  EXPECT_THAT(
      CheckSourceConfig(*FindProvider("cloudevents"), EventsSource({"not base64!"}, ce)).message(),
      HasSubstr("secrets[0]"));
  ce.auth = "bearer";
  ce.allowed_origins = {"a.example.com, b.example.com"};
  EXPECT_THAT(CheckSourceConfig(*FindProvider("cloudevents"), EventsSource({"t"}, ce)).message(),
              HasSubstr("cloudevents.allowed_origins[0]"));
  SourceConfig github = EventsSource({"t"}, CloudEventsConfig());
  github.provider = "github";
  EXPECT_THAT(CheckSourceConfig(*FindProvider("github"), github).message(),
              HasSubstr("only the cloudevents provider takes this"));

  const EnvLookup no_env = [](absl::string_view) { return std::optional<std::string>(); };
  absl::StatusOr<Config> config = ParseConfig(R"(
sources:
  - name: events
    provider: cloudevents
    secrets: [token]
    cloudevents:
      auth: standard-webhooks
      allowed_origins: [a.example.com, "*"]
)",
                                              no_env);
  EXPECT_FALSE(config.ok()) << "a bearer token is no whsec_ key";
  config = ParseConfig(R"(
sources:
  - name: events
    provider: cloudevents
    secrets: [token]
    cloudevents:
      allowed_origins: [a.example.com, "*"]
)",
                       no_env);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(config->sources[0].cloudevents.has_value());
  EXPECT_EQ(config->sources[0].cloudevents->auth, "bearer");
  EXPECT_THAT(config->sources[0].cloudevents->allowed_origins,
              ::testing::ElementsAre("a.example.com", "*"));
}

}  // namespace
}  // namespace hookbridge
