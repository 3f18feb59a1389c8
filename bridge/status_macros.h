// Early-return helpers for absl::Status / absl::StatusOr, as in Abseil's
// internal code and gRPC.
#ifndef HOOKBRIDGE_BRIDGE_STATUS_MACROS_H_
#define HOOKBRIDGE_BRIDGE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"

// Returns from the enclosing function when `expr` (an absl::Status) fails.
#define HB_RETURN_IF_ERROR(expr)   \
  do {                             \
    ::absl::Status _hb_s = (expr); \
    if (!_hb_s.ok()) return _hb_s; \
  } while (0)

// Evaluates `expr` (an absl::StatusOr<T>), returns its status on failure and
// otherwise moves its value into `lhs`.
#define HB_ASSIGN_OR_RETURN(lhs, expr)      \
  do {                                      \
    auto _hb_r = (expr);                    \
    if (!_hb_r.ok()) return _hb_r.status(); \
    lhs = *std::move(_hb_r);                \
  } while (0)

#endif  // HOOKBRIDGE_BRIDGE_STATUS_MACROS_H_
