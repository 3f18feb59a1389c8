#include "bridge/error_info.h"

#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace hookbridge {

std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorInfoTypeUrl);
  if (!payload.has_value()) return std::nullopt;
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  return info;
}

absl::Status WithErrorMetadata(absl::Status status, absl::string_view reason, absl::string_view key,
                               absl::string_view value) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  if (std::optional<google::rpc::ErrorInfo> existing = GetErrorInfo(status)) {
    info = *std::move(existing);
  } else {
    info.set_reason(std::string(reason));
    info.set_domain(std::string(kErrorDomain));
  }
  (*info.mutable_metadata())[std::string(key)] = std::string(value);
  status.SetPayload(kErrorInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  if (status.ok()) return status;
  google::rpc::RetryInfo info;
  const int64_t nanos = absl::ToInt64Nanoseconds(delay);
  info.mutable_retry_delay()->set_seconds(nanos / 1000000000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  status.SetPayload(kRetryInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<uint64_t> OldestRetainedSequence(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
  if (!info.has_value() || info->reason() != kReasonEventsNotRetained) return std::nullopt;
  auto it = info->metadata().find("oldest_sequence");
  uint64_t oldest = 0;
  if (it == info->metadata().end() || !absl::SimpleAtoi(it->second, &oldest)) return std::nullopt;
  return oldest;
}

}  // namespace hookbridge
