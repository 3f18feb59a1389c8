// JetStreamLog against a real nats-server (started per test on a free
// loopback port with a temporary store); skipped when nats-server is not
// installed.
#include "bridge/log/jetstream/jetstream_log.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bridge/filter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_server.h"

namespace hookbridge {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr absl::Duration kWait = absl::Seconds(15);

EncodedEvent Encoded(absl::string_view id, absl::string_view type = "comment.added",
                     std::string raw_body = "", absl::string_view source = "docs") {
  v1::Event event;
  event.set_id(std::string(id));
  event.set_type(std::string(type));
  event.set_source(std::string(source));
  event.set_subject("doc-1");
  const int64_t nanos = absl::ToUnixNanos(absl::Now());
  event.mutable_received_at()->set_seconds(nanos / 1000000000);
  event.mutable_received_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  event.set_raw_body(std::move(raw_body));
  return EncodeEvent(std::move(event));
}

// Appends and waits for the callback's result.
absl::StatusOr<uint64_t> AppendAndWait(EventLog& log, EncodedEvent event) {
  auto done = std::make_shared<absl::Notification>();
  auto result = std::make_shared<absl::StatusOr<uint64_t>>(absl::UnknownError("no callback"));
  log.Append(std::move(event), [done, result](absl::StatusOr<uint64_t> s) {
    *result = std::move(s);
    done->Notify();
  });
  if (!done->WaitForNotificationWithTimeout(kWait)) {
    return absl::DeadlineExceededError("the append callback never ran");
  }
  return *result;
}

std::vector<uint64_t> Sequences(const std::vector<RecordPtr>& records) {
  std::vector<uint64_t> out;
  for (const RecordPtr& r : records) out.push_back(r->sequence);
  return out;
}

// Polls `condition` until it holds or `kWait` passes.
bool Eventually(const std::function<bool()>& condition) {
  const absl::Time deadline = absl::Now() + kWait;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return condition();
}

class NotifyingWaiter : public LogWaiter {
 public:
  void OnLogGrew() override { grew.Notify(); }
  absl::Notification grew;
};

class JetStreamLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::NatsServer::Binary().empty()) {
      GTEST_SKIP() << "nats-server is not installed (scripts/setup.sh installs it): "
                      "the JetStream log is not tested";
    }
    ASSERT_TRUE(server_.Start().ok());
  }

  JetStreamLog::Options Options() {
    JetStreamLog::Options options;
    options.url = server_.url();
    options.stream = "TEST";
    options.subject_prefix = "hbtest";
    // Generous: under the sanitizers on a loaded machine a fetch can take
    // seconds; the tests of what a timeout does set their own.
    options.ack_timeout = absl::Seconds(10);
    options.request_timeout = absl::Seconds(10);
    options.reconnect_wait = absl::Milliseconds(100);
    return options;
  }

  std::unique_ptr<JetStreamLog> Open(JetStreamLog::Options options) {
    absl::StatusOr<std::unique_ptr<JetStreamLog>> log = JetStreamLog::Open(std::move(options));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? *std::move(log) : nullptr;
  }

  testing::NatsServer server_;
};

TEST(JetStreamLogSubjectTest, FollowsTheEventTypeHierarchy) {
  EXPECT_EQ(JetStreamLog::EventSubject("hb", "docs", "comment.added"), "hb.docs.comment.added");
  EXPECT_EQ(JetStreamLog::EventSubject("hb", "docs", ""), "hb.docs._");
  EXPECT_EQ(JetStreamLog::EventSubject("hb", "docs", "a..b*c >d\n"), "hb.docs.a._.b_c__d_");
}

// NATS subject matching: `*` is one token, a final `>` one or more.
bool SubjectMatches(absl::string_view filter, absl::string_view subject) {
  std::vector<absl::string_view> f = absl::StrSplit(filter, '.');
  std::vector<absl::string_view> t = absl::StrSplit(subject, '.');
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == ">") return t.size() > i;
    if (i >= t.size() || (f[i] != "*" && f[i] != t[i])) return false;
  }
  return f.size() == t.size();
}

ReadSelector Selector(std::vector<std::string> sources, std::vector<std::string> types) {
  ReadSelector selector;
  selector.sources = std::move(sources);
  selector.type_patterns = std::move(types);
  return selector;
}

TEST(JetStreamLogSubjectTest, SelectorsBecomeTheNarrowestSubjectFilter) {
  auto subject = [](std::vector<std::string> sources, std::vector<std::string> types) {
    return JetStreamLog::SelectorSubject("hb", Selector(std::move(sources), std::move(types)));
  };
  EXPECT_EQ(subject({}, {}), "hb.>");
  EXPECT_EQ(subject({"docs"}, {}), "hb.docs.>");
  EXPECT_EQ(subject({"docs"}, {"comment.added"}), "hb.docs.comment.added");
  EXPECT_EQ(subject({}, {"comment.added"}), "hb.*.comment.added");
  EXPECT_EQ(subject({"docs"}, {"comment.*"}), "hb.docs.comment.>");
  EXPECT_EQ(subject({"docs"}, {"comment.add*"}), "hb.docs.comment.>");
  EXPECT_EQ(subject({"docs"}, {"*.removed"}), "hb.docs.>");
  EXPECT_EQ(subject({"docs"}, {"*"}), "hb.docs.>");
  EXPECT_EQ(subject({"a", "b"}, {"comment.*"}), "hb.*.comment.>");
  EXPECT_EQ(subject({"a", "b"}, {"*"}), "hb.>");
  // Patterns that share their subject, and ones that do not.
  EXPECT_EQ(subject({"docs"}, {"comment.*", "comment.x*"}), "hb.docs.comment.>");
  EXPECT_EQ(subject({"docs"}, {"comment.added", "comment.removed"}), "hb.docs.>");
  EXPECT_EQ(subject({}, {"comment.added", "comment.removed"}), "hb.>");
  // Characters NATS does not take in a token, as EventSubject writes them.
  EXPECT_EQ(subject({"docs"}, {"a b..c"}), "hb.docs.a_b._.c");
}

TEST(JetStreamLogSubjectTest, TheSubjectFilterTakesEveryMatchingEvent) {
  // A filter that left out a matching event would lose it silently: check
  // every pattern against every type of a small alphabet.
  const std::vector<std::string> types = {"a",   "b",     "a.b", "a.",  ".a",  "a.b.c", "ab.c",
                                          "a..", "a b.c", "",    "*.x", "a>b", "b.a",   "a.bc"};
  const std::vector<std::string> patterns = {"a",   "a.*", "*",     "*.b",   "a.b*", "a*",
                                             "a.b", "*.*", "a.*.c", "a.b.*", "b*.a", "a b.c"};
  for (const std::string& pattern_text : patterns) {
    absl::StatusOr<TypePattern> pattern = TypePattern::Parse(pattern_text);
    if (!pattern.ok()) continue;  // e.g. whitespace
    const std::string filter =
        JetStreamLog::SelectorSubject("hb", Selector({"docs"}, {pattern_text}));
    for (const std::string& type : types) {
      if (!pattern->Matches(type)) continue;
      EXPECT_TRUE(SubjectMatches(filter, JetStreamLog::EventSubject("hb", "docs", type)))
          << "pattern " << pattern_text << " -> " << filter << " misses type '" << type << "'";
    }
  }
}

TEST(JetStreamLogServerUrlsTest, AreTheCommaSeparatedEntries) {
  EXPECT_THAT(JetStreamLog::ServerUrls("nats://a:4222"), ElementsAre("nats://a:4222"));
  EXPECT_THAT(JetStreamLog::ServerUrls(" nats://a:4222 ,nats://b:4222,, nats://c:4222 "),
              ElementsAre("nats://a:4222", "nats://b:4222", "nats://c:4222"));
  EXPECT_THAT(JetStreamLog::ServerUrls(" , "), ElementsAre());
}

TEST_F(JetStreamLogTest, ConnectsThroughAListOfServersSomeOfThemDown) {
  JetStreamLog::Options options = Options();
  // Nothing listens on port 1; the client tries the servers in random order.
  options.url = absl::StrCat("nats://127.0.0.1:1, ", server_.url());
  std::unique_ptr<JetStreamLog> log = Open(options);
  ASSERT_NE(log, nullptr);
  absl::StatusOr<uint64_t> appended = AppendAndWait(*log, Encoded("listed"));
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(*appended, 1u);
}

TEST_F(JetStreamLogTest, SelectedReadsFromTheStreamSkipOtherEventsOnTheServer) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  std::vector<uint64_t> removed;
  for (int i = 0; i < 12; ++i) {
    const char* type = i % 3 == 0 ? "comment.removed" : "comment.added";
    absl::StatusOr<uint64_t> seq =
        AppendAndWait(*log, Encoded(absl::StrCat("e", i), type, "", i % 4 == 3 ? "other" : "docs"));
    ASSERT_TRUE(seq.ok()) << seq.status();
    if (i % 3 == 0 && i % 4 != 3) removed.push_back(*seq);
  }
  ASSERT_EQ(removed.size(), 3u);  // 0, 6, 9 (3 is from "other")

  // A fresh instance holds none of them in memory: reads go to the stream.
  JetStreamLog::Options options = Options();
  options.fetch_batch = 2;
  std::unique_ptr<JetStreamLog> fresh = Open(options);
  ASSERT_NE(fresh, nullptr);
  const ReadSelector selector = Selector({"docs"}, {"comment.removed"});
  std::vector<RecordPtr> out;
  uint64_t after = 0;
  std::vector<uint64_t> seen;
  for (int round = 0; round < 10 && after < 12; ++round) {
    uint64_t through = 0;
    out.clear();
    absl::Status status = fresh->ReadSelected(after, 100, selector, &out, &through, nullptr);
    ASSERT_TRUE(status.ok()) << status;
    ASSERT_GT(through, after);
    for (const RecordPtr& r : out) {
      EXPECT_EQ(r->type, "comment.removed");
      EXPECT_EQ(r->source, "docs");
      EXPECT_LE(r->sequence, through);
      seen.push_back(r->sequence);
    }
    after = through;
  }
  EXPECT_EQ(seen, removed);
  EXPECT_EQ(after, 12u);

  // An unselected read of the same range still returns every record.
  out.clear();
  ASSERT_TRUE(fresh->Read(0, 100, &out, nullptr).ok());
  EXPECT_EQ(out.size(), 2u);  // fetch_batch
  EXPECT_EQ(out.front()->sequence, 1u);
}

TEST_F(JetStreamLogTest, SelectedReadsOfEvictedPositionsAreOutOfRange) {
  JetStreamLog::Options options = Options();
  options.max_bytes = 4096;
  std::unique_ptr<JetStreamLog> log = Open(options);
  ASSERT_NE(log, nullptr);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        AppendAndWait(*log, Encoded(absl::StrCat("big", i), "comment.added", std::string(500, 'r')))
            .ok());
  }
  std::unique_ptr<JetStreamLog> fresh = Open(options);
  ASSERT_NE(fresh, nullptr);
  std::vector<RecordPtr> out;
  uint64_t through = 0;
  absl::Status status =
      fresh->ReadSelected(1, 100, Selector({"docs"}, {"comment.added"}), &out, &through, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
}

TEST_F(JetStreamLogTest, AStreamDeletedOrReplacedUnderTheLogFailsItForGood) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(AppendAndWait(*log, Encoded("a")).ok());
  EXPECT_FALSE(log->Stats().restart_needed);

  ASSERT_TRUE(server_.DeleteStream("TEST").ok());
  ASSERT_TRUE(Eventually([&] { return log->Stats().restart_needed; }));
  EXPECT_THAT(log->Stats().failure.message(), HasSubstr("was deleted"));

  // Another instance creates it again; the first stays failed: its
  // sequences and the new stream's no longer agree.
  std::unique_ptr<JetStreamLog> other = Open(Options());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(AppendAndWait(*other, Encoded("b")).ok());
  EXPECT_TRUE(log->Stats().restart_needed);
  EXPECT_FALSE(AppendAndWait(*log, Encoded("c")).ok());
  std::vector<RecordPtr> out;
  EXPECT_EQ(log->Read(0, 10, &out, nullptr).code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(other->Stats().restart_needed);
}

TEST_F(JetStreamLogTest, AStreamReplacedUnderTheLogIsNoticed) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(AppendAndWait(*log, Encoded("a")).ok());
  // Deleted and created again between two of the log's looks at it.
  ASSERT_TRUE(server_.DeleteStream("TEST").ok());
  std::unique_ptr<JetStreamLog> other = Open(Options());
  ASSERT_NE(other, nullptr);
  // A read past its end makes it look now.
  std::vector<RecordPtr> out;
  EXPECT_EQ(log->Read(5, 0, &out, nullptr).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(log->Stats().restart_needed);
  // (Its periodic look may have fallen between the delete and the create.)
  EXPECT_THAT(log->Stats().failure.message(),
              AnyOf(HasSubstr("created again"), HasSubstr("was deleted")));
}

TEST_F(JetStreamLogTest, AppendsAndReadsInOrderWithSequencesInTheEvents) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 5; ++i) {
    absl::StatusOr<uint64_t> s =
        AppendAndWait(*log, Encoded(absl::StrCat("e", i), "comment.added", absl::StrCat("raw", i)));
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(*s, static_cast<uint64_t>(i));
  }
  // The tail consumer delivers them to this process's readers.
  std::vector<RecordPtr> out;
  ASSERT_TRUE(Eventually([&] {
    out.clear();
    return log->Read(0, 100, &out, nullptr).ok() && out.size() == 5;
  }));
  EXPECT_THAT(Sequences(out), ElementsAre(1, 2, 3, 4, 5));
  for (const RecordPtr& r : out) {
    v1::Event event;
    ASSERT_TRUE(event.ParseFromString(r->event_bytes + r->raw_body_field));
    EXPECT_EQ(event.sequence(), r->sequence);
    EXPECT_EQ(event.id(), absl::StrCat("e", r->sequence));
    EXPECT_EQ(r->id, event.id());
    EXPECT_EQ(r->type, "comment.added");
    EXPECT_EQ(r->source, "docs");
    EXPECT_EQ(r->subject, "doc-1");
    EXPECT_EQ(event.raw_body(), absl::StrCat("raw", r->sequence));
  }
  LogStats stats = log->Stats();
  EXPECT_EQ(stats.last_sequence, 5u);
  EXPECT_TRUE(stats.failure.ok());

  // A new instance has none of them in memory: it reads them from the
  // stream, in batches.
  JetStreamLog::Options options = Options();
  options.fetch_batch = 2;
  std::unique_ptr<JetStreamLog> fresh = Open(options);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->Stats().last_sequence, 5u);
  EXPECT_EQ(fresh->Stats().first_sequence, 1u);
  EXPECT_EQ(fresh->Stats().events, 5u);
  std::vector<RecordPtr> all;
  uint64_t after = 0;
  while (after < 5) {
    std::vector<RecordPtr> batch;
    ASSERT_TRUE(fresh->Read(after, 100, &batch, nullptr).ok());
    ASSERT_FALSE(batch.empty());
    EXPECT_LE(batch.size(), 2u);
    after = batch.back()->sequence;
    all.insert(all.end(), batch.begin(), batch.end());
  }
  EXPECT_THAT(Sequences(all), ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(all[2]->event_bytes, out[2]->event_bytes);
  EXPECT_EQ(all[2]->raw_body_field, out[2]->raw_body_field);

  // At the end: nothing, and a waiter that a later append wakes.
  auto waiter = std::make_shared<NotifyingWaiter>();
  std::vector<RecordPtr> none;
  ASSERT_TRUE(fresh->Read(5, 100, &none, waiter).ok());
  EXPECT_TRUE(none.empty());
  ASSERT_TRUE(AppendAndWait(*log, Encoded("e6")).ok());
  EXPECT_TRUE(waiter->grew.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(fresh->Read(5, 100, &none, nullptr).ok());
  EXPECT_THAT(Sequences(none), ElementsAre(6));

  // Beyond the end.
  absl::Status beyond = fresh->Read(100, 10, &none, nullptr);
  EXPECT_EQ(beyond.code(), absl::StatusCode::kOutOfRange) << beyond;
}

TEST_F(JetStreamLogTest, TheSameDeliveryIsAppendedOnce) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  absl::StatusOr<uint64_t> first = AppendAndWait(*log, Encoded("same"));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(AppendAndWait(*log, Encoded("other")).ok());
  absl::StatusOr<uint64_t> again = AppendAndWait(*log, Encoded("same"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *first);
  ASSERT_TRUE(Eventually([&] { return log->Stats().events == 2; }));
  EXPECT_EQ(log->Stats().last_sequence, 2u);
}

TEST_F(JetStreamLogTest, TwoInstancesOnOneStreamSeeEachOthersRecords) {
  std::unique_ptr<JetStreamLog> a = Open(Options());
  std::unique_ptr<JetStreamLog> b = Open(Options());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto waiter = std::make_shared<NotifyingWaiter>();
  std::vector<RecordPtr> out;
  ASSERT_TRUE(b->Read(0, 10, &out, waiter).ok());
  EXPECT_TRUE(out.empty());

  ASSERT_TRUE(AppendAndWait(*a, Encoded("from-a")).ok());
  ASSERT_TRUE(waiter->grew.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(b->Read(0, 10, &out, nullptr).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->id, "from-a");

  ASSERT_TRUE(AppendAndWait(*b, Encoded("from-b")).ok());
  ASSERT_TRUE(Eventually([&] {
    out.clear();
    return a->Read(0, 10, &out, nullptr).ok() && out.size() == 2;
  }));
  EXPECT_EQ(out[0]->id, "from-a");
  EXPECT_EQ(out[1]->id, "from-b");
  EXPECT_EQ(out[1]->sequence, 2u);

  // A delivery taken by both replicas is stored once.
  absl::StatusOr<uint64_t> on_a = AppendAndWait(*a, Encoded("both"));
  absl::StatusOr<uint64_t> on_b = AppendAndWait(*b, Encoded("both"));
  ASSERT_TRUE(on_a.ok());
  ASSERT_TRUE(on_b.ok());
  EXPECT_EQ(*on_a, *on_b);
}

TEST_F(JetStreamLogTest, EvictedPositionsAreOutOfRange) {
  JetStreamLog::Options options = Options();
  options.max_bytes = 4096;
  std::unique_ptr<JetStreamLog> log = Open(options);
  ASSERT_NE(log, nullptr);
  const absl::Time before = absl::Now();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(
        AppendAndWait(*log, Encoded(absl::StrCat("big", i), "x", std::string(500, 'r'))).ok());
  }
  // A new instance must go to the stream for old positions.
  std::unique_ptr<JetStreamLog> reader = Open(options);
  ASSERT_NE(reader, nullptr);
  const LogStats stats = reader->Stats();
  EXPECT_GT(stats.first_sequence, 1u);
  EXPECT_EQ(stats.last_sequence, 20u);
  std::vector<RecordPtr> out;
  absl::Status status = reader->Read(0, 10, &out, nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
  EXPECT_THAT(status.message(), HasSubstr("no longer retained"));
  status = reader->Read(stats.first_sequence - 1, 100, &out, nullptr);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.front()->sequence, stats.first_sequence);
  absl::StatusOr<uint64_t> since = reader->PositionAt(before);
  EXPECT_EQ(since.status().code(), absl::StatusCode::kOutOfRange) << since.status();
}

TEST_F(JetStreamLogTest, PositionAtFindsTheFirstRecordStoredSinceATime) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  absl::StatusOr<uint64_t> empty = log->PositionAt(absl::UnixEpoch());
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, 0u);
  ASSERT_TRUE(AppendAndWait(*log, Encoded("a")).ok());
  ASSERT_TRUE(AppendAndWait(*log, Encoded("b")).ok());
  absl::SleepFor(absl::Milliseconds(20));  // two distinct store times
  const absl::Time middle = absl::Now();
  ASSERT_TRUE(AppendAndWait(*log, Encoded("c")).ok());

  std::unique_ptr<JetStreamLog> fresh = Open(Options());  // from the stream
  ASSERT_NE(fresh, nullptr);
  for (EventLog* l : {static_cast<EventLog*>(log.get()), static_cast<EventLog*>(fresh.get())}) {
    absl::StatusOr<uint64_t> at = l->PositionAt(middle);
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_EQ(*at, 2u);
    at = l->PositionAt(absl::Now() + absl::Hours(1));
    ASSERT_TRUE(at.ok()) << at.status();
    EXPECT_EQ(*at, 3u);
  }
  absl::StatusOr<uint64_t> all = fresh->PositionAt(absl::UnixEpoch());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, 0u);
}

// PositionAt answers from the window of recent records only when the window
// holds the answer: right after an append (here by another replica) the
// window may not have the record yet, and "nothing since then" would then
// be wrong. The window receives the record asynchronously, behind the
// PubAck, so this is a race: without the rule, 200 rounds failed in 3 of 5
// runs (and PositionAtFindsTheFirstRecordStoredSinceATime once in a full
// parallel ctest run).
TEST_F(JetStreamLogTest, PositionAtSeesRecordsTheWindowHasNotReceivedYet) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  std::unique_ptr<JetStreamLog> other = Open(Options());
  ASSERT_NE(log, nullptr);
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(AppendAndWait(*log, Encoded("first")).ok());
  for (int round = 0; round < 200; ++round) {
    const absl::Time before = absl::Now();
    absl::StatusOr<uint64_t> appended =
        AppendAndWait(*other, Encoded(absl::StrCat("other-", round)));
    ASSERT_TRUE(appended.ok()) << appended.status();
    // Stored after `before`: the position since then is just before it.
    absl::StatusOr<uint64_t> at = log->PositionAt(before);
    ASSERT_TRUE(at.ok()) << at.status();
    ASSERT_EQ(*at, *appended - 1) << "round " << round;
  }
}

TEST_F(JetStreamLogTest, AStalledFollowerIsReplacedWithinSeconds) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(AppendAndWait(*log, Encoded("before")).ok());
  std::vector<RecordPtr> out;
  ASSERT_TRUE(Eventually([&] {
    out.clear();
    return log->Read(0, 10, &out, nullptr).ok() && out.size() == 1;
  }));
  EXPECT_TRUE(log->Stats().stalled.ok());

  // The consumer following the stream goes away, as it does with a NATS
  // server of a cluster that dies; the client library would notice its
  // missing heartbeats only after 10 s.
  absl::StatusOr<int> deleted = server_.DeleteConsumers("TEST");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  ASSERT_GE(*deleted, 1);
  const absl::Time appended_at = absl::Now();
  ASSERT_TRUE(AppendAndWait(*log, Encoded("after")).ok());
  auto waiter = std::make_shared<NotifyingWaiter>();
  out.clear();
  ASSERT_TRUE(log->Read(1, 10, &out, waiter).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(waiter->grew.WaitForNotificationWithTimeout(kWait));
  const absl::Duration recovered = absl::Now() - appended_at;
  // Noticed after a second behind the stream, replaced at once; the
  // client library alone would take over 10 s. (Loose: CI machines are slow.)
  EXPECT_LT(recovered, absl::Seconds(8));
  ASSERT_TRUE(log->Read(1, 10, &out, nullptr).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->id, "after");
  // The replacement may deliver before its count is raised.
  ASSERT_TRUE(Eventually([&] { return log->Stats().follower_restarts == 1; }))
      << log->Stats().follower_restarts;
  EXPECT_TRUE(log->Stats().stalled.ok()) << log->Stats().stalled;
}

TEST_F(JetStreamLogTest, AnAcknowledgedRecordTheTailHasNotDeliveredIsRetained) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  // The follower will not deliver it for a while.
  ASSERT_TRUE(server_.DeleteConsumers("TEST").ok());
  ASSERT_TRUE(AppendAndWait(*log, Encoded("first")).ok());
  // What `earliest` starts from: before it, not after it.
  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.last_sequence, 1u);
  EXPECT_EQ(stats.events, 1u);
  EXPECT_EQ(stats.first_sequence, 1u);
}

TEST_F(JetStreamLogTest, RecordsDeletedAtTheEndOfTheStreamAreNoStall) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(AppendAndWait(*log, Encoded("kept")).ok());
  ASSERT_TRUE(Eventually([&] { return log->Stats().last_sequence == 1; }));
  // A second process appends a record and an operator deletes it before
  // this one's follower saw it (it cannot, once deleted).
  std::unique_ptr<JetStreamLog> other = Open(Options());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(server_.DeleteConsumers("TEST").ok());  // this one's follower stops meanwhile
  ASSERT_TRUE(AppendAndWait(*other, Encoded("deleted")).ok());
  ASSERT_TRUE(server_.DeleteMessage("TEST", 2).ok());
  // Behind the stream's last sequence, with nothing left to deliver: after
  // one replacement the follower is not stalled.
  ASSERT_TRUE(Eventually([&] { return log->Stats().last_sequence == 2; }));
  ASSERT_TRUE(Eventually([&] { return log->Stats().follower_restarts >= 1; }));
  absl::SleepFor(absl::Seconds(3));  // long enough for more replacements, were it stalled
  const LogStats stats = log->Stats();
  EXPECT_EQ(stats.follower_restarts, 1u);
  EXPECT_TRUE(stats.stalled.ok()) << stats.stalled;
}

TEST_F(JetStreamLogTest, AppendsFailWhileTheServerIsDownAndWorkAfterItReturns) {
  std::unique_ptr<JetStreamLog> log = Open(Options());
  ASSERT_NE(log, nullptr);
  ASSERT_TRUE(AppendAndWait(*log, Encoded("before")).ok());

  auto waiter = std::make_shared<NotifyingWaiter>();
  std::vector<RecordPtr> out;
  ASSERT_TRUE(Eventually([&] { return log->Stats().last_sequence == 1; }));
  ASSERT_TRUE(Eventually([&] {
    out.clear();
    return log->Read(0, 10, &out, nullptr).ok() && out.size() == 1;
  }));
  ASSERT_TRUE(log->Read(1, 10, &out, waiter).ok());

  server_.Stop();
  // Waiting readers are woken to find the failure.
  EXPECT_TRUE(waiter->grew.WaitForNotificationWithTimeout(kWait));
  ASSERT_TRUE(Eventually([&] { return !log->Stats().failure.ok(); }));
  EXPECT_EQ(log->Read(1, 10, &out, nullptr).code(), absl::StatusCode::kUnavailable);
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<uint64_t> s = AppendAndWait(*log, Encoded(absl::StrCat("during", i)));
    EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable) << s.status();
  }

  ASSERT_TRUE(server_.Start().ok());
  ASSERT_TRUE(Eventually([&] { return log->Stats().failure.ok(); }));
  absl::StatusOr<uint64_t> after;
  // JetStream may need a moment after the server is back to take events.
  ASSERT_TRUE(Eventually([&] {
    after = AppendAndWait(*log, Encoded("after"));
    return after.ok();
  })) << after.status();
  EXPECT_EQ(*after, 2u);
  // The tail follows the stream again.
  ASSERT_TRUE(Eventually([&] {
    out.clear();
    return log->Read(1, 10, &out, nullptr).ok() && out.size() == 1;
  }));
  EXPECT_EQ(out[0]->id, "after");
}

}  // namespace
}  // namespace hookbridge
