#include "bridge/log/jetstream/jetstream_backend.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bridge/log/jetstream/jetstream_consumers.h"
#include "bridge/log/jetstream/jetstream_log.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

// 0 in config means no limit.
absl::Status ReadLimit(const ConfigSection& log, absl::string_view key, absl::Duration* out) {
  absl::Duration d = *out == absl::InfiniteDuration() ? absl::ZeroDuration() : *out;
  HB_RETURN_IF_ERROR(log.ReadDuration(key, &d));
  *out = d > absl::ZeroDuration() ? d : absl::InfiniteDuration();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::any> ParseJetStreamLogOptions(const ConfigSection& log) {
  JetStreamLog::Options options;
  HB_RETURN_IF_ERROR(log.ReadString("url", &options.url));
  const std::vector<std::string> urls = JetStreamLog::ServerUrls(options.url);
  if (urls.empty()) return log.Error("url", "must name at least one NATS server");
  for (const std::string& url : urls) {
    // The client library takes "host:port" too, but not a stray separator.
    if (url.find_first_of(" \t;") != std::string::npos) {
      return log.Error("url",
                       "must be NATS server URLs separated by commas, e.g. "
                       "nats://nats-0:4222,nats://nats-1:4222");
    }
  }
  HB_RETURN_IF_ERROR(log.ReadString("stream", &options.stream));
  // JetStream stream names: no whitespace, '.', '*', '>', path separators.
  if (options.stream.empty() || options.stream.size() > 64 ||
      options.stream.find_first_of(" \t\r\n.*>/\\") != std::string::npos) {
    return log.Error("stream", "must be 1 to 64 characters without whitespace . * > / \\");
  }
  HB_RETURN_IF_ERROR(log.ReadString("subject_prefix", &options.subject_prefix));
  bool valid = !options.subject_prefix.empty();
  for (absl::string_view token : absl::StrSplit(options.subject_prefix, '.')) {
    valid = valid && !token.empty() && token.find_first_of(" \t\r\n*>") == absl::string_view::npos;
  }
  if (!valid) {
    return log.Error("subject_prefix",
                     "must be a NATS subject such as hookbridge or acme.hooks (no wildcards)");
  }
  uint64_t replicas = static_cast<uint64_t>(options.replicas);
  HB_RETURN_IF_ERROR(log.ReadUint("replicas", &replicas));
  if (replicas < 1 || replicas > 5) return log.Error("replicas", "must be 1 to 5");
  options.replicas = static_cast<int>(replicas);
  HB_RETURN_IF_ERROR(ReadLimit(log, "max_age", &options.max_age));
  HB_RETURN_IF_ERROR(log.ReadBytes("max_bytes", &options.max_bytes));
  HB_RETURN_IF_ERROR(log.ReadDuration("duplicate_window", &options.duplicate_window));
  if (options.duplicate_window < absl::Milliseconds(100)) {
    return log.Error("duplicate_window", "must be at least 100ms");
  }
  if (options.max_age != absl::InfiniteDuration() && options.duplicate_window > options.max_age) {
    return log.Error("duplicate_window", "must not be longer than log.max_age");
  }
  HB_RETURN_IF_ERROR(log.ReadDuration("ack_timeout", &options.ack_timeout));
  if (options.ack_timeout < absl::Milliseconds(10)) {
    return log.Error("ack_timeout", "must be at least 10ms");
  }
  HB_RETURN_IF_ERROR(log.ReadBytes("cache_bytes", &options.tail_cache_bytes));
  return std::any(std::move(options));
}

ConfigValues DescribeJetStreamLogOptions(const std::any& any) {
  const auto& o = std::any_cast<const JetStreamLog::Options&>(any);
  return {
      {"url", o.url},
      {"stream", o.stream},
      {"subject_prefix", o.subject_prefix},
      {"replicas", absl::StrCat(o.replicas)},
      {"max_age", o.max_age == absl::InfiniteDuration() ? "0" : FormatConfigDuration(o.max_age)},
      {"max_bytes", FormatConfigBytes(o.max_bytes)},
      {"duplicate_window", FormatConfigDuration(o.duplicate_window)},
      {"ack_timeout", FormatConfigDuration(o.ack_timeout)},
      {"cache_bytes", FormatConfigBytes(o.tail_cache_bytes)}};
}

absl::StatusOr<OpenedLog> OpenJetStreamLog(const std::any& any) {
  const auto& options = std::any_cast<const JetStreamLog::Options&>(any);
  absl::StatusOr<std::unique_ptr<JetStreamLog>> log = JetStreamLog::Open(options);
  if (!log.ok()) return log.status();
  OpenedLog opened;
  opened.facts = {{"stream", options.stream},
                  {"subjects", absl::StrCat(options.subject_prefix, ".>")},
                  {"replicas", absl::StrCat(options.replicas)}};
  opened.log = *std::move(log);
  return opened;
}

uint64_t JetStreamLogRetentionBytes(const std::any& any) {
  return std::any_cast<const JetStreamLog::Options&>(any).max_bytes;
}

absl::StatusOr<std::unique_ptr<ConsumerSet>> OpenJetStreamLogConsumers(const std::any& any,
                                                                       EventLog* log) {
  std::unique_ptr<JetStreamConsumerSet> set;
  HB_ASSIGN_OR_RETURN(
      set, JetStreamConsumerSet::Open(std::any_cast<const JetStreamLog::Options&>(any), log));
  return std::unique_ptr<ConsumerSet>(std::move(set));
}

absl::Status CheckJetStreamLogConsumer(const v1::ConsumerConfig& config) {
  return JetStreamConsumerSet::CheckSupported(config);
}

}  // namespace hookbridge
