#include "bridge/filter.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hookbridge {
namespace {

constexpr size_t kMaxPatternLength = 256;

// Glob match where '*' matches any run of characters (including none).
// Linear-time two-pointer algorithm with backtracking to the last star.
bool GlobMatch(absl::string_view pattern, absl::string_view text) {
  size_t p = 0, t = 0;
  size_t star = absl::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

absl::Status AddExact(const google::protobuf::RepeatedPtrField<std::string>& values,
                      absl::string_view field, absl::flat_hash_set<std::string>* out) {
  if (static_cast<size_t>(values.size()) > EventFilter::kMaxEntries) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", EventFilter::kMaxEntries, " entries"));
  }
  for (int i = 0; i < values.size(); ++i) {
    if (values[i].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, "[", i, "]: must not be empty"));
    }
    out->insert(values[i]);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TypePattern> TypePattern::Parse(absl::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("pattern must not be empty");
  if (text.size() > kMaxPatternLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("pattern longer than ", kMaxPatternLength, " characters"));
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pattern \"", absl::CHexEscape(text), "\" contains whitespace or a control character"));
    }
  }
  return TypePattern(std::string(text));
}

bool TypePattern::Matches(absl::string_view type) const { return GlobMatch(text_, type); }

size_t EventFilter::PatternCount(const v1::SubscribeRequest& request) {
  return static_cast<size_t>(request.sources_size()) + static_cast<size_t>(request.types_size());
}

absl::StatusOr<EventFilter> EventFilter::FromRequest(const v1::SubscribeRequest& request) {
  EventFilter filter;
  if (static_cast<size_t>(request.types_size()) > kMaxEntries) {
    return absl::InvalidArgumentError(absl::StrCat("types: at most ", kMaxEntries, " entries"));
  }
  for (int i = 0; i < request.types_size(); ++i) {
    absl::StatusOr<TypePattern> pattern = TypePattern::Parse(request.types(i));
    if (!pattern.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("types[", i, "]: ", pattern.status().message()));
    }
    filter.types_.push_back(*std::move(pattern));
  }
  absl::Status s = AddExact(request.sources(), "sources", &filter.sources_);
  if (s.ok()) s = AddExact(request.environment_ids(), "environment_ids", &filter.environment_ids_);
  if (s.ok()) s = AddExact(request.subjects(), "subjects", &filter.subjects_);
  if (!s.ok()) return s;
  return filter;
}

bool EventFilter::Matches(const LogRecord& record) const {
  if (!sources_.empty() && !sources_.contains(record.source)) return false;
  if (!environment_ids_.empty() && !environment_ids_.contains(record.environment_id)) {
    return false;
  }
  if (!subjects_.empty() && !subjects_.contains(record.subject)) return false;
  if (types_.empty()) return true;
  for (const TypePattern& pattern : types_) {
    if (pattern.Matches(record.type)) return true;
  }
  return false;
}

ReadSelector EventFilter::Selector() const {
  ReadSelector selector;
  selector.sources.assign(sources_.begin(), sources_.end());
  std::sort(selector.sources.begin(), selector.sources.end());
  for (const TypePattern& type : types_) selector.type_patterns.push_back(type.text());
  return selector;
}

std::string EventFilter::ToString() const {
  std::vector<std::string> parts;
  auto add = [&parts](absl::string_view name, const auto& values) {
    if (values.empty()) return;
    std::vector<std::string> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    parts.push_back(absl::StrCat(name, "=", absl::StrJoin(sorted, ",")));
  };
  std::vector<std::string> types;
  for (const TypePattern& p : types_) types.push_back(p.text());
  add("types", types);
  add("sources", sources_);
  add("environment_ids", environment_ids_);
  add("subjects", subjects_);
  return parts.empty() ? "all" : absl::StrJoin(parts, " ");
}

}  // namespace hookbridge
