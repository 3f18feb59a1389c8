#include "bridge/providers/timestamp.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bridge/providers/provider.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// ---- ParseUnixSeconds / ParseUnixMillis ---------------------------------------

TEST(ParseUnixSecondsTest, ParsesDecimalSeconds) {
  absl::StatusOr<absl::Time> t = ParseUnixSeconds("1614265330", "webhook-timestamp");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixSeconds(1614265330));

  t = ParseUnixSeconds("0", "t");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::UnixEpoch());

  t = ParseUnixSeconds("0001614265330", "t");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixSeconds(1614265330));
}

TEST(ParseUnixMillisTest, ParsesDecimalMilliseconds) {
  absl::StatusOr<absl::Time> t = ParseUnixMillis("1563276169752", "X-CS-Timestamp");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixMillis(1563276169752));
  EXPECT_EQ(absl::ToUnixSeconds(*t), 1563276169);
}

TEST(ParseUnixSecondsTest, AcceptsUpToSixteenDigits) {
  absl::StatusOr<absl::Time> t = ParseUnixSeconds("9999999999999999", "t");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixSeconds(9999999999999999));
  EXPECT_TRUE(ParseUnixMillis("9999999999999999", "t").ok());
}

TEST(ParseUnixSecondsTest, RejectsAnythingButDigits) {
  for (absl::string_view text : {"-1", "+1", "1.5", " 1614265330", "1614265330 ", "1e9", "0x10",
                                 "abc", "16142653three", "１２３", "1,000"}) {
    for (const auto& parse : {&ParseUnixSeconds, &ParseUnixMillis}) {
      absl::StatusOr<absl::Time> t = parse(text, "the-header");
      EXPECT_EQ(t.status().code(), absl::StatusCode::kUnauthenticated) << "\"" << text << "\"";
      EXPECT_THAT(t.status().message(), HasSubstr("the-header")) << text;
      EXPECT_FALSE(IsStaleTimestamp(t.status())) << text;
    }
  }
}

TEST(ParseUnixSecondsTest, RejectsEmptyText) {
  EXPECT_EQ(ParseUnixSeconds("", "t").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseUnixMillis("", "t").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(ParseUnixSecondsTest, RejectsMoreThanSixteenDigits) {
  // 17 digits: too long even though it would fit an int64.
  EXPECT_EQ(ParseUnixSeconds("10000000000000000", "t").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseUnixMillis("10000000000000000", "t").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ParseUnixSeconds("99999999999999999999999", "t").status().code(),
            absl::StatusCode::kUnauthenticated);
  // Leading zeros count too.
  EXPECT_EQ(ParseUnixSeconds("00000001614265330", "t").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(ParseUnixSecondsTest, MessageNamesTheUnit) {
  EXPECT_EQ(ParseUnixSeconds("x", "webhook-timestamp").status().message(),
            "webhook-timestamp is not a number of seconds since the Unix epoch");
  EXPECT_EQ(ParseUnixMillis("x", "X-CS-Timestamp").status().message(),
            "X-CS-Timestamp is not a number of milliseconds since the Unix epoch");
}

// ---- CheckTimestampTolerance ------------------------------------------------------

const absl::Time kReceived = absl::FromUnixSeconds(1614265330);
constexpr absl::Duration kTolerance = absl::Minutes(5);

TEST(CheckTimestampToleranceTest, AcceptsWithinToleranceEitherWay) {
  for (absl::Duration skew : {absl::ZeroDuration(), absl::Seconds(1), absl::Seconds(-1),
                              absl::Seconds(299), absl::Seconds(-299), kTolerance, -kTolerance}) {
    EXPECT_TRUE(CheckTimestampTolerance(kReceived - skew, kReceived, kTolerance).ok()) << skew;
  }
}

TEST(CheckTimestampToleranceTest, OldTimestampIsStale) {
  const absl::Status status =
      CheckTimestampTolerance(kReceived - absl::Seconds(360), kReceived, kTolerance);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(status));
  EXPECT_EQ(status.message(), "timestamp 360 s older than tolerance 300 s");
}

TEST(CheckTimestampToleranceTest, FutureTimestampIsStale) {
  const absl::Status status =
      CheckTimestampTolerance(kReceived + absl::Seconds(360), kReceived, kTolerance);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(status));
  EXPECT_EQ(status.message(), "timestamp 360 s in the future, beyond tolerance 300 s");
}

TEST(CheckTimestampToleranceTest, JustBeyondTheToleranceIsStale) {
  const absl::Duration just = kTolerance + absl::Milliseconds(1);
  EXPECT_TRUE(IsStaleTimestamp(CheckTimestampTolerance(kReceived - just, kReceived, kTolerance)));
  EXPECT_TRUE(IsStaleTimestamp(CheckTimestampTolerance(kReceived + just, kReceived, kTolerance)));
}

TEST(CheckTimestampToleranceTest, FarOffTimestampsDoNotOverflow) {
  const absl::Status past = CheckTimestampTolerance(absl::UnixEpoch(), kReceived, kTolerance);
  EXPECT_TRUE(IsStaleTimestamp(past));
  EXPECT_THAT(past.message(), HasSubstr("1614265330 s older"));

  const absl::Status future =
      CheckTimestampTolerance(absl::FromUnixSeconds(9999999999999999), kReceived, kTolerance);
  EXPECT_TRUE(IsStaleTimestamp(future));
  EXPECT_THAT(future.message(), HasSubstr("in the future"));
}

TEST(CheckTimestampToleranceTest, ZeroToleranceAcceptsOnlyTheExactTime) {
  EXPECT_TRUE(CheckTimestampTolerance(kReceived, kReceived, absl::ZeroDuration()).ok());
  EXPECT_TRUE(IsStaleTimestamp(
      CheckTimestampTolerance(kReceived - absl::Seconds(1), kReceived, absl::ZeroDuration())));
}

}  // namespace
}  // namespace hookbridge
