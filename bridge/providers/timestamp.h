// Signed-timestamp helpers shared by the signature schemes that carry one.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_TIMESTAMP_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_TIMESTAMP_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hookbridge {

// Parses a decimal count of seconds (or milliseconds) since the Unix epoch
// taken from `what` (a header name, for the error). Unauthenticated if it is
// not one.
absl::StatusOr<absl::Time> ParseUnixSeconds(absl::string_view text, absl::string_view what);
absl::StatusOr<absl::Time> ParseUnixMillis(absl::string_view text, absl::string_view what);

// OK when `signed_at` is within `tolerance` of `received_at`, either way;
// otherwise StaleTimestampError saying by how much it is off.
absl::Status CheckTimestampTolerance(absl::Time signed_at, absl::Time received_at,
                                     absl::Duration tolerance);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_TIMESTAMP_H_
