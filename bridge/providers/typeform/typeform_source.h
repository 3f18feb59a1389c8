// Typeform: Typeform-Signature is "sha256=" and the base64 HMAC-SHA256 of
// the body under the webhook's secret. No timestamp is signed; the signed
// body's event_id is the delivery id, event_type (form_response) the type,
// and the form's id the subject.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_TYPEFORM_TYPEFORM_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_TYPEFORM_TYPEFORM_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kTypeformCatalog;
const HmacSignatureSpec& TypeformSignature();
absl::StatusOr<std::unique_ptr<Source>> CreateTypeformSource(const SourceConfig& config);
TestSignature SignTypeformRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_TYPEFORM_TYPEFORM_SOURCE_H_
