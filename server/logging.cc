#include "server/logging.h"

#include <unistd.h>

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hookbridge {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(static_cast<int>(level)); }

bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void SetLogLevel(absl::string_view name) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (LevelName(level) == name) SetLogLevel(level);
  }
}

void AppendJsonString(std::string* out, absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xf]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

namespace {

template <typename Fields>
void WriteLine(LogLevel level, absl::string_view message, const Fields& fields) {
  if (!LogEnabled(level)) return;
  std::string line = "{\"time\":";
  AppendJsonString(&line,
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()));
  absl::StrAppend(&line, ",\"level\":\"", LevelName(level), "\",\"msg\":");
  AppendJsonString(&line, message);
  for (const auto& [key, value] : fields) {
    line.push_back(',');
    AppendJsonString(&line, key);
    line.push_back(':');
    if (value.quoted) {
      AppendJsonString(&line, value.text);
    } else {
      line.append(value.text);
    }
  }
  line.append("}\n");
  // One write per line: stderr is unbuffered and lines stay whole.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void Log(LogLevel level, absl::string_view message, LogFields fields) {
  WriteLine(level, message, fields);
}

void Log(LogLevel level, absl::string_view message,
         const std::vector<std::pair<std::string, LogValue>>& fields) {
  WriteLine(level, message, fields);
}

namespace {
// A key without lines for this long is forgotten.
constexpr absl::Duration kForgetKeyAfter = absl::Minutes(1);
}  // namespace

LogThrottle::LogThrottle(LogLevel level, std::string message, int per_second, Sink sink)
    : level_(level),
      message_(std::move(message)),
      per_second_(per_second),
      sink_(sink != nullptr ? std::move(sink)
                            : [](LogLevel level, absl::string_view message, const Fields& fields) {
                                hookbridge::Log(level, message, fields);
                              }) {}

void LogThrottle::Log(absl::Time now, LogFields key, LogFields details) {
  if (!LogEnabled(level_)) return;
  std::string id;
  for (const auto& [name, value] : key) absl::StrAppend(&id, name, "=", value.text, "\n");
  {
    absl::MutexLock lock(&mu_);
    Key& entry = keys_[id];
    if (entry.fields.empty()) {
      for (const auto& [name, value] : key) entry.fields.emplace_back(std::string(name), value);
    }
    // A new window after a second, or if the clock stepped back.
    if (now - entry.window_start >= absl::Seconds(1) || now < entry.window_start) {
      entry.window_start = now;
      entry.written = 0;
    }
    entry.last_line = now;
    if (entry.written >= per_second_) {
      ++entry.suppressed;
      return;
    }
    ++entry.written;
  }
  Fields fields;
  fields.reserve(key.size() + details.size());
  for (const auto& [name, value] : key) fields.emplace_back(std::string(name), value);
  for (const auto& [name, value] : details) fields.emplace_back(std::string(name), value);
  sink_(level_, message_, fields);
}

void LogThrottle::Flush(absl::Time now) {
  std::vector<Fields> summaries;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = keys_.begin(); it != keys_.end();) {
      Key& entry = it->second;
      if (entry.suppressed > 0) {
        Fields fields = entry.fields;
        fields.emplace_back("message", message_);
        fields.emplace_back("suppressed", entry.suppressed);
        summaries.push_back(std::move(fields));
        entry.suppressed = 0;
      } else if (now - entry.last_line >= kForgetKeyAfter) {
        keys_.erase(it++);
        continue;
      }
      ++it;
    }
  }
  for (const Fields& fields : summaries) sink_(level_, "similar log lines suppressed", fields);
}

}  // namespace hookbridge
