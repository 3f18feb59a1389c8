#include "bridge/error_info.h"

#include "bridge/log/tail_window.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

TEST(ErrorInfoTest, MetadataAccumulatesUnderTheFirstReason) {
  absl::Status status = absl::OutOfRangeError("gone");
  EXPECT_FALSE(GetErrorInfo(status).has_value());
  status = WithErrorMetadata(status, "FIRST", "a", "1");
  status = WithErrorMetadata(status, "SECOND", "b", "2");
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "FIRST");
  EXPECT_EQ(info->domain(), "hookbridge");
  EXPECT_EQ(info->metadata().at("a"), "1");
  EXPECT_EQ(info->metadata().at("b"), "2");
  // Code and message are untouched.
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(status.message(), "gone");
}

TEST(ErrorInfoTest, OkStaysOkAndRetryDelayIsItsOwnPayload) {
  EXPECT_TRUE(WithErrorMetadata(absl::OkStatus(), "R", "k", "v").ok());
  absl::Status status = WithRetryDelay(absl::UnavailableError("later"), absl::Milliseconds(1500));
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryInfoTypeUrl);
  ASSERT_TRUE(payload.has_value());
  google::rpc::RetryInfo retry;
  ASSERT_TRUE(retry.ParseFromString(std::string(*payload)));
  EXPECT_EQ(retry.retry_delay().seconds(), 1);
  EXPECT_EQ(retry.retry_delay().nanos(), 500000000);
}

TEST(ErrorInfoTest, TheLogsOutOfRangeErrorsCarryTheirFacts) {
  std::optional<google::rpc::ErrorInfo> gone = GetErrorInfo(NotRetainedError(4, 9));
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->reason(), kReasonEventsNotRetained);
  EXPECT_EQ(gone->metadata().at("oldest_sequence"), "9");
  EXPECT_EQ(gone->metadata().at("after_sequence"), "4");
  std::optional<google::rpc::ErrorInfo> ahead = GetErrorInfo(AfterEndError(50, 7));
  ASSERT_TRUE(ahead.has_value());
  EXPECT_EQ(ahead->reason(), kReasonPositionAfterEnd);
  EXPECT_EQ(ahead->metadata().at("last_sequence"), "7");
}

}  // namespace
}  // namespace hookbridge
