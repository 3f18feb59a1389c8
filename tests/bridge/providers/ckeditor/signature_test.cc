#include "bridge/providers/ckeditor/signature.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// The official vector from the provider's Node.js example (providers.md §1).
constexpr absl::string_view kSecret = "SECRET";
constexpr absl::string_view kMethod = "POST";
constexpr absl::string_view kTarget = "/webhook?a=1";
constexpr absl::string_view kTimestamp = "1563276169752";
constexpr int64_t kTimestampMillis = 1563276169752;
constexpr absl::string_view kBody = R"({"a":1})";
constexpr absl::string_view kSignature =
    "56ac656c7f932c5b775be28949e90af9a2356eae2826539f10ab6526a0eec762";

const absl::Duration kTolerance = absl::Minutes(5);

// The official request, received exactly at its timestamp.
WebhookRequest OfficialRequest() {
  WebhookRequest request;
  request.method = kMethod;
  request.target = kTarget;
  request.headers = {{"Content-Type", "application/json"},
                     {"X-CS-Timestamp", kTimestamp},
                     {"X-CS-Signature", kSignature}};
  request.body = kBody;
  request.received_at = absl::FromUnixMillis(kTimestampMillis);
  return request;
}

std::vector<std::string> Secrets() { return {std::string(kSecret)}; }

void ExpectBadSignature(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_FALSE(IsStaleTimestamp(status)) << status;
}

TEST(CkeditorSignatureTest, OfficialVector) {
  EXPECT_EQ(CkeditorSignature(kSecret, kMethod, kTarget, kTimestamp, kBody), kSignature);
}

TEST(CkeditorSignatureTest, MethodIsUppercased) {
  EXPECT_EQ(CkeditorSignature(kSecret, "post", kTarget, kTimestamp, kBody), kSignature);
}

TEST(CkeditorSignatureTest, IsLowercaseHex) {
  const std::string signature = CkeditorSignature("k", "GET", "/", "1", "");
  ASSERT_EQ(signature.size(), 64u);
  for (char c : signature) {
    EXPECT_TRUE(absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f')) << signature;
  }
}

TEST(VerifyCkeditorSignatureTest, AcceptsOfficialVector) {
  EXPECT_TRUE(VerifyCkeditorSignature(OfficialRequest(), Secrets(), kTolerance).ok());
}

TEST(VerifyCkeditorSignatureTest, AcceptsLowercaseMethodAsSent) {
  WebhookRequest request = OfficialRequest();
  request.method = "post";
  EXPECT_TRUE(VerifyCkeditorSignature(request, Secrets(), kTolerance).ok());
}

TEST(VerifyCkeditorSignatureTest, HeaderNamesAreCaseInsensitive) {
  WebhookRequest request = OfficialRequest();
  request.headers = {{"x-cs-timestamp", kTimestamp}, {"x-cs-signature", kSignature}};
  EXPECT_TRUE(VerifyCkeditorSignature(request, Secrets(), kTolerance).ok());
}

TEST(VerifyCkeditorSignatureTest, AcceptsUppercaseHexSignature) {
  const std::string upper = absl::AsciiStrToUpper(kSignature);
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Timestamp", kTimestamp}, {"X-CS-Signature", upper}};
  EXPECT_TRUE(VerifyCkeditorSignature(request, Secrets(), kTolerance).ok());
}

TEST(VerifyCkeditorSignatureTest, RejectsTamperedMethod) {
  WebhookRequest request = OfficialRequest();
  request.method = "PUT";
  absl::Status status = VerifyCkeditorSignature(request, Secrets(), kTolerance);
  ExpectBadSignature(status);
  EXPECT_THAT(status.message(), HasSubstr("signature mismatch"));
}

TEST(VerifyCkeditorSignatureTest, RejectsTamperedPath) {
  WebhookRequest request = OfficialRequest();
  request.target = "/webhooks?a=1";
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsTamperedQuery) {
  WebhookRequest request = OfficialRequest();
  request.target = "/webhook?a=2";
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
  request.target = "/webhook";
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsTamperedTimestamp) {
  // One millisecond later: well within the tolerance, but not what was signed.
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Timestamp", "1563276169753"}, {"X-CS-Signature", kSignature}};
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsTamperedBody) {
  WebhookRequest request = OfficialRequest();
  request.body = R"({"a":2})";
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
  request.body = R"({"a":1} )";
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsTamperedSignature) {
  std::string tampered(kSignature);
  tampered.back() = tampered.back() == '2' ? '3' : '2';
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Timestamp", kTimestamp}, {"X-CS-Signature", tampered}};
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsWrongSecret) {
  ExpectBadSignature(VerifyCkeditorSignature(OfficialRequest(), {"secret"}, kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsWhenNoSecretIsConfigured) {
  ExpectBadSignature(VerifyCkeditorSignature(OfficialRequest(), {}, kTolerance));
}

TEST(VerifyCkeditorSignatureTest, AcceptsAnyOfSeveralSecrets) {
  // Rotation: the new secret is added first, the old one still matches.
  EXPECT_TRUE(
      VerifyCkeditorSignature(OfficialRequest(), {"NEW-SECRET", "SECRET"}, kTolerance).ok());
  EXPECT_TRUE(
      VerifyCkeditorSignature(OfficialRequest(), {"SECRET", "NEW-SECRET"}, kTolerance).ok());
  ExpectBadSignature(
      VerifyCkeditorSignature(OfficialRequest(), {"NEW-SECRET", "OTHER"}, kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsStaleTimestampGivingTheSeconds) {
  WebhookRequest request = OfficialRequest();
  request.received_at = absl::FromUnixMillis(kTimestampMillis) + absl::Minutes(10);
  absl::Status status = VerifyCkeditorSignature(request, Secrets(), kTolerance);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("600 s"));
  EXPECT_THAT(status.message(), HasSubstr("300 s"));
}

TEST(VerifyCkeditorSignatureTest, RejectsFutureTimestampGivingTheSeconds) {
  WebhookRequest request = OfficialRequest();
  request.received_at = absl::FromUnixMillis(kTimestampMillis) - absl::Minutes(7);
  absl::Status status = VerifyCkeditorSignature(request, Secrets(), kTolerance);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("420 s"));
  EXPECT_THAT(status.message(), HasSubstr("future"));
}

TEST(VerifyCkeditorSignatureTest, ToleranceIsInclusiveBothWays) {
  const absl::Time sent = absl::FromUnixMillis(kTimestampMillis);
  WebhookRequest request = OfficialRequest();
  request.received_at = sent + kTolerance;
  EXPECT_TRUE(VerifyCkeditorSignature(request, Secrets(), kTolerance).ok());
  request.received_at = sent - kTolerance;
  EXPECT_TRUE(VerifyCkeditorSignature(request, Secrets(), kTolerance).ok());
  request.received_at = sent + kTolerance + absl::Milliseconds(1);
  EXPECT_TRUE(IsStaleTimestamp(VerifyCkeditorSignature(request, Secrets(), kTolerance)));
  request.received_at = sent - kTolerance - absl::Milliseconds(1);
  EXPECT_TRUE(IsStaleTimestamp(VerifyCkeditorSignature(request, Secrets(), kTolerance)));
}

TEST(VerifyCkeditorSignatureTest, ToleranceIsConfigurable) {
  WebhookRequest request = OfficialRequest();
  request.received_at = absl::FromUnixMillis(kTimestampMillis) + absl::Minutes(10);
  EXPECT_TRUE(VerifyCkeditorSignature(request, Secrets(), absl::Minutes(15)).ok());
  EXPECT_TRUE(IsStaleTimestamp(VerifyCkeditorSignature(request, Secrets(), absl::Minutes(9))));
}

TEST(VerifyCkeditorSignatureTest, ForgedRequestIsNotReportedAsStale) {
  // A wrong signature must be reported as such even when the timestamp is
  // also out of range: "stale" would tell a forger the signature was right.
  WebhookRequest request = OfficialRequest();
  request.body = R"({"a":2})";
  request.received_at = absl::FromUnixMillis(kTimestampMillis) + absl::Hours(1);
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

TEST(VerifyCkeditorSignatureTest, RejectsMissingTimestampHeader) {
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Signature", kSignature}};
  absl::Status status = VerifyCkeditorSignature(request, Secrets(), kTolerance);
  ExpectBadSignature(status);
  EXPECT_THAT(status.message(), HasSubstr("X-CS-Timestamp"));
}

TEST(VerifyCkeditorSignatureTest, RejectsMissingSignatureHeader) {
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Timestamp", kTimestamp}};
  absl::Status status = VerifyCkeditorSignature(request, Secrets(), kTolerance);
  ExpectBadSignature(status);
  EXPECT_THAT(status.message(), HasSubstr("X-CS-Signature"));
}

TEST(VerifyCkeditorSignatureTest, RejectsRequestWithoutHeaders) {
  WebhookRequest request = OfficialRequest();
  request.headers.clear();
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

class MalformedTimestampTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MalformedTimestampTest, IsRejected) {
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Timestamp", GetParam()}, {"X-CS-Signature", kSignature}};
  absl::Status status = VerifyCkeditorSignature(request, Secrets(), kTolerance);
  ExpectBadSignature(status);
  EXPECT_THAT(status.message(), HasSubstr("X-CS-Timestamp"));
}

INSTANTIATE_TEST_SUITE_P(Headers, MalformedTimestampTest,
                         ::testing::Values("", "abc", "-1563276169752", "+1563276169752",
                                           " 1563276169752", "15632761697x2", "1563276169752.0",
                                           "1.563276169752e12", "0x16bf9b0b418",
                                           "12345678901234567"));

TEST(VerifyCkeditorSignatureTest, RejectsTimestampWithTrailingSpace) {
  // Not what was signed, whether or not the number itself parses.
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Timestamp", "1563276169752 "}, {"X-CS-Signature", kSignature}};
  ExpectBadSignature(VerifyCkeditorSignature(request, Secrets(), kTolerance));
}

class MalformedSignatureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(MalformedSignatureTest, IsRejected) {
  WebhookRequest request = OfficialRequest();
  request.headers = {{"X-CS-Timestamp", kTimestamp}, {"X-CS-Signature", GetParam()}};
  absl::Status status = VerifyCkeditorSignature(request, Secrets(), kTolerance);
  ExpectBadSignature(status);
  EXPECT_THAT(status.message(), HasSubstr("X-CS-Signature"));
}

INSTANTIATE_TEST_SUITE_P(Headers, MalformedSignatureTest,
                         ::testing::Values("", std::string(kSignature).substr(1),
                                           std::string(kSignature) + "0",
                                           "sha256=" + std::string(kSignature),
                                           std::string(kSignature).substr(0, 62) + "zz",
                                           " " + std::string(kSignature).substr(1)));

}  // namespace
}  // namespace hookbridge
