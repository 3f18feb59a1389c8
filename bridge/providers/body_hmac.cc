#include "bridge/providers/body_hmac.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bridge/crypto.h"

namespace hookbridge {

absl::Status VerifySha256BodySignature(const WebhookRequest& request, absl::string_view header,
                                       const std::vector<std::string>& secrets,
                                       Verification* verified) {
  absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader(header);
  if (!found.ok()) return found.status();
  const absl::string_view* value = *found;
  if (value == nullptr)
    return absl::UnauthenticatedError(absl::StrCat("missing ", header, " header"));
  absl::string_view hex = *value;
  if (!absl::ConsumePrefix(&hex, "sha256=")) {
    return absl::UnauthenticatedError(absl::StrCat(header, " does not start with \"sha256=\""));
  }
  Sha256Digest sent{};
  if (!HexDecodeDigest(hex, &sent)) {
    return absl::UnauthenticatedError(
        absl::StrCat(header, " is not \"sha256=\" and a 64-digit hex HMAC-SHA256"));
  }
  SecretMatch match;
  for (const std::string& secret : secrets) {
    match.Add(DigestsEqual(sent, HmacSha256(secret, {request.body})));
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  if (verified != nullptr) verified->secret_index = match.index();
  return absl::OkStatus();
}

}  // namespace hookbridge
