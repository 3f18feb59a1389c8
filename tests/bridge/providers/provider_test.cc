#include "bridge/providers/provider.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
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

TEST(WebhookRequestTest, FindUniqueHeaderFindsOneOrNone) {
  WebhookRequest request;
  request.headers = {{"Content-Type", "application/json"}, {"X-CS-Signature", "abc"}};
  absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader("x-cs-signature");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_NE(*found, nullptr);
  EXPECT_EQ(**found, "abc");
  found = request.FindUniqueHeader("X-CS-Timestamp");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, nullptr);
}

TEST(WebhookRequestTest, FindUniqueHeaderRefusesARepeatedHeaderWhateverTheCase) {
  WebhookRequest request;
  request.headers = {
      {"X-CS-Signature", "abc"}, {"Content-Type", "a"}, {"x-cs-SIGNATURE", "abc"}, {"X", "1"}};
  absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader("X-CS-Signature");
  EXPECT_EQ(found.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(found.status().message(),
            "header X-CS-Signature appears 2 times; a webhook request must carry it once");
  request.headers.emplace_back("X-CS-Signature", "");
  EXPECT_THAT(std::string(request.FindUniqueHeader("X-CS-Signature").status().message()),
              ::testing::HasSubstr("3 times"));
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
