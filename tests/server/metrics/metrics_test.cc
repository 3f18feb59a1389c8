#include "server/metrics/metrics.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/build_info.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The value of the sample written exactly as `series` in `text`, or -1.
double Sample(const std::string& text, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::ConsumePrefix(&line, series + " ")) continue;
    double value = -1;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return -1;
}

TEST(MetricsTest, BuildInfoSaysWhatTheBinaryWasBuiltFrom) {
  Metrics metrics({});
  const std::string text = metrics.Serialize(LogStats(), 0);
  ASSERT_FALSE(std::string(BuildVersion()).empty());
  ASSERT_FALSE(std::string(BuildRevision()).empty());
  EXPECT_EQ(Sample(text, absl::StrCat("hookbridge_build_info{revision=\"", BuildRevision(),
                                      "\",version=\"", BuildVersion(), "\"}")),
            1);
  EXPECT_THAT(text, HasSubstr("# TYPE hookbridge_build_info gauge"));
}

TEST(MetricsTest, ProcessMetricsAreInEveryScrape) {
  Metrics metrics({});
  const std::string text = metrics.Serialize(LogStats(), 0);
  EXPECT_THAT(text, HasSubstr("# TYPE process_cpu_seconds_total counter"));
  EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 0);
  EXPECT_GT(Sample(text, "process_open_fds"), 0);
  EXPECT_GT(Sample(text, "process_max_fds"), 0);
  EXPECT_GT(Sample(text, "process_start_time_seconds"), 0);
  EXPECT_GE(Sample(text, "process_virtual_memory_bytes"),
            Sample(text, "process_resident_memory_bytes"));
  EXPECT_GE(Sample(text, "process_cpu_seconds_total"), 0);
}

TEST(MetricsTest, ConsumerLagIsReportedPerConsumerBesideTheSubscribersMaxLag) {
  Metrics metrics({});
  Metrics::ConsumerReport search;
  search.name = "search";
  search.lag = 7;
  Metrics::ConsumerReport audit;
  audit.name = "audit";
  audit.lag = 0;
  std::string text = metrics.Serialize(LogStats(), 12, {search, audit});
  EXPECT_EQ(Sample(text, "hookbridge_consumer_lag_events{consumer=\"search\"}"), 7);
  EXPECT_EQ(Sample(text, "hookbridge_consumer_lag_events{consumer=\"audit\"}"), 0);
  EXPECT_EQ(Sample(text, "hookbridge_subscriber_max_lag_events"), 12);

  // A scrape after the consumer moved, and after one was deleted.
  search.lag = 3;
  text = metrics.Serialize(LogStats(), 0, {search});
  EXPECT_EQ(Sample(text, "hookbridge_consumer_lag_events{consumer=\"search\"}"), 3);
  EXPECT_THAT(text, Not(HasSubstr("consumer=\"audit\"")));
  EXPECT_EQ(Sample(text, "hookbridge_subscriber_max_lag_events"), 0);
}

}  // namespace
}  // namespace hookbridge
