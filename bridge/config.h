// The config loader: hookbridge.yaml parsed and validated into the types of
// config_types.h.
//
// A config is loaded at start and again on reload (bridge/config_reload.h
// says what can change while running). Every string value may reference the
// environment as ${NAME} or ${NAME:-default}, so secrets never have to be
// written into the file; `$$` is a literal `$`. Unknown keys are errors, so a
// typo cannot silently fall back to a default.
#ifndef HOOKBRIDGE_BRIDGE_CONFIG_H_
#define HOOKBRIDGE_BRIDGE_CONFIG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/config_types.h"

namespace hookbridge {

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(absl::string_view name)>;

// Parses and validates a YAML config. InvalidArgument naming the offending
// key (e.g. `sources[0].timestamp_tolerance`) on any error.
absl::StatusOr<Config> ParseConfig(absl::string_view yaml, const EnvLookup& env);

// Reads `path` and parses it with the process environment. NotFound when the
// file cannot be read.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// The text of the file `path` (the config file, or a file it names);
// NotFound when it cannot be read.
absl::StatusOr<std::string> ReadConfigText(const std::string& path);

// Looks names up in the process environment.
EnvLookup ProcessEnvironment();

// Every key of `config` that has a value of its own, as config would write
// it, by dotted path ("http.max_body_bytes" -> "10MiB", "log.dir" ->
// "data/log", "sources[].timestamp_tolerance" -> "5m" for the first
// source). Keys that are required or whose default depends on something
// else (a provider, a backend's other keys) are left out; the log's keys
// are its backend's (bridge/log/backend.h). For docs checks and
// diagnostics; never includes secrets (secrets, path tokens and token
// hashes are never listed).
std::vector<std::pair<std::string, std::string>> DescribeConfig(const Config& config);

// Parses "host:port" / "[v6]:port".
absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text);

// Parses a byte size: "1048576", "512KiB", "10MiB", "1GiB", "10MB".
absl::StatusOr<uint64_t> ParseByteSize(absl::string_view text);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONFIG_H_
