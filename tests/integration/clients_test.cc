// The client libraries in clients/ (C++, Python, Node.js, Go), each through
// the CLI it ships (clients/README.md), run the way a user runs them against
// the real hookbridge: filters, a file cursor and resuming after it; the
// server stopped with SIGTERM and started again mid-stream while events
// keep arriving, the client reconnecting by itself with no gap and no
// duplicate; TLS with a custom CA and a token; a 5 MiB event (past gRPC's
// default receive limit) received, and one over the server's maximum
// refused with 413 and never seen; errors retrying cannot fix reported as
// `error: CODE: message` with exit status 1; durable consumers (--consumer):
// two members sharing one, each event acknowledged once, nacks bringing an
// event back until it is a dead letter, an unknown consumer NOT_FOUND.
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"
#include "tests/integration/raw_connection.h"

namespace hookbridge::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "clients-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// A CKEditor event of type `type` about document `doc`, with comment "c-<n>"
// whose content is `content` (default "text <n>"); `n` also makes the
// delivery unique.
std::string Body(const std::string& type, const std::string& doc, int n,
                 const std::string& content = "") {
  return absl::StrCat(
      R"({"event":")", type, R"(","environment_id":"environment-1","payload":{"document":{"id":")",
      doc, R"("},"comment":{"id":"c-)", n, R"(","content":")",
      content.empty() ? absl::StrCat("text ", n) : content,
      R"(","created_at":"2019-05-29T08:17:53.450Z","thread_id":"t-1","user":{"id":"u-1"}}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

// Where the build puts a client's prepared files: build/clients/<language>
// (HOOKBRIDGE_BIN_DIR is build/bin).
std::string ClientBuildDir(const std::string& language) {
  return (std::filesystem::path(HOOKBRIDGE_BIN_DIR).parent_path() / "clients" / language).string();
}

std::string SourcePath(const std::string& relative) {
  return std::string(HOOKBRIDGE_SOURCE_DIR) + "/" + relative;
}

// One printed event: the JSON line parsed (every client prints the
// protobuf JSON mapping with proto field names).
struct PrintedEvent {
  std::string line;
  google::protobuf::Struct json;

  std::string Field(const std::string& name) const {
    auto it = json.fields().find(name);
    if (it == json.fields().end()) return "";
    // uint64 is a string in the JSON mapping; some printers write a number.
    if (it->second.has_number_value()) {
      return absl::StrCat(static_cast<uint64_t>(it->second.number_value()));
    }
    return it->second.string_value();
  }
  // The value at a path of object keys, e.g. {"ckeditor", "comment_added"}.
  const google::protobuf::Value* At(const std::vector<std::string>& path) const {
    const google::protobuf::Struct* object = &json;
    const google::protobuf::Value* value = nullptr;
    for (const std::string& key : path) {
      if (object == nullptr) return nullptr;
      auto it = object->fields().find(key);
      if (it == object->fields().end()) return nullptr;
      value = &it->second;
      object = value->has_struct_value() ? &value->struct_value() : nullptr;
    }
    return value;
  }
};

std::vector<PrintedEvent> ParseLines(const std::string& out) {
  std::vector<PrintedEvent> events;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    PrintedEvent event{std::string(line), {}};
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &event.json).ok())
        << "not a JSON object: " << line.substr(0, 200);
    events.push_back(std::move(event));
  }
  return events;
}

std::vector<std::string> Sequences(const std::vector<PrintedEvent>& events) {
  std::vector<std::string> out;
  for (const PrintedEvent& e : events) out.push_back(e.Field("sequence"));
  return out;
}

// The cursor file's content without the trailing newline ("" if missing).
std::string ReadCursor(const std::string& path) {
  return std::string(absl::StripAsciiWhitespace(ReadText(path)));
}

// Lines of `text` that are complete (end with a newline).
int CompleteLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// Fixture per client language (the test parameter). Each test has its own
// server and temporary directory, so tests run in parallel.
class ClientsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    PrepareClient();
    if (HasFatalFailure()) return;
    char dir[] = "/tmp/hookbridge-clients-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    cursor_ = dir_ + "/events.cursor";
  }

  void TearDown() override {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Builds the client if the build has not (the scripts do nothing when
  // their output is up to date).
  void PrepareClient() {
    const std::string& language = GetParam();
    if (language == "cpp") return;  // hookbridge-tail, part of the build
    CommandResult r =
        RunCommand({SourcePath("clients/" + language + "/build.sh"), ClientBuildDir(language)});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  // The CLI's command line: the program, the target and this test's
  // cursor file, then `args`.
  std::vector<std::string> Command(const std::string& target,
                                   const std::vector<std::string>& args) const {
    const std::string& language = GetParam();
    std::vector<std::string> argv;
    if (language == "cpp") {
      argv.push_back(BinaryPath("hookbridge-tail"));
    } else if (language == "python") {
      argv.push_back(ClientBuildDir("python") + "/venv/bin/hookbridge-subscribe");
    } else if (language == "node") {
      argv.push_back(ClientBuildDir("node") + "/bin/hookbridge-subscribe");
    } else {
      argv.push_back(ClientBuildDir("go") + "/bin/hookbridge-subscribe");
    }
    argv.insert(argv.end(), {"--target", target, "--cursor", cursor_});
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // The CLI consuming durable consumer `consumer` as member `member`
  // (--consumer mode: no cursor, no filter), then `args`.
  std::vector<std::string> ConsumeCommand(const std::string& target, const std::string& consumer,
                                          const std::string& member,
                                          const std::vector<std::string>& args) const {
    std::vector<std::string> argv = Command(target, {});
    argv.resize(argv.size() - 2);  // no --cursor
    argv.insert(argv.end(), {"--consumer", consumer, "--member", member});
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // Runs `argv` to its end with the test token; one that hangs is stopped
  // after 60 s (exit code 124).
  CommandResult RunArgv(const std::vector<std::string>& command) {
    std::vector<std::string> argv = {"/usr/bin/timeout", "60"};
    argv.insert(argv.end(), command.begin(), command.end());
    return RunCommand(argv, {{"HOOKBRIDGE_TOKEN", kTestToken}});
  }

  // Runs the CLI to its end; one that hangs is stopped after 60 s (exit
  // code 124).
  CommandResult RunClient(const std::string& target, const std::vector<std::string>& args,
                          const std::string& token = kTestToken) {
    std::vector<std::string> argv = {"/usr/bin/timeout", "60"};
    for (std::string& a : Command(target, args)) argv.push_back(std::move(a));
    std::map<std::string, std::string> env;
    if (!token.empty()) env["HOOKBRIDGE_TOKEN"] = token;
    return RunCommand(argv, env);
  }

  // Starts the CLI in the background, output to out_path() / err_path().
  std::unique_ptr<BackgroundCommand> StartClient(const std::string& target,
                                                 const std::vector<std::string>& args) {
    return std::make_unique<BackgroundCommand>(
        Command(target, args), std::map<std::string, std::string>{{"HOOKBRIDGE_TOKEN", kTestToken}},
        out_path(), err_path());
  }
  std::string out_path() const { return dir_ + "/client.out"; }
  std::string err_path() const { return dir_ + "/client.err"; }

  std::string dir_;
  std::string cursor_;
};

void Post(HttpClient& http, const std::string& type, const std::string& doc, int n) {
  HttpResponse response = http.PostSigned(kPath, Body(type, doc, n), kSecret);
  ASSERT_EQ(response.status, 200) << response.body;
  ASSERT_THAT(response.body, HasSubstr(absl::StrCat("\"sequence\":", n)));
}

TEST_P(ClientsTest, PrintsFilteredEventsSavesCursorAndResumesAfterIt) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  // Sequence n is event n; `comment.*` matches 1, 3, 5 (not commentthread.*).
  Post(http, "comment.added", "doc-1", 1);
  Post(http, "suggestion.added", "doc-2", 2);
  Post(http, "comment.updated", "doc-3", 3);
  Post(http, "commentthread.added", "doc-4", 4);
  Post(http, "comment.removed", "doc-5", 5);

  CommandResult first =
      RunClient(process->grpc_target(), {"--types", "comment.*", "--earliest", "--count", "3"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr("subscribed: streaming events after sequence 0"));
  std::vector<PrintedEvent> events = ParseLines(first.out);
  ASSERT_THAT(Sequences(events), ElementsAre("1", "3", "5")) << first.out;
  EXPECT_EQ(events[0].Field("type"), "comment.added");
  EXPECT_EQ(events[1].Field("type"), "comment.updated");
  EXPECT_EQ(events[2].Field("type"), "comment.removed");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].Field("source"), "ckeditor") << events[i].line;
    EXPECT_EQ(events[i].Field("subject"), absl::StrCat("doc-", 2 * i + 1)) << events[i].line;
    EXPECT_EQ(events[i].Field("environment_id"), "environment-1") << events[i].line;
  }
  // The payload arrived typed: the comment's own fields, by name.
  const google::protobuf::Value* comment_id =
      events[0].At({"ckeditor", "comment_added", "comment", "id"});
  ASSERT_NE(comment_id, nullptr) << events[0].line;
  EXPECT_EQ(comment_id->string_value(), "c-1");
  EXPECT_EQ(ReadCursor(cursor_), "5");

  Post(http, "comment.added", "doc-6", 6);
  Post(http, "suggestion.added", "doc-7", 7);
  Post(http, "comment.updated", "doc-8", 8);

  // A restart resumes after the cursor: --earliest only applies without one.
  CommandResult second =
      RunClient(process->grpc_target(), {"--types", "comment.*", "--earliest", "--count", "2"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("subscribed: streaming events after sequence 5"));
  std::vector<PrintedEvent> resumed = ParseLines(second.out);
  EXPECT_THAT(Sequences(resumed), ElementsAre("6", "8")) << second.out;
  EXPECT_EQ(ReadCursor(cursor_), "8");
}

TEST_P(ClientsTest, ErrorsRetryingCannotFixEndWithAnErrorLine) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  Post(http, "comment.added", "doc-1", 1);
  Post(http, "suggestion.added", "doc-2", 2);

  // A cursor beyond the end of the log: OUT_OF_RANGE, and the cursor stays.
  std::ofstream(cursor_) << "50\n";  // a temporary: written and closed here
  CommandResult beyond = RunClient(process->grpc_target(), {"--types", "comment.*"});
  EXPECT_EQ(beyond.exit_code, 1) << beyond.err;
  EXPECT_THAT(beyond.err, ContainsRegex("error: OUT_OF_RANGE: [^\n]*beyond the last sequence"));
  EXPECT_EQ(beyond.out, "");
  EXPECT_EQ(ReadCursor(cursor_), "50");

  // An unknown token: UNAUTHENTICATED, without retrying.
  std::filesystem::remove(cursor_);
  CommandResult stranger = RunClient(process->grpc_target(), {"--earliest"}, "not-a-token");
  EXPECT_EQ(stranger.exit_code, 1) << stranger.err;
  EXPECT_THAT(stranger.err, HasSubstr("error: UNAUTHENTICATED: "));
  EXPECT_THAT(stranger.err, Not(HasSubstr("reconnecting")));
  EXPECT_EQ(stranger.out, "");
}

TEST_P(ClientsTest, ResumesByItselfAcrossAServerRestartWithoutGapOrDuplicate) {
  const std::string log = absl::StrCat("log: { backend: file, dir: \"", dir_, "/log\" }\n");
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret, log));
  ASSERT_NE(process, nullptr);
  // The restarted server listens where the first one did.
  const std::string fixed = absl::StrCat(
      "http: { listen: \"127.0.0.1:", process->http_port(), "\" }\n",
      "grpc: { listen: \"127.0.0.1:", process->grpc_port(), "\", heartbeat_interval: 1s }\n",
      "admin: { listen: \"127.0.0.1:0\" }\n", log,
      "sources:\n  - name: ckeditor\n    provider: ckeditor-cloud-services\n    secrets: [\"",
      kSecret, "\"]\n");
  const std::string target = process->grpc_target();
  auto client = StartClient(target, {"--types", "comment.*", "--earliest"});
  {
    HttpClient http(process->http_port());
    // Events keep arriving: the client is mid-stream when the server stops.
    for (int n = 1; n <= 10; ++n)
      Post(http, n % 3 == 0 ? "suggestion.added" : "comment.added", "doc", n);
    ASSERT_TRUE(Eventually([&] { return CompleteLines(ReadText(out_path())) >= 4; }))
        << ReadText(err_path());
  }
  EXPECT_EQ(process->Stop(SIGTERM), 0) << process->Stderr();
  process.reset();
  process = HookbridgeProcess::Start(fixed);
  ASSERT_NE(process, nullptr) << "could not restart on the same ports";
  HttpClient http(process->http_port());
  for (int n = 11; n <= 20; ++n)
    Post(http, n % 3 == 0 ? "suggestion.added" : "comment.added", "doc", n);
  // Every comment.* event of 1..20 (not the multiples of 3), once each.
  std::vector<std::string> expected;
  for (int n = 1; n <= 20; ++n) {
    if (n % 3 != 0) expected.push_back(absl::StrCat(n));
  }
  const int want = static_cast<int>(expected.size());
  ASSERT_TRUE(Eventually([&] { return CompleteLines(ReadText(out_path())) >= want; }))
      << ReadText(out_path()) << ReadText(err_path());
  EXPECT_TRUE(Eventually([&] {
    return ReadCursor(cursor_) == "20" || ReadCursor(cursor_) == "19";
  })) << ReadCursor(cursor_);
  EXPECT_EQ(client->Stop(SIGTERM), 0) << ReadText(err_path());
  EXPECT_EQ(Sequences(ParseLines(ReadText(out_path()))), expected) << ReadText(err_path());
  const std::string err = ReadText(err_path());
  EXPECT_THAT(err, ContainsRegex("reconnecting in [0-9]+ ms: UNAVAILABLE"));
  // Subscribed twice: to each server.
  std::vector<std::string> subscribed;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (absl::StartsWith(line, "subscribed: ")) subscribed.emplace_back(line);
  }
  EXPECT_EQ(subscribed.size(), 2u) << err;
}

TEST_P(ClientsTest, TlsWithACustomCaAndAToken) {
  TestPki pki;
  TestCertificate ca = pki.AddCa("clients-ca");
  TestCertificate server = pki.Issue(ca, "hookbridge", TestPki::Kind::kServer, "5001");
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "", "",
                     absl::StrCat("tls: { cert_file: \"", server.cert_file, "\", key_file: \"",
                                  server.key_file, "\" }")));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  Post(http, "comment.added", "doc-1", 1);
  const std::string target = absl::StrCat("localhost:", process->grpc_port());

  CommandResult secure = RunClient(target, {"--ca", ca.cert_file, "--earliest", "--count", "1"});
  ASSERT_EQ(secure.exit_code, 0) << secure.err;
  EXPECT_THAT(Sequences(ParseLines(secure.out)), ElementsAre("1"));

  // Over TLS, but without a token: refused, not retried.
  std::filesystem::remove(cursor_);
  CommandResult anonymous = RunClient(target, {"--ca", ca.cert_file, "--earliest"}, "");
  EXPECT_EQ(anonymous.exit_code, 1) << anonymous.err;
  EXPECT_THAT(anonymous.err, HasSubstr("error: UNAUTHENTICATED: "));
  EXPECT_EQ(anonymous.out, "");
}

TEST_P(ClientsTest, ReceivesA5MiBEventAndNeverOneOverTheMaximum) {
  auto process = HookbridgeProcess::Start(
      CkeditorConfig(kSecret, "", "max_body_bytes: 10MiB", "max_event_bytes: 12MiB"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  const std::string big(5 << 20, 'b');
  ASSERT_EQ(http.PostSigned(kPath, Body("comment.added", "big", 1, big), kSecret).status, 200);
  // Twice 7 MiB (raw body and payload) is over 12 MiB.
  HttpResponse refused =
      http.PostSigned(kPath, Body("comment.added", "huge", 2, std::string(7 << 20, 'h')), kSecret);
  EXPECT_EQ(refused.status, 413) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("grpc.max_event_bytes"));
  HttpResponse after = http.PostSigned(kPath, Body("comment.added", "after", 3), kSecret);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_THAT(after.body, HasSubstr("\"sequence\":2"));

  CommandResult client =
      RunClient(process->grpc_target(), {"--earliest", "--include-raw", "--count", "2"});
  ASSERT_EQ(client.exit_code, 0) << client.err.substr(0, 2000);
  std::vector<PrintedEvent> events = ParseLines(client.out);
  ASSERT_THAT(Sequences(events), ElementsAre("1", "2"));
  const google::protobuf::Value* content =
      events[0].At({"ckeditor", "comment_added", "comment", "content"});
  ASSERT_NE(content, nullptr);
  EXPECT_EQ(content->string_value().size(), big.size());
  EXPECT_EQ(events[1].Field("subject"), "after");
}

std::string LanguageName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// ---- durable consumers (--consumer) ------------------------------------

// The `event` object of a printed ConsumedEvent line, and its attempt.
struct Consumed {
  PrintedEvent event;
  int attempt = 0;
};

std::vector<Consumed> ParseConsumed(const std::string& out) {
  std::vector<Consumed> out_events;
  for (const PrintedEvent& line : ParseLines(out)) {
    Consumed c;
    auto event = line.json.fields().find("event");
    EXPECT_NE(event, line.json.fields().end()) << line.line;
    if (event != line.json.fields().end()) c.event.json = event->second.struct_value();
    c.event.line = line.line;
    auto attempt = line.json.fields().find("delivery_attempt");
    if (attempt != line.json.fields().end()) {
      c.attempt = attempt->second.has_number_value()
                      ? static_cast<int>(attempt->second.number_value())
                      : std::atoi(attempt->second.string_value().c_str());
    }
    out_events.push_back(std::move(c));
  }
  return out_events;
}

TEST_P(ClientsTest, TwoMembersConsumeADurableConsumerEachEventAcknowledgedOnce) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(
      kSecret, "consumers:\n  - { name: workers, start: earliest, max_outstanding: 4 }\n"));
  ASSERT_NE(process, nullptr);
  const std::string target = process->grpc_target();
  const std::string a_out = dir_ + "/a.out", a_err = dir_ + "/a.err";
  const std::string b_out = dir_ + "/b.out", b_err = dir_ + "/b.err";
  const std::map<std::string, std::string> env = {{"HOOKBRIDGE_TOKEN", kTestToken}};
  BackgroundCommand a(ConsumeCommand(target, "workers", "member-a", {}), env, a_out, a_err);
  BackgroundCommand b(ConsumeCommand(target, "workers", "member-b", {}), env, b_out, b_err);
  ASSERT_TRUE(Eventually([&] {
    return absl::StrContains(ReadText(a_err), "consuming: workers as member member-a") &&
           absl::StrContains(ReadText(b_err), "consuming: workers as member member-b");
  })) << ReadText(a_err)
      << ReadText(b_err);
  HttpClient http(process->http_port());
  constexpr int kEvents = 40;
  for (int n = 1; n <= kEvents; ++n) Post(http, "comment.added", absl::StrCat("doc-", n), n);
  // Every acknowledgement confirmed: the consumer's ack floor is the last.
  ASSERT_TRUE(Eventually([&] {
    return GetConsumer(target, "workers").ack_floor() == static_cast<uint64_t>(kEvents);
  })) << ReadText(a_err)
      << ReadText(b_err);
  EXPECT_EQ(a.Stop(SIGTERM), 0) << ReadText(a_err);
  EXPECT_EQ(b.Stop(SIGTERM), 0) << ReadText(b_err);
  std::map<std::string, int> printed;
  for (const std::string& out : {a_out, b_out}) {
    for (const Consumed& c : ParseConsumed(ReadText(out))) {
      ++printed[c.event.Field("sequence")];
      EXPECT_EQ(c.attempt, 1) << c.event.line;
      EXPECT_EQ(c.event.Field("type"), "comment.added");
    }
  }
  EXPECT_EQ(printed.size(), static_cast<size_t>(kEvents));
  for (const auto& [sequence, times] : printed) EXPECT_EQ(times, 1) << sequence;
  const v1::Consumer consumer = GetConsumer(target, "workers");
  EXPECT_EQ(consumer.pending(), 0u);
  EXPECT_EQ(consumer.redeliveries(), 0u);
}

TEST_P(ClientsTest, NackedEventsComeBackThenBecomeADeadLetter) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(
      kSecret, "consumers:\n  - { name: fragile, start: earliest, max_deliveries: 2 }\n"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  Post(http, "comment.added", "doc-1", 1);
  // --nack gives every event back: event 1 comes twice, then it is dead.
  CommandResult nacking = RunArgv(
      ConsumeCommand(process->grpc_target(), "fragile", "nacker", {"--nack", "--count", "2"}));
  ASSERT_EQ(nacking.exit_code, 0) << nacking.err;
  std::vector<Consumed> events = ParseConsumed(nacking.out);
  ASSERT_EQ(events.size(), 2u) << nacking.out;
  EXPECT_EQ(events[0].event.Field("sequence"), "1");
  EXPECT_EQ(events[0].attempt, 1);
  EXPECT_EQ(events[1].event.Field("sequence"), "1");
  EXPECT_EQ(events[1].attempt, 2);
  ASSERT_TRUE(Eventually(
      [&] { return GetConsumer(process->grpc_target(), "fragile").dead_letters() == 1; }));
  // The next member gets what comes after, not the dead letter.
  Post(http, "comment.added", "doc-2", 2);
  CommandResult acking =
      RunArgv(ConsumeCommand(process->grpc_target(), "fragile", "acker", {"--count", "1"}));
  ASSERT_EQ(acking.exit_code, 0) << acking.err;
  std::vector<Consumed> next = ParseConsumed(acking.out);
  ASSERT_EQ(next.size(), 1u) << acking.out;
  EXPECT_EQ(next[0].event.Field("sequence"), "2");
  EXPECT_EQ(GetConsumer(process->grpc_target(), "fragile").ack_floor(), 2u);
}

TEST_P(ClientsTest, AnUnknownConsumerEndsWithNotFound) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  CommandResult r = RunArgv(ConsumeCommand(process->grpc_target(), "nobody", "m", {}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("error: NOT_FOUND"));
  // Subscription flags do not go with --consumer.
  CommandResult usage =
      RunArgv(ConsumeCommand(process->grpc_target(), "nobody", "m", {"--types", "comment.*"}));
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

INSTANTIATE_TEST_SUITE_P(Clients, ClientsTest, ::testing::Values("cpp", "python", "node", "go"),
                         LanguageName);

}  // namespace
}  // namespace hookbridge::testing
