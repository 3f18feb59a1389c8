#include "server/console/console.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/metrics/metrics.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ConsoleTest : public ::testing::Test {
 protected:
  ConsoleTest()
      : sources_{{"docs", FindProvider("ckeditor-cloud-services")},
                 {"hub", FindProvider("github")}},
        metrics_(sources_) {}

  Delivery Make(const std::string& source, Outcome outcome, absl::Time at = absl::Now(),
                const std::string& type = "") {
    Delivery d;
    d.source = source;
    d.outcome = outcome;
    d.received_at = at;
    d.type = type;
    return d;
  }

  std::vector<SourceInfo> sources_;
  Metrics metrics_;
};

TEST_F(ConsoleTest, CountsPerSourceSinceStartAndOverTheLastMinute) {
  Console console({}, sources_, &metrics_);
  const absl::Time now = absl::Now();
  console.Record(Make("docs", Outcome::kAccepted, now - absl::Seconds(120)));
  console.Record(Make("docs", Outcome::kAccepted, now - absl::Seconds(30)));
  console.Record(Make("docs", Outcome::kBadSignature, now));
  console.Record(Make("", Outcome::kUnknownSource, now));
  const std::vector<Console::SourceCounts> counts = console.Counts(now);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0].source.name, "docs");
  const size_t accepted = static_cast<size_t>(Outcome::kAccepted);
  const size_t bad = static_cast<size_t>(Outcome::kBadSignature);
  EXPECT_EQ(counts[0].total[accepted], 2u);
  EXPECT_EQ(counts[0].last_minute[accepted], 1u);
  EXPECT_EQ(counts[0].total[bad], 1u);
  EXPECT_EQ(counts[0].last_minute[bad], 1u);
  EXPECT_EQ(counts[1].total[accepted], 0u);
  // A minute later, the minute's counts are gone; the totals stay.
  const std::vector<Console::SourceCounts> later = console.Counts(now + absl::Seconds(61));
  EXPECT_EQ(later[0].last_minute[bad], 0u);
  EXPECT_EQ(later[0].total[bad], 1u);
}

TEST_F(ConsoleTest, ReconfigureAppliesBoundsSourcesAndOnOff) {
  Console console({/*max_deliveries=*/10, /*max_bytes=*/1 << 20, 2048}, sources_, &metrics_);
  for (int i = 0; i < 5; ++i) console.Record(Make("docs", Outcome::kAccepted));
  // Lower bounds shrink the ring at once; a new source is counted, and
  // the counts of one that stays are kept.
  std::vector<SourceInfo> sources = sources_;
  sources.push_back({"added", FindProvider("stripe")});
  console.Reconfigure({/*max_deliveries=*/2, /*max_bytes=*/1 << 20, /*body_preview_bytes=*/16},
                      sources);
  EXPECT_EQ(console.Stats().deliveries, 2u);
  EXPECT_EQ(console.Stats().evicted, 3u);
  EXPECT_EQ(console.body_preview_bytes(), 16u);
  console.Record(Make("added", Outcome::kAccepted));
  const std::vector<Console::SourceCounts> counts = console.Counts(absl::Now());
  ASSERT_EQ(counts.size(), 3u);
  const size_t accepted = static_cast<size_t>(Outcome::kAccepted);
  EXPECT_EQ(counts[0].total[accepted], 5u);
  EXPECT_EQ(counts[2].source.name, "added");
  EXPECT_EQ(counts[2].total[accepted], 1u);
  // Off: reported so, and a live stream is ended.
  auto stream = std::make_shared<HttpStream>(HttpStream::Options{});
  ASSERT_TRUE(console.AddStream(stream, DeliveryQuery{}).ok());
  EXPECT_TRUE(console.enabled());
  Console::Options off;
  off.enabled = false;
  console.Reconfigure(off, sources);
  EXPECT_FALSE(console.enabled());
  EXPECT_TRUE(stream->done());
}

TEST_F(ConsoleTest, RingEvictsTheOldestByCountAndBytes) {
  Console console({/*max_deliveries=*/3, /*max_bytes=*/1 << 20, 2048}, sources_, &metrics_);
  for (int i = 0; i < 5; ++i) console.Record(Make("docs", Outcome::kAccepted));
  Console::RingStats stats = console.Stats();
  EXPECT_EQ(stats.deliveries, 3u);
  EXPECT_EQ(stats.evicted, 2u);
  EXPECT_EQ(stats.last_id, 5u);
  EXPECT_EQ(console.Get(2), nullptr);
  ASSERT_NE(console.Get(3), nullptr);
  EXPECT_EQ(console.Get(3)->id, 3u);
  EXPECT_EQ(console.Get(6), nullptr);

  Console small({100, /*max_bytes=*/10000, 2048}, sources_, &metrics_);
  for (int i = 0; i < 10; ++i) {
    Delivery d = Make("docs", Outcome::kAccepted);
    d.body_preview = std::string(3000, 'x');
    small.Record(std::move(d));
  }
  EXPECT_LE(small.Stats().bytes, 10000u);
  EXPECT_EQ(small.Stats().deliveries + small.Stats().evicted, 10u);
}

TEST_F(ConsoleTest, FindFiltersNewestFirst) {
  Console console({}, sources_, &metrics_);
  console.Record(Make("docs", Outcome::kAccepted, absl::Now(), "comment.added"));
  console.Record(Make("hub", Outcome::kAccepted, absl::Now(), "push"));
  console.Record(Make("docs", Outcome::kBadSignature));
  console.Record(Make("docs", Outcome::kAccepted, absl::Now(), "comment.removed"));
  auto ids = [&](const DeliveryQuery& query) {
    std::vector<uint64_t> out;
    for (const DeliveryPtr& d : console.Find(query)) out.push_back(d->id);
    return out;
  };
  EXPECT_THAT(ids({}), ::testing::ElementsAre(4, 3, 2, 1));
  DeliveryQuery docs;
  docs.source = "docs";
  EXPECT_THAT(ids(docs), ::testing::ElementsAre(4, 3, 1));
  DeliveryQuery bad;
  bad.outcome = Outcome::kBadSignature;
  EXPECT_THAT(ids(bad), ::testing::ElementsAre(3));
  DeliveryQuery comments;
  comments.type = *TypePattern::Parse("comment.*");
  EXPECT_THAT(ids(comments), ::testing::ElementsAre(4, 1));
  DeliveryQuery page;
  page.before = 4;
  page.limit = 2;
  EXPECT_THAT(ids(page), ::testing::ElementsAre(3, 2));
  DeliveryQuery after;
  after.after = 2;
  EXPECT_THAT(ids(after), ::testing::ElementsAre(4, 3));
}

TEST_F(ConsoleTest, LiveStreamsGetTheBacklogThenMatchingDeliveries) {
  Console console({}, sources_, &metrics_);
  console.Record(Make("docs", Outcome::kAccepted));  // 1
  console.Record(Make("hub", Outcome::kAccepted));   // 2
  auto stream = std::make_shared<HttpStream>(HttpStream::Options{});
  DeliveryQuery query;
  query.source = "docs";
  ASSERT_TRUE(console.AddStream(stream, query).ok());
  console.Record(Make("hub", Outcome::kAccepted));       // 3
  console.Record(Make("docs", Outcome::kBadSignature));  // 4
  const std::string written = stream->Take().data;
  EXPECT_THAT(written, HasSubstr("id: 1\nevent: delivery\ndata: {\"id\":1,"));
  EXPECT_THAT(written, HasSubstr("id: 4\n"));
  EXPECT_THAT(written, HasSubstr("\"outcome\":\"bad_signature\""));
  EXPECT_THAT(written, Not(HasSubstr("id: 2\n")));
  EXPECT_THAT(written, Not(HasSubstr("id: 3\n")));
  EXPECT_EQ(console.streams(), 1u);
  stream->Detach();  // the browser went away
  console.Record(Make("docs", Outcome::kAccepted));
  EXPECT_EQ(console.streams(), 0u);
}

TEST_F(ConsoleTest, SlowStreamsAreDroppedAndStreamsAreBounded) {
  Console console({}, sources_, &metrics_);
  HttpStream::Options tiny;
  tiny.max_queued_bytes = 600;
  auto slow = std::make_shared<HttpStream>(tiny);
  ASSERT_TRUE(console.AddStream(slow, {}).ok());
  for (int i = 0; i < 5; ++i) console.Record(Make("docs", Outcome::kAccepted));
  EXPECT_TRUE(slow->done());
  EXPECT_TRUE(slow->overflowed());
  EXPECT_EQ(console.streams(), 0u);

  std::vector<std::shared_ptr<HttpStream>> streams;
  for (size_t i = 0; i < Console::kMaxStreams; ++i) {
    streams.push_back(std::make_shared<HttpStream>(HttpStream::Options{}));
    ASSERT_TRUE(console.AddStream(streams.back(), {}).ok());
  }
  auto one_more = std::make_shared<HttpStream>(HttpStream::Options{});
  EXPECT_EQ(console.AddStream(one_more, {}).code(), absl::StatusCode::kResourceExhausted);
  streams.back()->Close();
  EXPECT_TRUE(console.AddStream(one_more, {}).ok());
}

}  // namespace
}  // namespace hookbridge
