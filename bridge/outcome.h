// What became of one webhook request: the closed set of outcomes that the
// ingest path, the HTTP layer, the metrics and the console share.
#ifndef HOOKBRIDGE_BRIDGE_OUTCOME_H_
#define HOOKBRIDGE_BRIDGE_OUTCOME_H_

#include <cstddef>
#include <iterator>

#include "absl/strings/string_view.h"

namespace hookbridge {

// What became of one webhook request. A closed set: these are metric labels.
enum class Outcome {
  kAccepted,            // appended
  kDuplicate,           // already appended earlier; acknowledged, not appended
  kConflict,            // the same delivery is being appended by another request
  kMalformed,           // body is not valid JSON or not the provider's envelope
  kBadSignature,        // missing or wrong signature
  kStaleTimestamp,      // genuine signature, timestamp outside the tolerance
  kUnknownSource,       // no such source
  kBadToken,            // a source's path token is missing or wrong (answered as unknown)
  kTooLarge,            // body over the limit
  kBadRequest,          // not a well-formed HTTP request
  kBadMethod,           // a method other than POST, GET, HEAD on a webhook path
  kUnavailable,         // the log could not take the event; the sender retries
  kTooManyConnections,  // the ingress was at http.max_connections; closed unread
  kTimeout,             // the request did not arrive within http.read_timeout
  kTlsHandshake,        // the TLS handshake failed (not TLS, no or a wrong client certificate)
  kRateLimited,         // genuine, but over the source's rate limit; the sender retries later
  kAnswered,            // genuine, the provider checking the endpoint: answered, nothing stored
};

// Every outcome, in declaration order (so an outcome's value indexes it).
inline constexpr Outcome kAllOutcomes[] = {
    Outcome::kAccepted,           Outcome::kDuplicate,    Outcome::kConflict,
    Outcome::kMalformed,          Outcome::kBadSignature, Outcome::kStaleTimestamp,
    Outcome::kUnknownSource,      Outcome::kBadToken,     Outcome::kTooLarge,
    Outcome::kBadRequest,         Outcome::kBadMethod,    Outcome::kUnavailable,
    Outcome::kTooManyConnections, Outcome::kTimeout,      Outcome::kTlsHandshake,
    Outcome::kRateLimited,        Outcome::kAnswered,
};
static_assert(static_cast<size_t>(Outcome::kAnswered) + 1 == std::size(kAllOutcomes));

// The metric label / JSON name of an outcome, e.g. "bad_signature".
absl::string_view OutcomeName(Outcome outcome);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_OUTCOME_H_
