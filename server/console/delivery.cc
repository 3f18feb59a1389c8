#include "server/console/delivery.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kMaxPathBytes = 256;
constexpr size_t kMaxHeaderValueBytes = 1024;

// The length of the valid UTF-8 sequence at the start of `s`, or 0.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return 0;
  }
  return n;
}

}  // namespace

size_t Delivery::ByteSize() const {
  size_t size = sizeof(Delivery) + source.size() + reason.size() + method.size() + path.size() +
                body_preview.size() + event_id.size() + type.size();
  for (const auto& [name, value] : headers) {
    size += sizeof(std::pair<std::string, std::string>) + name.size() + value.size();
  }
  return size;
}

namespace {
// Whether `text` contains `word` (lower case), ignoring the case of `text`.
bool ContainsIgnoringCase(absl::string_view text, absl::string_view word) {
  if (word.size() > text.size()) return false;
  for (size_t i = 0; i + word.size() <= text.size(); ++i) {
    if (absl::EqualsIgnoreCase(text.substr(i, word.size()), word)) return true;
  }
  return false;
}

// The length of the run of ASCII bytes at the start of `s`, eight at a time.
size_t AsciiRun(absl::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ull) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}
}  // namespace

bool IsSensitiveHeader(absl::string_view name) {
  // Called for every header of every webhook: no allocation.
  for (absl::string_view exact : {"authorization", "proxy-authorization", "cookie", "set-cookie"}) {
    if (absl::EqualsIgnoreCase(name, exact)) return true;
  }
  for (absl::string_view word : {"signature", "secret", "token", "key", "password"}) {
    if (ContainsIgnoringCase(name, word)) return true;
  }
  return false;
}

std::string SafeUtf8Prefix(absl::string_view text, size_t max_bytes, bool* truncated) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  size_t i = 0;
  bool cut = false;
  while (i < text.size()) {
    // Runs of ASCII, the common case, are copied whole.
    const size_t run = AsciiRun(text.substr(i));
    if (run > 0) {
      const size_t take = std::min(run, max_bytes - out.size());
      out.append(text.data() + i, take);
      i += take;
      if (take < run) {
        cut = true;
        break;
      }
      continue;
    }
    const size_t n = Utf8SequenceLength(text.substr(i));
    const absl::string_view piece = n == 0 ? kReplacement : text.substr(i, n);
    if (out.size() + piece.size() > max_bytes) {
      cut = true;
      break;
    }
    out.append(piece.data(), piece.size());
    i += n == 0 ? 1 : n;
  }
  if (truncated != nullptr) *truncated = cut;
  return out;
}

std::string DisplayPath(absl::string_view target, bool source_has_token) {
  const size_t query = target.find('?');
  absl::string_view path = target.substr(0, query);
  std::string out;
  absl::string_view rest = path;
  if (source_has_token && absl::ConsumePrefix(&rest, kWebhookPathPrefix)) {
    const size_t slash = rest.find('/');
    out = SafeUtf8Prefix(path.substr(0, kWebhookPathPrefix.size() + rest.substr(0, slash).size()),
                         kMaxPathBytes);
    // A token, right or wrong, or none: the same display, so the page never
    // tells a near miss from a hit.
    out.append("/\xE2\x80\xA6");  // "/…"
  } else {
    bool cut = false;
    out = SafeUtf8Prefix(path, kMaxPathBytes, &cut);
    if (cut) out.append("\xE2\x80\xA6");
  }
  if (query != absl::string_view::npos) out.append("?\xE2\x80\xA6");
  return out;
}

void CaptureRequest(absl::string_view method, absl::string_view target,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    absl::string_view body, bool source_has_token, size_t preview_bytes,
                    Delivery* delivery) {
  delivery->method = SafeUtf8Prefix(method, 32);
  delivery->path = DisplayPath(target, source_has_token);
  delivery->headers.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    bool cut = false;
    std::string shown = IsSensitiveHeader(name) ? std::string(kRedacted)
                                                : SafeUtf8Prefix(value, kMaxHeaderValueBytes, &cut);
    if (cut) shown.append("\xE2\x80\xA6");
    delivery->headers.emplace_back(SafeUtf8Prefix(name, 256), std::move(shown));
  }
  delivery->body_bytes = body.size();
  delivery->body_preview = SafeUtf8Prefix(body, preview_bytes, &delivery->body_truncated);
}

}  // namespace hookbridge
