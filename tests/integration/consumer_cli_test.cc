// hookbridge-ctl and hookbridge-tail --consumer against the real binary, as
// an operator uses them: a consumer created, listed and read back; events
// consumed and negatively acknowledged into dead letters (max_deliveries
// 1); the dead letters listed and redriven, then consumed again and
// acknowledged; the consumer moved back to a time, the events since then
// delivered again; deleted while a member is connected (which ends with
// NOT_FOUND); a member killed while holding events leaves them to the next
// member at once; usage errors exit 2, errors exit 1 with an `error:` line.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bridge/crypto.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kSecret[] = "consumer-cli-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// The test token, allowed to manage consumers.
std::string ManagerAuth() {
  return absl::StrCat("auth:\n  tokens:\n    - { name: manager, sha256: \"",
                      HexEncode(Sha256({kTestToken})),
                      "\", sources: [\"*\"], types: [\"*\"], manage_consumers: true }\n");
}

// Each line of `out` parsed as a message of type M (the CLIs print the
// protobuf JSON mapping, one object per line).
template <typename M>
std::vector<M> ParseLines(const std::string& out) {
  std::vector<M> messages;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    M message;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &message).ok())
        << "not a " << M::descriptor()->full_name() << ": " << line;
    messages.push_back(std::move(message));
  }
  return messages;
}

template <typename M>
M ParseOne(const std::string& out) {
  std::vector<M> messages = ParseLines<M>(out);
  EXPECT_EQ(messages.size(), 1u) << out;
  return messages.empty() ? M() : messages[0];
}

std::vector<uint64_t> Sequences(const std::vector<v1::ConsumedEvent>& events) {
  std::vector<uint64_t> out;
  for (const v1::ConsumedEvent& e : events) out.push_back(e.event().sequence());
  return out;
}

class ConsumerCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    process_ = HookbridgeProcess::Start(CkeditorConfig(kSecret, ManagerAuth()));
    ASSERT_NE(process_, nullptr);
    http_ = std::make_unique<HttpClient>(process_->http_port());
    char dir[] = "/tmp/hookbridge-consumer-cli-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }

  void TearDown() override {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Runs `program` (hookbridge-ctl or hookbridge-tail) with `args` against
  // the server to its end; one that hangs is stopped after 60 s (exit 124).
  CommandResult Run(const std::string& program, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/timeout", "60", BinaryPath(program)};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, Env());
  }
  CommandResult Ctl(const std::vector<std::string>& args) { return Run("hookbridge-ctl", args); }
  CommandResult Tail(const std::vector<std::string>& args) { return Run("hookbridge-tail", args); }

  // The target and the token come from the environment, as in production.
  std::map<std::string, std::string> Env() const {
    return {{"HOOKBRIDGE_TARGET", process_->grpc_target()}, {"HOOKBRIDGE_TOKEN", kTestToken}};
  }

  void Post(int n) {
    HttpResponse response = http_->PostSigned(
        kPath, CommentAddedBody(absl::StrCat("doc-", n), absl::StrCat("n", n)), kSecret);
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_THAT(response.body, HasSubstr(absl::StrCat("\"sequence\":", n)));
  }

  v1::Consumer Get(const std::string& name) {
    CommandResult get = Ctl({"consumers", "get", name});
    EXPECT_EQ(get.exit_code, 0) << get.err;
    return ParseOne<v1::GetConsumerResponse>(get.out).consumer();
  }

  std::unique_ptr<HookbridgeProcess> process_;
  std::unique_ptr<HttpClient> http_;
  std::string dir_;
};

TEST_F(ConsumerCliTest, CreateConsumeDeadLetterRedriveSeekDelete) {
  // Created, then listed and read back.
  CommandResult created =
      Ctl({"consumers", "create", "orders", "--types", "comment.*", "--start", "earliest",
           "--max-deliveries", "1", "--ack-deadline", "30s", "--max_outstanding", "100"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const v1::Consumer consumer = ParseOne<v1::CreateConsumerResponse>(created.out).consumer();
  EXPECT_EQ(consumer.config().name(), "orders");
  EXPECT_THAT(consumer.config().types(), ElementsAre("comment.*"));
  EXPECT_TRUE(consumer.config().earliest());
  EXPECT_EQ(consumer.config().max_deliveries(), 1u);
  EXPECT_EQ(consumer.config().ack_deadline().seconds(), 30);
  EXPECT_EQ(consumer.config().max_outstanding(), 100u);
  EXPECT_FALSE(consumer.declared());

  CommandResult listed = Ctl({"consumers", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  std::vector<v1::Consumer> all = ParseLines<v1::Consumer>(listed.out);
  ASSERT_EQ(all.size(), 1u) << listed.out;
  EXPECT_EQ(all[0].config().name(), "orders");
  EXPECT_EQ(Get("orders").config().max_deliveries(), 1u);

  // Three events, each negatively acknowledged once: with max_deliveries
  // 1, each is a dead letter at once.
  for (int n = 1; n <= 3; ++n) Post(n);
  CommandResult nacked =
      Tail({"--consumer", "orders", "--member", "cli-1", "--nack", "--count", "3"});
  ASSERT_EQ(nacked.exit_code, 0) << nacked.err;
  EXPECT_THAT(nacked.err, HasSubstr("consuming: orders as member cli-1"));
  std::vector<v1::ConsumedEvent> delivered = ParseLines<v1::ConsumedEvent>(nacked.out);
  EXPECT_THAT(Sequences(delivered), ElementsAre(1, 2, 3)) << nacked.out;
  for (const v1::ConsumedEvent& e : delivered) {
    EXPECT_EQ(e.delivery_attempt(), 1u);
    EXPECT_EQ(e.event().type(), "comment.added");
  }
  ASSERT_TRUE(Eventually([&] { return Get("orders").dead_letters() == 3; }))
      << Get("orders").ShortDebugString();

  CommandResult dead = Ctl({"dead-letters", "list", "orders"});
  ASSERT_EQ(dead.exit_code, 0) << dead.err;
  std::vector<v1::DeadLetter> letters = ParseLines<v1::DeadLetter>(dead.out);
  ASSERT_EQ(letters.size(), 3u) << dead.out;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(letters[i].event().sequence(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(letters[i].event().subject(), absl::StrCat("doc-", i + 1));
    EXPECT_EQ(letters[i].deliveries(), 1u);
    EXPECT_EQ(letters[i].negative_acknowledgements(), 1u);
    EXPECT_EQ(letters[i].last_reason(), "hookbridge-tail --nack");
  }
  CommandResult page = Ctl({"dead-letters", "list", "orders", "--after", "1", "--limit", "1"});
  ASSERT_EQ(page.exit_code, 0) << page.err;
  std::vector<v1::DeadLetter> second = ParseLines<v1::DeadLetter>(page.out);
  ASSERT_EQ(second.size(), 1u) << page.out;
  EXPECT_EQ(second[0].event().sequence(), 2u);

  // Redriven, one by sequence and then the rest, and consumed again.
  CommandResult one = Ctl({"dead-letters", "redrive", "orders", "2"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(ParseOne<v1::RedriveDeadLettersResponse>(one.out).redriven(), 1u);
  CommandResult rest = Ctl({"dead-letters", "redrive", "orders"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  EXPECT_EQ(ParseOne<v1::RedriveDeadLettersResponse>(rest.out).redriven(), 2u);
  CommandResult none = Ctl({"dead-letters", "list", "orders"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_EQ(none.out, "");

  CommandResult acked = Tail({"--consumer", "orders", "--count", "3"});
  ASSERT_EQ(acked.exit_code, 0) << acked.err;  // once the acknowledgements were confirmed
  EXPECT_THAT(acked.err, HasSubstr("consuming: orders as member (server-chosen)"));
  std::vector<v1::ConsumedEvent> again = ParseLines<v1::ConsumedEvent>(acked.out);
  std::vector<uint64_t> sequences = Sequences(again);
  std::sort(sequences.begin(), sequences.end());
  EXPECT_THAT(sequences, ElementsAre(1, 2, 3)) << acked.out;
  v1::Consumer done = Get("orders");
  EXPECT_EQ(done.ack_floor(), 3u);
  EXPECT_EQ(done.dead_letters(), 0u);
  EXPECT_EQ(done.pending(), 0u);

  // Two more, consumed; then the consumer is moved back to a time between
  // the third and the fourth event: those two come again.
  const absl::Time between = absl::Now();
  Post(4);
  Post(5);
  CommandResult later = Tail({"--consumer", "orders", "--count", "2"});
  ASSERT_EQ(later.exit_code, 0) << later.err;
  EXPECT_THAT(Sequences(ParseLines<v1::ConsumedEvent>(later.out)), ElementsAre(4, 5));
  EXPECT_EQ(Get("orders").ack_floor(), 5u);
  CommandResult sought = Ctl({"consumers", "seek", "orders",
                              absl::FormatTime(absl::RFC3339_full, between, absl::UTCTimeZone())});
  ASSERT_EQ(sought.exit_code, 0) << sought.err;
  EXPECT_EQ(ParseOne<v1::SeekConsumerResponse>(sought.out).consumer().ack_floor(), 3u)
      << sought.out;
  CommandResult replayed = Tail({"--consumer", "orders", "--count", "2"});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_THAT(Sequences(ParseLines<v1::ConsumedEvent>(replayed.out)), ElementsAre(4, 5));
  EXPECT_EQ(Get("orders").ack_floor(), 5u);

  // Deleted while a member is connected: its stream ends with NOT_FOUND.
  const std::string out_path = dir_ + "/member.out";
  const std::string err_path = dir_ + "/member.err";
  BackgroundCommand member({BinaryPath("hookbridge-tail"), "--consumer", "orders"}, Env(), out_path,
                           err_path);
  ASSERT_TRUE(Eventually([&] {
    return ReadText(err_path).find("consuming: orders as member") != std::string::npos;
  })) << ReadText(err_path);
  CommandResult deleted = Ctl({"consumers", "delete", "orders"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(deleted.out, "{}\n");
  EXPECT_EQ(member.Stop(0), 1) << ReadText(err_path);
  EXPECT_THAT(ReadText(err_path), HasSubstr("error: NOT_FOUND: "));
  CommandResult gone = Ctl({"consumers", "get", "orders"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_THAT(gone.err, HasSubstr("error: NOT_FOUND: no consumer \"orders\""));
  EXPECT_EQ(gone.out, "");
  CommandResult empty = Ctl({"consumers", "list"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");
}

TEST_F(ConsumerCliTest, AMemberKilledWhileHoldingEventsLeavesThemToTheNextMember) {
  ASSERT_EQ(Ctl({"consumers", "create", "jobs", "--start", "earliest"}).exit_code, 0);
  for (int n = 1; n <= 5; ++n) Post(n);
  // A member that takes the events and never acknowledges them, killed.
  const std::string out = dir_ + "/holder.out", err = dir_ + "/holder.err";
  std::vector<std::string> holder = {
      BinaryPath("hookbridge-tail"), "--consumer", "jobs", "--member", "holder", "--no-ack"};
  BackgroundCommand killed(holder, Env(), out, err);
  ASSERT_TRUE(Eventually([&] { return ParseLines<v1::ConsumedEvent>(ReadText(out)).size() == 5; }))
      << ReadText(err);
  EXPECT_EQ(killed.Stop(SIGKILL), 128 + SIGKILL);
  // Its connection is gone: the next member gets all five again at once,
  // each as a second delivery.
  CommandResult next = Tail({"--consumer", "jobs", "--member", "next", "--count", "5"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  std::vector<v1::ConsumedEvent> events = ParseLines<v1::ConsumedEvent>(next.out);
  EXPECT_THAT(Sequences(events), ElementsAre(1, 2, 3, 4, 5));
  for (const v1::ConsumedEvent& e : events)
    EXPECT_EQ(e.delivery_attempt(), 2u) << e.ShortDebugString();
  EXPECT_EQ(Get("jobs").ack_floor(), 5u);
}

TEST_F(ConsumerCliTest, UsageErrorsExit2AndRefusalsExit1) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"consumers"},
           {"consumers", "create"},
           {"consumers", "frobnicate", "x"},
           {"widgets", "list"},
           {"consumers", "seek", "orders", "soon"},
           {"consumers", "create", "orders", "--start", "yesterday"},
           {"consumers", "create", "orders", "--ordering", "random"},
           {"consumers", "create", "orders", "--ack-deadline", "-1s"},
           {"consumers", "get", "orders", "--types", "a"},
           {"dead-letters", "list", "orders", "--limit", "many"},
           {"dead-letters", "redrive", "orders", "x"},
           {"consumers", "list", "--bogus"},
       }) {
    CommandResult r = Ctl(args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(args, " ") << ": " << r.err;
  }
  CommandResult tail = Tail({"--consumer", "orders", "--types", "comment.*"});
  EXPECT_EQ(tail.exit_code, 2) << tail.err;
  EXPECT_THAT(tail.err, HasSubstr("--types does not go with --consumer"));
  CommandResult member = Tail({"--member", "m", "--earliest"});
  EXPECT_EQ(member.exit_code, 2) << member.err;

  // An unknown consumer; one whose name the server refuses.
  CommandResult unknown = Tail({"--consumer", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("error: NOT_FOUND: "));
  EXPECT_THAT(unknown.err, ::testing::Not(HasSubstr("consuming:")));
  CommandResult invalid = Ctl({"consumers", "create", "Not A Name"});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_THAT(invalid.err, HasSubstr("error: INVALID_ARGUMENT: "));
}

}  // namespace
}  // namespace hookbridge::testing
