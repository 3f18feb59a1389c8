// Recognises redeliveries and replays: the ids of recently appended events
// (per source). Providers retry on any error and sometimes without one, so
// the same delivery can arrive several times, even concurrently; and a
// request captured on the way can be sent again by anyone.
//
// Two memories. Every id is kept among the last `max_entries`: enough for
// providers whose signature covers a timestamp, since a replay older than
// the source's `timestamp_tolerance` is refused as stale anyway. Ids of
// sources whose signature covers no timestamp (GitHub, DocSpace, canD) are
// also kept by time, for `window` after they were appended (at most
// `window_max_entries` of them): nothing else stops a replay of those.
#ifndef HOOKBRIDGE_BRIDGE_DEDUP_H_
#define HOOKBRIDGE_BRIDGE_DEDUP_H_

#include <cstdint>
#include <deque>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hookbridge {

// Thread-safe.
class DedupWindow {
 public:
  enum class State {
    kNew,        // reserved for the caller, who must Commit or Release it
    kDuplicate,  // already appended
    kInFlight,   // another request with this key is being appended now
  };

  // Remembers at most `max_entries` keys committed with Commit, forgetting
  // the oldest, and keys committed with CommitForWindow for `window` (at
  // most `window_max_entries` of them, forgetting the oldest early).
  explicit DedupWindow(size_t max_entries, absl::Duration window = absl::ZeroDuration(),
                       size_t window_max_entries = 0);

  State Reserve(absl::string_view key);
  // The append succeeded: remember the key among the last max_entries.
  void Commit(absl::string_view key);
  // The append succeeded, at `at` (the log's time of the record): remember
  // the key until `window` after it, and among the last max_entries too.
  void CommitForWindow(absl::string_view key, absl::Time at);
  // The append failed: forget the reservation so a retry is accepted.
  void Release(absl::string_view key);

  // Keys remembered among the last max_entries.
  size_t size();
  // Keys remembered by time.
  size_t window_size();
  // Keys forgotten before their window elapsed, because window_max_entries
  // were remembered: a replay of one of them would be accepted.
  uint64_t forgotten_early();

  absl::Duration window() const { return window_; }

  // What is remembered (committed keys, both memories, in order), to be
  // restored by Load into a window with the same limits, so that a restart
  // need not rebuild it from the log.
  std::string Save();
  // Restores a Save() into this window, which must be empty. False (and
  // nothing changed) if `data` is not a Save() or does not fit the limits.
  bool Load(absl::string_view data);

 private:
  // 128 bits of SHA-256 of the key: a fixed 16 bytes per remembered id,
  // however long the source name and id.
  struct Digest {
    uint64_t hi = 0, lo = 0;
    bool operator==(const Digest& other) const { return hi == other.hi && lo == other.lo; }
    template <typename H>
    friend H AbslHashValue(H h, const Digest& d) {
      return H::combine(std::move(h), d.hi, d.lo);
    }
  };
  // Which of the two memories hold a key: neither while it is reserved. A
  // key is committed once: while remembered, it is not reserved again.
  struct Entry {
    bool committed = false;
    bool recent = false;  // in recent_
    bool timed = false;   // in timed_
  };
  static Digest DigestOf(absl::string_view key);
  void CommitLocked(const Digest& digest, bool timed, absl::Time at)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Forget(const Digest& digest, bool timed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_entries_;
  const absl::Duration window_;
  const size_t window_max_entries_;
  absl::Mutex mu_;
  absl::flat_hash_map<Digest, Entry> keys_ ABSL_GUARDED_BY(mu_);
  std::deque<Digest> recent_ ABSL_GUARDED_BY(mu_);
  // In commit order, which is (nearly) time order.
  std::deque<std::pair<absl::Time, Digest>> timed_ ABSL_GUARDED_BY(mu_);
  absl::Time newest_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t forgotten_early_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_DEDUP_H_
