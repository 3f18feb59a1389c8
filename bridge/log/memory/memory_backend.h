// The `memory` row of the log backend table (bridge/log/backend.h).
#ifndef HOOKBRIDGE_BRIDGE_LOG_MEMORY_MEMORY_BACKEND_H_
#define HOOKBRIDGE_BRIDGE_LOG_MEMORY_MEMORY_BACKEND_H_

#include <any>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/config_section.h"
#include "bridge/log/backend.h"

namespace hookbridge {

inline constexpr absl::string_view kMemoryLogKeys[] = {"max_events", "max_bytes"};

absl::StatusOr<std::any> ParseMemoryLogOptions(const ConfigSection& log);
ConfigValues DescribeMemoryLogOptions(const std::any& options);
absl::StatusOr<OpenedLog> OpenMemoryLog(const std::any& options);
uint64_t MemoryLogRetentionBytes(const std::any& options);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_MEMORY_MEMORY_BACKEND_H_
