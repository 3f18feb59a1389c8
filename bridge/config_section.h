// One mapping of hookbridge.yaml as the extension it configures reads it
// (a log backend reads `log:`), without YAML: the config loader implements
// this over its parser, tests over a map. Values get the loader's ${NAME}
// expansion and units, and every error names the full key
// ("config: log.segment_bytes: ...").
#ifndef HOOKBRIDGE_BRIDGE_CONFIG_SECTION_H_
#define HOOKBRIDGE_BRIDGE_CONFIG_SECTION_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hookbridge {

class ConfigSection {
 public:
  virtual ~ConfigSection() = default;

  // Whether `key` is present.
  virtual bool Has(absl::string_view key) const = 0;

  // Each reads `key` into `*out` when present and leaves `*out` (the
  // default) alone when absent; InvalidArgument naming the key when the
  // value is not of the kind asked for.
  virtual absl::Status ReadString(absl::string_view key, std::string* out) const = 0;
  virtual absl::Status ReadUint(absl::string_view key, uint64_t* out) const = 0;
  // "4096", "512KiB", "10MiB", "1GB".
  virtual absl::Status ReadBytes(absl::string_view key, uint64_t* out) const = 0;
  // "500ms", "30s", "5m", "1h", "7d"; never negative.
  virtual absl::Status ReadDuration(absl::string_view key, absl::Duration* out) const = 0;

  // The nested mapping `key` (e.g. `retention` in `log`), whose keys must be
  // among `keys`; nullptr when absent.
  virtual absl::StatusOr<std::unique_ptr<ConfigSection>> Section(
      absl::string_view key, std::initializer_list<absl::string_view> keys) const = 0;

  // InvalidArgument "config: <this mapping's path>.<key>: <what>".
  virtual absl::Status Error(absl::string_view key, absl::string_view what) const = 0;
};

// A byte size as config writes it: the largest binary unit that divides it
// ("10GiB", "64MiB", "512KiB", "1000").
std::string FormatConfigBytes(uint64_t bytes);

// A duration as config writes it: the largest unit that divides it ("7d",
// "1h", "2m", "30s", "100ms"); "0" for zero.
std::string FormatConfigDuration(absl::Duration duration);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONFIG_SECTION_H_
