// The event log: the ordered, append-only record of accepted events that
// every subscription reads. One interface, several backends: memory
// (memory_log.h), segment files (file_log.h) and NATS JetStream
// (jetstream_log.h).
//
// Events are stored pre-serialized so that a record is encoded once and the
// same bytes are written to every subscriber. A record's bytes are a
// complete `hookbridge.v1.Event` without `raw_body`; the `raw_body` field is
// kept separately, already encoded, and appended on the wire only for
// subscribers that ask for it (protobuf allows fields in any order, so the
// concatenation is a valid Event).
#ifndef HOOKBRIDGE_BRIDGE_LOG_EVENT_LOG_H_
#define HOOKBRIDGE_BRIDGE_LOG_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "hookbridge/v1/event.pb.h"

namespace hookbridge {

// An event ready to append: everything but its sequence, serialized.
struct EncodedEvent {
  // Filter keys, copied out of the event so filters never parse bytes.
  std::string id;
  std::string type;
  std::string source;
  std::string environment_id;
  std::string subject;
  absl::Time received_at;
  // Serialized Event with `sequence` and `raw_body` unset.
  std::string body;
  // Serialized `raw_body` field (tag, length, bytes); empty if no body.
  std::string raw_body_field;
};

// Encodes `event` (whose sequence must be 0) for Append. `event.raw_body` is
// moved out into the encoded raw field.
EncodedEvent EncodeEvent(v1::Event event);

// The serialized `raw_body` field (tag, length, bytes) of an event whose raw
// body is `body`, as EncodedEvent::raw_body_field holds it: empty for an
// empty body. Its size is what the field adds to the event's encoded size.
std::string RawBodyField(absl::string_view body);

// Encodes `event` (whose sequence must be 0 and raw_body empty) for Append,
// with `raw_body_field` (from RawBodyField) as its raw body, which is moved,
// not copied.
EncodedEvent EncodeEvent(v1::Event event, std::string raw_body_field);

// One appended event. Immutable once published; shared by every reader.
struct LogRecord {
  uint64_t sequence = 0;
  // Time the log accepted the record: never earlier than the previous
  // record's, so `since` positions can be found by binary search.
  absl::Time appended_at;
  std::string id;
  std::string type;
  std::string source;
  std::string environment_id;
  std::string subject;
  // Serialized Event including `sequence`, without `raw_body`.
  std::string event_bytes;
  // Serialized `raw_body` field, appended for subscribers with include_raw.
  std::string raw_body_field;

  // Memory accounted to the record for retention limits.
  size_t ByteSize() const;
};

using RecordPtr = std::shared_ptr<const LogRecord>;

// Builds the record for `event` at `sequence`.
RecordPtr MakeRecord(EncodedEvent event, uint64_t sequence, absl::Time appended_at);

// Told when the log grows. Registered with Read(); called at most once per
// registration, from the appending thread, outside the log's locks.
class LogWaiter {
 public:
  virtual ~LogWaiter() = default;
  virtual void OnLogGrew() = 0;

 private:
  friend class LogWaiters;
  // Whether the waiter is registered with a log now, so that registering it
  // again before the next append is a no-op. Guarded by that log's lock.
  bool registered_ = false;
};

// The waiters registered with one log, for its implementations. Not
// thread-safe: the log guards it with its own lock. Holds only weak
// references, so a waiter that goes away costs nothing but a slot until
// the next wake-up (and slots of expired waiters are swept as the list
// grows).
class LogWaiters {
 public:
  // Registers `waiter` unless it is registered already.
  void Add(const std::shared_ptr<LogWaiter>& waiter);
  // Unregisters every live waiter and returns them, to be told (with
  // WakeAll) once the log's lock is released.
  std::vector<std::shared_ptr<LogWaiter>> TakeAll();
  static void WakeAll(const std::vector<std::shared_ptr<LogWaiter>>& waiters);

 private:
  std::vector<std::weak_ptr<LogWaiter>> waiters_;
};

struct LogStats {
  uint64_t first_sequence = 0;  // oldest retained; 0 when empty
  uint64_t last_sequence = 0;   // newest ever appended; 0 when none
  uint64_t events = 0;          // retained records
  uint64_t bytes = 0;           // retained bytes
  // fdatasync calls made (file log): with group commit, fewer than appends.
  uint64_t syncs = 0;
  // Corrupt records found (and skipped) since the log was opened.
  uint64_t corrupt_records = 0;
  // Not OK once the log cannot take events any more (e.g. a disk error).
  absl::Status failure;
  // The failure will not pass while this process runs (JetStream: the
  // stream was deleted under it): /healthz fails so the process restarts.
  bool restart_needed = false;
  // Not OK while this process receives nothing new from a log other
  // processes append to, although the log has more (JetStream: the
  // consumer following the stream stalled, e.g. its NATS server died) and
  // it is replacing its follower. Appends and reads work; subscribers here
  // get the newer events once it has caught up. /readyz fails meanwhile.
  absl::Status stalled;
  // Times the follower was found stalled and replaced.
  uint64_t follower_restarts = 0;
};

// Called once an append is as durable as the backend promises, with the
// assigned sequence, or with Unavailable when the log cannot take the event
// (the sender must then retry). May run on any thread.
using AppendCallback = std::function<void(absl::StatusOr<uint64_t> sequence)>;

// The records a reader wants, for a log that can select them itself
// (JetStream turns it into a consumer's subject filter). A superset is
// always correct: readers apply their full filter again.
struct ReadSelector {
  std::vector<std::string> sources;        // exact names; empty: any source
  std::vector<std::string> type_patterns;  // `*` matches any run; empty: any type
  // False when the reader sends no raw bodies: the log may then hand out
  // records without raw_body_field (the file log copies none from disk).
  bool raw_bodies = true;
};

// Thread-safe: every method may be called concurrently from any thread.
// Appends never wait for readers; readers never block appends for longer
// than copying a few pointers.
class EventLog {
 public:
  virtual ~EventLog() = default;

  // Assigns the next sequence to `event` and stores it; `done` is called
  // once, possibly before Append returns.
  virtual void Append(EncodedEvent event, AppendCallback done) = 0;

  // Copies into `out` up to `max` records with sequence > `after`, oldest
  // first. If there are none and `waiter` is set, registers it to be told
  // when the log grows (atomically with the check, so no append is missed).
  // The log keeps only a weak reference to the waiter.
  // OUT_OF_RANGE when record `after + 1` was evicted (the message names the
  // oldest retained sequence) or `after` lies beyond the last sequence.
  virtual absl::Status Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                            const std::shared_ptr<LogWaiter>& waiter) = 0;

  // Like Read, but only when the read needs no disk or network: returns
  // nullopt, having added and registered nothing, when it would wait for
  // either. For callers that must not block (a gRPC reaction thread, a
  // waking appender), which fall back to Read on a thread that may. The
  // default serves nothing this way.
  virtual std::optional<absl::Status> ReadIfCached(uint64_t after, size_t max,
                                                   std::vector<RecordPtr>* out,
                                                   const std::shared_ptr<LogWaiter>& waiter) {
    return std::nullopt;
  }

  // Like Read, but the log may leave out records that `selector` does not
  // select. `*through` is set to the last sequence the read covered: every
  // selected record after `after` up to it is in `out`, so a reader can
  // continue after `*through`. The default selects nothing itself.
  virtual absl::Status ReadSelected(uint64_t after, size_t max, const ReadSelector& selector,
                                    std::vector<RecordPtr>* out, uint64_t* through,
                                    const std::shared_ptr<LogWaiter>& waiter) {
    const size_t before = out->size();
    absl::Status status = Read(after, max, out, waiter);
    *through = out->size() > before ? out->back()->sequence : after;
    return status;
  }

  // The position just before the first record appended at or after `since`:
  // reading after it yields exactly those records. OUT_OF_RANGE when some of
  // them were already evicted.
  virtual absl::StatusOr<uint64_t> PositionAt(absl::Time since) = 0;

  virtual LogStats Stats() = 0;

  // Asks the log to keep the records from `sequence` on that only their age
  // would delete (durable consumers have not acknowledged them yet);
  // retention by size deletes them still. UINT64_MAX: no hold (the
  // default). A log without retention by age ignores it.
  virtual void HoldFrom(uint64_t sequence) {}

  // True when other processes append to this log too (JetStream): what a
  // process knows about recent events must then be learned from the log.
  virtual bool shared() const { return false; }

  // The largest record, event plus raw body field as Append takes them,
  // this log can store: the ingress refuses larger events up front.
  virtual uint64_t max_record_bytes() const { return std::numeric_limits<uint64_t>::max(); }
  // What sets max_record_bytes() and how to raise it to at least `needed`,
  // in an operator's words ("the NATS server's max_payload is 1MiB ...").
  virtual std::string DescribeRecordLimit(uint64_t needed) const { return "a limit of its own"; }

  // Small named state kept with the log, for what start-up would otherwise
  // rebuild by reading much of it (the ingestor's de-duplication window and
  // ordering guard, saved at a clean stop). The file log keeps it in a file
  // beside its segments; logs that keep none answer UNIMPLEMENTED and
  // NOT_FOUND. SaveState replaces `name` atomically.
  virtual absl::Status SaveState(absl::string_view name, absl::string_view bytes) {
    return absl::UnimplementedError("this log keeps no state");
  }
  virtual absl::StatusOr<std::string> LoadState(absl::string_view name) {
    return absl::NotFoundError("this log keeps no state");
  }
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_EVENT_LOG_H_
