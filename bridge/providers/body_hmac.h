// The "sha256=<hex HMAC-SHA256 of the body>" header signature, shared by
// GitHub (X-Hub-Signature-256, lowercase hex) and ONLYOFFICE DocSpace
// (x-docspace-signature-256, uppercase hex). No signed timestamp.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_BODY_HMAC_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_BODY_HMAC_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

// Unauthenticated with the reason (naming `header`) unless the header holds
// "sha256=" and the hex (either case) HMAC-SHA256 of the body under one of
// `secrets`. Every secret is tried: the time taken does not tell which one
// matched. On success sets `verified->secret_index` when given.
absl::Status VerifySha256BodySignature(const WebhookRequest& request, absl::string_view header,
                                       const std::vector<std::string>& secrets,
                                       Verification* verified = nullptr);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_BODY_HMAC_H_
