// CloudEvents in: events that already are CloudEvents (Knative, Argo
// Events, Dapr, Azure Event Grid, any CloudEvents SDK), taken over HTTP as
// the CloudEvents HTTP protocol binding sends them, and stored as they
// arrived, never wrapped in another envelope:
//
//   binary      ce-specversion, ce-id, ce-source, ce-type and the other
//               ce-* headers; Content-Type is datacontenttype; the body is
//               the data
//   structured  Content-Type application/cloudevents+json: the event as a
//               JSON object (the JSON event format), data or data_base64
//   batched     Content-Type application/cloudevents-batch+json: a JSON
//               array of such objects, each stored as an event of its own
//
// Authentication (sources[].cloudevents.auth): a bearer token
// (Authorization: Bearer <secret>, as the CloudEvents webhook specification
// asks) or a Standard Webhooks signature. The abuse-protection handshake of
// that specification (OPTIONS with WebHook-Request-Origin) is answered for
// the origins in sources[].cloudevents.allowed_origins.
//
// The event's id, type and subject are the CloudEvent's; its environment_id
// is the CloudEvent's source, and the id and source together de-duplicate.
// The CloudEvent itself is the payload (Event.cloudevents). See
// docs/CLOUDEVENTS.md, "CloudEvents in".
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_CLOUDEVENTS_CLOUDEVENTS_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_CLOUDEVENTS_CLOUDEVENTS_SOURCE_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"
#include "io/cloudevents/v1/cloudevents.pb.h"

namespace hookbridge {

extern const Catalog kCloudEventsCatalog;

absl::StatusOr<std::unique_ptr<Source>> CreateCloudEventsSource(const SourceConfig& config);
absl::Status ValidateCloudEventsSource(const SourceConfig& config);
// A bearer token: Authorization: Bearer <secret>.
TestSignature SignCloudEventsRequest(absl::string_view secret, const WebhookRequest& request);

// The CloudEvents of a request as the HTTP protocol binding carries them
// (binary, structured or batched mode, told apart by its Content-Type), in
// order. InvalidArgument with the reason for anything that is not a valid
// CloudEvent (specification 1.0): a missing or empty id, source or type,
// another specversion, an attribute name outside a-z and 0-9, an attribute
// value of a type CloudEvents has not, data that does not match its
// datacontenttype. For a batch, `raw` gets each event's own JSON text.
absl::Status ParseCloudEvents(const WebhookRequest& request, int max_json_depth,
                              std::vector<io::cloudevents::v1::CloudEvent>* events,
                              std::vector<std::string>* raw);

// Whether `request` is a batch (application/cloudevents-batch+json).
bool IsCloudEventsBatch(const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_CLOUDEVENTS_CLOUDEVENTS_SOURCE_H_
