// The Standard Webhooks signature (standardwebhooks.com), used by Svix and
// many SaaS products.
//
// Headers: webhook-id, webhook-timestamp (Unix seconds), webhook-signature
// (space-separated "v1,<base64>" entries; any may match). The signed content
// is "<id>.<timestamp>.<body>", HMAC-SHA256 keyed with the base64-decoded
// part of the "whsec_..." secret.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_STANDARD_WEBHOOKS_SIGNATURE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_STANDARD_WEBHOOKS_SIGNATURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

// The "v1,<base64>" signature a sender computes; `secret` is "whsec_<base64>"
// (or the bare base64). Empty if the secret is not valid base64.
std::string StandardWebhooksSignature(absl::string_view secret, absl::string_view id,
                                      absl::string_view timestamp, absl::string_view body);

// Unauthenticated with the reason unless some secret signs the request;
// StaleTimestampError when webhook-timestamp is further than `tolerance`
// from request.received_at. Svix sends the same headers named svix-id,
// svix-timestamp and svix-signature: `header_prefix` "svix".
absl::Status VerifyStandardWebhooksSignature(const WebhookRequest& request,
                                             const std::vector<std::string>& secrets,
                                             absl::Duration tolerance,
                                             Verification* verified = nullptr,
                                             absl::string_view header_prefix = "webhook");

// Decodes "whsec_<base64>" (or bare base64) into the HMAC key.
// InvalidArgument if it is not valid base64 or empty.
absl::StatusOr<std::string> StandardWebhooksKey(absl::string_view secret);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_STANDARD_WEBHOOKS_SIGNATURE_H_
