// Durability of the file log through the real binary: SIGKILL under load
// loses nothing acknowledged, torn tails are repaired, cursors and
// de-duplication survive restarts, retention reports what it removed.
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kSecret[] = "durability-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

std::string CommentBody(const std::string& id) {
  return absl::StrCat(
      R"({"event":"comment.added","environment_id":"env-1","payload":{"document":{"id":"doc-1"},"comment":{"id":")",
      id, R"(","content":")", std::string(600, 'x'),
      R"("}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

class DurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hookbridge-durability-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // No rate limit: the tests send thousands of webhooks as fast as they can
  // (the default, 1000 a second with bursts of 2000, would answer 429).
  std::string Config(const std::string& log_extra = "") {
    return CkeditorConfig(
        kSecret, absl::StrCat("log: { backend: file, dir: \"", dir_, "\"", log_extra, " }\n"),
        "rate_limit: { per_second: 0 }");
  }

  std::unique_ptr<HookbridgeProcess> Start(const std::string& log_extra = "") {
    return HookbridgeProcess::Start(Config(log_extra));
  }

  // Reads the whole log from the start.
  static std::vector<v1::Event> ReadEverything(HookbridgeProcess& process) {
    const double last = MetricValue(process.admin_port(), "hookbridge_log_last_sequence");
    v1::SubscribeRequest request;
    request.set_earliest(true);
    Subscriber subscriber(process.grpc_target(), request);
    return subscriber.ReadN(static_cast<int>(last));
  }

  std::string dir_;
};

TEST_F(DurabilityTest, SigkillUnderConcurrentLoadLosesNothingAcknowledged) {
  auto process = Start();
  ASSERT_NE(process, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::set<std::string> unanswered;
  std::atomic<int> acks{0};
  std::atomic<bool> killed{false};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      HttpClient http(process->http_port());
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("c-", t, "-", i);
        const std::string body = CommentBody(id);
        HttpResponse r =
            http.TrySend("POST", kPath, body, HttpClient::CkeditorHeaders(kPath, body, kSecret));
        std::lock_guard<std::mutex> lock(mu);
        if (r.status >= 200 && r.status < 300) {
          acknowledged.insert(id);
          ++acks;
        } else {
          unanswered.insert(id);
        }
        if (killed.load()) {
          // The rest cannot be delivered either.
          for (int j = i + 1; j < kPerThread; ++j) unanswered.insert(absl::StrCat("c-", t, "-", j));
          return;
        }
      }
    });
  }
  // Kill while the senders are in full flow.
  while (acks.load() < kThreads * kPerThread / 3) std::this_thread::yield();
  EXPECT_EQ(process->Stop(SIGKILL), 128 + SIGKILL);
  killed = true;
  for (auto& t : senders) t.join();
  ASSERT_GE(acknowledged.size(), size_t{kThreads * kPerThread / 3});
  ASSERT_FALSE(unanswered.empty()) << "the kill came too late to test anything";

  process = Start();
  ASSERT_NE(process, nullptr);
  std::vector<v1::Event> events = ReadEverything(*process);
  std::map<std::string, int> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), i + 1) << "sequences must be contiguous";
    ++seen[events[i].ckeditor().comment_added().comment().id()];
  }
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id << " stored twice";
  for (const std::string& id : acknowledged) {
    EXPECT_EQ(seen.count(id), 1u) << id << " was acknowledged but lost";
  }
  // Records written but not acknowledged before the kill may exist: the
  // sender retries them, and the rebuilt de-duplication window answers
  // 200 duplicate instead of storing them twice.
  HttpClient http(process->http_port());
  int duplicates = 0;
  for (const std::string& id : unanswered) {
    HttpResponse r = http.PostSigned(kPath, CommentBody(id), kSecret);
    ASSERT_EQ(r.status, 200) << r.body;
    if (seen.count(id)) {
      EXPECT_THAT(r.body, HasSubstr("duplicate")) << id;
      ++duplicates;
    }
  }
  EXPECT_EQ(MetricValue(process->admin_port(), "hookbridge_log_last_sequence"),
            static_cast<double>(events.size() + unanswered.size() - duplicates));
}

TEST_F(DurabilityTest, TornTailIsRepairedOnRestart) {
  {
    auto process = Start();
    ASSERT_NE(process, nullptr);
    HttpClient http(process->http_port());
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(http.PostSigned(kPath, CommentBody(absl::StrCat("t-", i)), kSecret).status, 200);
    }
  }
  // The segment (beside it: the de-duplication state saved at the stop).
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().extension() == ".log") segments.push_back(e.path());
  }
  ASSERT_EQ(segments.size(), 1u);
  fs::resize_file(segments[0], fs::file_size(segments[0]) - 100);  // mid-record

  auto process = Start();
  ASSERT_NE(process, nullptr);
  EXPECT_THAT(process->Stderr(), HasSubstr("torn record"));
  EXPECT_EQ(MetricValue(process->admin_port(), "hookbridge_log_last_sequence"), 9);
  HttpClient http(process->http_port());
  HttpResponse r = http.PostSigned(kPath, CommentBody("t-10"), kSecret);
  EXPECT_THAT(r.body, HasSubstr("\"sequence\":10"));
  std::vector<v1::Event> events = ReadEverything(*process);
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events[9].ckeditor().comment_added().comment().id(), "t-10");
}

TEST_F(DurabilityTest, ResumeAfterSequenceAndSinceAcrossARestartWithoutGapOrDuplicate) {
  absl::Time middle;
  {
    auto process = Start();
    ASSERT_NE(process, nullptr);
    HttpClient http(process->http_port());
    for (int i = 1; i <= 5; ++i) {
      ASSERT_EQ(http.PostSigned(kPath, CommentBody(absl::StrCat("r-", i)), kSecret).status, 200);
    }
    middle = absl::Now();
    for (int i = 6; i <= 8; ++i) {
      ASSERT_EQ(http.PostSigned(kPath, CommentBody(absl::StrCat("r-", i)), kSecret).status, 200);
    }
  }
  auto process = Start();
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  for (int i = 9; i <= 10; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentBody(absl::StrCat("r-", i)), kSecret).status, 200);
  }
  v1::SubscribeRequest after;
  after.set_after_sequence(3);
  Subscriber resumed(process->grpc_target(), after);
  std::vector<v1::Event> events = resumed.ReadN(7);
  ASSERT_EQ(events.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(events[i].sequence(), static_cast<uint64_t>(i + 4));
    EXPECT_EQ(events[i].ckeditor().comment_added().comment().id(), absl::StrCat("r-", i + 4));
  }
  v1::SubscribeRequest since;
  since.mutable_since()->set_seconds(absl::ToUnixSeconds(middle));
  since.mutable_since()->set_nanos(
      static_cast<int32_t>(absl::ToUnixNanos(middle) - absl::ToUnixSeconds(middle) * 1000000000));
  Subscriber from_time(process->grpc_target(), since);
  std::vector<v1::Event> later = from_time.ReadN(5);
  ASSERT_EQ(later.size(), 5u);
  EXPECT_EQ(later[0].sequence(), 6u);
  EXPECT_EQ(later[4].sequence(), 10u);
}

TEST_F(DurabilityTest, DeduplicationAndOrderingSurviveARestart) {
  const std::string body = CommentBody("dup-1");
  {
    auto process = Start();
    ASSERT_NE(process, nullptr);
    HttpClient http(process->http_port());
    ASSERT_EQ(http.PostSigned(kPath, body, kSecret).status, 200);
    ASSERT_EQ(
        http.PostSigned(kPath, ExportBody("doc-7", "2024-01-01T10:00:00.000Z"), kSecret).status,
        200);
  }
  auto process = Start();
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  HttpResponse again = http.PostSigned(kPath, body, kSecret);
  EXPECT_EQ(again.status, 200);
  EXPECT_THAT(again.body, HasSubstr("\"outcome\":\"duplicate\""));
  // An export older than the stored one arrives late: flagged superseded.
  ASSERT_EQ(http.PostSigned(kPath, ExportBody("doc-7", "2024-01-01T09:00:00.000Z"), kSecret).status,
            200);
  // A newer one is not.
  ASSERT_EQ(http.PostSigned(kPath, ExportBody("doc-7", "2024-01-01T11:00:00.000Z"), kSecret).status,
            200);
  std::vector<v1::Event> events = ReadEverything(*process);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_FALSE(events[1].superseded());
  EXPECT_EQ(events[1].entity_time().seconds(), 1704103200);
  EXPECT_TRUE(events[2].superseded());
  EXPECT_EQ(events[2].subject(), "doc-7");
  EXPECT_FALSE(events[3].superseded());
}

TEST_F(DurabilityTest, RetentionRemovesOldSegmentsAndOldCursorsGetOutOfRange) {
  auto process = Start(", segment_bytes: 8KiB, retention: { bytes: 24KiB }");
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(http.PostSigned(kPath, CommentBody(absl::StrCat("k-", i)), kSecret).status, 200);
  }
  const double first = MetricValue(process->admin_port(), "hookbridge_log_first_sequence");
  EXPECT_GT(first, 1);
  EXPECT_LE(MetricValue(process->admin_port(), "hookbridge_log_bytes"), 24 * 1024);
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  Subscriber old(process->grpc_target(), request);
  v1::Event event;
  EXPECT_FALSE(old.Read(&event));
  grpc::Status status = old.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat("the oldest is ", static_cast<int>(first))));
}

}  // namespace
}  // namespace hookbridge::testing
