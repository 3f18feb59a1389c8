#include "bridge/log/memory/memory_backend.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "bridge/log/memory/memory_log.h"
#include "bridge/status_macros.h"

namespace hookbridge {

absl::StatusOr<std::any> ParseMemoryLogOptions(const ConfigSection& log) {
  MemoryLog::Options options;
  HB_RETURN_IF_ERROR(log.ReadUint("max_events", &options.max_events));
  if (options.max_events == 0) return log.Error("max_events", "must be positive");
  HB_RETURN_IF_ERROR(log.ReadBytes("max_bytes", &options.max_bytes));
  if (options.max_bytes == 0) return log.Error("max_bytes", "must be positive");
  return std::any(options);
}

ConfigValues DescribeMemoryLogOptions(const std::any& any) {
  const auto& o = std::any_cast<const MemoryLog::Options&>(any);
  return {{"max_events", absl::StrCat(o.max_events)},
          {"max_bytes", FormatConfigBytes(o.max_bytes)}};
}

absl::StatusOr<OpenedLog> OpenMemoryLog(const std::any& any) {
  const auto& options = std::any_cast<const MemoryLog::Options&>(any);
  OpenedLog opened;
  opened.log = std::make_unique<MemoryLog>(options);
  opened.facts = {{"max_events", absl::StrCat(options.max_events)},
                  {"max_bytes", FormatConfigBytes(options.max_bytes)}};
  return opened;
}

uint64_t MemoryLogRetentionBytes(const std::any& any) {
  return std::any_cast<const MemoryLog::Options&>(any).max_bytes;
}

}  // namespace hookbridge
