// The gRPC connection limiter on real loopback sockets in this process: a
// listener, connections to it, and the accepted ends the limiter finds and
// shuts down; and its choice of which to shut down.
#include "server/grpc/connection_limiter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/descriptors.h"

namespace hookbridge {
namespace {

// A listener on 127.0.0.1 with `n` accepted connections (client ends and
// server ends).
class Loopback {
 public:
  explicit Loopback(int n) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(listener_, 64), 0);
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    for (int i = 0; i < n; ++i) Add();
  }
  ~Loopback() {
    for (int fd : clients_) close(fd);
    for (int fd : accepted_) close(fd);
    close(listener_);
  }

  void Add() {
    const int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port_);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    clients_.push_back(client);
    accepted_.push_back(accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC));
  }

  // Whether client connection i has seen the server end shut down.
  bool ClientSawEnd(int i) const {
    pollfd p{clients_[i], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) return false;
    char byte;
    return recv(clients_[i], &byte, 1, MSG_DONTWAIT) == 0;
  }

  // The peer name of client i as the server side sees it.
  std::string PeerOf(int i) const {
    sockaddr_in address{};
    socklen_t length = sizeof(address);
    getsockname(clients_[i], reinterpret_cast<sockaddr*>(&address), &length);
    return absl::StrCat("ipv4:127.0.0.1:", ntohs(address.sin_port));
  }

  uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::vector<int> clients_;
  std::vector<int> accepted_;
};

TEST(ConnectionLimiterTest, ScanFindsTheAcceptedConnectionsOfThePortOnly) {
  Loopback loopback(3);
  Loopback other(2);
  std::vector<ConnectionLimiter::Connection> found = ConnectionLimiter::Scan(loopback.port());
  ASSERT_EQ(found.size(), 3u);  // not the listener, not the client ends, not `other`
  std::vector<std::string> peers;
  for (const auto& c : found) peers.push_back(c.peer);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(std::find(peers.begin(), peers.end(), loopback.PeerOf(i)), peers.end()) << i;
  }
}

TEST(ConnectionLimiterTest, OverTheLimitTheOldestConnectionsWithoutAStreamAreShutDown) {
  Loopback loopback(0);
  ConnectionLimiter::Options options;
  options.port = loopback.port();
  options.max_connections = 3;
  std::string busy_peer;
  options.busy_peers = [&] { return absl::flat_hash_set<std::string>{busy_peer}; };
  size_t reported = 0;
  options.on_closed = [&](size_t n) { reported += n; };
  ConnectionLimiter limiter(options);
  // Seen in two passes: 0 and 1 first, then 2..5.
  loopback.Add();
  loopback.Add();
  busy_peer = loopback.PeerOf(0);
  // Under the limit: nothing to do (the pass records when it saw them).
  EXPECT_EQ(limiter.Enforce(), 0u);
  for (int i = 0; i < 4; ++i) loopback.Add();
  // Six: three go. Not 0 (it carries a stream); 1 (the oldest idle one),
  // then the two of the newer ones with the lowest inodes.
  EXPECT_EQ(limiter.Enforce(), 3u);
  EXPECT_EQ(reported, 3u);
  EXPECT_FALSE(loopback.ClientSawEnd(0));
  EXPECT_TRUE(loopback.ClientSawEnd(1));
  int newer_closed = 0;
  for (int i = 2; i < 6; ++i) newer_closed += loopback.ClientSawEnd(i) ? 1 : 0;
  EXPECT_EQ(newer_closed, 2);
  // Shut down, they are gone from the scan once the server side closes
  // them; until then the limiter does not shut them down twice.
  EXPECT_EQ(ConnectionLimiter::Scan(loopback.port()).size(), 6u);
}

TEST(ConnectionLimiterTest, VictimsAreNeverBusyAndOldestFirst) {
  std::vector<ConnectionLimiter::Connection> connections = {
      {10, 100, "ipv4:1.1.1.1:1"},  // busy
      {11, 101, "ipv4:1.1.1.1:2"},  // seen at pass 2
      {12, 102, "ipv4:1.1.1.1:3"},  // seen at pass 1
      {13, 103, ""},                // unseen: newest
  };
  absl::flat_hash_map<uint64_t, uint64_t> seen = {{100, 1}, {101, 2}, {102, 1}};
  absl::flat_hash_set<std::string> busy = {"ipv4:1.1.1.1:1"};
  EXPECT_EQ(ConnectionLimiter::Victims(connections, busy, seen, 4), std::vector<size_t>{});
  EXPECT_EQ(ConnectionLimiter::Victims(connections, busy, seen, 2), (std::vector<size_t>{2, 1}));
  EXPECT_EQ(ConnectionLimiter::Victims(connections, busy, seen, 0), (std::vector<size_t>{2, 1, 3}));
}

TEST(DescriptorBudgetTest, TheConnectionLimitsMustFitTheDescriptorLimit) {
  Config config;
  EXPECT_EQ(DescriptorsNeeded(config), 3u * 1024 + kReservedDescriptors);
  EXPECT_TRUE(CheckDescriptorBudget(config, 1 << 20, 1 << 20).ok());
  absl::Status refused = CheckDescriptorBudget(config, 1024, 4096);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("need 3584 file descriptors"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("may open 1024 (hard limit 4096)"), std::string::npos);
  config.grpc.max_connections = 100;
  config.http.max_connections = 200;
  EXPECT_TRUE(CheckDescriptorBudget(config, 1024, 1024).ok());
}

}  // namespace
}  // namespace hookbridge
