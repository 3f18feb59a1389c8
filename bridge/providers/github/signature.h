// GitHub's webhook signature, also used by Gitea, Gogs and others:
// X-Hub-Signature-256: sha256=<lowercase hex HMAC-SHA256 of the body>.
// There is no signed timestamp; X-GitHub-Delivery (the delivery id)
// de-duplicates redeliveries.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_GITHUB_SIGNATURE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_GITHUB_SIGNATURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

// The header value a sender computes: "sha256=<hex>".
std::string GithubSignature(absl::string_view secret, absl::string_view body);

// Unauthenticated with the reason unless some secret signs the body. Hex is
// compared case-insensitively.
absl::Status VerifyGithubSignature(const WebhookRequest& request,
                                   const std::vector<std::string>& secrets,
                                   Verification* verified = nullptr);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_GITHUB_SIGNATURE_H_
