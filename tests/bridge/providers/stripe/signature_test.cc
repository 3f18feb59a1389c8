#include "bridge/providers/stripe/signature.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/crypto.h"
#include "bridge/providers/provider.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// The computed test vector of providers.md §5.
constexpr absl::string_view kSecret = "whsec_test_secret";
constexpr absl::string_view kTimestamp = "1614265330";
constexpr int64_t kTimestampSeconds = 1614265330;
constexpr absl::string_view kBody = R"({"id":"evt_test","object":"event"})";
constexpr absl::string_view kHex =
    "fbd6bf5496b9d6310e422a2c072578f95f5eb492111ab57a5510e9cd79c1b304";

constexpr absl::Duration kTolerance = absl::Seconds(300);

// A request holding the strings its views point to.
struct Request {
  explicit Request(absl::string_view header_in, absl::string_view body_in = kBody)
      : header(header_in), body(body_in) {
    request.method = "POST";
    request.target = "/webhooks/payments";
    request.headers = {{"Content-Type", "application/json"}, {"Stripe-Signature", header}};
    request.body = body;
    request.received_at = absl::FromUnixSeconds(kTimestampSeconds);
  }
  Request(const Request&) = delete;

  std::string header;
  std::string body;
  WebhookRequest request;
};

absl::Status Verify(const WebhookRequest& request,
                    const std::vector<std::string>& secrets = {std::string(kSecret)},
                    absl::Duration tolerance = kTolerance) {
  return VerifyStripeSignature(request, secrets, tolerance);
}

// A v1 value that is well-formed but signs nothing.
const std::string kWrongHex(64, 'a');

TEST(StripeSignatureTest, MatchesTheComputedVector) {
  EXPECT_EQ(StripeSignature(kSecret, kTimestamp, kBody),
            absl::StrCat("t=", kTimestamp, ",v1=", kHex));
}

TEST(StripeSignatureTest, UsesTheSecretsBytesAsGiven) {
  // Not base64-decoded, and the "whsec_" prefix is part of the key.
  EXPECT_EQ(HexEncode(HmacSha256(kSecret, {kTimestamp, ".", kBody})), kHex);
  EXPECT_NE(StripeSignature("test_secret", kTimestamp, kBody),
            absl::StrCat("t=", kTimestamp, ",v1=", kHex));
}

TEST(VerifyStripeSignatureTest, AcceptsTheComputedVector) {
  Request r(absl::StrCat("t=", kTimestamp, ",v1=", kHex));
  const absl::Status status = Verify(r.request);
  EXPECT_TRUE(status.ok()) << status;
}

TEST(VerifyStripeSignatureTest, HeaderNameIsCaseInsensitive) {
  Request r(absl::StrCat("t=", kTimestamp, ",v1=", kHex));
  r.request.headers = {{"stripe-signature", r.header}};
  EXPECT_TRUE(Verify(r.request).ok());
}

TEST(VerifyStripeSignatureTest, AnyOfSeveralV1EntriesMayMatch) {
  // Stripe sends one v1 per active endpoint secret while one is rolled.
  for (const std::string& header :
       {absl::StrCat("t=", kTimestamp, ",v1=", kWrongHex, ",v1=", kHex),
        absl::StrCat("t=", kTimestamp, ",v1=", kHex, ",v1=", kWrongHex),
        absl::StrCat("v1=", kWrongHex, ",t=", kTimestamp, ",v1=", kHex),
        absl::StrCat("t=", kTimestamp, ", v1=", kWrongHex, ", v1=", kHex)}) {
    Request r(header);
    const absl::Status status = Verify(r.request);
    EXPECT_TRUE(status.ok()) << header << ": " << status;
  }
  Request none(absl::StrCat("t=", kTimestamp, ",v1=", kWrongHex, ",v1=", std::string(64, 'b')));
  const absl::Status status = Verify(none.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
}

TEST(VerifyStripeSignatureTest, V0AndOtherSchemesAreIgnored) {
  // The right digest under another scheme name does not count.
  for (const std::string& header :
       {absl::StrCat("t=", kTimestamp, ",v0=", kHex), absl::StrCat("t=", kTimestamp, ",v2=", kHex),
        absl::StrCat("t=", kTimestamp, ",V1=", kHex), absl::StrCat("t=", kTimestamp)}) {
    Request r(header);
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(status.message(), HasSubstr("no v1=")) << header;
  }
  Request with_v0(absl::StrCat("t=", kTimestamp, ",v1=", kHex, ",v0=", kWrongHex));
  EXPECT_TRUE(Verify(with_v0.request).ok());
}

TEST(VerifyStripeSignatureTest, MalformedV1EntriesAreSkipped) {
  for (const std::string& v1 : {std::string(kHex).substr(0, 63), std::string(kHex) + "0",
                                std::string("zz") + std::string(kHex).substr(2), std::string()}) {
    Request r(absl::StrCat("t=", kTimestamp, ",v1=", v1));
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << v1;
    EXPECT_THAT(status.message(), HasSubstr("no v1=")) << v1;
  }
}

TEST(VerifyStripeSignatureTest, MissingHeaderOrTimestampIsRejected) {
  Request r("");
  r.request.headers = {{"Content-Type", "application/json"}};
  absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("missing Stripe-Signature"));

  for (const std::string& header : {absl::StrCat("v1=", kHex), absl::StrCat("t=,v1=", kHex),
                                    absl::StrCat("T=", kTimestamp, ",v1=", kHex)}) {
    Request no_t(header);
    status = Verify(no_t.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(status.message(), HasSubstr("no t=")) << header;
    EXPECT_FALSE(IsStaleTimestamp(status));
  }
}

TEST(VerifyStripeSignatureTest, MalformedTimestampIsRejected) {
  for (absl::string_view t : {"abc", "-1614265330", "1614265330.5", "16142653300000000000"}) {
    Request r(absl::StrCat("t=", t, ",v1=", kHex));
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << t;
    EXPECT_THAT(status.message(), HasSubstr("Stripe-Signature t")) << t;
  }
}

TEST(VerifyStripeSignatureTest, TamperedBodyOrTimestampIsRejected) {
  Request body(absl::StrCat("t=", kTimestamp, ",v1=", kHex), R"({"id":"evt_test","object":"x"})");
  EXPECT_THAT(Verify(body.request).message(), HasSubstr("mismatch"));

  // One second off is within the tolerance: only the signature catches it.
  Request timestamp(absl::StrCat("t=1614265331,v1=", kHex));
  const absl::Status status = Verify(timestamp.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
  EXPECT_FALSE(IsStaleTimestamp(status));
}

TEST(VerifyStripeSignatureTest, StaleTimestampBeyondTolerance) {
  Request r(absl::StrCat("t=", kTimestamp, ",v1=", kHex));
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds + 301);
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("301 s"));

  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds + 300);
  EXPECT_TRUE(Verify(r.request).ok());
}

TEST(VerifyStripeSignatureTest, FutureTimestampBeyondTolerance) {
  Request r(absl::StrCat("t=", kTimestamp, ",v1=", kHex));
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds - 301);
  const absl::Status status = Verify(r.request);
  EXPECT_TRUE(IsStaleTimestamp(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr("future"));

  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds - 300);
  EXPECT_TRUE(Verify(r.request).ok());
}

TEST(VerifyStripeSignatureTest, BadSignatureIsNotReportedAsStale) {
  Request r(absl::StrCat("t=", kTimestamp, ",v1=", kWrongHex));
  r.request.received_at = absl::FromUnixSeconds(kTimestampSeconds + 3600);
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(IsStaleTimestamp(status));
}

TEST(VerifyStripeSignatureTest, AnyConfiguredSecretMayMatch) {
  Request r(absl::StrCat("t=", kTimestamp, ",v1=", kHex));
  EXPECT_TRUE(Verify(r.request, {"whsec_new_secret", std::string(kSecret)}).ok());
  EXPECT_TRUE(Verify(r.request, {std::string(kSecret), "whsec_new_secret"}).ok());
  const absl::Status status = Verify(r.request, {"whsec_new_secret"});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
  EXPECT_EQ(Verify(r.request, {}).code(), absl::StatusCode::kUnauthenticated);
}

TEST(VerifyStripeSignatureTest, SaysWhichSecretMatchedAndWhenItWasSigned) {
  Request r(absl::StrCat("t=", kTimestamp, ",v1=", kHex));
  Verification verified;
  const absl::Status status =
      VerifyStripeSignature(r.request, {"whsec_old", std::string(kSecret)}, kTolerance, &verified);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(verified.secret_index, 1);
  ASSERT_TRUE(verified.signed_at.has_value());
  EXPECT_EQ(*verified.signed_at, absl::FromUnixSeconds(kTimestampSeconds));
}

}  // namespace
}  // namespace hookbridge
