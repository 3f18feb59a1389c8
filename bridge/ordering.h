// Out-of-order detection. Providers deliver asynchronously, so an older
// export of a document can arrive after a newer one. For events that carry
// the entity's own time (Event.entity_time), the guard remembers the latest
// time seen per source and subject and says whether a new event is older.
#ifndef HOOKBRIDGE_BRIDGE_ORDERING_H_
#define HOOKBRIDGE_BRIDGE_ORDERING_H_

#include <deque>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hookbridge {

// Thread-safe. Remembers at most `max_subjects` subjects, forgetting the
// least recently added first (an event about a forgotten subject is never
// flagged).
class OrderingGuard {
 public:
  explicit OrderingGuard(size_t max_subjects);

  // True when an event with a later time for (source, subject) was recorded
  // before; otherwise records `time` as the latest.
  bool IsSuperseded(absl::string_view source, absl::string_view subject, absl::Time time);

  // The subjects remembered and their latest times, oldest first, to be
  // restored by Load into a guard with the same limit after a restart.
  std::string Save();
  // Restores a Save() into this guard, which must be empty. False (and
  // nothing changed) if `data` is not a Save() or holds too many subjects.
  bool Load(absl::string_view data);
  // Forgets everything.
  void Clear();

 private:
  const size_t max_subjects_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, absl::Time> latest_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_ORDERING_H_
