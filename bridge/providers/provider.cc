#include "bridge/providers/provider.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

absl::StatusOr<const absl::string_view*> WebhookRequest::FindUniqueHeader(
    absl::string_view name) const {
  const absl::string_view* found = nullptr;
  int count = 0;
  for (const auto& [key, value] : headers) {
    if (!absl::EqualsIgnoreCase(key, name)) continue;
    if (found == nullptr) found = &value;
    ++count;
  }
  if (count > 1) {
    return absl::UnauthenticatedError(absl::StrCat("header ", name, " appears ", count,
                                                   " times; a webhook request must carry it once"));
  }
  return found;
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
