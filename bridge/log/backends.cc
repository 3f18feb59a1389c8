#include "absl/strings/str_cat.h"
#include "bridge/log/backend.h"
#include "bridge/log/file/file_backend.h"
#include "bridge/log/jetstream/jetstream_backend.h"
#include "bridge/log/memory/memory_backend.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

absl::StatusOr<std::unique_ptr<ConsumerSet>> OpenMemoryLogConsumers(const std::any&,
                                                                    EventLog* log) {
  std::unique_ptr<LocalConsumerSet> set;
  HB_ASSIGN_OR_RETURN(set, LocalConsumerSet::Open({log, ""}));
  return std::unique_ptr<ConsumerSet>(std::move(set));
}

// name, keys, parse, describe, open, retention_bytes, open_consumers,
// check_consumer, max_record_bytes
const LogBackend kLogBackends[] = {
    {"file", kFileLogKeys, &ParseFileLogOptions, &DescribeFileLogOptions, &OpenFileLog,
     &FileLogRetentionBytes, &OpenFileLogConsumers, nullptr, &FileLogMaxRecordBytes},
    {"memory", kMemoryLogKeys, &ParseMemoryLogOptions, &DescribeMemoryLogOptions, &OpenMemoryLog,
     &MemoryLogRetentionBytes, &OpenMemoryLogConsumers, nullptr, nullptr},
    {"jetstream", kJetStreamLogKeys, &ParseJetStreamLogOptions, &DescribeJetStreamLogOptions,
     &OpenJetStreamLog, &JetStreamLogRetentionBytes, &OpenJetStreamLogConsumers,
     &CheckJetStreamLogConsumer, nullptr},
};

// A `log:` mapping with no keys: parsing it gives a backend's defaults.
class EmptySection : public ConfigSection {
 public:
  bool Has(absl::string_view) const override { return false; }
  absl::Status ReadString(absl::string_view, std::string*) const override {
    return absl::OkStatus();
  }
  absl::Status ReadUint(absl::string_view, uint64_t*) const override { return absl::OkStatus(); }
  absl::Status ReadBytes(absl::string_view, uint64_t*) const override { return absl::OkStatus(); }
  absl::Status ReadDuration(absl::string_view, absl::Duration*) const override {
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<ConfigSection>> Section(
      absl::string_view, std::initializer_list<absl::string_view>) const override {
    return nullptr;
  }
  absl::Status Error(absl::string_view key, absl::string_view what) const override {
    return absl::InvalidArgumentError(absl::StrCat("config: log.", key, ": ", what));
  }
};

// `log.options`, or the backend's defaults when it is empty.
absl::StatusOr<std::any> OptionsOrDefaults(const LogBackend& backend, const LogConfig& log) {
  if (log.options.has_value()) return log.options;
  return backend.parse(EmptySection());
}

}  // namespace

ConfigValues DescribeLog(const LogConfig& log) {
  const LogBackend* backend = FindLogBackend(log.backend);
  if (backend == nullptr) return {};
  absl::StatusOr<std::any> options = OptionsOrDefaults(*backend, log);
  if (!options.ok()) return {};
  ConfigValues values = {{"backend", log.backend}};
  for (auto& kv : backend->describe(*options)) values.push_back(std::move(kv));
  return values;
}

absl::StatusOr<OpenedLog> OpenLog(const LogConfig& log) {
  const LogBackend* backend = FindLogBackend(log.backend);
  if (backend == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("log.backend: unknown backend \"", log.backend,
                                                   "\" (expected: ", LogBackendNames(), ")"));
  }
  absl::StatusOr<std::any> options = OptionsOrDefaults(*backend, log);
  if (!options.ok()) return options.status();
  return backend->open(*options);
}

absl::Span<const LogBackend> LogBackends() { return kLogBackends; }

const LogBackend* FindLogBackend(absl::string_view name) {
  for (const LogBackend& backend : kLogBackends) {
    if (backend.name == name) return &backend;
  }
  return nullptr;
}

std::string LogBackendNames() {
  std::string out;
  const size_t n = std::size(kLogBackends);
  for (size_t i = 0; i < n; ++i) {
    absl::StrAppend(&out, i == 0 ? "" : (i + 1 == n ? " or " : ", "), kLogBackends[i].name);
  }
  return out;
}

}  // namespace hookbridge
