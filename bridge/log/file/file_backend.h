// The `file` row of the log backend table (bridge/log/backend.h): keys
// under `log:` and their parsing into FileLog::Options.
#ifndef HOOKBRIDGE_BRIDGE_LOG_FILE_FILE_BACKEND_H_
#define HOOKBRIDGE_BRIDGE_LOG_FILE_FILE_BACKEND_H_

#include <any>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/config_section.h"
#include "bridge/log/backend.h"

namespace hookbridge {

inline constexpr absl::string_view kFileLogKeys[] = {
    "dir",           "fsync",      "fsync_interval", "segment_bytes", "retention.bytes",
    "retention.age", "cache_bytes"};

absl::StatusOr<std::any> ParseFileLogOptions(const ConfigSection& log);
ConfigValues DescribeFileLogOptions(const std::any& options);
absl::StatusOr<OpenedLog> OpenFileLog(const std::any& options);
uint64_t FileLogRetentionBytes(const std::any& options);
uint64_t FileLogMaxRecordBytes(const std::any& options);
// The durable consumers, their stores in <log.dir>/consumers.
absl::StatusOr<std::unique_ptr<ConsumerSet>> OpenFileLogConsumers(const std::any& options,
                                                                  EventLog* log);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_FILE_FILE_BACKEND_H_
