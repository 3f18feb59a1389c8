#include "bridge/ingest.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/crypto.h"
#include "bridge/log/memory/memory_log.h"
#include "bridge/providers/ckeditor/signature.h"
#include "bridge/providers/github/signature.h"
#include "bridge/providers/registry.h"
#include "bridge/trace_context.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/log/counting_log.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kSecret = "docs-secret";
constexpr absl::string_view kTarget = "/webhooks/docs";
// Where the clock that never steps stands for the tests (any origin).
const absl::Time kMonotonicStart = absl::UnixEpoch() + absl::Hours(5);
constexpr int64_t kNowMillis = 1559117876761;

constexpr absl::string_view kCommentAdded = R"({"event": "comment.added",
  "environment_id": "environment-1",
  "payload": {"document": {"id": "doc-1"},
              "comment": {"id": "comment-1", "content": "Some comment content."}},
  "sent_at": "2019-05-29T08:17:53.457Z"})";

// An EventLog whose appends fail, as a full or unreachable backend would.
class UnavailableLog : public EventLog {
 public:
  void Append(EncodedEvent event, AppendCallback done) override {
    done(absl::UnavailableError("log is full"));
  }
  absl::Status Read(uint64_t, size_t, std::vector<RecordPtr>*,
                    const std::shared_ptr<LogWaiter>&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> PositionAt(absl::Time) override { return 0; }
  LogStats Stats() override { return {}; }
};

// An EventLog that holds appends until the test completes them.
class DeferredLog : public EventLog {
 public:
  void Append(EncodedEvent event, AppendCallback done) override {
    pending.push_back(std::move(done));
  }
  absl::Status Read(uint64_t, size_t, std::vector<RecordPtr>*,
                    const std::shared_ptr<LogWaiter>&) override {
    return absl::OkStatus();
  }
  absl::StatusOr<uint64_t> PositionAt(absl::Time) override { return 0; }
  LogStats Stats() override { return {}; }
  std::vector<AppendCallback> pending;
};

Config TestConfig() {
  Config config;
  SourceConfig docs;
  docs.name = "docs";
  docs.provider = "ckeditor-cloud-services";
  docs.secrets = {std::string(kSecret)};
  SourceConfig assets;
  assets.name = "assets";
  assets.provider = "ckbox";
  assets.secrets = {"assets-secret"};
  config.sources = {docs, assets};
  return config;
}

// A signed request holding `body` and the strings its views point to.
struct SignedRequest {
  SignedRequest(absl::string_view body_in, absl::string_view secret = kSecret,
                int64_t sent_millis = kNowMillis, absl::string_view target_in = kTarget)
      : body(body_in),
        target(target_in),
        timestamp(absl::StrCat(sent_millis)),
        signature(CkeditorSignature(secret, "POST", target, timestamp, body)) {
    request.method = "POST";
    request.target = target;
    request.headers = {{"X-CS-Timestamp", timestamp}, {"X-CS-Signature", signature}};
    request.body = body;
    request.received_at = absl::FromUnixMillis(kNowMillis);
    request.received_monotonic = kMonotonicStart;
  }
  SignedRequest(const SignedRequest&) = delete;

  std::string body;
  std::string target;
  std::string timestamp;
  std::string signature;
  WebhookRequest request;
};

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(TestConfig(), &log_);
    ASSERT_TRUE(ingestor.ok()) << ingestor.status();
    ingestor_ = *std::move(ingestor);
  }

  // Handles `request` and returns the result; fails the test unless `done`
  // ran exactly once before Handle returned.
  IngestResult Handle(absl::string_view source, const WebhookRequest& request) {
    int calls = 0;
    IngestResult result;
    ingestor_->Handle(source, request, [&](IngestResult r) {
      ++calls;
      result = std::move(r);
    });
    EXPECT_EQ(calls, 1);
    return result;
  }

  std::vector<v1::Event> LoggedEvents(bool with_raw = false) {
    std::vector<RecordPtr> records;
    EXPECT_TRUE(log_.Read(0, 1000, &records, nullptr).ok());
    std::vector<v1::Event> events;
    for (const RecordPtr& r : records) {
      v1::Event event;
      EXPECT_TRUE(
          event.ParseFromString(with_raw ? r->event_bytes + r->raw_body_field : r->event_bytes));
      events.push_back(std::move(event));
    }
    return events;
  }

  MemoryLog log_{{}};
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(IngestTest, ListsItsSources) {
  ASSERT_EQ(ingestor_->sources().size(), 2u);
  EXPECT_EQ(ingestor_->sources()[0].name, "docs");
  EXPECT_EQ(ingestor_->sources()[0].provider->id, v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  EXPECT_EQ(ingestor_->sources()[1].name, "assets");
  EXPECT_EQ(ingestor_->sources()[1].provider->id, v1::PROVIDER_CKBOX);
  const Route assets = ingestor_->Resolve("/webhooks/assets");
  ASSERT_NE(assets.named, nullptr);
  EXPECT_EQ(assets.named->name, "assets");
  EXPECT_EQ(ingestor_->Resolve("/webhooks/nope").named, nullptr);
}

TEST_F(IngestTest, AcceptsASignedWebhook) {
  SignedRequest signed_request(kCommentAdded);
  IngestResult result = Handle("docs", signed_request.request);
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
  EXPECT_EQ(result.reason, "");
  EXPECT_EQ(result.sequence, 1u);
  EXPECT_EQ(result.type, "comment.added");
  EXPECT_TRUE(result.typed);
  EXPECT_EQ(result.event_id.size(), 32u);

  std::vector<v1::Event> events = LoggedEvents(/*with_raw=*/true);
  ASSERT_EQ(events.size(), 1u);
  const v1::Event& event = events[0];
  EXPECT_EQ(event.id(), result.event_id);
  EXPECT_EQ(event.sequence(), 1u);
  EXPECT_EQ(event.source(), "docs");
  EXPECT_EQ(event.provider(), v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  EXPECT_EQ(event.type(), "comment.added");
  EXPECT_EQ(event.environment_id(), "environment-1");
  EXPECT_EQ(event.subject(), "doc-1");
  EXPECT_EQ(event.sent_at().seconds(), 1559117873);
  EXPECT_EQ(event.received_at().seconds(), kNowMillis / 1000);
  EXPECT_EQ(event.received_at().nanos(), (kNowMillis % 1000) * 1000000);
  EXPECT_EQ(event.raw_body(), kCommentAdded);
  EXPECT_EQ(event.ckeditor().comment_added().comment().content(), "Some comment content.");
}

TEST_F(IngestTest, SequencesIncrease) {
  SignedRequest first(R"({"event": "ping", "payload": {"id": "w1"}})");
  SignedRequest second(R"({"event": "ping", "payload": {"id": "w2"}})");
  EXPECT_EQ(Handle("docs", first.request).sequence, 1u);
  EXPECT_EQ(Handle("docs", second.request).sequence, 2u);
}

TEST_F(IngestTest, DuplicateBodyIsAcknowledgedButNotAppended) {
  SignedRequest original(kCommentAdded);
  IngestResult first = Handle("docs", original.request);
  ASSERT_EQ(first.outcome, Outcome::kAccepted) << first.reason;

  // A redelivery: same body, signed again a second later.
  SignedRequest retry(kCommentAdded, kSecret, kNowMillis + 1000);
  IngestResult second = Handle("docs", retry.request);
  EXPECT_EQ(second.outcome, Outcome::kDuplicate) << second.reason;
  EXPECT_EQ(second.event_id, first.event_id);
  EXPECT_EQ(second.sequence, 0u);
  EXPECT_EQ(log_.Stats().last_sequence, 1u);
}

TEST_F(IngestTest, ContentHashIdIsStableAndPerSource) {
  SignedRequest a(kCommentAdded);
  const std::string id = Handle("docs", a.request).event_id;
  ASSERT_EQ(id.size(), 32u);
  for (char c : id) EXPECT_TRUE(absl::ascii_isxdigit(c) && !absl::ascii_isupper(c)) << id;

  // Another ingestor (a restart) computes the same id for the same delivery.
  MemoryLog other_log({});
  absl::StatusOr<std::unique_ptr<Ingestor>> other = Ingestor::Create(TestConfig(), &other_log);
  ASSERT_TRUE(other.ok());
  IngestResult again;
  (*other)->Handle("docs", a.request, [&](IngestResult r) { again = std::move(r); });
  EXPECT_EQ(again.event_id, id);

  // The same body posted to another source is another delivery.
  SignedRequest b(kCommentAdded, "assets-secret", kNowMillis, "/webhooks/assets");
  IngestResult to_assets = Handle("assets", b.request);
  EXPECT_EQ(to_assets.outcome, Outcome::kAccepted) << to_assets.reason;
  EXPECT_NE(to_assets.event_id, id);

  // A different body is a different id.
  SignedRequest c(R"({"event": "comment.added", "payload": {}})");
  EXPECT_NE(Handle("docs", c.request).event_id, id);
}

TEST_F(IngestTest, TypedFlagIsFalseForUnknownAndMismatchedEvents) {
  SignedRequest unknown(R"({"event": "collaboration.document.brand.new",
                            "payload": {"document": {"id": "d"}}})");
  IngestResult result = Handle("docs", unknown.request);
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
  EXPECT_FALSE(result.typed);
  EXPECT_EQ(result.type, "collaboration.document.brand.new");

  SignedRequest mismatched(R"({"event": "collaboration.document.updated",
                               "payload": {"document": {"id": "d", "version": "ten"}}})");
  result = Handle("docs", mismatched.request);
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
  EXPECT_FALSE(result.typed);

  std::vector<v1::Event> events = LoggedEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].has_untyped());
  EXPECT_EQ(events[0].subject(), "d");
  EXPECT_THAT(events[1].decode_error(), HasSubstr("payload.document.version"));
}

TEST_F(IngestTest, RejectsABadSignature) {
  SignedRequest wrong_secret(kCommentAdded, "not-the-secret");
  IngestResult result = Handle("docs", wrong_secret.request);
  EXPECT_EQ(result.outcome, Outcome::kBadSignature);
  EXPECT_THAT(result.reason, HasSubstr("signature"));
  EXPECT_EQ(result.event_id, "");

  SignedRequest unsigned_request(kCommentAdded);
  unsigned_request.request.headers.clear();
  EXPECT_EQ(Handle("docs", unsigned_request.request).outcome, Outcome::kBadSignature);

  // Signed for one source, posted to another.
  SignedRequest other_source(kCommentAdded);
  EXPECT_EQ(Handle("assets", other_source.request).outcome, Outcome::kBadSignature);
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

TEST_F(IngestTest, RejectsAStaleTimestamp) {
  SignedRequest old(kCommentAdded, kSecret, kNowMillis - 6 * 60 * 1000);
  IngestResult result = Handle("docs", old.request);
  EXPECT_EQ(result.outcome, Outcome::kStaleTimestamp);
  EXPECT_THAT(result.reason, HasSubstr("360 s"));

  SignedRequest future(kCommentAdded, kSecret, kNowMillis + 6 * 60 * 1000);
  EXPECT_EQ(Handle("docs", future.request).outcome, Outcome::kStaleTimestamp);
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

TEST_F(IngestTest, RejectsMalformedBodies) {
  SignedRequest not_json("{not json");
  IngestResult result = Handle("docs", not_json.request);
  EXPECT_EQ(result.outcome, Outcome::kMalformed);
  EXPECT_FALSE(result.reason.empty());

  SignedRequest no_event(R"({"environment_id": "e", "payload": {}})");
  result = Handle("docs", no_event.request);
  EXPECT_EQ(result.outcome, Outcome::kMalformed);
  EXPECT_THAT(result.reason, HasSubstr("\"event\""));
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

TEST_F(IngestTest, RejectsAnUnknownSource) {
  SignedRequest request(kCommentAdded);
  IngestResult result = Handle("nope", request.request);
  EXPECT_EQ(result.outcome, Outcome::kUnknownSource);
  EXPECT_FALSE(result.reason.empty());
  EXPECT_EQ(Handle("", request.request).outcome, Outcome::kUnknownSource);
  EXPECT_EQ(Handle("DOCS", request.request).outcome, Outcome::kUnknownSource);
}

TEST_F(IngestTest, RejectsDeepNestingBeforeParsing) {
  Config config = TestConfig();
  config.http.max_json_depth = 4;
  MemoryLog log({});
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
  ASSERT_TRUE(ingestor.ok()) << ingestor.status();
  auto handle = [&](const WebhookRequest& request) {
    IngestResult result;
    (*ingestor)->Handle("docs", request, [&](IngestResult r) { result = std::move(r); });
    return result;
  };
  // Depth 4: the envelope, payload, document, and one more.
  SignedRequest four(R"({"event":"x.y","payload":{"document":{"id":"d","tags":[1]}}})");
  IngestResult result = handle(four.request);
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
  SignedRequest five(R"({"event":"x.y","payload":{"document":{"id":"d","tags":[[1]]}}})");
  result = handle(five.request);
  EXPECT_EQ(result.outcome, Outcome::kMalformed);
  EXPECT_THAT(result.reason, HasSubstr("deeper than 4 levels"));

  // The default limit stops a million brackets without recursing.
  SignedRequest million(R"({"event":"x.y","payload":)" + std::string(1000000, '['));
  result = Handle("docs", million.request);
  EXPECT_EQ(result.outcome, Outcome::kMalformed);
  EXPECT_THAT(result.reason, HasSubstr("deeper than 32 levels"));
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
  EXPECT_EQ(log.Stats().last_sequence, 1u);
}

TEST_F(IngestTest, RejectsInvalidUtf8InStringsAndSurrogateEscapes) {
  for (const std::string& body :
       {std::string(R"({"event":"comment.added","payload":{"comment":{"content":"a)") + "\xff" +
            R"("}}})",
        std::string(R"({"event":"comment.added","payload":{"comment":{"content":"\udc00"}}})"),
        std::string("{\"event\":\"comment.added\xc0\xae\",\"payload\":{}}")}) {
    SignedRequest request(body);
    IngestResult result = Handle("docs", request.request);
    EXPECT_EQ(result.outcome, Outcome::kMalformed) << result.reason;
    EXPECT_THAT(result.reason, testing::AnyOf(HasSubstr("not valid UTF-8"),
                                              HasSubstr("unpaired UTF-16 surrogate")));
  }
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

TEST_F(IngestTest, MissingSignatureHeadersAreBadSignatures) {
  for (absl::string_view keep : {"X-CS-Timestamp", "X-CS-Signature"}) {
    SignedRequest request(kCommentAdded);
    std::erase_if(request.request.headers, [&](const auto& h) { return h.first != keep; });
    IngestResult result = Handle("docs", request.request);
    EXPECT_EQ(result.outcome, Outcome::kBadSignature);
    EXPECT_THAT(result.reason, HasSubstr("missing"));
  }
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

TEST_F(IngestTest, DuplicatedSignatureHeadersAreRejectedEvenWhenBothAreValid) {
  SignedRequest good(kCommentAdded);
  SignedRequest other(kCommentAdded, "not-the-secret");
  // The genuine signature twice, the genuine one after a forged one (first
  // one wins would reject, last one wins would accept), and two timestamps.
  const std::vector<std::pair<absl::string_view, absl::string_view>> extra[] = {
      {{"X-CS-Signature", good.signature}},
      {{"x-cs-signature", other.signature}},
      {{"X-CS-Timestamp", good.timestamp}},
  };
  for (const auto& headers : extra) {
    SignedRequest request(kCommentAdded);
    request.request.headers.insert(request.request.headers.begin(), headers.begin(), headers.end());
    IngestResult result = Handle("docs", request.request);
    EXPECT_EQ(result.outcome, Outcome::kBadSignature);
    EXPECT_THAT(result.reason, HasSubstr("appears 2 times"));
  }
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

TEST_F(IngestTest, RateLimitAppliesPerSourceAfterVerification) {
  Config config = TestConfig();
  config.sources[0].rate_limit = RateLimit{1, 2};  // docs: 1 a second, bursts of 2
  MemoryLog log({});
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
  ASSERT_TRUE(ingestor.ok()) << ingestor.status();
  int n = 0;
  auto post = [&](absl::string_view source, absl::string_view secret, absl::Duration after) {
    const std::string body = absl::StrCat(R"({"event":"ping","payload":{"id":"w)", ++n, R"("}})");
    SignedRequest request(body, secret, kNowMillis,
                          source == "docs" ? "/webhooks/docs" : "/webhooks/assets");
    request.request.received_at += after;
    request.request.received_monotonic += after;
    IngestResult result;
    (*ingestor)->Handle(source, request.request, [&](IngestResult r) { result = std::move(r); });
    return result;
  };
  // Forged requests do not spend the budget.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(post("docs", "forged", absl::ZeroDuration()).outcome, Outcome::kBadSignature);
  }
  EXPECT_EQ(post("docs", kSecret, absl::ZeroDuration()).outcome, Outcome::kAccepted);
  EXPECT_EQ(post("docs", kSecret, absl::ZeroDuration()).outcome, Outcome::kAccepted);
  IngestResult limited = post("docs", kSecret, absl::Milliseconds(250));
  EXPECT_EQ(limited.outcome, Outcome::kRateLimited);
  EXPECT_EQ(limited.retry_after, absl::Milliseconds(750));
  EXPECT_THAT(limited.reason, HasSubstr("rate limit of source docs"));
  EXPECT_EQ(limited.event_id, "");
  // Another source has its own bucket (the default: unaffected here).
  EXPECT_EQ(post("assets", "assets-secret", absl::Milliseconds(250)).outcome, Outcome::kAccepted);
  // A second later there is a token again.
  EXPECT_EQ(post("docs", kSecret, absl::Seconds(1)).outcome, Outcome::kAccepted);
  EXPECT_EQ(post("docs", kSecret, absl::Seconds(1)).outcome, Outcome::kRateLimited);
  EXPECT_EQ(log.Stats().last_sequence, 4u);
}

TEST_F(IngestTest, RateLimitGoesByTheClockThatNeverSteps) {
  Config config = TestConfig();
  config.sources[0].rate_limit = RateLimit{1, 1};  // 1 a second
  MemoryLog log({});
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
  ASSERT_TRUE(ingestor.ok()) << ingestor.status();
  int n = 0;
  // `wall` and `monotonic`: how far each clock moved since the start.
  auto post = [&](absl::Duration wall, absl::Duration monotonic) {
    const std::string body = absl::StrCat(R"({"event":"ping","payload":{"id":"m)", ++n, R"("}})");
    SignedRequest request(body, kSecret, kNowMillis + absl::ToInt64Milliseconds(wall));
    request.request.received_at += wall;
    request.request.received_monotonic += monotonic;
    IngestResult result;
    (*ingestor)->Handle("docs", request.request, [&](IngestResult r) { result = std::move(r); });
    return result.outcome;
  };
  EXPECT_EQ(post(absl::ZeroDuration(), absl::ZeroDuration()), Outcome::kAccepted);
  // The wall clock is set back a minute; a second has passed: a token.
  EXPECT_EQ(post(absl::Minutes(-1), absl::Seconds(1)), Outcome::kAccepted);
  // Set forward an hour, no time has passed: no token.
  EXPECT_EQ(post(absl::Hours(1), absl::Seconds(1)), Outcome::kRateLimited);
}

TEST_F(IngestTest, ReconfigureSwapsSourcesAndKeepsRoutesAlive) {
  const Route before = ingestor_->Resolve("/webhooks/assets");
  ASSERT_NE(before.source, nullptr);
  Config config = TestConfig();
  config.sources[0].secrets = {"rotated"};
  config.sources.pop_back();  // assets removed
  SourceConfig added = config.sources[0];
  added.name = "added";
  config.sources.push_back(added);
  ASSERT_TRUE(ingestor_->Reconfigure(config).ok());

  // A route taken before the reload still reads its source.
  EXPECT_EQ(before.source->name, "assets");
  EXPECT_EQ(ingestor_->Resolve("/webhooks/assets").source, nullptr);
  ASSERT_NE(ingestor_->Resolve("/webhooks/added").source, nullptr);
  ASSERT_EQ(ingestor_->sources().size(), 2u);
  EXPECT_EQ(ingestor_->sources()[1].name, "added");
  // The old secret no longer verifies; the new one does.
  SignedRequest old_secret(kCommentAdded);
  EXPECT_EQ(Handle("docs", old_secret.request).outcome, Outcome::kBadSignature);
  SignedRequest rotated(kCommentAdded, "rotated");
  EXPECT_EQ(Handle("docs", rotated.request).outcome, Outcome::kAccepted);
  SignedRequest to_assets(kCommentAdded, "assets-secret", kNowMillis, "/webhooks/assets");
  EXPECT_EQ(Handle("assets", to_assets.request).outcome, Outcome::kUnknownSource);
}

TEST_F(IngestTest, ARequestResolvedBeforeAReloadFinishesWithItsSources) {
  const Route before = ingestor_->Resolve(kTarget);
  ASSERT_NE(before.source, nullptr);
  Config config = TestConfig();
  config.sources[0].secrets = {"rotated"};
  ASSERT_TRUE(ingestor_->Reconfigure(config).ok());
  // Signed with the secret in force when it was resolved: accepted.
  SignedRequest request(kCommentAdded);
  IngestResult result;
  ingestor_->Handle(before, request.request, [&](IngestResult r) { result = std::move(r); });
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
  // Resolved now, the same request meets the rotated secret.
  SignedRequest again(kCommentAdded);
  ingestor_->Handle(ingestor_->Resolve(kTarget), again.request,
                    [&](IngestResult r) { result = std::move(r); });
  EXPECT_EQ(result.outcome, Outcome::kBadSignature);
}

TEST_F(IngestTest, AFailedReconfigureChangesNothing) {
  Config config = TestConfig();
  config.sources[0].secrets = {"rotated"};
  config.sources[1].secrets.clear();  // ckbox needs one
  EXPECT_FALSE(ingestor_->Reconfigure(config).ok());
  SignedRequest request(kCommentAdded);
  EXPECT_EQ(Handle("docs", request.request).outcome, Outcome::kAccepted);
  EXPECT_NE(ingestor_->Resolve("/webhooks/assets").source, nullptr);
}

TEST_F(IngestTest, ReconfigureKeepsASpentRateLimitUnlessTheLimitChanges) {
  Config config = TestConfig();
  config.sources[0].rate_limit = RateLimit{1, 1};
  ASSERT_TRUE(ingestor_->Reconfigure(config).ok());
  int n = 0;
  auto post = [&] {
    const std::string body = absl::StrCat(R"({"event":"ping","payload":{"id":"r)", ++n, R"("}})");
    SignedRequest request(body);
    return Handle("docs", request.request).outcome;
  };
  EXPECT_EQ(post(), Outcome::kAccepted);
  EXPECT_EQ(post(), Outcome::kRateLimited);
  // The same limit again (and another source changed): no fresh burst.
  config.sources[1].secrets = {"other"};
  ASSERT_TRUE(ingestor_->Reconfigure(config).ok());
  EXPECT_EQ(post(), Outcome::kRateLimited);
  // A new limit starts a new, full bucket.
  config.sources[0].rate_limit = RateLimit{1, 2};
  ASSERT_TRUE(ingestor_->Reconfigure(config).ok());
  EXPECT_EQ(post(), Outcome::kAccepted);
  EXPECT_EQ(post(), Outcome::kAccepted);
  EXPECT_EQ(post(), Outcome::kRateLimited);
}

TEST_F(IngestTest, ReconfigureAppliesMaxJsonDepth) {
  Config config = TestConfig();
  config.http.max_json_depth = 2;
  ASSERT_TRUE(ingestor_->Reconfigure(config).ok());
  SignedRequest deep(kCommentAdded);  // payload.document is at depth 3
  IngestResult result = Handle("docs", deep.request);
  EXPECT_EQ(result.outcome, Outcome::kMalformed);
  EXPECT_THAT(result.reason, HasSubstr("deep"));
}

TEST(IngestorCreateTest, RejectsABadSource) {
  Config config = TestConfig();
  config.sources[1].secrets.clear();
  MemoryLog log({});
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
  EXPECT_EQ(ingestor.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ingestor.status().message(), HasSubstr("assets"));

  config = TestConfig();
  config.sources[0].provider = "nope";
  EXPECT_EQ(Ingestor::Create(config, &log).status().code(), absl::StatusCode::kInvalidArgument);
}

// A memory log that stores events of at most `limit` bytes, as a JetStream
// log stores at most its NATS server's max_payload.
class LimitedLog : public MemoryLog {
 public:
  explicit LimitedLog(uint64_t limit) : MemoryLog({}), limit_(limit) {}
  uint64_t max_record_bytes() const override { return limit_; }
  std::string DescribeRecordLimit(uint64_t needed) const override {
    return absl::StrCat("raise the limit to ", needed);
  }

 private:
  const uint64_t limit_;
};

TEST(IngestorCreateTest, RefusesABodyLimitWhoseEventsTheLogCannotStore) {
  LimitedLog log((1 << 20) - 1024);
  Config config = TestConfig();
  config.http.max_body_bytes = 10 << 20;
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
  EXPECT_EQ(ingestor.status().code(), absl::StatusCode::kInvalidArgument);
  const uint64_t needed = Ingestor::StoredEventBytes(10 << 20);
  EXPECT_GT(needed, 20u << 20);
  EXPECT_THAT(ingestor.status().message(), HasSubstr("http.max_body_bytes is 10MiB"));
  EXPECT_THAT(ingestor.status().message(), HasSubstr(absl::StrCat("up to ", needed, " bytes")));
  EXPECT_THAT(ingestor.status().message(), HasSubstr("at most 1047552 bytes"));
  EXPECT_THAT(ingestor.status().message(), HasSubstr(absl::StrCat("raise the limit to ", needed)));
  // Half of what the log takes, less the envelope's fields, rounded down
  // to KiB.
  EXPECT_THAT(ingestor.status().message(),
              HasSubstr("or lower http.max_body_bytes to 509KiB or less"));

  config.http.max_body_bytes = 509 << 10;
  EXPECT_TRUE(Ingestor::Create(config, &log).ok());
  config.http.max_body_bytes = 510 << 10;
  EXPECT_FALSE(Ingestor::Create(config, &log).ok());
}

TEST(IngestorLogTest, TheLargestBodyTheLogCanTakeIsStored) {
  LimitedLog log((1 << 20) - 1024);
  Config config = TestConfig();
  config.http.max_body_bytes = Ingestor::LargestBodyFor(log.max_record_bytes());
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
  ASSERT_TRUE(ingestor.ok()) << ingestor.status();
  const std::string start =
      R"({"event":"comment.added","environment_id":"environment-1","payload":{"document":{"id":"doc-1"},"comment":{"id":"c-1","content":")";
  const std::string end = R"("}},"sent_at":"2019-05-29T08:17:53.457Z"})";
  SignedRequest request(absl::StrCat(
      start, std::string(config.http.max_body_bytes - start.size() - end.size(), 'x'), end));
  ASSERT_EQ(request.body.size(), config.http.max_body_bytes);
  IngestResult result;
  (*ingestor)->Handle("docs", request.request, [&](IngestResult r) { result = std::move(r); });
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
}

TEST(IngestorLogTest, UnavailableLogAsksForARetryAndForgetsTheDelivery) {
  UnavailableLog failing;
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(TestConfig(), &failing);
  ASSERT_TRUE(ingestor.ok());
  SignedRequest request(kCommentAdded);
  std::vector<IngestResult> results;
  (*ingestor)->Handle("docs", request.request, [&](IngestResult r) { results.push_back(r); });
  (*ingestor)->Handle("docs", request.request, [&](IngestResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 2u);
  for (const IngestResult& r : results) {
    EXPECT_EQ(r.outcome, Outcome::kUnavailable);
    EXPECT_THAT(r.reason, HasSubstr("log is full"));
  }
}

TEST(IngestorLogTest, ConcurrentRedeliveryIsAConflictUntilTheFirstIsStored) {
  DeferredLog log;
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(TestConfig(), &log);
  ASSERT_TRUE(ingestor.ok());
  SignedRequest request(kCommentAdded);
  std::vector<IngestResult> results;
  auto collect = [&](IngestResult r) { results.push_back(std::move(r)); };

  (*ingestor)->Handle("docs", request.request, collect);
  EXPECT_TRUE(results.empty());  // waiting for the log
  ASSERT_EQ(log.pending.size(), 1u);

  (*ingestor)->Handle("docs", request.request, collect);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::kConflict);

  log.pending[0](uint64_t{7});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].outcome, Outcome::kAccepted);
  EXPECT_EQ(results[1].sequence, 7u);

  (*ingestor)->Handle("docs", request.request, collect);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[2].outcome, Outcome::kDuplicate);
  EXPECT_EQ(log.pending.size(), 1u);
}

TEST(OutcomeTest, NamesAreDistinctSnakeCase) {
  std::set<std::string> names;
  for (Outcome outcome : kAllOutcomes) {
    const std::string name(OutcomeName(outcome));
    EXPECT_TRUE(names.insert(name).second) << name;
    for (char c : name) EXPECT_TRUE(absl::ascii_islower(c) || c == '_') << name;
  }
  EXPECT_EQ(names.size(), std::size(kAllOutcomes));
  EXPECT_EQ(OutcomeName(Outcome::kBadSignature), "bad_signature");
  EXPECT_EQ(OutcomeName(Outcome::kStaleTimestamp), "stale_timestamp");
}

// ---- Routing: Resolve ----------------------------------------------------------

constexpr absl::string_view kShopToken = "c4nd-T0ken_0123456789abcdef";
constexpr absl::string_view kGithubSecret = "gh-secret";
constexpr absl::string_view kGithubToken = "gh.Token~0123456789";

// Sources with and without a path token: an unsigned canD source, a GitHub
// source that adds a token to its signature and the CKEditor source "docs".
Config RoutingConfig() {
  Config config = TestConfig();
  SourceConfig shop;
  shop.name = "shop";
  shop.provider = "cand";
  shop.path_token = std::string(kShopToken);
  SourceConfig gh;
  gh.name = "gh";
  gh.provider = "github";
  gh.secrets = {std::string(kGithubSecret)};
  gh.path_token = std::string(kGithubToken);
  config.sources.push_back(shop);
  config.sources.push_back(gh);
  return config;
}

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(RoutingConfig(), &log_);
    ASSERT_TRUE(ingestor.ok()) << ingestor.status();
    ingestor_ = *std::move(ingestor);
  }

  MemoryLog log_{{}};
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(ResolveTest, SourceWithoutTokenIsReachedByName) {
  for (absl::string_view target : {"/webhooks/docs", "/webhooks/docs?a=1", "/webhooks/docs?",
                                   "/webhooks/docs?next=/webhooks/x/y"}) {
    const Route route = ingestor_->Resolve(target);
    ASSERT_NE(route.source, nullptr) << target;
    EXPECT_EQ(route.source->name, "docs") << target;
    EXPECT_EQ(route.source, route.named) << target;
    EXPECT_FALSE(route.bad_token) << target;
    EXPECT_EQ(route.name, "docs") << target;
  }
}

TEST_F(ResolveTest, SourceWithoutTokenHasNoSubpaths) {
  for (absl::string_view target : {"/webhooks/docs/extra", "/webhooks/docs/", "/webhooks/docs/a/b",
                                   "/webhooks/docs/extra?a=1"}) {
    const Route route = ingestor_->Resolve(target);
    EXPECT_EQ(route.source, nullptr) << target;
    EXPECT_FALSE(route.bad_token) << target;
    EXPECT_EQ(route.name, "docs") << target;
  }
}

TEST_F(ResolveTest, SourceWithTokenIsReachedWithTheRightToken) {
  const std::pair<std::string, std::string> kCases[] = {
      {absl::StrCat("/webhooks/shop/", kShopToken), "shop"},
      {absl::StrCat("/webhooks/shop/", kShopToken, "?via=cand"), "shop"},
      {absl::StrCat("/webhooks/gh/", kGithubToken), "gh"},
  };
  for (const auto& [target, name] : kCases) {
    const Route route = ingestor_->Resolve(target);
    ASSERT_NE(route.source, nullptr) << target;
    EXPECT_EQ(route.source->name, name) << target;
    EXPECT_FALSE(route.bad_token) << target;
    EXPECT_EQ(route.name, name) << target;
  }
}

TEST_F(ResolveTest, WrongOrMissingTokenIsABadToken) {
  const std::string token(kShopToken);
  std::string flipped = token;
  flipped.back() = flipped.back() == 'f' ? 'e' : 'f';
  const std::string kTargets[] = {
      "/webhooks/shop",                                       // missing
      "/webhooks/shop?token=" + token,                        // not in the path
      "/webhooks/shop/",                                      // empty
      "/webhooks/shop/" + flipped,                            // last character wrong
      "/webhooks/shop/" + token.substr(0, token.size() - 1),  // shorter
      "/webhooks/shop/" + token + "0",                        // longer
      "/webhooks/shop/" + token + "/",                        // trailing slash
      "/webhooks/shop/" + token + "/extra",                   // more path
      "/webhooks/shop/" + absl::AsciiStrToUpper(token),       // case matters
      "/webhooks/shop/" + std::string(kGithubToken),          // another source's token
      "/webhooks/gh/" + token,                                // ... either way
      "/webhooks/gh",
  };
  for (const std::string& target : kTargets) {
    const Route route = ingestor_->Resolve(target);
    EXPECT_EQ(route.source, nullptr) << target;
    EXPECT_TRUE(route.bad_token) << target;
    EXPECT_FALSE(route.name.empty()) << target;
  }
}

TEST_F(ResolveTest, UnknownSourceIsNeitherFoundNorABadToken) {
  for (absl::string_view target :
       {"/webhooks/nope", "/webhooks/nope/c4nd-T0ken_0123456789abcdef", "/webhooks/", "/webhooks",
        "/webhooks//docs", "/", "", "/other/docs", "/webhooksdocs", "/WEBHOOKS/docs",
        "/webhooks/DOCS", "webhooks/docs", "/webhooks/?docs"}) {
    const Route route = ingestor_->Resolve(target);
    EXPECT_EQ(route.source, nullptr) << target;
    EXPECT_FALSE(route.bad_token) << target;
  }
  EXPECT_EQ(ingestor_->Resolve("/webhooks/nope/x").name, "nope");
  EXPECT_EQ(ingestor_->Resolve("/other/docs").name, "");
}

// ---- End to end through Resolve and Handle ---------------------------------------

constexpr absl::string_view kProductCreated = R"({"module": "MOIM", "type": "product.created",
  "context": {"originCommunityId": "G0IZUDWCL", "userId": "U0ORIG7KX",
              "communityId": "G1MNBS5TQ", "profileId": "U1C7XRY3M"},
  "payload": {"id": "P0H3K5LZA"}})";

class ProvidersIngestTest : public ResolveTest {
 protected:
  // Resolves `target` and handles `request` posted to it; fails the test
  // unless `done` ran exactly once before Handle returned.
  IngestResult Post(absl::string_view target, const WebhookRequest& request) {
    const Route route = ingestor_->Resolve(target);
    EXPECT_NE(route.source, nullptr) << target;
    if (route.source == nullptr) return {};
    int calls = 0;
    IngestResult result;
    ingestor_->Handle(route.source->name, request, [&](IngestResult r) {
      ++calls;
      result = std::move(r);
    });
    EXPECT_EQ(calls, 1);
    return result;
  }

  std::vector<v1::Event> LoggedEvents() {
    std::vector<RecordPtr> records;
    EXPECT_TRUE(log_.Read(0, 1000, &records, nullptr).ok());
    std::vector<v1::Event> events;
    for (const RecordPtr& r : records) {
      v1::Event event;
      EXPECT_TRUE(event.ParseFromString(r->event_bytes + r->raw_body_field));
      events.push_back(std::move(event));
    }
    return events;
  }
};

// A canD request: unsigned, posted to the source's secret path.
WebhookRequest CandRequest(absl::string_view body, const std::string& target) {
  WebhookRequest request;
  request.method = "POST";
  request.target = target;
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body;
  request.received_at = absl::FromUnixMillis(kNowMillis);
  return request;
}

TEST_F(ProvidersIngestTest, CandEventIsAcceptedTypedAndDeduplicatedByContent) {
  const std::string target = absl::StrCat("/webhooks/shop/", kShopToken);
  IngestResult result = Post(target, CandRequest(kProductCreated, target));
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
  EXPECT_EQ(result.type, "MOIM:product.created");
  EXPECT_TRUE(result.typed);
  EXPECT_EQ(result.sequence, 1u);
  // canD sends no delivery id: the content identifies the delivery.
  EXPECT_EQ(result.event_id.size(), 32u);

  std::vector<v1::Event> events = LoggedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id(), result.event_id);
  EXPECT_EQ(events[0].source(), "shop");
  EXPECT_EQ(events[0].provider(), v1::PROVIDER_CAND);
  EXPECT_EQ(events[0].type(), "MOIM:product.created");
  EXPECT_EQ(events[0].environment_id(), "G1MNBS5TQ");
  EXPECT_EQ(events[0].subject(), "P0H3K5LZA");
  EXPECT_EQ(events[0].cand().product_created().id(), "P0H3K5LZA");
  EXPECT_EQ(events[0].cand().context().profile_id(), "U1C7XRY3M");
  EXPECT_EQ(events[0].raw_body(), kProductCreated);

  // canD retries on any non-2xx: the same body again is a duplicate.
  IngestResult again = Post(target, CandRequest(kProductCreated, target));
  EXPECT_EQ(again.outcome, Outcome::kDuplicate) << again.reason;
  EXPECT_EQ(again.event_id, result.event_id);
  EXPECT_EQ(log_.Stats().last_sequence, 1u);
}

TEST_F(ProvidersIngestTest, CandMalformedEnvelopeIsMalformed) {
  const std::string target = absl::StrCat("/webhooks/shop/", kShopToken);
  IngestResult result = Post(target, CandRequest(R"({"type": "product.created"})", target));
  EXPECT_EQ(result.outcome, Outcome::kMalformed);
  EXPECT_THAT(result.reason, HasSubstr("\"module\""));
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

// A GitHub delivery holding the strings its views point to.
struct GithubDelivery {
  GithubDelivery(absl::string_view body_in, absl::string_view delivery_in,
                 absl::string_view secret = kGithubSecret)
      : body(body_in),
        delivery(delivery_in),
        target(absl::StrCat("/webhooks/gh/", kGithubToken)),
        signature(GithubSignature(secret, body)) {
    request.method = "POST";
    request.target = target;
    request.headers = {{"Content-Type", "application/json"},
                       {"X-GitHub-Event", "issues"},
                       {"X-GitHub-Delivery", delivery},
                       {"X-Hub-Signature-256", signature}};
    request.body = body;
    request.received_at = absl::FromUnixMillis(kNowMillis);
  }
  GithubDelivery(const GithubDelivery&) = delete;

  std::string body;
  std::string delivery;
  std::string target;
  std::string signature;
  WebhookRequest request;
};

constexpr absl::string_view kIssueOpened =
    R"({"action": "opened", "issue": {"number": 1347}, "repository": {"id": 1296269}})";
constexpr absl::string_view kDeliveryId = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

TEST_F(ProvidersIngestTest, GithubEventIdIsTheHashOfTheSignedBody) {
  GithubDelivery delivery(kIssueOpened, kDeliveryId);
  IngestResult result = Post(delivery.target, delivery.request);
  EXPECT_EQ(result.outcome, Outcome::kAccepted) << result.reason;
  // X-GitHub-Delivery is not signed: it cannot be what tells deliveries apart.
  EXPECT_EQ(result.event_id.size(), 32u);
  EXPECT_NE(result.event_id, kDeliveryId);
  EXPECT_EQ(result.type, "issues");
  EXPECT_FALSE(result.typed);

  std::vector<v1::Event> events = LoggedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id(), result.event_id);
  EXPECT_EQ(events[0].source(), "gh");
  EXPECT_EQ(events[0].provider(), v1::PROVIDER_GITHUB);
  EXPECT_EQ(events[0].type(), "issues");
  EXPECT_FALSE(events[0].has_sent_at());
  ASSERT_TRUE(events[0].has_untyped());
  EXPECT_EQ(events[0].untyped().fields().at("action").string_value(), "opened");
  EXPECT_EQ(events[0].raw_body(), kIssueOpened);
}

TEST_F(ProvidersIngestTest, AGithubBodyIsOneEventWhateverItsUnsignedHeadersSay) {
  GithubDelivery first(kIssueOpened, kDeliveryId);
  IngestResult accepted = Post(first.target, first.request);
  ASSERT_EQ(accepted.outcome, Outcome::kAccepted) << accepted.reason;

  // A captured delivery sent again with fresh delivery ids, and with other
  // event names: GitHub signed neither header.
  for (int i = 0; i < 110; ++i) {
    GithubDelivery replay(kIssueOpened, absl::StrCat("replayed-delivery-", i));
    const std::string type = i % 2 == 0 ? "release" : absl::StrCat("made_up_", i);
    for (auto& [name, value] : replay.request.headers) {
      if (name == "X-GitHub-Event") value = type;
    }
    IngestResult again = Post(replay.target, replay.request);
    EXPECT_EQ(again.outcome, Outcome::kDuplicate) << i << ": " << again.reason;
    EXPECT_EQ(again.event_id, accepted.event_id);
  }
  std::vector<v1::Event> events = LoggedEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), "issues");

  // Another body (what GitHub sends for another event) is another event.
  GithubDelivery other(R"({"action": "closed", "issue": {"number": 1347}})", kDeliveryId);
  EXPECT_EQ(Post(other.target, other.request).outcome, Outcome::kAccepted);
  EXPECT_EQ(log_.Stats().last_sequence, 2u);
}

TEST_F(ProvidersIngestTest, GithubBadSignatureIsRejectedEvenWithTheRightToken) {
  GithubDelivery forged(kIssueOpened, kDeliveryId, "not-the-secret");
  IngestResult result = Post(forged.target, forged.request);
  EXPECT_EQ(result.outcome, Outcome::kBadSignature);
  EXPECT_EQ(log_.Stats().last_sequence, 0u);
}

TEST(OutcomeTest, BadTokenIsItsOwnOutcome) {
  EXPECT_EQ(OutcomeName(Outcome::kBadToken), "bad_token");
  EXPECT_NE(OutcomeName(Outcome::kBadToken), OutcomeName(Outcome::kUnknownSource));
  EXPECT_EQ(kAllOutcomes[static_cast<size_t>(Outcome::kBadToken)], Outcome::kBadToken);
}

// ---- Replays of providers that sign no timestamp -----------------------------

// RoutingConfig (canD `shop`, GitHub `gh`) plus CKEditor `docs` and DocSpace
// `space`, remembering only the last two ids of every source.
Config ReplayConfig() {
  Config config = RoutingConfig();
  config.sources.push_back(TestConfig().sources[0]);  // docs
  SourceConfig space;
  space.name = "space";
  space.provider = "onlyoffice-docspace";
  space.secrets = {"space-secret"};
  config.sources.push_back(space);
  config.dedup.max_entries = 2;
  return config;
}

// A DocSpace delivery of event `id` created at `create_on`, signed.
struct DocspaceDelivery {
  DocspaceDelivery(int id, absl::string_view create_on)
      : body(absl::StrCat(R"({"event": {"id": )", id, R"(, "createOn": ")", create_on,
                          R"(", "trigger": "file.created", "triggerId": 128},
                             "payload": {"id": 42}})")) {
    request.method = "POST";
    request.target = "/webhooks/space";
    request.headers = {{"Content-Type", "application/json"}};
    request.body = body;
    request.received_at = absl::FromUnixMillis(kNowMillis);
    request.received_monotonic = kMonotonicStart;
    const ProviderInfo* docspace = FindProvider("onlyoffice-docspace");
    for (auto& header : docspace->sign("space-secret", request).headers) {
      headers.push_back(std::move(header));
    }
    for (const auto& [name, value] : headers) request.headers.emplace_back(name, value);
  }
  DocspaceDelivery(const DocspaceDelivery&) = delete;

  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  WebhookRequest request;
};

// ---- Provenance -----------------------------------------------------------------

std::string Sha256Bytes(absl::string_view data) {
  const Sha256Digest digest = Sha256({data});
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

TEST_F(ProvidersIngestTest, EveryEventSaysHowItsRequestWasVerified) {
  // CKEditor signs a timestamp: the skew is received_at minus it.
  SignedRequest comment(kCommentAdded, kSecret, kNowMillis - 1500);
  ASSERT_EQ(Post("/webhooks/docs", comment.request).outcome, Outcome::kAccepted);
  // GitHub signs the body alone.
  GithubDelivery github(kIssueOpened, kDeliveryId);
  ASSERT_EQ(Post(github.target, github.request).outcome, Outcome::kAccepted);
  // canD signs nothing: its path token is the secret.
  const std::string cand_target = absl::StrCat("/webhooks/shop/", kShopToken);
  ASSERT_EQ(Post(cand_target, CandRequest(kProductCreated, cand_target)).outcome,
            Outcome::kAccepted);

  const std::vector<v1::Event> events = LoggedEvents();
  ASSERT_EQ(events.size(), 3u);
  const v1::Provenance& ckeditor = events[0].provenance();
  EXPECT_EQ(ckeditor.scheme(), "ckeditor-hmac-sha256");
  ASSERT_TRUE(ckeditor.has_secret_index());
  EXPECT_EQ(ckeditor.secret_index(), 0u);
  ASSERT_TRUE(ckeditor.has_timestamp_skew());
  EXPECT_EQ(ckeditor.timestamp_skew().seconds(), 1);
  EXPECT_EQ(ckeditor.timestamp_skew().nanos(), 500000000);
  EXPECT_EQ(ckeditor.body_sha256(), Sha256Bytes(kCommentAdded));
  EXPECT_EQ(ckeditor.body_sha256(), Sha256Bytes(events[0].raw_body()));

  const v1::Provenance& gh = events[1].provenance();
  EXPECT_EQ(gh.scheme(), "github-hmac-sha256");
  ASSERT_TRUE(gh.has_secret_index());
  EXPECT_EQ(gh.secret_index(), 0u);
  EXPECT_FALSE(gh.has_timestamp_skew());
  EXPECT_EQ(gh.body_sha256(), Sha256Bytes(kIssueOpened));

  const v1::Provenance& cand = events[2].provenance();
  EXPECT_EQ(cand.scheme(), "path-token");
  EXPECT_FALSE(cand.has_secret_index());
  EXPECT_FALSE(cand.has_timestamp_skew());
  EXPECT_EQ(cand.body_sha256(), Sha256Bytes(kProductCreated));
}

TEST_F(IngestTest, TheEventContinuesTheRequestsTraceOrStartsOne) {
  constexpr absl::string_view kTraceparent =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  SignedRequest traced(R"({"event": "ping", "payload": {"id": "traced"}})");
  traced.request.headers.push_back({"traceparent", kTraceparent});
  traced.request.headers.push_back({"tracestate", "vendor=opaque"});
  SignedRequest untraced(R"({"event": "ping", "payload": {"id": "untraced"}})");
  ASSERT_EQ(Handle("docs", traced.request).outcome, Outcome::kAccepted);
  ASSERT_EQ(Handle("docs", untraced.request).outcome, Outcome::kAccepted);
  const std::vector<v1::Event> events = LoggedEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].trace_context().traceparent(), kTraceparent);
  EXPECT_EQ(events[0].trace_context().tracestate(), "vendor=opaque");
  EXPECT_TRUE(events[0].trace_context().from_request());
  EXPECT_TRUE(IsValidTraceparent(events[1].trace_context().traceparent()));
  EXPECT_FALSE(events[1].trace_context().from_request());
}

TEST(ProvenanceTest, DuringARotationItSaysWhichSecretSigned) {
  Config config = TestConfig();
  config.sources[0].secrets = {"old-secret", std::string(kSecret), "next-secret"};
  MemoryLog log{{}};
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
  ASSERT_TRUE(ingestor.ok()) << ingestor.status();
  // A sender clock 2 s ahead: a negative skew.
  const std::vector<std::pair<std::string, int64_t>> senders = {{"next-secret", kNowMillis + 2000},
                                                                {"old-secret", kNowMillis},
                                                                {std::string(kSecret), kNowMillis}};
  for (size_t i = 0; i < senders.size(); ++i) {
    SignedRequest request(absl::StrCat(R"({"event": "ping", "payload": {"id": "w)", i, R"("}})"),
                          senders[i].first, senders[i].second);
    (*ingestor)->Handle("docs", request.request, [](IngestResult r) {
      EXPECT_EQ(r.outcome, Outcome::kAccepted) << r.reason;
    });
  }
  std::vector<RecordPtr> records;
  ASSERT_TRUE(log.Read(0, 10, &records, nullptr).ok());
  ASSERT_EQ(records.size(), 3u);
  std::vector<uint32_t> indexes;
  for (const RecordPtr& r : records) {
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(r->event_bytes));
    ASSERT_TRUE(event.provenance().has_secret_index());
    indexes.push_back(event.provenance().secret_index());
    if (indexes.size() == 1) {
      EXPECT_EQ(event.provenance().timestamp_skew().seconds(), -2);
      EXPECT_EQ(event.provenance().timestamp_skew().nanos(), 0);
    }
  }
  EXPECT_EQ(indexes, (std::vector<uint32_t>{2, 0, 1}));
}

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }
  void Start() {
    ingestor_.reset();
    absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(ReplayConfig(), &log_);
    ASSERT_TRUE(ingestor.ok()) << ingestor.status();
    ingestor_ = *std::move(ingestor);
  }
  IngestResult Handle(absl::string_view source, const WebhookRequest& request) {
    IngestResult result;
    int calls = 0;
    ingestor_->Handle(source, request, [&](IngestResult r) {
      ++calls;
      result = std::move(r);
    });
    EXPECT_EQ(calls, 1);
    return result;
  }
  // Three CKEditor events: more than the last two ids remembered.
  void PushOutTheRecentIds(int round) {
    for (int i = 0; i < 3; ++i) {
      SignedRequest other(
          absl::StrCat(R"({"event": "comment.added", "payload": {"n": )", round * 10 + i, "}}"));
      ASSERT_EQ(Handle("docs", other.request).outcome, Outcome::kAccepted);
    }
  }

  MemoryLog log_{{}};
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(ReplayTest, IdsOfUnsignedTimeSourcesOutliveTheLastMaxEntries) {
  GithubDelivery github(kIssueOpened, kDeliveryId);
  DocspaceDelivery docspace(7, "2019-05-29T08:00:00Z");
  const std::string cand_target = absl::StrCat("/webhooks/shop/", kShopToken);
  WebhookRequest cand = CandRequest(kProductCreated, cand_target);
  ASSERT_EQ(Handle("gh", github.request).outcome, Outcome::kAccepted);
  ASSERT_EQ(Handle("space", docspace.request).outcome, Outcome::kAccepted);
  ASSERT_EQ(Handle("shop", cand).outcome, Outcome::kAccepted);
  SignedRequest comment(kCommentAdded);
  ASSERT_EQ(Handle("docs", comment.request).outcome, Outcome::kAccepted);
  PushOutTheRecentIds(1);

  // CKEditor signs its timestamp: its id is forgotten after max_entries,
  // and a replay that late is refused as stale by the tolerance instead.
  EXPECT_EQ(Handle("docs", comment.request).outcome, Outcome::kAccepted);
  // The others are still remembered, and after a restart too (rebuilt
  // from the log).
  for (bool restarted : {false, true}) {
    if (restarted) Start();
    EXPECT_EQ(Handle("gh", github.request).outcome, Outcome::kDuplicate) << restarted;
    EXPECT_EQ(Handle("space", docspace.request).outcome, Outcome::kDuplicate) << restarted;
    EXPECT_EQ(Handle("shop", cand).outcome, Outcome::kDuplicate) << restarted;
    PushOutTheRecentIds(restarted ? 3 : 2);
  }
  EXPECT_EQ(log_.Stats().last_sequence, 5u + 3 + 3 + 3);
}

TEST_F(ReplayTest, ADocspaceEventCreatedBeforeTheWindowIsRefusedAsStale) {
  // Received 2019-05-29T08:17:56Z; the window is the default 7 days.
  DocspaceDelivery recent(1, "2019-05-23T08:00:00Z");
  EXPECT_EQ(Handle("space", recent.request).outcome, Outcome::kAccepted);
  DocspaceDelivery old(2, "2019-05-22T08:00:00Z");
  const IngestResult stale = Handle("space", old.request);
  EXPECT_EQ(stale.outcome, Outcome::kStaleTimestamp);
  EXPECT_THAT(stale.reason, HasSubstr("dedup.window, 7d"));
  EXPECT_EQ(log_.Stats().last_sequence, 1u);
}

// ---- The state saved at a clean stop ----------------------------------------

// A memory log that keeps state as the file log does, and counts the
// records read from it.
class StatefulLog : public CountingLog {
 public:
  absl::Status SaveState(absl::string_view name, absl::string_view bytes) override {
    states[std::string(name)] = std::string(bytes);
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> LoadState(absl::string_view name) override {
    auto it = states.find(std::string(name));
    if (it == states.end()) return absl::NotFoundError("none");
    return it->second;
  }
  std::map<std::string, std::string> states;
};

class IngestStateTest : public ::testing::Test {
 protected:
  static Config StateConfig() {
    Config config = ReplayConfig();
    config.dedup.max_entries = 1000;
    return config;
  }
  std::unique_ptr<Ingestor> Start(StatefulLog& log) {
    log.records_read = 0;
    absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(StateConfig(), &log);
    EXPECT_TRUE(ingestor.ok()) << ingestor.status();
    return ingestor.ok() ? *std::move(ingestor) : nullptr;
  }
  static IngestResult Handle(Ingestor& ingestor, absl::string_view source,
                             const WebhookRequest& request) {
    IngestResult result;
    ingestor.Handle(source, request, [&](IngestResult r) { result = std::move(r); });
    return result;
  }
  // Comment n, signed.
  static std::unique_ptr<SignedRequest> Comment(int n) {
    return std::make_unique<SignedRequest>(
        absl::StrCat(R"({"event": "comment.added", "payload": {"n": )", n, "}}"));
  }
};

TEST_F(IngestStateTest, ARestartRestoresTheSavedStateAndReadsOnlyWhatCameAfterIt) {
  StatefulLog log;
  std::vector<std::unique_ptr<SignedRequest>> comments;
  GithubDelivery github(kIssueOpened, kDeliveryId);
  {
    auto first = Start(log);
    for (int i = 0; i < 50; ++i) {
      comments.push_back(Comment(i));
      ASSERT_EQ(Handle(*first, "docs", comments.back()->request).outcome, Outcome::kAccepted);
    }
    ASSERT_EQ(Handle(*first, "gh", github.request).outcome, Outcome::kAccepted);
    ASSERT_TRUE(first->SaveState().ok());
    // Two more after the save, as after a clean stop a crash would leave.
    for (int i = 50; i < 52; ++i) {
      comments.push_back(Comment(i));
      ASSERT_EQ(Handle(*first, "docs", comments.back()->request).outcome, Outcome::kAccepted);
    }
  }
  auto second = Start(log);
  // The saved record (to check it is this log's) and the two after it.
  EXPECT_EQ(log.records_read, 3u);
  for (const auto& c : comments) {
    EXPECT_EQ(Handle(*second, "docs", c->request).outcome, Outcome::kDuplicate);
  }
  EXPECT_EQ(Handle(*second, "gh", github.request).outcome, Outcome::kDuplicate);
}

TEST_F(IngestStateTest, ATornForeignOrOutdatedStateIsNotUsedAndNothingIsForgotten) {
  StatefulLog log;
  std::vector<std::unique_ptr<SignedRequest>> comments;
  {
    auto first = Start(log);
    for (int i = 0; i < 30; ++i) {
      comments.push_back(Comment(i));
      ASSERT_EQ(Handle(*first, "docs", comments.back()->request).outcome, Outcome::kAccepted);
    }
    ASSERT_TRUE(first->SaveState().ok());
  }
  const std::string saved = log.states.at("ingest");
  auto expect_rebuilt = [&](const std::string& why) {
    auto restarted = Start(log);
    ASSERT_NE(restarted, nullptr);
    EXPECT_GE(log.records_read, 30u) << why;  // every record read: rebuilt
    for (const auto& c : comments) {
      EXPECT_EQ(Handle(*restarted, "docs", c->request).outcome, Outcome::kDuplicate) << why;
    }
  };
  // Torn.
  log.states["ingest"] = saved.substr(0, saved.size() / 2);
  expect_rebuilt("torn");
  // A flipped byte (the CRC).
  std::string flipped = saved;
  flipped[flipped.size() / 3] ^= 1;
  log.states["ingest"] = flipped;
  expect_rebuilt("flipped");
  // Another log's: its last record is not this log's.
  StatefulLog other;
  {
    auto elsewhere = Start(other);
    for (int i = 100; i < 130; ++i) {
      ASSERT_EQ(Handle(*elsewhere, "docs", Comment(i)->request).outcome, Outcome::kAccepted);
    }
    ASSERT_TRUE(elsewhere->SaveState().ok());
  }
  log.states["ingest"] = other.states.at("ingest");
  expect_rebuilt("another log's");
  // The same log, but it is the state from before 1000 more records: the
  // tail would cost more than rebuilding.
  log.states["ingest"] = saved;
  {
    auto more = Start(log);
    for (int i = 30; i < 1031; ++i) {
      comments.push_back(Comment(i));
      ASSERT_EQ(Handle(*more, "docs", comments.back()->request).outcome, Outcome::kAccepted);
    }
  }
  auto restarted = Start(log);
  EXPECT_GE(log.records_read, 1000u);
  EXPECT_EQ(Handle(*restarted, "docs", comments.back()->request).outcome, Outcome::kDuplicate);
}

TEST_F(IngestStateTest, NoStateIsSavedWhileAppendsAreInFlight) {
  DeferredLog log;
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(StateConfig(), &log);
  ASSERT_TRUE(ingestor.ok()) << ingestor.status();
  auto comment = Comment(1);
  (*ingestor)->Handle("docs", comment->request, [](IngestResult) {});
  ASSERT_EQ(log.pending.size(), 1u);
  EXPECT_EQ((*ingestor)->SaveState().code(), absl::StatusCode::kFailedPrecondition);
  log.pending[0](absl::StatusOr<uint64_t>(1));
}

}  // namespace
}  // namespace hookbridge
