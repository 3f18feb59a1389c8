#include "bridge/config_reload.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bridge/log/backend.h"

namespace hookbridge {
namespace {

// Keeps `*next` at `running` where they differ, naming `key`.
template <typename T, typename Equal>
void Keep(const char* key, const T& running, T* next, Equal equal,
          std::vector<std::string>* needs_restart) {
  if (equal(running, *next)) return;
  *next = running;
  needs_restart->push_back(key);
}

template <typename T>
void Keep(const char* key, const T& running, T* next, std::vector<std::string>* needs_restart) {
  Keep(
      key, running, next, [](const T& a, const T& b) { return a == b; }, needs_restart);
}

bool SameAddress(const ListenAddress& a, const ListenAddress& b) {
  return a.host == b.host && a.port == b.port;
}

}  // namespace

Config MergeForReload(const Config& running, const Config& next,
                      std::vector<std::string>* needs_restart) {
  Config out = next;
  std::vector<std::string>* r = needs_restart;

  Keep("http.listen", running.http.listen, &out.http.listen, SameAddress, r);
  Keep("http.max_body_bytes", running.http.max_body_bytes, &out.http.max_body_bytes, r);
  Keep("http.max_header_bytes", running.http.max_header_bytes, &out.http.max_header_bytes, r);
  Keep("http.read_timeout", running.http.read_timeout, &out.http.read_timeout, r);
  Keep("http.idle_timeout", running.http.idle_timeout, &out.http.idle_timeout, r);
  Keep("http.threads", running.http.threads, &out.http.threads, r);
  Keep("http.max_connections", running.http.max_connections, &out.http.max_connections, r);
  Keep("http.max_requests_per_connection", running.http.max_requests_per_connection,
       &out.http.max_requests_per_connection, r);
  // The certificate files may change; TLS on or off may not.
  if (running.http.tls.enabled() != out.http.tls.enabled()) {
    out.http.tls = running.http.tls;
    r->push_back("http.tls");
  }

  Keep("grpc.listen", running.grpc.listen, &out.grpc.listen, SameAddress, r);
  Keep("grpc.max_subscribers", running.grpc.max_subscribers, &out.grpc.max_subscribers, r);
  Keep("grpc.max_streams_per_token", running.grpc.max_streams_per_token,
       &out.grpc.max_streams_per_token, r);
  Keep("grpc.max_connections", running.grpc.max_connections, &out.grpc.max_connections, r);
  Keep("grpc.idle_timeout", running.grpc.idle_timeout, &out.grpc.idle_timeout, r);
  Keep("grpc.max_connection_age", running.grpc.max_connection_age, &out.grpc.max_connection_age, r);
  Keep("grpc.max_connection_age_grace", running.grpc.max_connection_age_grace,
       &out.grpc.max_connection_age_grace, r);
  Keep("grpc.handshake_timeout", running.grpc.handshake_timeout, &out.grpc.handshake_timeout, r);
  Keep("grpc.max_filter_patterns", running.grpc.max_filter_patterns, &out.grpc.max_filter_patterns,
       r);
  Keep("grpc.max_event_bytes", running.grpc.max_event_bytes, &out.grpc.max_event_bytes, r);
  Keep("grpc.heartbeat_interval", running.grpc.heartbeat_interval, &out.grpc.heartbeat_interval, r);
  if (running.grpc.tls.enabled() != out.grpc.tls.enabled()) {
    out.grpc.tls = running.grpc.tls;
    r->push_back("grpc.tls");
  } else if (running.grpc.tls.client_ca_file.empty() != out.grpc.tls.client_ca_file.empty()) {
    // gRPC decides whether to ask for client certificates once, at start.
    out.grpc.tls.client_ca_file = running.grpc.tls.client_ca_file;
    r->push_back("grpc.tls.client_ca_file");
  }

  Keep("admin.listen", running.admin.listen, &out.admin.listen, SameAddress, r);

  // The log, key by key as its backend describes it (its defaults where
  // unset): any change needs a restart.
  // In the new config's key order; keys only the old backend has follow.
  const ConfigValues after = DescribeLog(out.log);
  const ConfigValues before = DescribeLog(running.log);
  if (after != before) {
    const std::map<std::string, std::string> old_values(before.begin(), before.end());
    std::map<std::string, std::string> gone = old_values;
    for (const auto& [key, value] : after) {
      auto it = old_values.find(key);
      if (it == old_values.end() || it->second != value) r->push_back(absl::StrCat("log.", key));
      gone.erase(key);
    }
    for (const auto& [key, value] : gone) r->push_back(absl::StrCat("log.", key));
    out.log = running.log;
  }

  Keep("dedup.max_entries", running.dedup.max_entries, &out.dedup.max_entries, r);
  Keep("dedup.window", running.dedup.window, &out.dedup.window, r);
  Keep("dedup.window_max_entries", running.dedup.window_max_entries, &out.dedup.window_max_entries,
       r);
  return out;
}

}  // namespace hookbridge
