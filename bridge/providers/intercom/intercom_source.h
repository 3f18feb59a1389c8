// Intercom: X-Hub-Signature is "sha1=" and the hex HMAC-SHA1 of the body
// under the app's client secret. No timestamp is signed; the signed body's
// notification id is the delivery id, its topic (e.g.
// conversation.user.created) the type, data.item.id the subject.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_INTERCOM_INTERCOM_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_INTERCOM_INTERCOM_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kIntercomCatalog;
const HmacSignatureSpec& IntercomSignature();
absl::StatusOr<std::unique_ptr<Source>> CreateIntercomSource(const SourceConfig& config);
TestSignature SignIntercomRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_INTERCOM_INTERCOM_SOURCE_H_
