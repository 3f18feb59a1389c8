// The most recent records of a log, held in memory and bounded by bytes (and
// optionally by count): the whole of the memory log, and the cache that
// serves live readers of the file and JetStream logs without going to disk
// or to the server.
#ifndef HOOKBRIDGE_BRIDGE_LOG_TAIL_WINDOW_H_
#define HOOKBRIDGE_BRIDGE_LOG_TAIL_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bridge/log/event_log.h"

namespace hookbridge {

// The OUT_OF_RANGE a log's Read returns when record `after + 1` is gone:
// "events after <after> are no longer retained; the oldest is <oldest>",
// with the facts as ErrorInfo (EVENTS_NOT_RETAINED, oldest_sequence,
// after_sequence).
absl::Status NotRetainedError(uint64_t after, uint64_t oldest);

// OUT_OF_RANGE for a read position `after` beyond the log's last sequence
// `last`, with the facts as ErrorInfo (POSITION_AFTER_END, last_sequence).
absl::Status AfterEndError(uint64_t after, uint64_t last);

// Records in increasing sequence order, with appended_at never going back
// (as the logs assign them), evicted oldest first once over the limits. The
// newest record is always kept, however large. Sequences need not be
// contiguous.
//
// Not thread-safe: the owning log guards it with its own lock.
class TailWindow {
 public:
  // `max_bytes` bounds the sum of LogRecord::ByteSize(); `max_records` the
  // number of records.
  explicit TailWindow(uint64_t max_bytes,
                      uint64_t max_records = std::numeric_limits<uint64_t>::max());

  // Adds `record`, whose sequence is above every record's in the window,
  // then evicts from the front while over a limit, keeping `record`.
  void Push(RecordPtr record);

  // Removes every record.
  void Clear();

  // Removes the records with a sequence below `sequence`.
  void DropBefore(uint64_t sequence);

  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }
  uint64_t bytes() const { return bytes_; }
  // The oldest record's sequence, or 0 when empty.
  uint64_t first_sequence() const { return empty() ? 0 : records_.front()->sequence; }
  // When the newest record that left the window (by any means) had been
  // appended; nullopt while none has.
  std::optional<absl::Time> last_evicted_at() const { return last_evicted_at_; }
  // The oldest record; the window must not be empty.
  const RecordPtr& front() const { return records_.front(); }

  // Whether the window holds the record after `after`, or would if there
  // were one: it is not empty and its oldest record is at most `after + 1`.
  bool Covers(uint64_t after) const;

  // Appends to `out` up to `max` records with a sequence above `after`,
  // oldest first; returns how many.
  size_t Read(uint64_t after, size_t max, std::vector<RecordPtr>* out) const;

  // Whether the window can find `since`: it holds a record appended before
  // `since`, so every record appended at or after it is in the window (or
  // was not appended yet).
  bool CoversTime(absl::Time since) const;

  // The position just before the first record in the window appended at or
  // after `since`, or `end` when there is none.
  uint64_t PositionAt(absl::Time since, uint64_t end) const;

 private:
  void PopFront();

  const uint64_t max_bytes_;
  const uint64_t max_records_;
  std::deque<RecordPtr> records_;
  uint64_t bytes_ = 0;
  std::optional<absl::Time> last_evicted_at_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_TAIL_WINDOW_H_
