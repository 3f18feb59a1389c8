#include "bridge/providers/stripe/signature.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/crypto.h"
#include "bridge/providers/timestamp.h"
#include "bridge/status_macros.h"

namespace hookbridge {

std::string StripeSignature(absl::string_view secret, absl::string_view timestamp,
                            absl::string_view body) {
  return absl::StrCat("t=", timestamp,
                      ",v1=", HexEncode(HmacSha256(secret, {timestamp, ".", body})));
}

absl::Status VerifyStripeSignature(const WebhookRequest& request,
                                   const std::vector<std::string>& secrets,
                                   absl::Duration tolerance, Verification* verified) {
  const absl::string_view* header = nullptr;
  HB_ASSIGN_OR_RETURN(header, request.FindUniqueHeader("Stripe-Signature"));
  if (header == nullptr) return absl::UnauthenticatedError("missing Stripe-Signature header");
  absl::string_view timestamp;
  std::vector<Sha256Digest> candidates;
  for (absl::string_view item : absl::StrSplit(*header, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (absl::ConsumePrefix(&item, "t=")) {
      timestamp = item;
    } else if (absl::ConsumePrefix(&item, "v1=")) {
      Sha256Digest digest{};
      if (HexDecodeDigest(item, &digest)) candidates.push_back(digest);
    }
  }
  if (timestamp.empty()) return absl::UnauthenticatedError("Stripe-Signature has no t=");
  absl::StatusOr<absl::Time> signed_at = ParseUnixSeconds(timestamp, "Stripe-Signature t");
  if (!signed_at.ok()) return signed_at.status();
  if (candidates.empty()) {
    return absl::UnauthenticatedError("Stripe-Signature has no v1=<64 hex digits> entry");
  }
  SecretMatch match;
  for (const std::string& secret : secrets) {
    const Sha256Digest expected = HmacSha256(secret, {timestamp, ".", request.body});
    bool matched = false;
    for (const Sha256Digest& candidate : candidates) matched |= DigestsEqual(candidate, expected);
    match.Add(matched);
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  HB_RETURN_IF_ERROR(CheckTimestampTolerance(*signed_at, request.received_at, tolerance));
  if (verified != nullptr) {
    verified->secret_index = match.index();
    verified->signed_at = *signed_at;
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
