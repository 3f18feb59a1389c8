#include "bridge/providers/provider.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

TEST(WebhookRequestTest, FindHeaderIsCaseInsensitiveAndReturnsTheFirst) {
  WebhookRequest request;
  request.headers = {
      {"Content-Type", "application/json"}, {"X-CS-Timestamp", "1"}, {"x-cs-timestamp", "2"}};
  const absl::string_view* value = request.FindHeader("x-cs-TIMESTAMP");
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, "1");
  ASSERT_NE(request.FindHeader("content-type"), nullptr);
  EXPECT_EQ(*request.FindHeader("content-type"), "application/json");
}

TEST(WebhookRequestTest, FindHeaderReturnsNullWhenAbsent) {
  WebhookRequest request;
  EXPECT_EQ(request.FindHeader("X-CS-Signature"), nullptr);
  request.headers = {{"X-CS-Signature-Extra", "x"}, {"X-CS-Signatur", "y"}};
  EXPECT_EQ(request.FindHeader("X-CS-Signature"), nullptr);
}

TEST(StaleTimestampTest, IsUnauthenticatedAndTagged) {
  absl::Status status = StaleTimestampError("too old");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(status.message(), "too old");
  EXPECT_TRUE(IsStaleTimestamp(status));
}

TEST(StaleTimestampTest, OtherStatusesAreNotStale) {
  EXPECT_FALSE(IsStaleTimestamp(absl::OkStatus()));
  EXPECT_FALSE(IsStaleTimestamp(absl::UnauthenticatedError("too old")));
  EXPECT_FALSE(IsStaleTimestamp(absl::InvalidArgumentError("x")));
}

}  // namespace
}  // namespace hookbridge
