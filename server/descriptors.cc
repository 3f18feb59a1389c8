#include "server/descriptors.h"

#include <sys/resource.h>

#include "absl/strings/str_cat.h"

namespace hookbridge {

uint64_t DescriptorsNeeded(const Config& config) {
  // The admin listener takes http.max_connections too.
  return 2 * uint64_t{config.http.max_connections} + config.grpc.max_connections +
         kReservedDescriptors;
}

absl::Status CheckDescriptorBudget(const Config& config, uint64_t limit, uint64_t hard) {
  const uint64_t needed = DescriptorsNeeded(config);
  if (needed <= limit) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "the connection limits need ", needed, " file descriptors (http.max_connections ",
      config.http.max_connections, " for the ingress and again for the admin listener, ",
      "grpc.max_connections ", config.grpc.max_connections, ", and ", kReservedDescriptors,
      " for the event log and the rest) but the process may open ", limit, " (hard limit ", hard,
      "): lower those limits or raise the descriptor limit (ulimit -n, LimitNOFILE=)"));
}

absl::Status FitDescriptorBudget(const Config& config) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return absl::OkStatus();
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  const auto finite = [](rlim_t v) { return v == RLIM_INFINITY ? UINT64_MAX : uint64_t{v}; };
  return CheckDescriptorBudget(config, finite(limit.rlim_cur), finite(limit.rlim_max));
}

}  // namespace hookbridge
