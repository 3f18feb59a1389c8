// The example clients in clients/ (Python, Node.js, Go), run the way a user
// runs them, against the real hookbridge: each subscribes with a type filter,
// prints exactly the matching events as JSON lines, saves its cursor, resumes
// exactly after it when restarted, and reports an error status with the
// server's resume trailer. (The C++ hookbridge-tail is covered by TailTest.)
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kSecret[] = "clients-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

// A CKEditor event of type `type` about document `doc`, with comment "c-<n>";
// `n` also makes the delivery unique.
std::string Body(const std::string& type, const std::string& doc, int n) {
  return absl::StrCat(
      R"({"event":")", type, R"(","environment_id":"environment-1","payload":{"document":{"id":")",
      doc, R"("},"comment":{"id":"c-)", n, R"(","content":"text )", n,
      R"(","created_at":"2019-05-29T08:17:53.450Z","thread_id":"t-1","user":{"id":"u-1"}}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

// Where the build puts generated client code: build/clients/<language>
// (HOOKBRIDGE_BIN_DIR is build/bin).
std::string ClientBuildDir(const std::string& language) {
  return (std::filesystem::path(HOOKBRIDGE_BIN_DIR).parent_path() / "clients" / language).string();
}

std::string SourcePath(const std::string& relative) {
  return std::string(HOOKBRIDGE_SOURCE_DIR) + "/" + relative;
}

// One printed event: the JSON line parsed (every client prints valid JSON
// with proto field names; the payload's representation is the language's).
struct PrintedEvent {
  std::string line;
  google::protobuf::Struct json;

  std::string Field(const std::string& name) const {
    auto it = json.fields().find(name);
    return it == json.fields().end() ? "" : it->second.string_value();
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
        << "not a JSON object: " << line;
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
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return std::string(absl::StripAsciiWhitespace(text.str()));
}

// Fixture per client language (the test parameter: python, node, go). Each
// test has its own server and temporary directory, so tests run in parallel.
class ClientsTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    PrepareClient();
    if (HasFatalFailure()) return;
    char dir[] = "/tmp/hookbridge-clients-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    cursor_ = dir_ + "/events.cursor";
    process_ = HookbridgeProcess::Start(CkeditorConfig(kSecret));
    ASSERT_NE(process_, nullptr);
    http_ = std::make_unique<HttpClient>(process_->http_port());
  }

  void TearDown() override {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Generates stubs / builds the client if the build has not (the scripts do
  // nothing when their output is up to date).
  void PrepareClient() {
    const std::string& language = GetParam();
    if (language == "python") {
      CommandResult r =
          RunCommand({SourcePath("clients/python/generate.sh"), ClientBuildDir("python")});
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    } else if (language == "go") {
      CommandResult r = RunCommand({SourcePath("clients/go/build.sh"), ClientBuildDir("go")});
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    } else if (language == "node") {
      ASSERT_TRUE(std::filesystem::exists(SourcePath("clients/node/node_modules/@grpc/grpc-js")))
          << "clients/node has no node_modules: run scripts/setup.sh (npm ci there)";
    } else {
      FAIL() << "unknown client " << language;
    }
  }

  // Runs the client with `args` plus the target and this test's cursor
  // file; a client that hangs is stopped after 30 s (exit code 124).
  CommandResult RunClient(const std::vector<std::string>& args) {
    const std::string& language = GetParam();
    std::vector<std::string> argv = {"/usr/bin/timeout", "30"};
    std::map<std::string, std::string> env = {{"HOOKBRIDGE_TOKEN", kTestToken}};
    if (language == "python") {
      argv.insert(argv.end(), {"/usr/bin/python3", SourcePath("clients/python/subscriber.py")});
      env["PYTHONPATH"] = ClientBuildDir("python");
    } else if (language == "node") {
      argv.insert(argv.end(), {"/usr/bin/env", "node", SourcePath("clients/node/subscriber.js")});
    } else {
      argv.push_back(ClientBuildDir("go") + "/bin/hookbridge-subscriber");
    }
    argv.insert(argv.end(), {"--target", process_->grpc_target(), "--cursor", cursor_});
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, env);
  }

  void Post(const std::string& type, const std::string& doc, int n) {
    HttpResponse response = http_->PostSigned(kPath, Body(type, doc, n), kSecret);
    ASSERT_EQ(response.status, 200) << response.body;
    ASSERT_THAT(response.body, HasSubstr(absl::StrCat("\"sequence\":", n)));
  }

  std::string dir_;
  std::string cursor_;
  std::unique_ptr<HookbridgeProcess> process_;
  std::unique_ptr<HttpClient> http_;
};

TEST_P(ClientsTest, PrintsFilteredEventsSavesCursorAndResumesAfterIt) {
  // Sequence n is event n; `comment.*` matches 1, 3, 5 (not commentthread.*).
  Post("comment.added", "doc-1", 1);
  Post("suggestion.added", "doc-2", 2);
  Post("comment.updated", "doc-3", 3);
  Post("commentthread.added", "doc-4", 4);
  Post("comment.removed", "doc-5", 5);

  CommandResult first = RunClient({"--types", "comment.*", "--earliest", "--count", "3"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
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

  Post("comment.added", "doc-6", 6);
  Post("suggestion.added", "doc-7", 7);
  Post("comment.updated", "doc-8", 8);

  // A restart resumes after the cursor: --earliest only applies without one.
  CommandResult second = RunClient({"--types", "comment.*", "--earliest", "--count", "2"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("after sequence 5"));  // hookbridge-start-after
  std::vector<PrintedEvent> resumed = ParseLines(second.out);
  EXPECT_THAT(Sequences(resumed), ElementsAre("6", "8")) << second.out;
  EXPECT_EQ(ReadCursor(cursor_), "8");
}

TEST_P(ClientsTest, ReportsErrorStatusWithResumeTrailer) {
  // A cursor beyond the end of the log: OUT_OF_RANGE, and the cursor stays.
  Post("comment.added", "doc-1", 1);
  Post("suggestion.added", "doc-2", 2);
  std::ofstream(cursor_) << "50\n";  // a temporary: written and closed here
  CommandResult beyond = RunClient({"--types", "comment.*"});
  EXPECT_EQ(beyond.exit_code, 1) << beyond.err;
  EXPECT_THAT(beyond.err, HasSubstr("OUT_OF_RANGE"));
  EXPECT_THAT(beyond.err, HasSubstr("beyond the last sequence"));
  EXPECT_EQ(beyond.out, "");
  EXPECT_EQ(ReadCursor(cursor_), "50");

  // A server shutting down ends the stream with UNAVAILABLE and the
  // position to resume from: 1 (the last event sent) or 2 (also scanned).
  std::filesystem::remove(cursor_);
  CommandResult streaming;
  std::thread client([&] { streaming = RunClient({"--types", "comment.*", "--earliest"}); });
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (ReadCursor(cursor_) != "1" && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(ReadCursor(cursor_), "1");
  EXPECT_EQ(process_->Stop(SIGTERM), 0) << process_->Stderr();
  client.join();
  EXPECT_EQ(streaming.exit_code, 1) << streaming.err;
  EXPECT_THAT(streaming.err, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(streaming.err, ContainsRegex("hookbridge-resume-after: [12]\\)"));
  EXPECT_THAT(Sequences(ParseLines(streaming.out)), ElementsAre("1"));
  EXPECT_EQ(ReadCursor(cursor_), "1");
}

INSTANTIATE_TEST_SUITE_P(Clients, ClientsTest, ::testing::Values("python", "node", "go"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace hookbridge::testing
