// The input format shared by the provider fuzzers and their seeds: an HTTP
// request without its request line, so that a provider's example body or a
// captured delivery is a seed as it is.
//
//   X-CS-Timestamp: 1559117876761     header lines, "name: value"
//   X-CS-Signature: 0123...
//                                     an empty line
//   {"event": "comment.added", ...}   the body, every byte to the end
//
// An input without an empty line is all headers and no body; one that
// starts with "\n" has no headers. Lines may end in "\r\n"; a line without a
// ':' is a header with an empty value. Anything goes: the point is to hand
// the providers whatever a stranger can send.
#ifndef HOOKBRIDGE_FUZZ_FUZZ_INPUT_H_
#define HOOKBRIDGE_FUZZ_FUZZ_INPUT_H_

#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace hookbridge::fuzz {

struct SplitRequest {
  std::vector<std::pair<absl::string_view, absl::string_view>> headers;
  absl::string_view body;
};

// Splits `input` as described above. The views point into `input`.
inline SplitRequest SplitHeadersAndBody(absl::string_view input) {
  SplitRequest out;
  while (!input.empty()) {
    const size_t eol = input.find('\n');
    absl::string_view line = input.substr(0, eol);
    input = eol == absl::string_view::npos ? absl::string_view() : input.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      out.body = input;
      break;
    }
    const size_t colon = line.find(':');
    absl::string_view value;
    if (colon != absl::string_view::npos) {
      value = line.substr(colon + 1);
      line = line.substr(0, colon);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
    }
    out.headers.emplace_back(line, value);
  }
  return out;
}

}  // namespace hookbridge::fuzz

#endif  // HOOKBRIDGE_FUZZ_FUZZ_INPUT_H_
