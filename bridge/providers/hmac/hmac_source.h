// Sources whose signature an HmacSignatureSpec describes: the providers
// that sign that way (Shopify, Slack, Zoom, Typeform, Intercom, Bitbucket,
// Linear) and the declarative `hmac` provider, whose spec is the source's
// `hmac` config.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_HMAC_HMAC_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_HMAC_HMAC_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

// A GenericScheme verifying with `spec` (its name, its timestamp header as
// the event's sent_at when in seconds).
GenericScheme HmacScheme(HmacSignatureSpec spec);

// Signs `request` with `secret` as `spec` says, at the timestamp its
// timestamp header already carries or else its receive time.
TestSignature SignWithSpec(const HmacSignatureSpec& spec, absl::string_view secret,
                           const WebhookRequest& request);

// The declarative provider: config.hmac made into a spec. InvalidArgument
// "hmac.<key>: ..." for a bad one. The `hmac` row's validate.
absl::StatusOr<HmacSignatureSpec> HmacSpecFromConfig(const HmacConfig& config);
absl::Status ValidateHmacSource(const SourceConfig& config);
absl::StatusOr<std::unique_ptr<Source>> CreateHmacSource(const SourceConfig& config);
// Signs as the example spec of the row's tests: X-Signature: sha256=<hex
// HMAC-SHA256 of "{timestamp}.{body}">, X-Timestamp in seconds.
TestSignature SignHmacRequest(absl::string_view secret, const WebhookRequest& request);
// The config of that example (tests give it to their sources).
HmacConfig ExampleHmacConfig();

extern const Catalog kHmacCatalog;

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_HMAC_HMAC_SOURCE_H_
