// The table of providers hookbridge speaks. Adding a provider means adding
// one row to the table in registry.cc: there is no self-registration.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_REGISTRY_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_REGISTRY_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"
#include "hookbridge/v1/event.pb.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {

struct SourceConfig;

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
};

absl::Span<const ProviderInfo> Providers();

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
