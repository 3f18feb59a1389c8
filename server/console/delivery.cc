#include "server/console/delivery.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

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
  size_t size = sizeof(Delivery) + source.size() + reason.size() + diagnosis.size() +
                method.size() + path.size() + body_preview.size() + event_id.size() + type.size();
  for (const auto& [name, value] : headers) {
    size += sizeof(std::pair<std::string, std::string>) + name.size() + value.size();
  }
  return size;
}

namespace {
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
  // Called for every header of every webhook: the name is lower-cased once
  // (on the stack when it is of a usual length) and searched for each word.
  char stack[128];
  std::string heap;
  char* lower = stack;
  if (name.size() > sizeof(stack)) {
    heap.resize(name.size());
    lower = heap.data();
  }
  for (size_t i = 0; i < name.size(); ++i) lower[i] = absl::ascii_tolower(name[i]);
  const absl::string_view folded(lower, name.size());
  if (folded == "x-trello-webhook") return true;
  for (absl::string_view part : {"auth", "cookie", "credential", "hmac", "key", "passw", "secret",
                                 "session", "signature", "token"}) {
    if (absl::StrContains(folded, part)) return true;
  }
  for (size_t i = 0; i < folded.size();) {
    if (!absl::ascii_isalpha(folded[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < folded.size() && absl::ascii_isalpha(folded[end])) ++end;
    const absl::string_view word = folded.substr(i, end - i);
    for (absl::string_view short_word : {"sig", "pass", "pwd", "jwt"}) {
      if (word == short_word) return true;
    }
    i = end;
  }
  return false;
}

bool IsCredentialValue(absl::string_view value) {
  value = absl::StripLeadingAsciiWhitespace(value);
  for (absl::string_view scheme : {"bearer ", "basic ", "digest ", "token "}) {
    if (absl::StartsWithIgnoreCase(value, scheme)) return true;
  }
  return absl::StartsWith(value, "eyJ") && std::count(value.begin(), value.end(), '.') >= 2;
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

namespace {

constexpr char kEllipsis[] = "\xE2\x80\xA6";  // "…"

// Whether `text` holds a run of characters a path token is made of
// (A-Z a-z 0-9 - _ . ~, as the loader checks them) as long as the shortest
// path token: it may be one.
bool MayHoldPathToken(absl::string_view text) {
  size_t run = 0;
  for (char c : text) {
    run = absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ? run + 1 : 0;
    if (run >= kMinPathTokenLength) return true;
  }
  return false;
}

// Whether `name` could be a source name at all (a-z 0-9 - _, any case).
bool MayBeSourceName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(absl::ascii_isalnum(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace

std::string PercentDecode(absl::string_view text, bool plus_is_space) {
  const auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (plus_is_space && text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
               hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string DisplayPath(absl::string_view target, const std::vector<SourceInfo>& sources) {
  const size_t end = target.find_first_of("?#");
  const absl::string_view path = target.substr(0, end);
  std::string out;
  bool after_webhooks = false;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const absl::string_view segment = path.substr(start, slash - start);
    const bool last = slash == absl::string_view::npos;
    const std::string decoded = PercentDecode(segment);
    const SourceInfo* named = nullptr;
    for (const SourceInfo& source : sources) {
      if (absl::EqualsIgnoreCase(decoded, source.name)) named = &source;
    }
    const bool names_source = named != nullptr || (after_webhooks && !segment.empty());
    // As sent too: "%2F" splits a run when decoded, not as shown.
    if (named == nullptr && (MayHoldPathToken(decoded) || MayHoldPathToken(segment) ||
                             (names_source && !MayBeSourceName(decoded)))) {
      out.append(kEllipsis);
    } else {
      out.append(SafeUtf8Prefix(segment, kMaxPathBytes));
    }
    if (names_source) {
      // What follows the source's name is where its path token goes.
      if (!last || (named != nullptr && named->has_path_token)) {
        out.push_back('/');
        out.append(kEllipsis);
      }
      break;
    }
    if (last) break;
    after_webhooks = after_webhooks || absl::EqualsIgnoreCase(decoded, "webhooks");
    out.push_back('/');
    if (out.size() > kMaxPathBytes) break;
    start = slash + 1;
  }
  bool cut = false;
  out = SafeUtf8Prefix(out, kMaxPathBytes, &cut);
  if (cut) out.append(kEllipsis);
  if (end != absl::string_view::npos) {
    out.push_back(target[end]);
    out.append(kEllipsis);
  }
  return out;
}

void CaptureRequest(absl::string_view method, absl::string_view target,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    absl::string_view body, const std::vector<SourceInfo>& sources,
                    size_t preview_bytes, Delivery* delivery) {
  delivery->method = SafeUtf8Prefix(method, 32);
  delivery->path = DisplayPath(target, sources);
  delivery->headers.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    bool cut = false;
    std::string shown;
    if (IsSensitiveHeader(name) || IsCredentialValue(value)) {
      shown = std::string(kRedacted);
    } else if (absl::StartsWith(value, "/") || absl::StrContains(value, "://")) {
      // A path or URL (Referer, X-Original-URI, X-Forwarded-Uri, ...) may
      // carry a path token.
      shown = DisplayPath(value, sources);
    } else {
      shown = SafeUtf8Prefix(value, kMaxHeaderValueBytes, &cut);
    }
    if (cut) shown.append(kEllipsis);
    delivery->headers.emplace_back(SafeUtf8Prefix(name, 256), std::move(shown));
  }
  delivery->body_bytes = body.size();
  delivery->body_preview = SafeUtf8Prefix(body, preview_bytes, &delivery->body_truncated);
}

}  // namespace hookbridge
