// Structured process logs: one JSON object per line on stderr, with time,
// level, message and fields. Thread-safe; a line is written with a single
// write(2) so lines from different threads never interleave.
#ifndef HOOKBRIDGE_SERVER_LOGGING_H_
#define HOOKBRIDGE_SERVER_LOGGING_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hookbridge {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// Lines below `level` are dropped. Default: info.
void SetLogLevel(LogLevel level);
// "debug", "info", "warn" or "error"; anything else leaves the level as is.
void SetLogLevel(absl::string_view name);
// Whether lines at `level` are written.
bool LogEnabled(LogLevel level);

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

// Keeps a kind of line that outside input causes (a rejected webhook) from
// flooding the log, and the threads that write it: of the lines with the
// same key fields (e.g. source and outcome), at most `per_second` are
// written in each second. The others are counted; Flush writes one line
// per key that had any, "similar log lines suppressed", with the key
// fields, the message the lines would have had ("message") and their
// number ("suppressed"). Key fields should come from closed sets, as
// metric labels do: each key is remembered until it has been idle for a
// minute. Thread-safe; lines are written outside its lock.
class LogThrottle {
 public:
  // Where lines go: Log by default.
  using Sink = std::function<void(LogLevel, absl::string_view message,
                                  const std::vector<std::pair<std::string, LogValue>>& fields)>;

  LogThrottle(LogLevel level, std::string message, int per_second, Sink sink = nullptr);

  // Writes the line, its key fields first and then `details`, at `now`,
  // unless the key has had its `per_second` lines in the second that began
  // with the first of them; then counts it.
  void Log(absl::Time now, LogFields key, LogFields details = {});

  // Writes the summary of every key with lines suppressed since the last
  // Flush. Call it periodically (the server does once a second, and when
  // it stops).
  void Flush(absl::Time now);

 private:
  using Fields = std::vector<std::pair<std::string, LogValue>>;
  struct Key {
    Fields fields;
    absl::Time window_start = absl::InfinitePast();
    absl::Time last_line = absl::InfinitePast();
    int written = 0;  // in the window from window_start
    uint64_t suppressed = 0;
  };

  const LogLevel level_;
  const std::string message_;
  const int per_second_;
  const Sink sink_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Key> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_LOGGING_H_
