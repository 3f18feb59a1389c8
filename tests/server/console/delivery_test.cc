#include "server/console/delivery.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

TEST(IsSensitiveHeaderTest, RedactsCredentialsAndEveryProviderSignature) {
  for (const char* name :
       {"Authorization", "proxy-authorization", "Cookie", "Set-Cookie", "X-CS-Signature",
        "x-docspace-signature-256", "webhook-signature", "X-Hub-Signature", "X-Hub-Signature-256",
        "Stripe-Signature", "X-Api-Key", "X-Webhook-Secret", "X-Auth-Token", "X-Password"}) {
    EXPECT_TRUE(IsSensitiveHeader(name)) << name;
  }
  for (const char* name : {"Content-Type", "X-CS-Timestamp", "webhook-id", "webhook-timestamp",
                           "X-GitHub-Event", "X-GitHub-Delivery", "Keep-Alive", "User-Agent"}) {
    EXPECT_FALSE(IsSensitiveHeader(name)) << name;
  }
}

TEST(SafeUtf8PrefixTest, ReplacesInvalidBytesAndCutsAtCharacters) {
  bool truncated = true;
  EXPECT_EQ(SafeUtf8Prefix("plain", 100, &truncated), "plain");
  EXPECT_FALSE(truncated);
  EXPECT_EQ(SafeUtf8Prefix("a\xff"
                           "b",
                           100),
            "a\xEF\xBF\xBD"
            "b");
  // Overlong, surrogate and truncated sequences are invalid.
  EXPECT_EQ(SafeUtf8Prefix("\xC0\xAF", 100), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SafeUtf8Prefix("\xED\xA0\x80", 100), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(SafeUtf8Prefix("x\xE2\x82", 100), "x\xEF\xBF\xBD\xEF\xBF\xBD");
  // "é" is two bytes: a 2-byte limit after "a" keeps only "a".
  EXPECT_EQ(SafeUtf8Prefix("a\xC3\xA9", 2, &truncated), "a");
  EXPECT_TRUE(truncated);
  EXPECT_EQ(SafeUtf8Prefix("a\xC3\xA9", 3, &truncated), "a\xC3\xA9");
  EXPECT_FALSE(truncated);
  EXPECT_EQ(SafeUtf8Prefix("abc", 0, &truncated), "");
  EXPECT_TRUE(truncated);
}

TEST(SafeUtf8PrefixTest, LongAsciiRunsAroundOtherCharacters) {
  // ASCII is copied eight bytes at a time: runs that are not a multiple of
  // eight, cut inside a run, and bytes that are not ASCII in the middle.
  const std::string a(21, 'a');
  const std::string b(13, 'b');
  const std::string text = a + "\xC3\xA9" + b + "\xff" + a;
  bool truncated = true;
  EXPECT_EQ(SafeUtf8Prefix(text, 1000, &truncated), a + "\xC3\xA9" + b + "\xEF\xBF\xBD" + a);
  EXPECT_FALSE(truncated);
  EXPECT_EQ(SafeUtf8Prefix(text, 10, &truncated), std::string(10, 'a'));
  EXPECT_TRUE(truncated);
  EXPECT_EQ(SafeUtf8Prefix(text, 22, &truncated), a);  // "é" does not fit
  EXPECT_TRUE(truncated);
  EXPECT_EQ(SafeUtf8Prefix(text, 30, &truncated), a + "\xC3\xA9" + std::string(7, 'b'));
  EXPECT_TRUE(truncated);
}

TEST(IsSensitiveHeaderTest, IgnoresCaseWithoutBeingFooledByNearMisses) {
  EXPECT_TRUE(IsSensitiveHeader("X-API-KEY"));
  EXPECT_TRUE(IsSensitiveHeader("x-Hub-Signature-256"));
  EXPECT_TRUE(IsSensitiveHeader("AUTHORIZATION"));
  EXPECT_FALSE(IsSensitiveHeader("authorizations-count"));
  EXPECT_FALSE(IsSensitiveHeader("ke"));
  EXPECT_FALSE(IsSensitiveHeader(""));
}

TEST(DisplayPathTest, HidesPathTokensAndQueries) {
  EXPECT_EQ(DisplayPath("/webhooks/docs", false), "/webhooks/docs");
  EXPECT_EQ(DisplayPath("/webhooks/docs?sig=abc", false), "/webhooks/docs?\xE2\x80\xA6");
  EXPECT_EQ(DisplayPath("/webhooks/cand/the-secret-token", true), "/webhooks/cand/\xE2\x80\xA6");
  EXPECT_EQ(DisplayPath("/webhooks/cand", true), "/webhooks/cand/\xE2\x80\xA6");
  EXPECT_EQ(DisplayPath("/webhooks/cand/a/b?c", true), "/webhooks/cand/\xE2\x80\xA6?\xE2\x80\xA6");
  const std::string long_path = "/webhooks/" + std::string(1000, 'x');
  const std::string shown = DisplayPath(long_path, false);
  EXPECT_LT(shown.size(), 300u);
  EXPECT_THAT(shown, ::testing::EndsWith("\xE2\x80\xA6"));
}

TEST(CaptureRequestTest, RedactsAndPreviews) {
  Delivery delivery;
  CaptureRequest("POST", "/webhooks/cand/tok-123?x=1",
                 {{"X-CS-Signature", "deadbeef"}, {"Content-Type", "application/json"}},
                 "0123456789", true, 4, &delivery);
  EXPECT_EQ(delivery.method, "POST");
  EXPECT_EQ(delivery.path, "/webhooks/cand/\xE2\x80\xA6?\xE2\x80\xA6");
  ASSERT_EQ(delivery.headers.size(), 2u);
  EXPECT_EQ(delivery.headers[0].second, kRedacted);
  EXPECT_EQ(delivery.headers[1].second, "application/json");
  EXPECT_EQ(delivery.body_preview, "0123");
  EXPECT_TRUE(delivery.body_truncated);
  EXPECT_EQ(delivery.body_bytes, 10u);
  EXPECT_GT(delivery.ByteSize(), sizeof(Delivery));
}

}  // namespace
}  // namespace hookbridge
