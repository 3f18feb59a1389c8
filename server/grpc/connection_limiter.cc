#include "server/grpc/connection_limiter.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bridge/thread_name.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

// Descriptors of the process (entries of /proc/self/fd), without the one
// the listing itself uses; -1 if they cannot be listed.
template <typename F>
int ForEachDescriptor(F&& f) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  const int own = dirfd(dir);
  int count = 0;
  while (dirent* entry = readdir(dir)) {
    int fd = 0;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == own) continue;
    ++count;
    f(fd);
  }
  closedir(dir);
  return count;
}

// The local port of a TCP socket, or 0.
uint16_t LocalPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return 0;
}

// The peer as gRPC's ServerContext::peer() names it.
std::string PeerName(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    return absl::StrCat("ipv4:", text, ":", ntohs(in->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      // gRPC names a dual-stack listener's IPv4 peers as ipv4.
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], text, sizeof(text));
      return absl::StrCat("ipv4:", text, ":", ntohs(in6->sin6_port));
    }
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    return absl::StrCat("ipv6:[", text, "]:", ntohs(in6->sin6_port));
  }
  return "";
}

// Shuts down the socket `fd` if it is still the one with `inode`. On a
// duplicate when one can be made: the check and the shutdown then concern
// the same socket even if `fd` is closed and its number reused meanwhile.
bool ShutDown(int fd, uint64_t inode) {
  const int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  const int target = own >= 0 ? own : fd;
  struct stat st {};
  bool done = false;
  if (fstat(target, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == inode) {
    done = shutdown(target, SHUT_RDWR) == 0;
  }
  if (own >= 0) close(own);
  return done;
}

}  // namespace

ConnectionLimiter::ConnectionLimiter(Options options) : options_(std::move(options)) {}

ConnectionLimiter::~ConnectionLimiter() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ConnectionLimiter::Start() {
  thread_ = std::thread([this] {
    NameThisThread("hb-conn-limit");
    Run();
  });
}

void ConnectionLimiter::Run() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.interval)) {
    mu_.Unlock();
    Enforce();
    mu_.Lock();
  }
}

std::vector<ConnectionLimiter::Connection> ConnectionLimiter::Scan(uint16_t port) {
  std::vector<Connection> connections;
  ForEachDescriptor([&](int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return;
    if (LocalPort(fd) != port) return;
    int value = 0;
    socklen_t length = sizeof(value);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &length) != 0 || value != SOCK_STREAM) return;
    length = sizeof(value);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &length) != 0 || value != 0) return;
    connections.push_back(Connection{fd, static_cast<uint64_t>(st.st_ino), PeerName(fd)});
  });
  return connections;
}

std::vector<size_t> ConnectionLimiter::Victims(
    const std::vector<Connection>& connections, const absl::flat_hash_set<std::string>& busy,
    const absl::flat_hash_map<uint64_t, uint64_t>& first_seen, size_t max) {
  if (connections.size() <= max) return {};
  std::vector<size_t> idle;
  for (size_t i = 0; i < connections.size(); ++i) {
    if (connections[i].peer.empty() || !busy.contains(connections[i].peer)) idle.push_back(i);
  }
  auto seen = [&](size_t i) {
    auto it = first_seen.find(connections[i].inode);
    return it == first_seen.end() ? UINT64_MAX : it->second;
  };
  std::sort(idle.begin(), idle.end(), [&](size_t a, size_t b) {
    return std::make_pair(seen(a), connections[a].inode) <
           std::make_pair(seen(b), connections[b].inode);
  });
  idle.resize(std::min(idle.size(), connections.size() - max));
  return idle;
}

size_t ConnectionLimiter::Enforce() {
  ++pass_;
  // Cheap first: fewer descriptors in all than the limit cannot be too many
  // connections. Connections first seen then are dated by a later pass.
  if (const int descriptors = ForEachDescriptor([](int) {});
      descriptors >= 0 && static_cast<size_t>(descriptors) <= options_.max_connections) {
    first_seen_.clear();
    return 0;
  }
  const std::vector<Connection> connections = Scan(options_.port);
  absl::flat_hash_map<uint64_t, uint64_t> seen;
  seen.reserve(connections.size());
  for (const Connection& c : connections) {
    auto it = first_seen_.find(c.inode);
    seen[c.inode] = it == first_seen_.end() ? pass_ : it->second;
  }
  first_seen_ = std::move(seen);
  if (connections.size() <= options_.max_connections) return 0;
  const absl::flat_hash_set<std::string> busy =
      options_.busy_peers ? options_.busy_peers() : absl::flat_hash_set<std::string>{};
  size_t closed = 0;
  for (size_t i : Victims(connections, busy, first_seen_, options_.max_connections)) {
    if (ShutDown(connections[i].fd, connections[i].inode)) ++closed;
  }
  if (closed > 0 && options_.on_closed) options_.on_closed(closed);
  return closed;
}

}  // namespace hookbridge
