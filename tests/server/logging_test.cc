#include "server/logging.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// What a LogThrottle wrote: each line as "message field=value ...".
class Lines {
 public:
  LogThrottle::Sink sink() {
    return [this](LogLevel, absl::string_view message,
                  const std::vector<std::pair<std::string, LogValue>>& fields) {
      std::string line(message);
      for (const auto& [name, value] : fields) absl::StrAppend(&line, " ", name, "=", value.text);
      lines_.push_back(std::move(line));
    };
  }
  std::vector<std::string> Take() { return std::exchange(lines_, {}); }

 private:
  std::vector<std::string> lines_;
};

TEST(LogThrottleTest, WritesAtMostPerSecondLinesPerKeyAndSummarizesTheRest) {
  Lines lines;
  LogThrottle throttle(LogLevel::kInfo, "webhook rejected", 2, lines.sink());
  for (int i = 0; i < 5; ++i) {
    throttle.Log(kT0 + absl::Milliseconds(100 * i), {{"source", "a"}, {"outcome", "bad"}},
                 {{"reason", absl::StrCat("r", i)}});
  }
  throttle.Log(kT0, {{"source", "b"}, {"outcome", "bad"}}, {{"reason", "x"}});
  EXPECT_THAT(lines.Take(), ElementsAre("webhook rejected source=a outcome=bad reason=r0",
                                        "webhook rejected source=a outcome=bad reason=r1",
                                        "webhook rejected source=b outcome=bad reason=x"));
  throttle.Flush(kT0 + absl::Milliseconds(500));
  EXPECT_THAT(lines.Take(), ElementsAre("similar log lines suppressed source=a outcome=bad "
                                        "message=webhook rejected suppressed=3"));
  // Nothing new left out: no summary.
  throttle.Flush(kT0 + absl::Milliseconds(600));
  EXPECT_THAT(lines.Take(), IsEmpty());

  // A second after the window began, a new one.
  throttle.Log(kT0 + absl::Seconds(1), {{"source", "a"}, {"outcome", "bad"}}, {{"reason", "r5"}});
  EXPECT_THAT(lines.Take(), ElementsAre("webhook rejected source=a outcome=bad reason=r5"));
}

TEST(LogThrottleTest, ClockSteppingBackStartsANewWindow) {
  Lines lines;
  LogThrottle throttle(LogLevel::kInfo, "m", 1, lines.sink());
  throttle.Log(kT0, {{"k", "v"}});
  throttle.Log(kT0 + absl::Milliseconds(10), {{"k", "v"}});
  throttle.Log(kT0 - absl::Hours(1), {{"k", "v"}});
  EXPECT_THAT(lines.Take(), ElementsAre("m k=v", "m k=v"));
}

TEST(LogThrottleTest, LinesBelowTheLogLevelAreNeitherWrittenNorCounted) {
  Lines lines;
  LogThrottle throttle(LogLevel::kDebug, "m", 1, lines.sink());
  for (int i = 0; i < 3; ++i) throttle.Log(kT0, {{"k", "v"}});
  throttle.Flush(kT0);
  EXPECT_THAT(lines.Take(), IsEmpty());  // the default level is info
}

}  // namespace
}  // namespace hookbridge
