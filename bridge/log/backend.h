// The table of event log backends. A row owns everything about its
// backend: its name (`log.backend`), its keys under `log:`, their parsing
// and validation into its Options struct (the one place its defaults live),
// how the options read back as config, how the log is opened, and what it
// reports as its size limit. The config loader, the server, config reload
// and the docs check iterate this table. Adding a backend is its folder
// under bridge/log/ and one row in backends.cc; there is no
// self-registration.
#ifndef HOOKBRIDGE_BRIDGE_LOG_BACKEND_H_
#define HOOKBRIDGE_BRIDGE_LOG_BACKEND_H_

#include <any>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bridge/config_section.h"
#include "bridge/config_types.h"
#include "bridge/consumer/consumer_set.h"
#include "bridge/log/event_log.h"

namespace hookbridge {

// Config keys with their values as they would be written in hookbridge.yaml
// ("segment_bytes" -> "64MiB"), in documentation order.
using ConfigValues = std::vector<std::pair<std::string, std::string>>;

// A log as a backend opened it, with what to report about the opening.
struct OpenedLog {
  std::unique_ptr<EventLog> log;
  // For the "event log opened" line: what the backend found (segments,
  // the stream's subjects, ...).
  ConfigValues facts;
  // Each worth a warning of its own (e.g. a corrupt record recovery
  // skipped).
  std::vector<std::string> warnings;
};

struct LogBackend {
  // `log.backend`.
  absl::string_view name;
  // The keys it takes under `log:` besides `backend`, dotted below `log.`
  // ("retention.bytes"), in documentation order. Other keys are errors.
  absl::Span<const absl::string_view> keys;
  // Reads its keys from the `log:` mapping into a copy of its Options'
  // defaults and validates them. InvalidArgument naming the key.
  absl::StatusOr<std::any> (*parse)(const ConfigSection& log);
  // Every key of `keys` with its value in `options` (its Options type).
  ConfigValues (*describe)(const std::any& options);
  // Opens the log. Unavailable or FailedPrecondition when it cannot be.
  absl::StatusOr<OpenedLog> (*open)(const std::any& options);
  // The configured size limit (0: none), for hookbridge_log_retention_bytes.
  uint64_t (*retention_bytes)(const std::any& options);
  // Opens the durable consumers of the log `log` that `options` opened
  // (state next to the log, in memory, or in NATS).
  absl::StatusOr<std::unique_ptr<ConsumerSet>> (*open_consumers)(const std::any& options,
                                                                 EventLog* log);
  // What this backend's consumers cannot do: FailedPrecondition naming it,
  // checked with the config. Null: they can do everything.
  absl::Status (*check_consumer)(const v1::ConsumerConfig& config);
  // The largest record a log opened with `options` stores (what its
  // max_record_bytes() will say), for checking the config against. Null
  // when there is no fixed limit, or only the opened log knows it (the
  // NATS server's max_payload).
  uint64_t (*max_record_bytes)(const std::any& options);
};

absl::Span<const LogBackend> LogBackends();

// The row named `name`, or nullptr.
const LogBackend* FindLogBackend(absl::string_view name);

// Every backend name, for messages: "file, memory or jetstream".
std::string LogBackendNames();

// `log` as config keys: "backend" first, then every key of its backend with
// its value (the backend's defaults where `log.options` is empty). Empty
// for an unknown backend.
ConfigValues DescribeLog(const LogConfig& log);

// Opens the log `log` configures (its backend's defaults where
// `log.options` is empty). InvalidArgument for an unknown backend.
absl::StatusOr<OpenedLog> OpenLog(const LogConfig& log);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_BACKEND_H_
