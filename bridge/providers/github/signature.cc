#include "bridge/providers/github/signature.h"

#include "absl/strings/str_cat.h"
#include "bridge/crypto.h"
#include "bridge/providers/body_hmac.h"

namespace hookbridge {

std::string GithubSignature(absl::string_view secret, absl::string_view body) {
  return absl::StrCat("sha256=", HexEncode(HmacSha256(secret, {body})));
}

absl::Status VerifyGithubSignature(const WebhookRequest& request,
                                   const std::vector<std::string>& secrets,
                                   Verification* verified) {
  return VerifySha256BodySignature(request, "X-Hub-Signature-256", secrets, verified);
}

}  // namespace hookbridge
