// The ONLYOFFICE DocSpace webhook signature.
//
// x-docspace-signature-256: sha256=<HEX>, where HEX is the HMAC-SHA256 of the
// raw body keyed with the webhook's secret key, written in UPPERCASE by the
// sender. Only the body is signed: there is no timestamp, so a captured
// delivery can be replayed; the delivery id (event.id) lets the dedup window
// drop replays it still remembers.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_DOCSPACE_SIGNATURE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_DOCSPACE_SIGNATURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

inline constexpr absl::string_view kDocspaceSignatureHeader = "x-docspace-signature-256";

// The header value a sender computes: "sha256=" and 64 uppercase hex digits.
std::string DocspaceSignature(absl::string_view secret, absl::string_view body);

// Verifies `request` against every secret in `secrets` (any may match; all
// are tried, so the time taken does not tell which). The hex digits are
// compared case-insensitively, as digests. Unauthenticated with a specific
// reason otherwise: missing header, missing "sha256=" prefix, not 64 hex
// digits, or no secret matches.
absl::Status VerifyDocspaceSignature(const WebhookRequest& request,
                                     const std::vector<std::string>& secrets,
                                     Verification* verified = nullptr);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_DOCSPACE_SIGNATURE_H_
