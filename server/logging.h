// Structured process logs: one JSON object per line on stderr, with time,
// level, message and fields. Thread-safe; a line is written with a single
// write(2) so lines from different threads never interleave.
#ifndef HOOKBRIDGE_SERVER_LOGGING_H_
#define HOOKBRIDGE_SERVER_LOGGING_H_

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace hookbridge {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Lines below `level` are dropped. Default: info.
void SetLogLevel(LogLevel level);
// "debug", "info", "warn" or "error"; anything else leaves the level as is.
void SetLogLevel(absl::string_view name);

// A field value: strings are quoted, Raw values (numbers, JSON) are not.
struct LogValue {
  LogValue(absl::string_view s) : text(s), quoted(true) {}          // NOLINT
  LogValue(const std::string& s) : text(s), quoted(true) {}         // NOLINT
  LogValue(const char* s) : text(s), quoted(true) {}                // NOLINT
  LogValue(int64_t n) : text(std::to_string(n)), quoted(false) {}   // NOLINT
  LogValue(uint64_t n) : text(std::to_string(n)), quoted(false) {}  // NOLINT
  LogValue(int n) : text(std::to_string(n)), quoted(false) {}       // NOLINT
  std::string text;
  bool quoted;
};

using LogFields = std::initializer_list<std::pair<absl::string_view, LogValue>>;

void Log(LogLevel level, absl::string_view message, LogFields fields = {});
// The same with fields built at run time.
void Log(LogLevel level, absl::string_view message,
         const std::vector<std::pair<std::string, LogValue>>& fields);

// Appends `s` to `out` as a JSON string literal, quotes included.
void AppendJsonString(std::string* out, absl::string_view s);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_LOGGING_H_
