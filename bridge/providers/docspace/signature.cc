#include "bridge/providers/docspace/signature.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bridge/crypto.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kPrefix = "sha256=";

}  // namespace

std::string DocspaceSignature(absl::string_view secret, absl::string_view body) {
  return absl::StrCat(kPrefix, absl::AsciiStrToUpper(HexEncode(HmacSha256(secret, {body}))));
}

absl::Status VerifyDocspaceSignature(const WebhookRequest& request,
                                     const std::vector<std::string>& secrets) {
  const absl::string_view* header = request.FindHeader(kDocspaceSignatureHeader);
  if (header == nullptr) {
    return absl::UnauthenticatedError("missing x-docspace-signature-256 header");
  }
  absl::string_view hex = *header;
  if (!absl::ConsumePrefix(&hex, kPrefix)) {
    return absl::UnauthenticatedError("x-docspace-signature-256 does not start with \"sha256=\"");
  }
  Sha256Digest sent{};
  if (!HexDecodeDigest(hex, &sent)) {
    return absl::UnauthenticatedError(
        "x-docspace-signature-256 is not \"sha256=\" and a 64-digit hex HMAC-SHA256");
  }
  bool matched = false;
  for (const std::string& secret : secrets) {
    // No early exit: the time taken does not tell which secret matched.
    matched |= DigestsEqual(sent, HmacSha256(secret, {request.body}));
  }
  if (!matched) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
