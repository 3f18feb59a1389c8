#include "bridge/providers/ckeditor/signature.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bridge/crypto.h"

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
                                     absl::Duration tolerance) {
  const absl::string_view* timestamp = request.FindHeader(kCkeditorTimestampHeader);
  if (timestamp == nullptr) {
    return absl::UnauthenticatedError("missing X-CS-Timestamp header");
  }
  const absl::string_view* signature = request.FindHeader(kCkeditorSignatureHeader);
  if (signature == nullptr) {
    return absl::UnauthenticatedError("missing X-CS-Signature header");
  }
  int64_t millis = 0;
  if (timestamp->empty() || timestamp->size() > 16 || !absl::SimpleAtoi(*timestamp, &millis) ||
      millis < 0 || !absl::ascii_isdigit(static_cast<unsigned char>((*timestamp)[0]))) {
    return absl::UnauthenticatedError(
        "X-CS-Timestamp is not a number of milliseconds since the Unix epoch");
  }
  Sha256Digest sent{};
  if (!HexDecodeDigest(*signature, &sent)) {
    return absl::UnauthenticatedError("X-CS-Signature is not a 64-digit hex HMAC-SHA256");
  }
  bool matched = false;
  for (const std::string& secret : secrets) {
    // No early exit: the time taken does not tell which secret matched.
    matched |= DigestsEqual(
        sent, Compute(secret, request.method, request.target, *timestamp, request.body));
  }
  if (!matched) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  const absl::Duration skew = request.received_at - absl::FromUnixMillis(millis);
  if (skew > tolerance) {
    return StaleTimestampError(absl::StrCat("timestamp ", absl::ToInt64Seconds(skew),
                                            " s older than tolerance ",
                                            absl::ToInt64Seconds(tolerance), " s"));
  }
  if (-skew > tolerance) {
    return StaleTimestampError(absl::StrCat("timestamp ", absl::ToInt64Seconds(-skew),
                                            " s in the future, beyond tolerance ",
                                            absl::ToInt64Seconds(tolerance), " s"));
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
