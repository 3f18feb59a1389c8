// The `jetstream` row of the log backend table (bridge/log/backend.h).
#ifndef HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_BACKEND_H_
#define HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_BACKEND_H_

#include <any>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/config_section.h"
#include "bridge/log/backend.h"

namespace hookbridge {

inline constexpr absl::string_view kJetStreamLogKeys[] = {
    "url",       "stream",           "subject_prefix", "replicas",   "max_age",
    "max_bytes", "duplicate_window", "ack_timeout",    "cache_bytes"};

absl::StatusOr<std::any> ParseJetStreamLogOptions(const ConfigSection& log);
ConfigValues DescribeJetStreamLogOptions(const std::any& options);
absl::StatusOr<OpenedLog> OpenJetStreamLog(const std::any& options);
uint64_t JetStreamLogRetentionBytes(const std::any& options);
// The durable consumers, kept in NATS (JetStreamConsumerSet).
absl::StatusOr<std::unique_ptr<ConsumerSet>> OpenJetStreamLogConsumers(const std::any& options,
                                                                       EventLog* log);
// FailedPrecondition for per-subject ordering.
absl::Status CheckJetStreamLogConsumer(const v1::ConsumerConfig& config);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_BACKEND_H_
