// Zoom: x-zm-signature is "v0=" and the hex HMAC-SHA256 of
// "v0:<x-zm-request-timestamp>:<body>" under the app's secret token. The
// type is the body's event (e.g. meeting.started); Zoom sends no delivery
// id, so the id is a digest of the body (which carries event_ts). The
// endpoint.url_validation check is answered with the plainToken and its
// hex HMAC-SHA256 under the secret token that verified the request.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_ZOOM_ZOOM_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_ZOOM_ZOOM_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kZoomCatalog;
const HmacSignatureSpec& ZoomSignature();
absl::StatusOr<std::unique_ptr<Source>> CreateZoomSource(const SourceConfig& config);
TestSignature SignZoomRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_ZOOM_ZOOM_SOURCE_H_
