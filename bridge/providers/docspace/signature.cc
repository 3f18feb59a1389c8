#include "bridge/providers/docspace/signature.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "bridge/crypto.h"
#include "bridge/providers/body_hmac.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kPrefix = "sha256=";

}  // namespace

std::string DocspaceSignature(absl::string_view secret, absl::string_view body) {
  return absl::StrCat(kPrefix, absl::AsciiStrToUpper(HexEncode(HmacSha256(secret, {body}))));
}

absl::Status VerifyDocspaceSignature(const WebhookRequest& request,
                                     const std::vector<std::string>& secrets,
                                     Verification* verified) {
  // DocSpace writes the hex in uppercase; VerifySha256BodySignature accepts
  // either case.
  return VerifySha256BodySignature(request, kDocspaceSignatureHeader, secrets, verified);
}

}  // namespace hookbridge
