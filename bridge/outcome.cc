#include "bridge/outcome.h"

namespace hookbridge {

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kDuplicate:
      return "duplicate";
    case Outcome::kConflict:
      return "conflict";
    case Outcome::kMalformed:
      return "malformed";
    case Outcome::kBadSignature:
      return "bad_signature";
    case Outcome::kStaleTimestamp:
      return "stale_timestamp";
    case Outcome::kUnknownSource:
      return "unknown_source";
    case Outcome::kBadToken:
      return "bad_token";
    case Outcome::kTooLarge:
      return "too_large";
    case Outcome::kBadRequest:
      return "bad_request";
    case Outcome::kBadMethod:
      return "bad_method";
    case Outcome::kUnavailable:
      return "unavailable";
    case Outcome::kTooManyConnections:
      return "too_many_connections";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kTlsHandshake:
      return "tls_handshake";
    case Outcome::kRateLimited:
      return "rate_limited";
    case Outcome::kAnswered:
      return "answered";
  }
  return "unknown";
}

}  // namespace hookbridge
