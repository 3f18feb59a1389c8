// Sources for any SaaS that signs webhooks the Standard Webhooks, GitHub or
// Stripe way: configuration, not code. The signature is verified per the
// scheme; the event type, delivery id and subject are read from configurable
// places (a header or a JSON field, with defaults per scheme); the whole
// body is delivered as Event.untyped.
//
// Defaults:
//   standard-webhooks  type: field "type"            id: header webhook-id
//   github             type: header X-GitHub-Event   id: header X-GitHub-Delivery
//   stripe             type: field "type"            id: field "id"
//                      subject: field "data.object.id"
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_GENERIC_GENERIC_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_GENERIC_GENERIC_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

// Empty catalogs: every event of these providers arrives untyped.
extern const Catalog kStandardWebhooksCatalog;
extern const Catalog kGithubCatalog;
extern const Catalog kStripeCatalog;

// How a generic provider signs, and where its events carry their type,
// delivery id and subject unless a source says otherwise. A provider whose
// webhooks fit this needs no Source of its own: its folder holds a
// GenericScheme (a static) and calls CreateGenericSource.
struct GenericScheme {
  // The check's name in an event's provenance (v1::Provenance.scheme).
  absl::string_view name;
  absl::Status (*verify)(const WebhookRequest& request, const std::vector<std::string>& secrets,
                         absl::Duration tolerance, Verification* verified);
  // The signed timestamp's text (Unix seconds), empty where there is none.
  absl::string_view (*timestamp)(const WebhookRequest& request);
  ValueLocation event_type;
  ValueLocation delivery_id;
  ValueLocation subject;
};

// Checks `config` against the provider row `provider` (CheckSourceConfig)
// and builds a source verifying and decoding as `scheme` says. `scheme` must
// outlive the source (make it a static).
absl::StatusOr<std::unique_ptr<Source>> CreateGenericSource(absl::string_view provider,
                                                            const GenericScheme& scheme,
                                                            const SourceConfig& config);

absl::StatusOr<std::unique_ptr<Source>> CreateStandardWebhooksSource(const SourceConfig& config);
absl::StatusOr<std::unique_ptr<Source>> CreateGithubSource(const SourceConfig& config);
absl::StatusOr<std::unique_ptr<Source>> CreateStripeSource(const SourceConfig& config);

// Standard Webhooks secrets must be whsec_ keys: InvalidArgument
// "secrets[i]: ..." otherwise. The standard-webhooks row's validate.
absl::Status ValidateStandardWebhooksSource(const SourceConfig& config);

// The provider table's test signers. A webhook-id, webhook-timestamp or
// Stripe-Signature t= already on the request is signed as it is.
TestSignature SignStandardWebhooksRequest(absl::string_view secret, const WebhookRequest& request);
TestSignature SignGithubRequest(absl::string_view secret, const WebhookRequest& request);
TestSignature SignStripeRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_GENERIC_GENERIC_SOURCE_H_
