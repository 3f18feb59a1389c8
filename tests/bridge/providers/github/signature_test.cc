#include "bridge/providers/github/signature.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/providers/provider.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// GitHub's official test vector (providers.md §5).
constexpr absl::string_view kSecret = "It's a Secret to Everybody";
constexpr absl::string_view kBody = "Hello, World!";
constexpr absl::string_view kHex =
    "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

// A request holding the strings its views point to.
struct Request {
  explicit Request(absl::string_view signature_in, absl::string_view body_in = kBody)
      : signature(signature_in), body(body_in) {
    request.method = "POST";
    request.target = "/webhooks/gh";
    request.headers = {{"Content-Type", "application/json"},
                       {"X-GitHub-Event", "push"},
                       {"X-Hub-Signature-256", signature}};
    request.body = body;
    request.received_at = absl::FromUnixSeconds(1700000000);
  }
  Request(const Request&) = delete;

  std::string signature;
  std::string body;
  WebhookRequest request;
};

absl::Status Verify(const WebhookRequest& request,
                    const std::vector<std::string>& secrets = {std::string(kSecret)}) {
  return VerifyGithubSignature(request, secrets);
}

TEST(GithubSignatureTest, MatchesTheOfficialVector) {
  EXPECT_EQ(GithubSignature(kSecret, kBody), absl::StrCat("sha256=", kHex));
}

TEST(GithubSignatureTest, DependsOnSecretAndBody) {
  EXPECT_NE(GithubSignature("It's a secret to everybody", kBody), absl::StrCat("sha256=", kHex));
  EXPECT_NE(GithubSignature(kSecret, "Hello, World?"), absl::StrCat("sha256=", kHex));
}

TEST(VerifyGithubSignatureTest, AcceptsTheOfficialVector) {
  Request r(absl::StrCat("sha256=", kHex));
  const absl::Status status = Verify(r.request);
  EXPECT_TRUE(status.ok()) << status;
}

TEST(VerifyGithubSignatureTest, HeaderNameIsCaseInsensitive) {
  Request r(absl::StrCat("sha256=", kHex));
  r.request.headers = {{"x-hub-signature-256", r.signature}};
  EXPECT_TRUE(Verify(r.request).ok()) << Verify(r.request);
}

TEST(VerifyGithubSignatureTest, AcceptsUppercaseHex) {
  Request r(absl::StrCat("sha256=", absl::AsciiStrToUpper(kHex)));
  const absl::Status status = Verify(r.request);
  EXPECT_TRUE(status.ok()) << status;
}

TEST(VerifyGithubSignatureTest, MissingHeaderIsRejected) {
  Request r("");
  r.request.headers = {{"X-GitHub-Event", "push"}};
  const absl::Status status = Verify(r.request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("missing X-Hub-Signature-256"));

  // The SHA-1 header of older integrations is not enough.
  r.request.headers = {{"X-Hub-Signature", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"}};
  EXPECT_THAT(Verify(r.request).message(), HasSubstr("missing X-Hub-Signature-256"));
}

TEST(VerifyGithubSignatureTest, MissingPrefixIsRejected) {
  for (const std::string& header :
       {std::string(kHex), absl::StrCat("sha1=", kHex), absl::StrCat("SHA256=", kHex),
        absl::StrCat("sha256:", kHex), absl::StrCat(" sha256=", kHex)}) {
    Request r(header);
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_THAT(status.message(), HasSubstr("\"sha256=\"")) << header;
  }
}

TEST(VerifyGithubSignatureTest, WrongLengthOrNonHexIsRejected) {
  const std::string hex(kHex);
  for (const std::string& digest : {hex.substr(0, 63), hex.substr(0, 62), hex + "0", hex + "00",
                                    std::string(), "g" + hex.substr(1), hex.substr(0, 32)}) {
    Request r(absl::StrCat("sha256=", digest));
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << digest;
    EXPECT_THAT(status.message(), HasSubstr("64-digit hex")) << digest;
  }
}

TEST(VerifyGithubSignatureTest, TamperedBodyIsRejected) {
  for (absl::string_view body : {"Hello, World?", "Hello, World! ", "hello, world!", ""}) {
    Request r(absl::StrCat("sha256=", kHex), body);
    const absl::Status status = Verify(r.request);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << body;
    EXPECT_THAT(status.message(), HasSubstr("mismatch")) << body;
  }
}

TEST(VerifyGithubSignatureTest, AnyConfiguredSecretMayMatch) {
  Request r(absl::StrCat("sha256=", kHex));
  EXPECT_TRUE(Verify(r.request, {"the-new-secret", std::string(kSecret)}).ok());
  EXPECT_TRUE(Verify(r.request, {std::string(kSecret), "the-new-secret"}).ok());
  const absl::Status status = Verify(r.request, {"the-new-secret"});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("mismatch"));
  EXPECT_EQ(Verify(r.request, {}).code(), absl::StatusCode::kUnauthenticated);
}

TEST(VerifyGithubSignatureTest, HasNoTimestampToGoStale) {
  // A genuine signature is accepted whenever it arrives.
  Request r(absl::StrCat("sha256=", kHex));
  r.request.received_at = absl::FromUnixSeconds(0);
  EXPECT_TRUE(Verify(r.request).ok());
  r.request.received_at = absl::FromUnixSeconds(4000000000);
  EXPECT_TRUE(Verify(r.request).ok());
}

}  // namespace
}  // namespace hookbridge
