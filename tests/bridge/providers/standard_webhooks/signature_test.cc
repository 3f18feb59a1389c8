#include "bridge/providers/standard_webhooks/signature.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/providers/provider.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// The official test vector of the Standard Webhooks specification
// (providers.md §5).
constexpr absl::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr absl::string_view kBareSecret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr absl::string_view kId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr absl::string_view kTimestamp = "1614265330";
constexpr int64_t kTimestampSeconds = 1614265330;
constexpr absl::string_view kBody = R"({"test": 2432232314})";
constexpr absl::string_view kSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

// Another valid secret (24 random bytes, base64).
constexpr absl::string_view kOtherSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

constexpr absl::Duration kTolerance = absl::Minutes(5);

// A request holding the strings its views point to.
struct Request {
  Request(absl::string_view id_in = kId, absl::string_view timestamp_in = kTimestamp,
          absl::string_view signature_in = kSignature, absl::string_view body_in = kBody)
      : id(id_in), timestamp(timestamp_in), signature(signature_in), body(body_in) {
    request.method = "POST";
    request.target = "/webhooks/hooks";
    request.headers = {{"Content-Type", "application/json"},
                       {"webhook-id", id},
                       {"webhook-timestamp", timestamp},
                       {"webhook-signature", signature}};
    request.body = body;
    request.received_at = absl::FromUnixSeconds(kTimestampSeconds);
  }
  Request(const Request&) = delete;

  std::string id;
  std::string timestamp;
  std::string signature;
  std::string body;
  WebhookRequest request;
};

absl::Status Verify(const WebhookRequest& request,
                    const std::vector<std::string>& secrets = {std::string(kSecret)},
                    absl::Duration tolerance = kTolerance) {
  return VerifyStandardWebhooksSignature(request, secrets, tolerance);
}

// ---- StandardWebhooksSignature -----------------------------------------------

TEST(StandardWebhooksSignatureTest, MatchesTheOfficialVector) {
  EXPECT_EQ(StandardWebhooksSignature(kSecret, kId, kTimestamp, kBody), kSignature);
}

TEST(StandardWebhooksSignatureTest, SecretWithoutPrefixIsTheSameKey) {
  EXPECT_EQ(StandardWebhooksSignature(kBareSecret, kId, kTimestamp, kBody), kSignature);
}

TEST(StandardWebhooksSignatureTest, EveryPartIsSigned) {
  EXPECT_NE(StandardWebhooksSignature(kSecret, "msg_other", kTimestamp, kBody), kSignature);
  EXPECT_NE(StandardWebhooksSignature(kSecret, kId, "1614265331", kBody), kSignature);
  EXPECT_NE(StandardWebhooksSignature(kSecret, kId, kTimestamp, R"({"test": 2432232315})"),
            kSignature);
  EXPECT_NE(StandardWebhooksSignature(kOtherSecret, kId, kTimestamp, kBody), kSignature);
}

TEST(StandardWebhooksSignatureTest, InvalidSecretSignsNothing) {
  EXPECT_EQ(StandardWebhooksSignature("whsec_not base64!", kId, kTimestamp, kBody), "");
  EXPECT_EQ(StandardWebhooksSignature("whsec_", kId, kTimestamp, kBody), "");
}

// ---- StandardWebhooksKey -------------------------------------------------------

TEST(StandardWebhooksKeyTest, DecodesTheBase64AfterThePrefix) {
  absl::StatusOr<std::string> key = StandardWebhooksKey(kSecret);
  ASSERT_TRUE(key.ok()) << key.status();
  std::string expected;
  ASSERT_TRUE(absl::Base64Unescape(kBareSecret, &expected));
  EXPECT_EQ(*key, expected);
  EXPECT_EQ(key->size(), 24u);

  absl::StatusOr<std::string> bare = StandardWebhooksKey(kBareSecret);
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(*bare, expected);
}

TEST(StandardWebhooksKeyTest, RejectsInvalidBase64) {
  for (absl::string_view secret :
       {"whsec_not base64!", "whsec_%%%%", "whsec_abc*def", "whsec_", "", "whsec_====", "*"}) {
    absl::StatusOr<std::string> key = StandardWebhooksKey(secret);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument) << "\"" << secret << "\"";
    EXPECT_THAT(key.status().message(), HasSubstr("whsec_")) << secret;
  }
}

// ---- VerifyStandardWebhooksSignature ---------------------------------------------

TEST(VerifyStandardWebhooksSignatureTest, AcceptsTheOfficialVector) {
  Request r;
  EXPECT_TRUE(Verify(r.request).ok()) << Verify(r.request);
}

TEST(VerifyStandardWebhooksSignatureTest, AcceptsABareBase64Secret) {
  Request r;
  const absl::Status status = Verify(r.request, {std::string(kBareSecret)});
  EXPECT_TRUE(status.ok()) << status;
}

TEST(VerifyStandardWebhooksSignatureTest, HeaderNamesAreCaseInsensitive) {
  Request r;
  r.request.headers = {
      {"Webhook-Id", r.id}, {"WEBHOOK-TIMESTAMP", r.timestamp}, {"Webhook-Signature", r.signature}};
  EXPECT_TRUE(Verify(r.request).ok());
}

TEST(VerifyStandardWebhooksSignatureTest, AnyOfSeveralEntriesMayMatch) {
  // A sender signing with several secrets sends one entry per secret.
  const std::string other = StandardWebhooksSignature(kOtherSecret, kId, kTimestamp, kBody);
  const std::string wrong = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  for (const std::string& header :
       {absl::StrCat(other, " ", kSignature), absl::StrCat(kSignature, " ", other),
        absl::StrCat(wrong, " ", kSignature, " ", other),
        absl::StrCat("  ", wrong, "   ", kSignature, "  ")}) {
    Request r(kId, kTimestamp, header);
    const absl::Status status = Verify(r.request);
    EXPECT_TRUE(status.ok()) << header << ": " << status;
  }
  Request none(kId, kTimestamp, absl::StrCat(other, " ", wrong));
  const absl::Status status = Verify(none.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
  EXPECT_FALSE(IsStaleTimestamp(status));
}

TEST(VerifyStandardWebhooksSignatureTest, OtherSchemesAreIgnored) {
  const std::string base64 = std::string(kSignature.substr(3));
  // The right digest under another scheme name does not count.
  for (const std::string& header :
       {absl::StrCat("v1a,", base64), absl::StrCat("v2,", base64), absl::StrCat("V1,", base64),
        absl::StrCat("v1=", base64), base64}) {
    Request r(kId, kTimestamp, header);
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(status.message(), HasSubstr("v1,")) << header;
  }
  // ... and is skipped when a v1 entry follows.
  Request mixed(kId, kTimestamp, absl::StrCat("v1a,", base64, " ", kSignature));
  EXPECT_TRUE(Verify(mixed.request).ok());
}

TEST(VerifyStandardWebhooksSignatureTest, MalformedV1EntriesAreSkipped) {
  for (absl::string_view header : {"v1,", "v1,not*base64", "v1,AAAA", "v1"}) {
    Request r(kId, kTimestamp, header);
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(status.message(), HasSubstr("no \"v1,")) << header;
  }
  Request with_valid(kId, kTimestamp, absl::StrCat("v1,AAAA ", kSignature));
  EXPECT_TRUE(Verify(with_valid.request).ok());
}

TEST(VerifyStandardWebhooksSignatureTest, TamperedIdIsRejected) {
  Request r("msg_p5jXN8AQM9LWM0D4loKWxJeK");
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
}

TEST(VerifyStandardWebhooksSignatureTest, TamperedTimestampIsRejected) {
  // One second later is within the tolerance: only the signature catches it.
  Request r(kId, "1614265331");
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
  EXPECT_FALSE(IsStaleTimestamp(status));
}

TEST(VerifyStandardWebhooksSignatureTest, TamperedBodyIsRejected) {
  for (absl::string_view body :
       {R"({"test": 2432232315})", R"({"test":2432232314})", R"({"test": 2432232314} )", ""}) {
    Request r(kId, kTimestamp, kSignature, body);
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << body;
    EXPECT_THAT(status.message(), HasSubstr("mismatch")) << body;
  }
}

TEST(VerifyStandardWebhooksSignatureTest, StaleTimestampBeyondTolerance) {
  Request r;
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds + 301);
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("301 s"));

  // Exactly at the tolerance is still accepted.
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds + 300);
  EXPECT_TRUE(Verify(r.request).ok());
}

TEST(VerifyStandardWebhooksSignatureTest, FutureTimestampBeyondTolerance) {
  Request r;
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds - 301);
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("future"));

  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds - 300);
  EXPECT_TRUE(Verify(r.request).ok());
}

TEST(VerifyStandardWebhooksSignatureTest, ToleranceIsConfigurable) {
  Request r;
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds + 31);
  EXPECT_TRUE(IsStaleTimestamp(Verify(r.request, {std::string(kSecret)}, absl::Seconds(30))));
  EXPECT_TRUE(Verify(r.request, {std::string(kSecret)}, absl::Seconds(31)).ok());
}

TEST(VerifyStandardWebhooksSignatureTest, BadSignatureIsNotReportedAsStale) {
  // A forged request must not learn whether its timestamp would pass.
  Request r(kId, kTimestamp, kSignature, "{}");
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds + 3600);
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(IsStaleTimestamp(status));
}

TEST(VerifyStandardWebhooksSignatureTest, AnyConfiguredSecretMayMatch) {
  // Rotation: the new secret is added before the old one is removed.
  Request r;
  EXPECT_TRUE(Verify(r.request, {std::string(kOtherSecret), std::string(kSecret)}).ok());
  EXPECT_TRUE(Verify(r.request, {std::string(kSecret), std::string(kOtherSecret)}).ok());
  const absl::Status status = Verify(r.request, {std::string(kOtherSecret)});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
  EXPECT_EQ(Verify(r.request, {}).code(), absl::StatusCode::kUnauthenticated);
}

TEST(VerifyStandardWebhooksSignatureTest, InvalidConfiguredSecretIsSkipped) {
  Request r;
  EXPECT_TRUE(Verify(r.request, {"whsec_not base64!", std::string(kSecret)}).ok());
  EXPECT_EQ(Verify(r.request, {"whsec_not base64!"}).code(), absl::StatusCode::kUnauthenticated);
}

TEST(VerifyStandardWebhooksSignatureTest, MissingHeadersAreNamed) {
  const char* const kHeaders[] = {"webhook-id", "webhook-timestamp", "webhook-signature"};
  for (const char* missing : kHeaders) {
    Request r;
    r.request.headers.clear();
    if (std::string(missing) != "webhook-id") r.request.headers.push_back({"webhook-id", r.id});
    if (std::string(missing) != "webhook-timestamp") {
      r.request.headers.push_back({"webhook-timestamp", r.timestamp});
    }
    if (std::string(missing) != "webhook-signature") {
      r.request.headers.push_back({"webhook-signature", r.signature});
    }
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << missing;
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("missing ", missing))) << status;
    EXPECT_FALSE(IsStaleTimestamp(status));
  }
}

TEST(VerifyStandardWebhooksSignatureTest, MalformedTimestampIsRejected) {
  for (absl::string_view timestamp :
       {"", "abc", "-1614265330", "1614265330.0", " 1614265330", "16142653300000000000"}) {
    Request r(kId, timestamp);
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << timestamp;
    EXPECT_THAT(status.message(), HasSubstr("webhook-timestamp")) << timestamp;
    EXPECT_FALSE(IsStaleTimestamp(status)) << timestamp;
  }
}

TEST(VerifyStandardWebhooksSignatureTest, SaysWhichSecretMatchedAndWhenItWasSigned) {
  Request r;
  Verification verified;
  const absl::Status status = VerifyStandardWebhooksSignature(
      r.request, {std::string(kOtherSecret), std::string(kSecret)}, kTolerance, &verified);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(verified.secret_index, 1);
  ASSERT_TRUE(verified.signed_at.has_value());
  EXPECT_EQ(*verified.signed_at, absl::FromUnixSeconds(kTimestampSeconds));
}

}  // namespace
}  // namespace hookbridge
