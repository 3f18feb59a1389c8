// JSON output shared by the benchmark tools.
#ifndef HOOKBRIDGE_BENCH_JSON_H_
#define HOOKBRIDGE_BENCH_JSON_H_

#include <string>
#include <vector>

namespace hookbridge::bench {

// `strings` as the elements of a JSON array, without the brackets: each
// quoted, with '"' and '\' escaped and control characters as spaces.
inline std::string JsonStrings(const std::vector<std::string>& strings) {
  std::string out;
  for (const std::string& s : strings) {
    if (!out.empty()) out += ',';
    out += '"';
    for (const char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    out += '"';
  }
  return out;
}

}  // namespace hookbridge::bench

#endif  // HOOKBRIDGE_BENCH_JSON_H_
