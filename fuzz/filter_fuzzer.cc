// Fuzzes subscription filters as a subscriber sends them: a SubscribeRequest
// parsed from bytes, EventFilter::FromRequest, and Matches against a record.
//
// Input: four lines, the record's type, source, environment id and subject,
// then the serialized SubscribeRequest (everything after the fourth '\n').
//
// Findings besides crashes (HB_CHECK): an error other than InvalidArgument;
// a pattern that does not match its own text; and, for short inputs, a
// TypePattern::Matches that disagrees with a plain dynamic-programming glob.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/check.h"
#include "bridge/filter.h"
#include "bridge/log/event_log.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {
namespace {

absl::string_view NextLine(absl::string_view* input) {
  const size_t eol = input->find('\n');
  const absl::string_view line = input->substr(0, eol);
  *input = eol == absl::string_view::npos ? absl::string_view() : input->substr(eol + 1);
  return line;
}

// The reference: `*` matches any run of characters, everything else itself.
bool ReferenceGlob(absl::string_view pattern, absl::string_view text) {
  // matches[j]: pattern[0, i) matches text[0, j).
  std::vector<bool> matches(text.size() + 1, false);
  matches[0] = true;
  for (char p : pattern) {
    std::vector<bool> next(text.size() + 1, false);
    for (size_t j = 0; j <= text.size(); ++j) {
      if (p == '*') {
        next[j] = matches[j] || (j > 0 && next[j - 1]);
      } else {
        next[j] = j > 0 && matches[j - 1] && text[j - 1] == p;
      }
    }
    matches.swap(next);
  }
  return matches[text.size()];
}

}  // namespace
}  // namespace hookbridge

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hookbridge;  // NOLINT: the entry point must be global
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  LogRecord record;
  record.sequence = 1;
  record.type = std::string(NextLine(&input));
  record.source = std::string(NextLine(&input));
  record.environment_id = std::string(NextLine(&input));
  record.subject = std::string(NextLine(&input));

  v1::SubscribeRequest request;
  if (!request.ParseFromArray(input.data(), static_cast<int>(input.size()))) return 0;

  for (int i = 0; i < request.types_size(); ++i) {
    absl::StatusOr<TypePattern> pattern = TypePattern::Parse(request.types(i));
    if (!pattern.ok()) {
      HB_CHECK(pattern.status().code() == absl::StatusCode::kInvalidArgument);
      continue;
    }
    HB_CHECK(pattern->Matches(pattern->text()));
    if (i < 4 && record.type.size() <= 512) {
      HB_CHECK(pattern->Matches(record.type) == ReferenceGlob(pattern->text(), record.type));
    }
  }

  absl::StatusOr<EventFilter> filter = EventFilter::FromRequest(request);
  if (!filter.ok()) {
    HB_CHECK(filter.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  filter->Matches(record);
  filter->ToString();
  return 0;
}
