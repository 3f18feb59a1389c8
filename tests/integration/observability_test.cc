// What Prometheus on Kubernetes sees of the process itself, from the real
// binary: hookbridge_build_info (the version and the git commit it was
// built from) and the process_* metrics every client library exports.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "observability-secret";
constexpr char kPath[] = "/webhooks/ckeditor";

std::string Scrape(int admin_port) {
  HttpClient admin(admin_port);
  HttpResponse response = admin.Send("GET", "/metrics");
  EXPECT_EQ(response.status, 200);
  return response.body;
}

// The labels of the first sample of `metric` in `text` ({} if none), e.g.
// {"revision", "..."}, {"version", "..."}.
std::map<std::string, std::string> Labels(const std::string& text, const std::string& metric) {
  std::map<std::string, std::string> labels;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, metric + "{")) continue;
    line = line.substr(0, line.find('}'));
    for (absl::string_view pair : absl::StrSplit(line, ',', absl::SkipEmpty())) {
      std::vector<std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
      if (kv.size() == 2)
        labels[kv[0]] = std::string(absl::StripSuffix(absl::StripPrefix(kv[1], "\""), "\""));
    }
    break;
  }
  return labels;
}

// The commit the sources are at, as the build saw it: "unknown" outside a
// git checkout.
std::string SourceRevision() {
  CommandResult git = RunCommand(
      {"/bin/sh", "-c",
       absl::StrCat("git -C '", HOOKBRIDGE_SOURCE_DIR, "' rev-parse --verify --quiet HEAD")});
  const std::string revision(absl::StripAsciiWhitespace(git.out));
  return git.exit_code == 0 && !revision.empty() ? revision : "unknown";
}

TEST(ObservabilityTest, BuildInfoNamesTheVersionAndTheCommitBuilt) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret));
  ASSERT_NE(process, nullptr);
  const std::string text = Scrape(process->admin_port());
  EXPECT_THAT(text, HasSubstr("# TYPE hookbridge_build_info gauge"));
  const std::map<std::string, std::string> labels = Labels(text, "hookbridge_build_info");
  ASSERT_EQ(labels.size(), 2u) << text;
  const std::string& version = labels.at("version");
  const std::string& revision = labels.at("revision");
  EXPECT_EQ(version, HOOKBRIDGE_PROJECT_VERSION);
  // Built in a checkout: the commit of HEAD (after a new commit, rebuild
  // before testing); otherwise "unknown".
  EXPECT_EQ(revision, SourceRevision());
  EXPECT_EQ(
      MetricValue(process->admin_port(), absl::StrCat("hookbridge_build_info{revision=\"", revision,
                                                      "\",version=\"", version, "\"}")),
      1);

  // The same in --version and in the start-up line.
  CommandResult printed = RunCommand({BinaryPath("hookbridge"), "--version"});
  EXPECT_EQ(printed.exit_code, 0);
  EXPECT_EQ(printed.out, absl::StrCat("hookbridge ", version, " (revision ", revision, ")\n"));
  EXPECT_THAT(process->Stderr(), HasSubstr(absl::StrCat("\"revision\":\"", revision, "\"")));
}

}  // namespace
}  // namespace hookbridge::testing
