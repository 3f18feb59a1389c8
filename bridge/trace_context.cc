#include "bridge/trace_context.h"

#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hookbridge {
namespace {

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZeros(absl::string_view s) { return s.find_first_not_of('0') == absl::string_view::npos; }

// Trace and parent ids need to be unique, not secret (the specification
// asks for randomness so that they are): a generator seeded once per thread
// from the OS, not OpenSSL's DRBG, whose RAND_bytes costs several times as
// much per call.
std::string RandomHex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local absl::BitGen generator;
  std::string hex;
  do {
    hex.clear();
    for (size_t i = 0; i < bytes; ++i) {
      const uint8_t byte = absl::Uniform<uint8_t>(generator);
      hex.push_back(kHex[byte >> 4]);
      hex.push_back(kHex[byte & 15]);
    }
  } while (AllZeros(hex));  // all zeros is not a valid id
  return hex;
}

// Printable ASCII only, as the tracestate grammar allows (and so valid
// UTF-8 in the event's string field).
bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

bool IsValidTraceparent(absl::string_view value) {
  // version "-" trace-id "-" parent-id "-" trace-flags: 2 + 1 + 32 + 1 + 16 + 1 + 2.
  constexpr size_t kLength = 55;
  if (value.size() < kLength) return false;
  const absl::string_view version = value.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return false;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return false;
  const absl::string_view trace_id = value.substr(3, 32);
  const absl::string_view parent_id = value.substr(36, 16);
  const absl::string_view flags = value.substr(53, 2);
  if (!IsLowerHex(trace_id) || !IsLowerHex(parent_id) || !IsLowerHex(flags)) return false;
  if (AllZeros(trace_id) || AllZeros(parent_id)) return false;
  if (version == "00") return value.size() == kLength;
  // A later version may add fields, after a dash.
  return value.size() == kLength || value[kLength] == '-';
}

std::string NewTraceparent() {
  return absl::StrCat("00-", RandomHex(16), "-", RandomHex(8), "-00");
}

void TraceContextOf(const WebhookRequest& request, v1::TraceContext* out) {
  // Two traceparent headers: ambiguous, so neither is continued.
  absl::StatusOr<const absl::string_view*> parent = request.FindUniqueHeader("traceparent");
  if (parent.ok() && *parent != nullptr) {
    const absl::string_view value = absl::StripAsciiWhitespace(**parent);
    if (IsValidTraceparent(value)) {
      out->set_traceparent(std::string(value));
      out->set_from_request(true);
      std::vector<absl::string_view> states;
      for (const auto& [name, header] : request.headers) {
        if (absl::EqualsIgnoreCase(name, "tracestate")) {
          const absl::string_view state = absl::StripAsciiWhitespace(header);
          if (!state.empty()) states.push_back(state);
        }
      }
      std::string tracestate = absl::StrJoin(states, ",");
      if (tracestate.size() <= kMaxTracestateBytes && IsPrintableAscii(tracestate)) {
        out->set_tracestate(std::move(tracestate));
      }
      return;
    }
  }
  out->set_traceparent(NewTraceparent());
  out->set_from_request(false);
}

}  // namespace hookbridge
