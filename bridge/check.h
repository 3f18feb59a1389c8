// HB_CHECK: a broken internal invariant is a crash, never untrusted input.
// (Abseil 20220623, the Debian 12 version, predates ABSL_CHECK.)
#ifndef HOOKBRIDGE_BRIDGE_CHECK_H_
#define HOOKBRIDGE_BRIDGE_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define HB_CHECK(cond)                                                                             \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr,                                                                         \
                   "{\"level\":\"fatal\",\"msg\":\"check failed: %s\",\"at\":\"%s:%d\"}\n", #cond, \
                   __FILE__, __LINE__);                                                            \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)

#endif  // HOOKBRIDGE_BRIDGE_CHECK_H_
