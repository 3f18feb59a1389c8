// The process's descriptor budget. Every listener's connection limit, at
// its limit, plus room for everything else (log segments, the NATS
// connection, gRPC's own descriptors, connections the gRPC limiter has not
// yet shut down) must fit RLIMIT_NOFILE: then a flood of connections meets a
// listener's limit before the event log meets EMFILE.
#ifndef HOOKBRIDGE_SERVER_DESCRIPTORS_H_
#define HOOKBRIDGE_SERVER_DESCRIPTORS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "bridge/config_types.h"

namespace hookbridge {

// Descriptors kept for what is not a listener's connection.
inline constexpr uint64_t kReservedDescriptors = 512;

// What `config`'s listeners may hold at once, plus kReservedDescriptors.
uint64_t DescriptorsNeeded(const Config& config);

// Raises the soft RLIMIT_NOFILE to the hard one, then checks that
// DescriptorsNeeded fits it: FailedPrecondition naming the limits and the
// keys to lower otherwise.
absl::Status FitDescriptorBudget(const Config& config);

// The check alone, against a soft limit `limit` (hard limit `hard`).
absl::Status CheckDescriptorBudget(const Config& config, uint64_t limit, uint64_t hard);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_DESCRIPTORS_H_
