// A throwaway nats-server with JetStream for tests: started on a free
// loopback port with its store in a temporary directory, stopped (and the
// directory removed) when the object goes away.
#ifndef HOOKBRIDGE_TESTS_TESTING_NATS_SERVER_H_
#define HOOKBRIDGE_TESTS_TESTING_NATS_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hookbridge::testing {

class NatsServer {
 public:
  // The nats-server executable (PATH, then /usr/sbin and /usr/bin); empty
  // when it is not installed.
  static std::string Binary();

  NatsServer() = default;
  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Starts the server and waits until it accepts clients. The first start
  // picks a free port; later starts (after Stop) reuse it and the store.
  absl::Status Start();
  // Stops the server (SIGTERM, then waits for it).
  void Stop();
  // Ends the server at once (SIGKILL), as a crash would.
  void Kill();

  // Deletes JetStream stream `name`, as an operator would.
  absl::Status DeleteStream(const std::string& name) const;
  // Deletes every consumer of stream `stream`, as the loss of the server
  // holding them would; returns how many there were.
  absl::StatusOr<int> DeleteConsumers(const std::string& stream) const;
  // Deletes message `sequence` of stream `stream`.
  absl::Status DeleteMessage(const std::string& stream, uint64_t sequence) const;

  int port() const { return port_; }
  std::string url() const;
  bool running() const { return pid_ > 0; }
  // The HTTP monitoring port of a cluster member (0 for others).
  int monitor_port() const { return monitor_port_; }

 private:
  friend class NatsCluster;

  // Sends `signal` and waits for the server to end.
  void End(int signal);

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int starts_ = 0;
  // A cluster member's own arguments (name, cluster, routes), set by
  // NatsCluster; it is started with a monitoring port.
  std::vector<std::string> cluster_args_;
  int monitor_port_ = 0;
};

// A NATS cluster of `size` nats-servers with JetStream on loopback, named
// n0, n1, ..., each with its own store, routes to all the others and a
// monitoring port. Servers can be killed and started again (same ports,
// same store), as a node crash and its return would.
class NatsCluster {
 public:
  explicit NatsCluster(int size = 3);
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  // Starts every server and waits until all of them name the same
  // JetStream meta leader (a replicated stream cannot be created before).
  absl::Status Start();

  int size() const { return static_cast<int>(servers_.size()); }
  NatsServer& server(int i) { return *servers_[i]; }
  static std::string Name(int i);
  // Every server's client URL, comma-separated: a `log.url`.
  std::string urls() const;

  // Stream `stream` in the cluster now, as the JetStream API says.
  struct StreamPlacement {
    int leader = -1;  // the index of the server leading it
    // Every other server holds a current replica (none offline or behind).
    bool replicas_current = false;
  };
  // Unavailable while the stream has no leader (e.g. during an election).
  absl::StatusOr<StreamPlacement> Placement(const std::string& stream) const;

  // What server `i` itself holds of stream `stream`, from its own
  // monitoring endpoint (/jsz): NotFound if it has no copy.
  struct StreamCopy {
    uint64_t messages = 0;
    uint64_t bytes = 0;
    uint64_t first_sequence = 0;
    uint64_t last_sequence = 0;
    bool operator==(const StreamCopy& o) const {
      return messages == o.messages && bytes == o.bytes && first_sequence == o.first_sequence &&
             last_sequence == o.last_sequence;
    }
  };
  absl::StatusOr<StreamCopy> CopyOf(int i, const std::string& stream) const;

 private:
  // The meta leader server `i` knows ("" for none yet).
  absl::StatusOr<std::string> MetaLeader(int i) const;

  std::vector<std::unique_ptr<NatsServer>> servers_;
};

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_TESTING_NATS_SERVER_H_
