// Subscription filters: which events a subscriber wants.
//
// A filter has four lists (types, sources, environment ids, subjects). An
// empty list matches anything; within a list any entry may match (OR); all
// lists must match (AND). Type entries are patterns in which `*` matches any
// run of characters (`comment.*`, `*.removed`, `*`); the other lists are
// exact. Immutable and thread-safe once built.
#ifndef HOOKBRIDGE_BRIDGE_FILTER_H_
#define HOOKBRIDGE_BRIDGE_FILTER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/log/event_log.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {

// One event type pattern.
class TypePattern {
 public:
  // InvalidArgument for an empty or over-long pattern, or one with
  // whitespace or control characters.
  static absl::StatusOr<TypePattern> Parse(absl::string_view text);

  bool Matches(absl::string_view type) const;
  const std::string& text() const { return text_; }

 private:
  explicit TypePattern(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

class EventFilter {
 public:
  // Most patterns or values accepted in one list.
  static constexpr size_t kMaxEntries = 256;

  // The entries of `request` that count against grpc.max_filter_patterns:
  // its sources plus its type patterns (the lists a grant is checked
  // against and, for types, the patterns every event is matched with).
  static size_t PatternCount(const v1::SubscribeRequest& request);

  // Builds the filter of a subscribe request. InvalidArgument naming the
  // bad field and entry.
  static absl::StatusOr<EventFilter> FromRequest(const v1::SubscribeRequest& request);

  bool Matches(const LogRecord& record) const;

  // The sources and type patterns, for a log that can select records
  // itself (environment ids and subjects are left to Matches).
  ReadSelector Selector() const;

  // A short human-readable form, e.g. "types=comment.* sources=docs".
  std::string ToString() const;

 private:
  EventFilter() = default;

  std::vector<TypePattern> types_;
  absl::flat_hash_set<std::string> sources_;
  absl::flat_hash_set<std::string> environment_ids_;
  absl::flat_hash_set<std::string> subjects_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_FILTER_H_
