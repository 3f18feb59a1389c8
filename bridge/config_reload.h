// What a running server can take from a reloaded config, and what needs a
// restart.
//
// Live: sources (added, removed, secrets, tolerances, path tokens, rate
// limits), http.rate_limit, http.max_json_depth, subscriber tokens and
// grants (auth), the console (admin.console*, admin.allowed_hosts), TLS
// certificate, key and
// client-CA files, logging.level and shutdown_timeout.
//
// Restart: listen addresses, the other http.* limits and http.threads,
// grpc.max_subscribers and grpc.max_filter_patterns, turning TLS on or off
// (and, for gRPC, requiring client certificates or not), the event log
// (log.*) and dedup.max_entries.
#ifndef HOOKBRIDGE_BRIDGE_CONFIG_RELOAD_H_
#define HOOKBRIDGE_BRIDGE_CONFIG_RELOAD_H_

#include <string>
#include <vector>

#include "bridge/config_types.h"

namespace hookbridge {

// The config to run after a reload from `running` to `next`: `next`, with
// every setting that cannot change live kept at its running value. The keys
// of those that differ are appended to `needs_restart` (e.g. "http.listen",
// "log.dir"), in config order.
Config MergeForReload(const Config& running, const Config& next,
                      std::vector<std::string>* needs_restart);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONFIG_RELOAD_H_
