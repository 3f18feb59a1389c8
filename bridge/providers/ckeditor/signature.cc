#include "bridge/providers/ckeditor/signature.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bridge/crypto.h"
#include "bridge/providers/timestamp.h"

namespace hookbridge {
namespace {

Sha256Digest Compute(absl::string_view secret, absl::string_view method,
                     absl::string_view path_and_query, absl::string_view timestamp,
                     absl::string_view body) {
  // Methods are short; uppercase them on the stack of a small string.
  std::string upper(method);
  absl::AsciiStrToUpper(&upper);
  return HmacSha256(secret, {upper, path_and_query, timestamp, body});
}

}  // namespace

std::string CkeditorSignature(absl::string_view secret, absl::string_view method,
                              absl::string_view path_and_query, absl::string_view timestamp,
                              absl::string_view body) {
  return HexEncode(Compute(secret, method, path_and_query, timestamp, body));
}

absl::Status VerifyCkeditorSignature(const WebhookRequest& request,
                                     const std::vector<std::string>& secrets,
                                     absl::Duration tolerance, Verification* verified) {
  absl::StatusOr<const absl::string_view*> timestamp =
      request.FindUniqueHeader(kCkeditorTimestampHeader);
  if (!timestamp.ok()) return timestamp.status();
  if (*timestamp == nullptr) {
    return absl::UnauthenticatedError("missing X-CS-Timestamp header");
  }
  absl::StatusOr<const absl::string_view*> signature =
      request.FindUniqueHeader(kCkeditorSignatureHeader);
  if (!signature.ok()) return signature.status();
  if (*signature == nullptr) {
    return absl::UnauthenticatedError("missing X-CS-Signature header");
  }
  absl::StatusOr<absl::Time> signed_at = ParseUnixMillis(**timestamp, kCkeditorTimestampHeader);
  if (!signed_at.ok()) return signed_at.status();
  Sha256Digest sent{};
  if (!HexDecodeDigest(**signature, &sent)) {
    return absl::UnauthenticatedError("X-CS-Signature is not a 64-digit hex HMAC-SHA256");
  }
  SecretMatch match;
  for (const std::string& secret : secrets) {
    // No early exit: the time taken does not tell which secret matched.
    match.Add(DigestsEqual(
        sent, Compute(secret, request.method, request.target, **timestamp, request.body)));
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  if (absl::Status s = CheckTimestampTolerance(*signed_at, request.received_at, tolerance);
      !s.ok()) {
    return s;
  }
  if (verified != nullptr) {
    verified->secret_index = match.index();
    verified->signed_at = *signed_at;
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
