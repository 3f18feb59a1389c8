// The table of providers hookbridge speaks. A row owns everything about its
// provider: its config name and enum value, what it requires of a source's
// keys, its factory, its typed catalog and a signer for tests. The config
// loader, the Ingestor, ListEventTypes, the golden tests and the fuzz
// targets all iterate this table. Adding a provider is its folder, one row
// in registry.cc, its testdata (and its proto for typed events); there is
// no self-registration.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_REGISTRY_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_REGISTRY_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"
#include "hookbridge/v1/event.pb.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {

// The headers a provider sends to sign a request, made by a row's test
// signer for tests and fuzzing.
struct TestSignature {
  std::vector<std::pair<std::string, std::string>> headers;
  // Whether a timestamp (or message id) the request already carried in the
  // provider's header was signed as it is; otherwise the request's receive
  // time was used.
  bool used_request_timestamp = false;
  // For providers that sign in the body (Mailgun): the body to send
  // instead, the signature added. Unset: send the body as it was.
  std::optional<std::string> body;
  // For providers that sign through the URL (Twilio's bodySHA256): the
  // target to send to instead. Unset: the request's.
  std::optional<std::string> target;

  // Makes `request` the signed one: these headers replace the request's of
  // the same names (case-insensitive), and the body and target replace its
  // own where set. Its views then point into this signature too, which must
  // outlive their use.
  void ApplyTo(WebhookRequest* request) const;
};

struct ProviderInfo {
  // The name used in config (`provider: ckeditor-cloud-services`).
  absl::string_view name;
  v1::Provider id;
  // Whether a source of this provider must have at least one secret.
  bool needs_secrets;
  // Whether it must have a path token (the provider does not sign).
  bool needs_path_token;
  // Whether event type and subject locations are configured per source
  // (providers for any SaaS, whose payload is delivered untyped).
  bool generic;
  // The event types this provider decodes into typed messages.
  const Catalog* catalog;
  absl::StatusOr<std::unique_ptr<Source>> (*create)(const SourceConfig& config);
  // What only this provider checks in a source's config (e.g. the format of
  // its secrets): InvalidArgument "<key>: <why>". nullptr: nothing more.
  absl::Status (*validate)(const SourceConfig& config);
  // Signs `request` with `secret` as the provider would, at its receive
  // time (or at the timestamp its signature headers already carry). Tests
  // and fuzzing only.
  TestSignature (*sign)(absl::string_view secret, const WebhookRequest& request);
  // tests/testdata/<testdata>/ holds a golden webhook body per catalog
  // event; empty for providers without typed events.
  absl::string_view testdata;
  // Generic providers without a default subject: a body field to take it
  // from in tests and fuzzing, so their subject path is exercised.
  absl::string_view example_subject_field;
  // Whether every request's signature covers a timestamp checked against
  // the source's timestamp_tolerance, so that a replay is refused as stale
  // once the tolerance has passed. Where it does not, only the
  // de-duplication window (dedup.window, by time) stops a replay, and a
  // time the signed body carries (DocSpace's event.createOn, as sent_at)
  // older than that window is refused as stale.
  bool signs_timestamp;
  // Completes a test source's config, given the secret its tests sign
  // with, where the provider needs more than secrets (the hmac provider's
  // description, Twilio's public_url, Discord's public key in place of the
  // secret). nullptr: nothing to add.
  void (*complete_test_config)(SourceConfig* config, absl::string_view secret) = nullptr;
};

absl::Span<const ProviderInfo> Providers();

// Checks `config` against what `provider` requires: secrets, a path token,
// event type and subject locations only for generic providers, and the
// row's own validate. InvalidArgument "<key>: <why>", the key relative to
// the source (e.g. "secrets", "secrets[1]"). The config loader and every
// factory call this; there is no other copy of these rules.
absl::Status CheckSourceConfig(const ProviderInfo& provider, const SourceConfig& config);

// CheckSourceConfig for the row named `provider`, its message prefixed
// with "source <name>: ", for factories.
absl::Status CheckSourceConfig(absl::string_view provider, const SourceConfig& config);

// The generic providers' names, comma-separated, for messages.
std::string GenericProviderNames();

// The row named `name`, or nullptr.
const ProviderInfo* FindProvider(absl::string_view name);

// All provider names, comma-separated, for error messages.
std::string ProviderNames();

// Describes every provider's typed event types (for ListEventTypes), with
// the configured sources of each. `sources` pairs a source name with its
// provider name.
v1::ListEventTypesResponse DescribeEventTypes(
    const std::vector<std::pair<std::string, std::string>>& sources);

// Builds the Source for one configured source. InvalidArgument if the
// provider is unknown or rejects the configuration.
absl::StatusOr<std::unique_ptr<Source>> CreateSource(const SourceConfig& config);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_REGISTRY_H_
