#include "bridge/config_section.h"

#include "absl/strings/str_cat.h"

namespace hookbridge {

std::string FormatConfigBytes(uint64_t bytes) {
  static constexpr struct {
    const char* suffix;
    uint64_t factor;
  } kUnits[] = {{"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}};
  if (bytes == 0) return "0";
  for (const auto& unit : kUnits) {
    if (bytes % unit.factor == 0) return absl::StrCat(bytes / unit.factor, unit.suffix);
  }
  return absl::StrCat(bytes);
}

std::string FormatConfigDuration(absl::Duration duration) {
  static constexpr struct {
    const char* suffix;
    int64_t millis;
  } kUnits[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}};
  const int64_t millis = absl::ToInt64Milliseconds(duration);
  if (millis == 0) return "0";
  for (const auto& unit : kUnits) {
    if (millis % unit.millis == 0) return absl::StrCat(millis / unit.millis, unit.suffix);
  }
  return absl::StrCat(millis, "ms");
}

}  // namespace hookbridge
