// Names for the server's own threads, so that `top -H`, `perf sched` and a
// debugger tell them apart (bench/latency.sh's scheduler report groups by
// them). Called once when a thread starts; costs nothing afterwards.
#ifndef HOOKBRIDGE_BRIDGE_THREAD_NAME_H_
#define HOOKBRIDGE_BRIDGE_THREAD_NAME_H_

#include <pthread.h>

#include <string>

#include "absl/strings/string_view.h"

namespace hookbridge {

// Linux keeps 15 characters of a thread's name; the rest is cut off.
constexpr size_t kMaxThreadNameLength = 15;

// Names the calling thread `name` (its first kMaxThreadNameLength
// characters). Where the platform has no thread names, does nothing.
inline void NameThisThread(absl::string_view name) {
#if defined(__linux__)
  const std::string kept(name.substr(0, kMaxThreadNameLength));
  pthread_setname_np(pthread_self(), kept.c_str());
#else
  (void)name;
#endif
}

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_THREAD_NAME_H_
