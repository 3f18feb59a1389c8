// Discord webhook events: X-Signature-Ed25519 is the hex Ed25519
// signature of "<X-Signature-Timestamp><body>" by Discord, verified with
// the application's public key (the source's secrets: 64 hex digits, as
// the developer portal shows it). The type is event.type (e.g.
// APPLICATION_AUTHORIZED); a PING (type 0) is answered 204. Discord sends
// no delivery id: the id is a digest of the body.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_DISCORD_DISCORD_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_DISCORD_DISCORD_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kDiscordCatalog;
absl::StatusOr<std::unique_ptr<Source>> CreateDiscordSource(const SourceConfig& config);
TestSignature SignDiscordRequest(absl::string_view secret, const WebhookRequest& request);
// The secrets must be hex Ed25519 public keys. The row's validate.
absl::Status ValidateDiscordSource(const SourceConfig& config);
// The public key (hex) that verifies what SignDiscordRequest signs with
// `secret` (a seed for the test key pair).
std::string DiscordTestPublicKey(absl::string_view secret);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_DISCORD_DISCORD_SOURCE_H_
