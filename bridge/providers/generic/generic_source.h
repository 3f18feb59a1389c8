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

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"
#include "bridge/providers/registry.h"
#include "google/protobuf/struct.pb.h"

namespace hookbridge {

// Empty catalogs: every event of these providers arrives untyped.
extern const Catalog kStandardWebhooksCatalog;
extern const Catalog kGithubCatalog;
extern const Catalog kStripeCatalog;

// A value in a header, or in a body field ("a.b" descends into objects).
inline ValueLocation HeaderLocation(std::string name) {
  return {ValueLocation::Kind::kHeader, std::move(name)};
}
inline ValueLocation FieldLocation(std::string name) {
  return {ValueLocation::Kind::kField, std::move(name)};
}

// How a generic provider signs, and where its events carry their type,
// delivery id and subject unless a source says otherwise. A provider whose
// webhooks fit this needs no Source of its own: its folder makes a
// GenericScheme and calls CreateGenericSource.
struct GenericScheme {
  // The check's name in an event's provenance (v1::Provenance.scheme).
  std::string name;
  // Verifies a request; `path` is the path and query the provider sent it
  // to (the source's public_url's, else the request's), for schemes that
  // sign it.
  std::function<absl::Status(const WebhookRequest& request, absl::string_view path,
                             const std::vector<std::string>& secrets, absl::Duration tolerance,
                             Verification* verified)>
      verify;
  // The signed timestamp's text (Unix seconds), empty where there is none;
  // unset: none.
  std::function<absl::string_view(const WebhookRequest& request)> timestamp;
  // Where the type and delivery id are: the first location that has one
  // (none: the ingest path takes a digest of the body as the id).
  std::vector<ValueLocation> event_type;
  std::vector<ValueLocation> delivery_id;
  std::vector<ValueLocation> subject;
  // A type made from the body (e.g. Linear's "<type>.<action>"), tried
  // before `event_type`; nullopt: not this body. Unset: none.
  std::function<std::optional<std::string>(const google::protobuf::Struct& body)> type_of;
  // The provider checking the endpoint (Source::Answer), given the body as
  // an untyped event would carry it; unset: it never does.
  std::function<absl::StatusOr<std::optional<ProviderAnswer>>(
      const WebhookRequest& request, const google::protobuf::Struct& body,
      const std::vector<std::string>& secrets, const Verification& verified)>
      answer;
  // For schemes that sign the URL (Source::DiagnoseSignature): whether the
  // request verifies with `path` as its path and query. Unset: none.
  std::function<bool(const WebhookRequest& request, absl::string_view path,
                     const std::vector<std::string>& secrets)>
      verifies_with_path;
  // Whether a request may be the provider's check at all (cheap, on the raw
  // request): `answer` is only called (and the body parsed for it) then.
  std::function<bool(const WebhookRequest& request)> may_be_check;
};

// Checks `config` against the provider row `provider` (CheckSourceConfig)
// and builds a source verifying and decoding as `scheme` says.
absl::StatusOr<std::unique_ptr<Source>> CreateGenericSource(absl::string_view provider,
                                                            GenericScheme scheme,
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
