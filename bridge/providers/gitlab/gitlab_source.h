// GitLab: X-Gitlab-Token is the secret token itself, compared in constant
// time with each configured one. It is not a signature: it proves the
// sender knows the token, but neither the body nor a time is
// authenticated, so use HTTPS and, where possible, a path token too. The
// type is the body's object_kind (push, merge_request, ...) or else
// X-Gitlab-Event; the delivery id Idempotency-Key (the same on retries,
// GitLab 17.4 and later) or else a digest of the body.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_GITLAB_GITLAB_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_GITLAB_GITLAB_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kGitlabCatalog;
absl::StatusOr<std::unique_ptr<Source>> CreateGitlabSource(const SourceConfig& config);
TestSignature SignGitlabRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_GITLAB_GITLAB_SOURCE_H_
