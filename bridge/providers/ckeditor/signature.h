// The CKEditor Cloud Services request signature, also used by CKBox.
//
// X-CS-Signature = lowercase hex HMAC-SHA256, keyed with the environment's
// API secret, of UPPERCASE(method) + path_and_query + X-CS-Timestamp + body,
// concatenated with no separator. X-CS-Timestamp is milliseconds since the
// Unix epoch.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_CKEDITOR_SIGNATURE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_CKEDITOR_SIGNATURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

inline constexpr absl::string_view kCkeditorTimestampHeader = "X-CS-Timestamp";
inline constexpr absl::string_view kCkeditorSignatureHeader = "X-CS-Signature";

// The lowercase hex signature a sender computes.
std::string CkeditorSignature(absl::string_view secret, absl::string_view method,
                              absl::string_view path_and_query, absl::string_view timestamp,
                              absl::string_view body);

// Verifies `request` against every secret in `secrets` (any may match), then
// checks its timestamp is within `tolerance` of request.received_at.
// Unauthenticated with a specific reason otherwise; StaleTimestampError for
// a genuine but too old (or too far future) timestamp.
absl::Status VerifyCkeditorSignature(const WebhookRequest& request,
                                     const std::vector<std::string>& secrets,
                                     absl::Duration tolerance, Verification* verified = nullptr);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_CKEDITOR_SIGNATURE_H_
