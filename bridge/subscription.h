// A subscription: a cursor plus a filter over the event log. Replay and live
// delivery are the same path: take the next matching records after the
// cursor, or, when there are none yet, ask to be woken when the log grows.
#ifndef HOOKBRIDGE_BRIDGE_SUBSCRIPTION_H_
#define HOOKBRIDGE_BRIDGE_SUBSCRIPTION_H_

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/filter.h"
#include "bridge/log/event_log.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {

class Subscription {
 public:
  // Sequences first..last (inclusive) evicted before the subscription read
  // them.
  struct Gap {
    uint64_t first = 0;
    uint64_t last = 0;
  };

  // Builds the filter and resolves the start position of `request` against
  // `log` (which must outlive the subscription). `on_wake` is called, from
  // an appending thread, when the log grows after a Next() that found
  // nothing; never after Close() returns.
  // InvalidArgument for a bad filter; OUT_OF_RANGE for a start position that
  // is no longer retained (unless the request allows gaps) or lies beyond
  // the end of the log.
  static absl::StatusOr<std::unique_ptr<Subscription>> Create(EventLog* log,
                                                              const v1::SubscribeRequest& request,
                                                              std::function<void()> on_wake);

  ~Subscription();

  // Appends to `out` up to `max` records after the cursor that match the
  // filter, advancing the cursor past every record examined. When none
  // match yet, arranges one on_wake call for when the log grows and returns
  // OK with nothing added. The work of one call is bounded (kMaxReadsPerNext
  // reads of the log): a filter that matches nothing in a long log returns
  // OK with nothing added and more() true, having arranged no wake-up, so
  // that the caller can let others read before it calls again. OUT_OF_RANGE when the next record
  // was evicted before this subscriber read it; if the request allows gaps, the cursor moves past
  // the evicted records instead and the call returns with what it found before them, the Gap then
  // waiting in TakeGap() (with nothing added: no wake-up is arranged, so call TakeGap() and Next()
  // again). Not thread-safe: calls must be serialized by the owner.
  absl::Status Next(size_t max, std::vector<RecordPtr>* out);

  // Like Next, but with at most one read of the log and only if the log can
  // serve it from memory (EventLog::ReadIfCached): for a caller that must
  // not block. nullopt when that read would wait for a disk or a server and
  // nothing was found before it: call Next on a thread that may block. A
  // call that examined a whole read without a match sets more() as Next's
  // work bound does.
  std::optional<absl::Status> NextIfCached(size_t max, std::vector<RecordPtr>* out);

  // Whether the last Next() stopped at its work bound before the end of
  // the log: call it again (nothing will wake the caller).
  bool more() const { return more_; }

  // Reads of the log one Next() makes at most (each up to 256 records).
  static constexpr int kMaxReadsPerNext = 16;

  // The gap Next() stepped over, once.
  std::optional<Gap> TakeGap() { return std::exchange(gap_, std::nullopt); }

  // Stops wake-ups; waits for one in progress to return. Idempotent.
  void Close();

  // The last sequence examined: resuming with after_sequence = cursor()
  // continues exactly here.
  uint64_t cursor() const { return cursor_; }
  const EventFilter& filter() const { return filter_; }

 private:
  class Waker;
  std::optional<absl::Status> Step(size_t max, std::vector<RecordPtr>* out, bool cached_only);
  Subscription(EventLog* log, EventFilter filter, uint64_t cursor, bool allow_gaps,
               bool include_raw, std::shared_ptr<Waker> waker);

  EventLog* const log_;
  const EventFilter filter_;
  const ReadSelector selector_;  // the part of filter_ a log may apply itself
  uint64_t cursor_;
  const bool allow_gaps_;
  std::optional<Gap> gap_;
  bool more_ = false;
  const std::shared_ptr<Waker> waker_;
  // The last read's records not examined yet (a call that filled `out`
  // stops inside a read): the next call starts with them rather than read
  // them again. scratch_through_ is that read's `through`.
  std::vector<RecordPtr> scratch_;
  size_t scratch_next_ = 0;
  uint64_t scratch_through_ = 0;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_SUBSCRIPTION_H_
