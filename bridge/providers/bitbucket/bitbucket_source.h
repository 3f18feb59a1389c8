// Bitbucket (Cloud and Data Center): X-Hub-Signature is "sha256=" and the
// hex HMAC-SHA256 of the body under the webhook's secret. No timestamp is
// signed, and X-Request-UUID is not: as for GitHub, the event id is a
// digest of the body. The type is X-Event-Key (e.g. repo:push), the
// subject the repository's full name.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_BITBUCKET_BITBUCKET_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_BITBUCKET_BITBUCKET_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kBitbucketCatalog;
const HmacSignatureSpec& BitbucketSignature();
absl::StatusOr<std::unique_ptr<Source>> CreateBitbucketSource(const SourceConfig& config);
TestSignature SignBitbucketRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_BITBUCKET_BITBUCKET_SOURCE_H_
