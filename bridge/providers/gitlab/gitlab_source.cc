#include "bridge/providers/gitlab/gitlab_source.h"

#include <string>
#include <vector>

#include "bridge/crypto.h"
#include "bridge/providers/generic/generic_source.h"

namespace hookbridge {
namespace {

constexpr char kHeader[] = "X-Gitlab-Token";

absl::Status VerifyGitlab(const WebhookRequest& request, absl::string_view,
                          const std::vector<std::string>& secrets, absl::Duration,
                          Verification* verified) {
  absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader(kHeader);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return absl::UnauthenticatedError("missing X-Gitlab-Token header");
  // Digests are compared, so neither the time nor the length of a wrong
  // token tells anything about the configured ones.
  const Sha256Digest sent = Sha256({**found});
  SecretMatch match;
  for (const std::string& secret : secrets) match.Add(DigestsEqual(sent, Sha256({secret})));
  if (!match.matched()) {
    return absl::UnauthenticatedError("X-Gitlab-Token matches no configured secret token");
  }
  verified->secret_index = match.index();
  return absl::OkStatus();
}

}  // namespace

const Catalog kGitlabCatalog = {v1::PROVIDER_GITLAB, "", {}, {}};

absl::StatusOr<std::unique_ptr<Source>> CreateGitlabSource(const SourceConfig& config) {
  GenericScheme scheme;
  scheme.name = "gitlab-token";
  scheme.verify = &VerifyGitlab;
  scheme.event_type = {FieldLocation("object_kind"), HeaderLocation("X-Gitlab-Event")};
  scheme.delivery_id = {HeaderLocation("Idempotency-Key")};
  scheme.subject = {FieldLocation("project.path_with_namespace")};
  return CreateGenericSource("gitlab", std::move(scheme), config);
}

TestSignature SignGitlabRequest(absl::string_view secret, const WebhookRequest&) {
  TestSignature out;
  out.headers = {{kHeader, std::string(secret)}};
  return out;
}

}  // namespace hookbridge
