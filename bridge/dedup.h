// Recognises redeliveries: a bounded window of recently appended event ids
// (per source). Providers retry on any error and sometimes without one, so
// the same delivery can arrive several times, even concurrently.
#ifndef HOOKBRIDGE_BRIDGE_DEDUP_H_
#define HOOKBRIDGE_BRIDGE_DEDUP_H_

#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace hookbridge {

// Thread-safe.
class DedupWindow {
 public:
  enum class State {
    kNew,        // reserved for the caller, who must Commit or Release it
    kDuplicate,  // already appended
    kInFlight,   // another request with this key is being appended now
  };

  // Remembers at most `max_entries` committed keys, forgetting the oldest.
  explicit DedupWindow(size_t max_entries);

  State Reserve(const std::string& key);
  // The append succeeded: remember the key.
  void Commit(const std::string& key);
  // The append failed: forget the reservation so a retry is accepted.
  void Release(const std::string& key);

  size_t size();

 private:
  const size_t max_entries_;
  absl::Mutex mu_;
  // key -> committed?
  absl::flat_hash_map<std::string, bool> keys_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> committed_order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_DEDUP_H_
