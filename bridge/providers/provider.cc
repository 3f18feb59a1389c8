#include "bridge/providers/provider.h"

#include "absl/strings/match.h"

namespace hookbridge {
namespace {
constexpr absl::string_view kStalePayload = "hookbridge.dev/stale-timestamp";
}  // namespace

const absl::string_view* WebhookRequest::FindHeader(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

absl::Status StaleTimestampError(absl::string_view message) {
  absl::Status status = absl::UnauthenticatedError(message);
  status.SetPayload(kStalePayload, absl::Cord("1"));
  return status;
}

bool IsStaleTimestamp(const absl::Status& status) {
  return status.GetPayload(kStalePayload).has_value();
}

}  // namespace hookbridge
