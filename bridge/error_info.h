// Machine-readable facts of an error, carried by an absl::Status as
// payloads in the gRPC richer error model's messages: a google.rpc.ErrorInfo
// (a reason in hookbridge's domain, and facts such as the oldest retained
// sequence) and, for errors worth retrying, a google.rpc.RetryInfo. The gRPC
// layer (ToGrpcStatus) sends them as `grpc-status-details-bin`, which every
// language's gRPC status helpers decode; the message text stays as it is.
#ifndef HOOKBRIDGE_BRIDGE_ERROR_INFO_H_
#define HOOKBRIDGE_BRIDGE_ERROR_INFO_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"

namespace hookbridge {

// ErrorInfo.domain of every error hookbridge explains.
inline constexpr absl::string_view kErrorDomain = "hookbridge";

// Payload type URLs (those of google.protobuf.Any).
inline constexpr absl::string_view kErrorInfoTypeUrl = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kRetryInfoTypeUrl = "type.googleapis.com/google.rpc.RetryInfo";

// Reasons (ErrorInfo.reason).
inline constexpr absl::string_view kReasonEventsNotRetained = "EVENTS_NOT_RETAINED";
inline constexpr absl::string_view kReasonPositionAfterEnd = "POSITION_AFTER_END";
inline constexpr absl::string_view kReasonShuttingDown = "SERVER_SHUTTING_DOWN";
inline constexpr absl::string_view kReasonLogUnavailable = "EVENT_LOG_UNAVAILABLE";

// The ErrorInfo `status` carries, if any.
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);

// The oldest retained sequence, if `status` says the records asked for
// were evicted (reason EVENTS_NOT_RETAINED with `oldest_sequence`).
std::optional<uint64_t> OldestRetainedSequence(const absl::Status& status);

// Adds `key: value` to the ErrorInfo of `status`, creating one with
// `reason` when it has none. An OK status is returned as it is.
absl::Status WithErrorMetadata(absl::Status status, absl::string_view reason, absl::string_view key,
                               absl::string_view value);

// Attaches a RetryInfo saying a retry makes sense after `delay`.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_ERROR_INFO_H_
