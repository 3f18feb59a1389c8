// Subscriber authentication and authorization.
//
// Subscribers present `authorization: Bearer <token>`. The config holds only
// each token's SHA-256 (never the token), a name for logs and metrics, and a
// grant: the sources and event type patterns the token may read. A request
// must stay inside its grant: asking for more (including "everything", by
// leaving a filter list empty, when the grant is narrower) is refused, never
// silently narrowed.
#ifndef HOOKBRIDGE_BRIDGE_AUTH_H_
#define HOOKBRIDGE_BRIDGE_AUTH_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/config_types.h"
#include "bridge/crypto.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {

// What one token may read.
struct Grant {
  std::string name;
  // Source names, or {"*"} for all.
  std::vector<std::string> sources;
  // Event type patterns (as in SubscribeRequest.types), or {"*"} for all.
  std::vector<std::string> types;
  // Durable consumers it may consume, or {"*"}.
  std::vector<std::string> consumers = {"*"};
  // May create, delete and seek consumers and redrive dead letters.
  bool manage_consumers = false;
};

// Immutable after Create; thread-safe.
class Authorizer {
 public:
  // InvalidArgument naming the bad token entry (duplicate name or hash,
  // malformed hash or pattern).
  static absl::StatusOr<std::unique_ptr<Authorizer>> Create(const AuthConfig& config);

  bool enabled() const { return enabled_; }

  // The grant of the token in an `authorization` metadata value
  // ("Bearer <token>"). Unauthenticated when it is missing, malformed or
  // unknown. With authentication disabled, a grant to everything.
  absl::StatusOr<const Grant*> Authenticate(const std::string* authorization) const;

  // PermissionDenied, naming what is outside the grant, unless every source
  // and type the request can match is covered by `grant`.
  static absl::Status Authorize(const Grant& grant, const v1::SubscribeRequest& request);

  // PermissionDenied unless `grant` may consume the consumer `name` whose
  // filter is `filter` (named in its consumers, and the filter inside its
  // sources and types); with `manage`, unless it may also manage consumers.
  static absl::Status AuthorizeConsumer(const Grant& grant, const std::string& name,
                                        const v1::SubscribeRequest& filter, bool manage);

  // The token names, for metric labels.
  std::vector<std::string> TokenNames() const;

 private:
  Authorizer() = default;

  bool enabled_ = true;
  Grant everything_;
  // SHA-256 of the token (hex) -> grant.
  absl::flat_hash_map<std::string, Grant> grants_;
};

// The token of an authorization value "Bearer <token>" (the scheme in any
// case, whitespace around the token dropped; it may be empty), or nullopt
// when the value is not a Bearer credential.
std::optional<absl::string_view> BearerToken(absl::string_view authorization);

// A fresh random token (256 bits, URL-safe base64) and the hex SHA-256 the
// config holds for it.
struct MintedToken {
  std::string token;
  std::string sha256;
};
MintedToken MintToken();

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_AUTH_H_
