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

TEST(IsSensitiveHeaderTest, JudgesNamesByWhatTheyLookLike) {
  // Credentials of providers and gateways that no fixed list held.
  for (const char* name : {"X-Shopify-Hmac-Sha256",
                           "Paypal-Transmission-Sig",
                           "X-Auth",
                           "X-OAuth-Scopes",
                           "X-Gitlab-Token",
                           "Private-Token",
                           "X-Amz-Security-Token",
                           "Ocp-Apim-Subscription-Key",
                           "X-Session-Id",
                           "X-Client-Credentials",
                           "X-Square-Hmacsha256-Signature",
                           "X-Sig",
                           "Sig256",
                           "X-Pass",
                           "X-Pwd",
                           "X-Passwd",
                           "X-Jwt-Assertion",
                           "X-Hook-Secret",
                           "X-Trello-Webhook",
                           "Authorizations-Count"}) {
    EXPECT_TRUE(IsSensitiveHeader(name)) << name;
  }
  // Short words only as words of their own.
  for (const char* name : {"X-Signal", "X-Passenger-Count", "X-Design", "Accept-Language",
                           "X-Request-Id", "Traceparent", "Content-Length", "ke", ""}) {
    EXPECT_FALSE(IsSensitiveHeader(name)) << name;
  }
}

TEST(IsCredentialValueTest, AuthenticationSchemesAndJsonWebTokens) {
  for (const char* value : {"Bearer abc", "bearer abc", "  Basic dXNlcjpwYXNz", "Digest user=x",
                            "token ghp_123", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}) {
    EXPECT_TRUE(IsCredentialValue(value)) << value;
  }
  for (const char* value : {"application/json", "Bearerless", "eyJ-not-a-jwt", "", "42"}) {
    EXPECT_FALSE(IsCredentialValue(value)) << value;
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

TEST(IsSensitiveHeaderTest, IgnoresCase) {
  EXPECT_TRUE(IsSensitiveHeader("X-API-KEY"));
  EXPECT_TRUE(IsSensitiveHeader("x-Hub-Signature-256"));
  EXPECT_TRUE(IsSensitiveHeader("AUTHORIZATION"));
  EXPECT_TRUE(IsSensitiveHeader("PAYPAL-TRANSMISSION-SIG"));
}

const std::string kHidden = "\xE2\x80\xA6";

std::vector<SourceInfo> TestSources() {
  return {SourceInfo{"docs", nullptr, false}, SourceInfo{"cand", nullptr, true},
          SourceInfo{"docspace-production", nullptr, false}};
}

TEST(DisplayPathTest, HidesPathTokensAndQueries) {
  const std::vector<SourceInfo> sources = TestSources();
  EXPECT_EQ(DisplayPath("/webhooks/docs", sources), "/webhooks/docs");
  EXPECT_EQ(DisplayPath("/webhooks/docs?sig=abc", sources), "/webhooks/docs?" + kHidden);
  EXPECT_EQ(DisplayPath("/webhooks/cand/the-secret-token", sources), "/webhooks/cand/" + kHidden);
  EXPECT_EQ(DisplayPath("/webhooks/cand", sources), "/webhooks/cand/" + kHidden);
  EXPECT_EQ(DisplayPath("/webhooks/cand/a/b?c", sources),
            "/webhooks/cand/" + kHidden + "?" + kHidden);
  EXPECT_EQ(DisplayPath("/webhooks/docspace-production", sources), "/webhooks/docspace-production");
  EXPECT_EQ(DisplayPath("", sources), "");
  const std::string long_path = "/webhooks/" + std::string(1000, 'x');
  const std::string shown = DisplayPath(long_path, sources);
  EXPECT_LT(shown.size(), 300u);
  EXPECT_THAT(shown, ::testing::EndsWith(kHidden));
  const std::string many = "/a" + std::string(1000, '/') + "b";
  EXPECT_LT(DisplayPath(many, sources).size(), 300u);
}

TEST(DisplayPathTest, HidesTheTokenInEveryShapeOfTheUrl) {
  const std::vector<SourceInfo> sources = TestSources();
  const std::string token = "abcdefghijklmnop-0123";  // a possible path token
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"//webhooks/cand/" + token, "//webhooks/cand/" + kHidden},
      {"/webhooks//cand/" + token, "/webhooks//cand/" + kHidden},
      {"/Webhooks/cand/" + token, "/Webhooks/cand/" + kHidden},
      {"/webhooks/CAND/" + token, "/webhooks/CAND/" + kHidden},
      {"/webhooks/cand/" + token + "/", "/webhooks/cand/" + kHidden},
      {"/webhooks/cand/" + token + "?x", "/webhooks/cand/" + kHidden + "?" + kHidden},
      {"/webhooks/cand/" + token + "#x", "/webhooks/cand/" + kHidden + "#" + kHidden},
      {"/webhooks/cand?token=" + token, "/webhooks/cand/" + kHidden + "?" + kHidden},
      {"/webhooks/%63and/" + token, "/webhooks/%63and/" + kHidden},
      {"/%77ebhooks/cand/" + token, "/%77ebhooks/cand/" + kHidden},
      {"/webhooks/cand%2F" + token, "/webhooks/" + kHidden},
      {"/webhooks/cand%2Fshort", "/webhooks/" + kHidden},
      {"/webhooks%2Fcand%2F" + token, "/" + kHidden},
      {"/webhooks/cand" + token, "/webhooks/" + kHidden},
      {"/webhooks/" + token, "/webhooks/" + kHidden},
      {"/api/webhooks/cand/short", "/api/webhooks/cand/" + kHidden},
      {"/hooks/cand/short", "/hooks/cand/" + kHidden},
      {"/hooks/cnd/" + token, "/hooks/cnd/" + kHidden},
      {"https://bridge.example/webhooks/cand/" + token,
       "https://bridge.example/webhooks/cand/" + kHidden},
      // Unknown source names still show, so a typo can be seen.
      {"/webhooks/gihtub", "/webhooks/gihtub"},
      {"/webhooks/gihtub/x", "/webhooks/gihtub/" + kHidden},
      {"/favicon.ico", "/favicon.ico"},
  };
  for (const auto& [target, shown] : cases) {
    EXPECT_EQ(DisplayPath(target, sources), shown) << target;
  }
}

// Found by http_request_fuzzer: a run of token characters that percent-
// decoding splits ("%2F" is "/") was shown as sent, with all of the run.
TEST(DisplayPathTest, HidesARunThatOnlyDecodingSplits) {
  const std::vector<SourceInfo> sources = TestSources();
  const std::string token = "2fabcdefghijklmn";  // starts with two hex digits
  EXPECT_EQ(DisplayPath("/hooks/%" + token, sources), "/hooks/" + kHidden);
  EXPECT_EQ(DisplayPath("/webhooks/cand/%" + token, sources), "/webhooks/cand/" + kHidden);
  EXPECT_EQ(DisplayPath("/x/fuzz-path-t%2Fn-01234567th-t%2Fn-0123456789", sources),
            "/x/" + kHidden);
  // Short runs still show.
  EXPECT_EQ(DisplayPath("/hooks/a%2Fb", sources), "/hooks/a%2Fb");
}

TEST(PercentDecodeTest, EscapesAndPlus) {
  EXPECT_EQ(PercentDecode("%63and%2Fx%zz%4"), "cand/x%zz%4");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("a+b%2B", /*plus_is_space=*/true), "a b+");
}

TEST(CaptureRequestTest, RedactsAndPreviews) {
  Delivery delivery;
  CaptureRequest("POST", "/webhooks/cand/tok-123?x=1",
                 {{"X-CS-Signature", "deadbeef"},
                  {"Content-Type", "application/json"},
                  {"X-Forwarded-Uri", "/webhooks/cand/tok-123"},
                  {"X-Note", "Bearer abc"}},
                 "0123456789", TestSources(), 4, &delivery);
  EXPECT_EQ(delivery.method, "POST");
  EXPECT_EQ(delivery.path, "/webhooks/cand/" + kHidden + "?" + kHidden);
  ASSERT_EQ(delivery.headers.size(), 4u);
  EXPECT_EQ(delivery.headers[0].second, kRedacted);
  EXPECT_EQ(delivery.headers[1].second, "application/json");
  EXPECT_EQ(delivery.headers[2].second, "/webhooks/cand/" + kHidden);
  EXPECT_EQ(delivery.headers[3].second, kRedacted);
  EXPECT_EQ(delivery.body_preview, "0123");
  EXPECT_TRUE(delivery.body_truncated);
  EXPECT_EQ(delivery.body_bytes, 10u);
  EXPECT_GT(delivery.ByteSize(), sizeof(Delivery));
}

}  // namespace
}  // namespace hookbridge
