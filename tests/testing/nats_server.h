// A throwaway nats-server with JetStream for tests: started on a free
// loopback port with its store in a temporary directory, stopped (and the
// directory removed) when the object goes away.
#ifndef HOOKBRIDGE_TESTS_TESTING_NATS_SERVER_H_
#define HOOKBRIDGE_TESTS_TESTING_NATS_SERVER_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"

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

  // Deletes JetStream stream `name`, as an operator would.
  absl::Status DeleteStream(const std::string& name) const;

  int port() const { return port_; }
  std::string url() const;
  bool running() const { return pid_ > 0; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_TESTING_NATS_SERVER_H_
