#include "server/library_logs.h"

#include <fcntl.h>
#include <grpc/support/log.h>
#include <stdio.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "bridge/library_log.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

using ::testing::IsEmpty;
using ::testing::SizeIs;

// What the process writes to stderr (where every log line goes) between
// construction and Take(), captured in a file.
class StderrCapture {
 public:
  StderrCapture() {
    char path[] = "/tmp/hookbridge-stderr-XXXXXX";
    file_ = mkstemp(path);
    unlink(path);
    saved_ = dup(STDERR_FILENO);
    dup2(file_, STDERR_FILENO);
  }
  ~StderrCapture() { Restore(); }

  // The lines written since construction, as JSON objects (a test failure
  // for a line that is not one).
  std::vector<google::protobuf::Struct> Take() {
    Restore();
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    lseek(file_, 0, SEEK_SET);
    while ((n = read(file_, buffer, sizeof buffer)) > 0) text.append(buffer, n);
    close(file_);
    file_ = -1;
    std::vector<google::protobuf::Struct> lines;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      google::protobuf::Struct json;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &json).ok())
          << "not a JSON line: " << line;
      lines.push_back(json);
    }
    return lines;
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }

  int file_ = -1;
  int saved_ = -1;
};

std::string Field(const google::protobuf::Struct& line, const std::string& key) {
  auto it = line.fields().find(key);
  if (it == line.fields().end()) return "<absent>";
  return it->second.string_value();
}

class LibraryLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RouteLibraryLogs();
    // gRPC core passes on every message (its default, ERROR, is set by
    // grpc_init, which these tests do not need).
    gpr_set_log_verbosity(GPR_LOG_SEVERITY_DEBUG);
  }
  void TearDown() override { SetLogLevel(LogLevel::kInfo); }
};

TEST_F(LibraryLogsTest, GrpcCoreMessagesBecomeJsonLinesWithTheirLevel) {
  StderrCapture capture;
  gpr_log(GPR_ERROR, "Handshake failed with fatal error %s: %s.\n", "SSL_ERROR_SSL", "bad \"x\"");
  gpr_log(GPR_INFO, "an info message");
  const std::vector<google::protobuf::Struct> lines = capture.Take();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(Field(lines[0], "level"), "error");
  EXPECT_EQ(Field(lines[0], "msg"), "Handshake failed with fatal error SSL_ERROR_SSL: bad \"x\".");
  EXPECT_EQ(Field(lines[0], "component"), "grpc");
  EXPECT_THAT(Field(lines[0], "source"), ::testing::MatchesRegex("library_logs_test\\.cc:[0-9]+"));
  EXPECT_EQ(Field(lines[1], "level"), "info");
  EXPECT_EQ(Field(lines[1], "msg"), "an info message");
}

TEST_F(LibraryLogsTest, TheProcessLogLevelAppliesToGrpcCoreMessages) {
  SetLogLevel(LogLevel::kWarn);
  StderrCapture capture;
  gpr_log(GPR_INFO, "below the level");
  gpr_log(GPR_DEBUG, "below the level too");
  EXPECT_THAT(capture.Take(), IsEmpty());
}

TEST_F(LibraryLogsTest, BridgeLibraryMessagesBecomeJsonLinesWithTheirFields) {
  StderrCapture capture;
  LibraryLog(LibraryLogLevel::kWarn, "nats", "nats connection lost; reconnecting",
             {{"connection", "log"}, {"error", ""}});
  LibraryLog(LibraryLogLevel::kError, "nats", "nats client error",
             {{"connection", "consumers"}, {"error", "Slow Consumer"}, {"subject", "a.b"}});
  const std::vector<google::protobuf::Struct> lines = capture.Take();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_EQ(Field(lines[0], "level"), "warn");
  EXPECT_EQ(Field(lines[0], "component"), "nats");
  EXPECT_EQ(Field(lines[0], "msg"), "nats connection lost; reconnecting");
  EXPECT_EQ(Field(lines[0], "connection"), "log");
  EXPECT_EQ(Field(lines[0], "error"), "<absent>");  // nothing known: no field
  EXPECT_EQ(Field(lines[1], "level"), "error");
  EXPECT_EQ(Field(lines[1], "error"), "Slow Consumer");
  EXPECT_EQ(Field(lines[1], "subject"), "a.b");
}

}  // namespace
}  // namespace hookbridge
