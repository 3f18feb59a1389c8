#include "bridge/providers/docspace/signature.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// The vector of providers.md §3 (checked with two HMAC implementations).
constexpr absl::string_view kSecret = "testSecretKey";
constexpr absl::string_view kBody =
    R"({"event":{"id":1,"createOn":"2025-01-01T00:00:00Z","trigger":"file.created",)"
    R"("triggerId":128},"payload":{"id":42}})";
constexpr absl::string_view kHeader =
    "sha256=A88442C36EE595490A3D1D703E210A97850B9F5C02DF01FB1C64156A2220E2AB";

WebhookRequest VectorRequest(absl::string_view header_value = kHeader) {
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/docspace";
  request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                     {"x-docspace-signature-256", header_value}};
  request.body = kBody;
  request.received_at = absl::FromUnixSeconds(1735689600);
  return request;
}

std::vector<std::string> Secrets() { return {std::string(kSecret)}; }

void ExpectRejected(const absl::Status& status, absl::string_view reason) {
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_FALSE(IsStaleTimestamp(status)) << status;
  EXPECT_THAT(status.message(), HasSubstr(reason));
}

TEST(DocspaceSignatureTest, Vector) { EXPECT_EQ(DocspaceSignature(kSecret, kBody), kHeader); }

TEST(DocspaceSignatureTest, IsPrefixedUppercaseHex) {
  const std::string signature = DocspaceSignature("k", "");
  ASSERT_EQ(signature.size(), 7u + 64u);
  EXPECT_EQ(signature.substr(0, 7), "sha256=");
  for (char c : signature.substr(7)) {
    EXPECT_TRUE(absl::ascii_isdigit(c) || (c >= 'A' && c <= 'F')) << signature;
  }
}

TEST(VerifyDocspaceSignatureTest, AcceptsVector) {
  EXPECT_TRUE(VerifyDocspaceSignature(VectorRequest(), Secrets()).ok());
}

TEST(VerifyDocspaceSignatureTest, AcceptsLowercaseHex) {
  // The sender writes uppercase; the digits are compared as a digest.
  const std::string lower = absl::StrCat("sha256=", absl::AsciiStrToLower(kHeader.substr(7)));
  EXPECT_TRUE(VerifyDocspaceSignature(VectorRequest(lower), Secrets()).ok());
}

TEST(VerifyDocspaceSignatureTest, HeaderNameIsCaseInsensitive) {
  WebhookRequest request = VectorRequest();
  request.headers = {{"X-Docspace-Signature-256", kHeader}};
  EXPECT_TRUE(VerifyDocspaceSignature(request, Secrets()).ok());
}

TEST(VerifyDocspaceSignatureTest, RejectsTamperedBody) {
  WebhookRequest request = VectorRequest();
  const std::string tampered = absl::StrCat(kBody.substr(0, kBody.size() - 4), "43}}");
  request.body = tampered;
  ExpectRejected(VerifyDocspaceSignature(request, Secrets()), "signature mismatch");
  const std::string spaced = absl::StrCat(kBody, " ");
  request.body = spaced;
  ExpectRejected(VerifyDocspaceSignature(request, Secrets()), "signature mismatch");
}

TEST(VerifyDocspaceSignatureTest, RejectsTamperedSignature) {
  std::string tampered(kHeader);
  tampered.back() = 'C';
  ExpectRejected(VerifyDocspaceSignature(VectorRequest(tampered), Secrets()),
                 "signature mismatch: no configured secret matches");
}

TEST(VerifyDocspaceSignatureTest, RejectsWrongSecret) {
  ExpectRejected(VerifyDocspaceSignature(VectorRequest(), {"testsecretkey"}),
                 "no configured secret matches");
}

TEST(VerifyDocspaceSignatureTest, RejectsWhenNoSecretIsConfigured) {
  ExpectRejected(VerifyDocspaceSignature(VectorRequest(), {}), "no configured secret matches");
}

TEST(VerifyDocspaceSignatureTest, AcceptsEitherOfTwoSecrets) {
  // Rotation: the new secret is added next to the old one.
  EXPECT_TRUE(VerifyDocspaceSignature(VectorRequest(), {"new-secret", "testSecretKey"}).ok());
  EXPECT_TRUE(VerifyDocspaceSignature(VectorRequest(), {"testSecretKey", "new-secret"}).ok());
  const std::string signed_with_new = DocspaceSignature("new-secret", kBody);
  EXPECT_TRUE(
      VerifyDocspaceSignature(VectorRequest(signed_with_new), {"new-secret", "testSecretKey"})
          .ok());
  ExpectRejected(VerifyDocspaceSignature(VectorRequest(), {"new-secret", "other"}),
                 "no configured secret matches");
}

TEST(VerifyDocspaceSignatureTest, RejectsMissingHeader) {
  WebhookRequest request = VectorRequest();
  request.headers = {{"Content-Type", "application/json"}};
  ExpectRejected(VerifyDocspaceSignature(request, Secrets()),
                 "missing x-docspace-signature-256 header");
}

TEST(VerifyDocspaceSignatureTest, RejectsOtherProvidersHeader) {
  WebhookRequest request = VectorRequest();
  request.headers = {{"X-Hub-Signature-256", kHeader}};
  ExpectRejected(VerifyDocspaceSignature(request, Secrets()), "missing");
}

class DocspaceMissingPrefixTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DocspaceMissingPrefixTest, IsRejected) {
  ExpectRejected(VerifyDocspaceSignature(VectorRequest(GetParam()), Secrets()),
                 "does not start with \"sha256=\"");
}

INSTANTIATE_TEST_SUITE_P(Headers, DocspaceMissingPrefixTest,
                         ::testing::Values(std::string(kHeader.substr(7)),  // bare hex
                                           "", "sha256", "SHA256=" + std::string(kHeader.substr(7)),
                                           "sha1=" + std::string(kHeader.substr(7)),
                                           " " + std::string(kHeader)));

class DocspaceBadHexTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DocspaceBadHexTest, IsRejected) {
  ExpectRejected(VerifyDocspaceSignature(VectorRequest(GetParam()), Secrets()), "64-digit hex");
}

INSTANTIATE_TEST_SUITE_P(Headers, DocspaceBadHexTest,
                         ::testing::Values("sha256=", std::string(kHeader.substr(0, 70)),
                                           std::string(kHeader) + "0",
                                           std::string(kHeader.substr(0, 69)) + "ZZ",
                                           "sha256= " + std::string(kHeader.substr(8)),
                                           std::string(kHeader) + " "));

}  // namespace
}  // namespace hookbridge
