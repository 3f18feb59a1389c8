#include "bridge/providers/github/signature.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bridge/crypto.h"

namespace hookbridge {

std::string GithubSignature(absl::string_view secret, absl::string_view body) {
  return absl::StrCat("sha256=", HexEncode(HmacSha256(secret, {body})));
}

absl::Status VerifyGithubSignature(const WebhookRequest& request,
                                   const std::vector<std::string>& secrets) {
  const absl::string_view* header = request.FindHeader("X-Hub-Signature-256");
  if (header == nullptr) return absl::UnauthenticatedError("missing X-Hub-Signature-256 header");
  absl::string_view hex = *header;
  if (!absl::ConsumePrefix(&hex, "sha256=")) {
    return absl::UnauthenticatedError("X-Hub-Signature-256 does not start with \"sha256=\"");
  }
  Sha256Digest sent{};
  if (!HexDecodeDigest(hex, &sent)) {
    return absl::UnauthenticatedError("X-Hub-Signature-256 is not a 64-digit hex HMAC-SHA256");
  }
  bool matched = false;
  for (const std::string& secret : secrets) {
    matched |= DigestsEqual(sent, HmacSha256(secret, {request.body}));
  }
  if (!matched) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
