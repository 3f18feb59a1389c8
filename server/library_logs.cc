#include "server/library_logs.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

LogLevel FromGrpc(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return LogLevel::kDebug;
    case GPR_LOG_SEVERITY_INFO:
      return LogLevel::kInfo;
    case GPR_LOG_SEVERITY_ERROR:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

LogLevel FromLibrary(LibraryLogLevel level) {
  switch (level) {
    case LibraryLogLevel::kDebug:
      return LogLevel::kDebug;
    case LibraryLogLevel::kInfo:
      return LogLevel::kInfo;
    case LibraryLogLevel::kWarn:
      return LogLevel::kWarn;
    case LibraryLogLevel::kError:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

}  // namespace

void LogGrpcCoreMessage(gpr_log_func_args* args) {
  const LogLevel level = FromGrpc(args->severity);
  if (!LogEnabled(level)) return;
  // gRPC names its files from the root of its source tree; the directories
  // say nothing an operator needs.
  absl::string_view file = args->file != nullptr ? args->file : "";
  if (const size_t slash = file.rfind('/'); slash != absl::string_view::npos) {
    file.remove_prefix(slash + 1);
  }
  Log(level, absl::StripTrailingAsciiWhitespace(args->message != nullptr ? args->message : ""),
      {{"component", "grpc"}, {"source", absl::StrCat(file, ":", args->line)}});
}

void LogLibraryMessage(LibraryLogLevel level, absl::string_view component,
                       absl::string_view message, absl::Span<const LibraryLogField> fields) {
  const LogLevel log_level = FromLibrary(level);
  if (!LogEnabled(log_level)) return;
  std::vector<std::pair<std::string, LogValue>> line;
  line.reserve(fields.size() + 1);
  line.emplace_back("component", component);
  for (const LibraryLogField& field : fields) {
    if (field.value.empty()) continue;  // nothing known
    line.emplace_back(std::string(field.name), field.value);
  }
  Log(log_level, message, line);
}

void RouteLibraryLogs() {
  gpr_set_log_function(&LogGrpcCoreMessage);
  SetLibraryLogSink(&LogLibraryMessage);
}

}  // namespace hookbridge
