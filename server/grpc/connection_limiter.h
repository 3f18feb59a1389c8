// Keeps the gRPC listener's open connections at or under
// grpc.max_connections.
//
// gRPC 1.51 (Debian 12's) has no limit on incoming connections and no hook at
// accept (grpc.max_allowed_incoming_connections came in later releases), and
// its TLS cannot be put on a connection accepted elsewhere. So the limit is
// kept from outside gRPC, on the process's descriptors: every `interval` the
// limiter counts the descriptors of the process; when there could be more
// gRPC connections than the limit, it lists the TCP sockets whose local port
// is the gRPC port and that are not listening (gRPC's accepted connections),
// and shuts the excess down with shutdown(2). gRPC then sees the connection
// end as if the peer had closed it, and releases it. Connections carrying a
// hookbridge stream (`busy_peers`) are never shut down; of the others, the
// oldest go first, so that a flood of idle connections cannot lock out a
// client that connects to subscribe. A connection's age is the pass that
// first saw it: those first seen in the same pass (within one `interval`)
// go in no particular order (their inode numbers, which the kernel hands
// out in per-CPU batches, say nothing of their order).
//
// A connection over the limit lives at most about `interval`, so the
// descriptors in use stay under max_connections plus what arrives in one
// interval; the descriptor budget (server/descriptors.h) leaves room for
// that.
#ifndef HOOKBRIDGE_SERVER_GRPC_CONNECTION_LIMITER_H_
#define HOOKBRIDGE_SERVER_GRPC_CONNECTION_LIMITER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hookbridge {

class ConnectionLimiter {
 public:
  struct Options {
    uint16_t port = 0;  // the gRPC listener's (bound) port
    size_t max_connections = 1024;
    absl::Duration interval = absl::Milliseconds(100);
    // The peers (as gRPC names them, e.g. "ipv4:10.0.0.7:41234") of the
    // connections that carry a stream now.
    std::function<absl::flat_hash_set<std::string>()> busy_peers;
    // Called with the number of connections shut down by one pass.
    std::function<void(size_t)> on_closed;
  };

  // One accepted connection of the listener.
  struct Connection {
    int fd = -1;
    uint64_t inode = 0;  // the socket's identity while it is open
    std::string peer;    // "ipv4:a.b.c.d:port" or "ipv6:[...]:port"; "" if unknown
  };

  explicit ConnectionLimiter(Options options);
  // Stops the thread (if Start was called).
  ~ConnectionLimiter();
  ConnectionLimiter(const ConnectionLimiter&) = delete;
  ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

  // Runs Enforce every interval on a thread of its own.
  void Start();

  // The listener's open connections now.
  static std::vector<Connection> Scan(uint16_t port);

  // Which of `connections` to shut down to get to `max`: not busy ones,
  // those first seen earliest (`first_seen`, by inode; unseen ones are the
  // newest) first, ties by inode. Indexes into `connections`.
  static std::vector<size_t> Victims(const std::vector<Connection>& connections,
                                     const absl::flat_hash_set<std::string>& busy,
                                     const absl::flat_hash_map<uint64_t, uint64_t>& first_seen,
                                     size_t max);

  // One pass: shuts down what is over the limit. Returns how many.
  size_t Enforce();

  // The listener's open connections now (a scan).
  size_t Count() const { return Scan(options_.port).size(); }

 private:
  void Run();

  const Options options_;
  // Pass number at which each connection (by inode) was first seen.
  absl::flat_hash_map<uint64_t, uint64_t> first_seen_;
  uint64_t pass_ = 0;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_GRPC_CONNECTION_LIMITER_H_
