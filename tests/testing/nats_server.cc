#include "tests/testing/nats_server.h"

#include <arpa/inet.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

extern char** environ;

namespace hookbridge::testing {
namespace {

constexpr char kListening[] = "Listening for client connections on ";
constexpr char kMonitoring[] = "Starting http monitor on ";
constexpr char kReady[] = "Server is ready";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The port at the end of the log line that starts with `prefix`
// ("... on 127.0.0.1:4222"); 0 if there is none.
int PortAfter(absl::string_view text, absl::string_view prefix) {
  const size_t at = text.find(prefix);
  if (at == absl::string_view::npos) return 0;
  absl::string_view rest = text.substr(at + prefix.size());
  rest = rest.substr(0, rest.find('\n'));
  rest = rest.substr(rest.rfind(':') + 1);
  int port = 0;
  return absl::SimpleAtoi(rest, &port) ? port : 0;
}

// A TCP port free on loopback now.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// The body of GET http://127.0.0.1:<port><path>, parsed as a JSON object.
absl::StatusOr<google::protobuf::Struct> GetJson(int port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout = {5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    const std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  const size_t body = response.find("\r\n\r\n");
  if (!absl::StartsWith(response, "HTTP/1.") || body == std::string::npos) {
    return absl::UnavailableError(absl::StrCat("no answer from 127.0.0.1:", port, path));
  }
  google::protobuf::Struct out;
  if (!google::protobuf::util::JsonStringToMessage(response.substr(body + 4), &out).ok()) {
    return absl::InternalError(absl::StrCat("127.0.0.1:", port, path, " did not answer JSON"));
  }
  return out;
}

const google::protobuf::Value* Field(const google::protobuf::Struct& s, const std::string& key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? nullptr : &it->second;
}

// A JetStream context on a connection to any of `urls`, or null.
struct JsConnection {
  explicit JsConnection(const std::vector<std::string>& urls) {
    std::vector<const char*> servers;
    for (const std::string& u : urls) servers.push_back(u.c_str());
    natsOptions* opts = nullptr;
    natsStatus s = natsOptions_Create(&opts);
    if (s == NATS_OK)
      s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(urls.size()));
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2000);
    if (s == NATS_OK) s = natsConnection_Connect(&conn, opts);
    natsOptions_Destroy(opts);
    jsOptions js_opts;
    jsOptions_Init(&js_opts);
    js_opts.Wait = 2000;
    if (s == NATS_OK) s = natsConnection_JetStream(&js, conn, &js_opts);
    if (s != NATS_OK) error = natsStatus_GetText(s);
  }
  ~JsConnection() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(conn);
  }
  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  std::string error;
};

}  // namespace

std::string NatsServer::Binary() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    for (absl::string_view d : absl::StrSplit(path, ':')) dirs.emplace_back(d);
  }
  dirs.push_back("/usr/sbin");
  dirs.push_back("/usr/bin");
  for (const std::string& d : dirs) {
    std::string candidate = absl::StrCat(d, "/nats-server");
    if (!d.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

NatsServer::~NatsServer() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string NatsServer::url() const { return absl::StrCat("nats://127.0.0.1:", port_); }

absl::Status NatsServer::Start() {
  if (running()) return absl::OkStatus();
  const std::string binary = Binary();
  if (binary.empty()) return absl::NotFoundError("nats-server is not installed");
  if (dir_.empty()) {
    std::string templ = (std::filesystem::temp_directory_path() / "hb-nats-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) return absl::InternalError("mkdtemp failed");
    dir_ = templ;
  }
  const std::string log = absl::StrCat(dir_, "/server-", ++starts_, ".log");
  const std::string port = port_ == 0 ? "-1" : absl::StrCat(port_);
  const std::string store = absl::StrCat(dir_, "/store");
  std::vector<std::string> args = {binary, "-js", "-a",  "127.0.0.1", "-p",
                                   port,   "-sd", store, "-l",        log};
  if (!cluster_args_.empty()) {
    args.insert(args.end(), cluster_args_.begin(), cluster_args_.end());
    args.push_back("-m");
    args.push_back(monitor_port_ == 0 ? "-1" : absl::StrCat(monitor_port_));
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (::posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    pid_ = -1;
    return absl::InternalError("cannot start nats-server");
  }
  // Wait for the server to say it is ready (it writes the port first).
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("nats-server exited: ", ReadFile(log)));
    }
    const std::string text = ReadFile(log);
    if (text.find(kReady) != std::string::npos) {
      port_ = PortAfter(text, kListening);
      if (port_ == 0) break;
      if (!cluster_args_.empty()) {
        monitor_port_ = PortAfter(text, kMonitoring);
        if (monitor_port_ == 0) break;
      }
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(10));  // polling the log for readiness
  }
  Stop();
  return absl::DeadlineExceededError(
      absl::StrCat("nats-server did not become ready: ", ReadFile(log)));
}

void NatsServer::Stop() { End(SIGTERM); }

void NatsServer::Kill() { End(SIGKILL); }

void NatsServer::End(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

absl::StatusOr<int> NatsServer::DeleteConsumers(const std::string& stream) const {
  JsConnection c({url()});
  if (!c.error.empty()) return absl::UnavailableError(c.error);
  jsConsumerNamesList* names = nullptr;
  natsStatus s = js_ConsumerNames(&names, c.js, stream.c_str(), nullptr, nullptr);
  if (s == NATS_NOT_FOUND) return 0;
  if (s != NATS_OK) return absl::UnavailableError(natsStatus_GetText(s));
  int deleted = 0;
  for (int i = 0; s == NATS_OK && i < names->Count; ++i) {
    s = js_DeleteConsumer(c.js, stream.c_str(), names->List[i], nullptr, nullptr);
    deleted += s == NATS_OK;
  }
  jsConsumerNamesList_Destroy(names);
  if (s != NATS_OK) return absl::UnavailableError(natsStatus_GetText(s));
  return deleted;
}

absl::Status NatsServer::DeleteMessage(const std::string& stream, uint64_t sequence) const {
  JsConnection c({url()});
  if (!c.error.empty()) return absl::UnavailableError(c.error);
  const natsStatus s = js_DeleteMsg(c.js, stream.c_str(), sequence, nullptr, nullptr);
  if (s != NATS_OK) return absl::UnavailableError(natsStatus_GetText(s));
  return absl::OkStatus();
}

absl::Status NatsServer::DeleteStream(const std::string& name) const {
  natsConnection* conn = nullptr;
  natsStatus s = natsConnection_ConnectTo(&conn, url().c_str());
  jsCtx* js = nullptr;
  if (s == NATS_OK) s = natsConnection_JetStream(&js, conn, nullptr);
  if (s == NATS_OK) s = js_DeleteStream(js, name.c_str(), nullptr, nullptr);
  jsCtx_Destroy(js);
  natsConnection_Destroy(conn);
  if (s != NATS_OK) {
    return absl::InternalError(absl::StrCat("deleting stream ", name, ": ", natsStatus_GetText(s)));
  }
  return absl::OkStatus();
}

}  // namespace hookbridge::testing

namespace hookbridge::testing {

NatsCluster::NatsCluster(int size) {
  std::vector<std::string> routes;
  std::vector<int> cluster_ports;
  for (int i = 0; i < size; ++i) {
    cluster_ports.push_back(FreePort());
    routes.push_back(absl::StrCat("nats://127.0.0.1:", cluster_ports.back()));
  }
  for (int i = 0; i < size; ++i) {
    auto server = std::make_unique<NatsServer>();
    // A route to itself is recognised and dropped by the server.
    server->cluster_args_ = {"--server_name",  Name(i),
                             "--cluster_name", "hookbridge-test",
                             "--cluster",      absl::StrCat("nats://127.0.0.1:", cluster_ports[i]),
                             "--routes",       absl::StrJoin(routes, ",")};
    servers_.push_back(std::move(server));
  }
}

std::string NatsCluster::Name(int i) { return absl::StrCat("n", i); }

std::string NatsCluster::urls() const {
  std::vector<std::string> urls;
  for (const auto& s : servers_) urls.push_back(s->url());
  return absl::StrJoin(urls, ",");
}

absl::Status NatsCluster::Start() {
  for (auto& server : servers_) {
    if (absl::Status s = server->Start(); !s.ok()) return s;
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  std::string last;
  while (absl::Now() < deadline) {
    std::vector<std::string> leaders;
    for (int i = 0; i < size(); ++i) {
      absl::StatusOr<std::string> leader = MetaLeader(i);
      leaders.push_back(leader.ok() ? *leader : "");
    }
    last = absl::StrJoin(leaders, ",");
    if (!leaders[0].empty() && std::count(leaders.begin(), leaders.end(), leaders[0]) == size()) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(100));  // polling the servers for their election
  }
  return absl::DeadlineExceededError(
      absl::StrCat("the NATS cluster did not agree on a JetStream meta leader: ", last));
}

absl::StatusOr<std::string> NatsCluster::MetaLeader(int i) const {
  absl::StatusOr<google::protobuf::Struct> jsz = GetJson(servers_[i]->monitor_port(), "/jsz");
  if (!jsz.ok()) return jsz.status();
  const google::protobuf::Value* meta = Field(*jsz, "meta_cluster");
  const google::protobuf::Value* leader =
      meta == nullptr ? nullptr : Field(meta->struct_value(), "leader");
  return leader == nullptr ? "" : leader->string_value();
}

absl::StatusOr<NatsCluster::StreamPlacement> NatsCluster::Placement(
    const std::string& stream) const {
  std::vector<std::string> urls;
  for (const auto& s : servers_) {
    if (s->running()) urls.push_back(s->url());
  }
  JsConnection c(urls);
  if (!c.error.empty()) return absl::UnavailableError(c.error);
  jsStreamInfo* info = nullptr;
  if (js_GetStreamInfo(&info, c.js, stream.c_str(), nullptr, nullptr) != NATS_OK) {
    return absl::UnavailableError(absl::StrCat("no info on stream ", stream));
  }
  StreamPlacement placement;
  const jsClusterInfo* cluster = info->Cluster;
  const std::string leader =
      cluster != nullptr && cluster->Leader != nullptr ? cluster->Leader : "";
  for (int i = 0; i < size(); ++i) {
    if (leader == Name(i)) placement.leader = i;
  }
  placement.replicas_current = cluster != nullptr && cluster->ReplicasLen == size() - 1;
  for (int i = 0; placement.replicas_current && i < cluster->ReplicasLen; ++i) {
    const jsPeerInfo* peer = cluster->Replicas[i];
    placement.replicas_current = peer->Current && !peer->Offline && peer->Lag == 0;
  }
  jsStreamInfo_Destroy(info);
  if (placement.leader < 0) {
    return absl::UnavailableError(absl::StrCat("stream ", stream, " has no leader"));
  }
  return placement;
}

absl::StatusOr<NatsCluster::StreamCopy> NatsCluster::CopyOf(int i,
                                                            const std::string& stream) const {
  absl::StatusOr<google::protobuf::Struct> jsz =
      GetJson(servers_[i]->monitor_port(), "/jsz?streams=true");
  if (!jsz.ok()) return jsz.status();
  const google::protobuf::Value* accounts = Field(*jsz, "account_details");
  if (accounts != nullptr) {
    for (const google::protobuf::Value& account : accounts->list_value().values()) {
      const google::protobuf::Value* streams = Field(account.struct_value(), "stream_detail");
      if (streams == nullptr) continue;
      for (const google::protobuf::Value& detail : streams->list_value().values()) {
        const google::protobuf::Value* name = Field(detail.struct_value(), "name");
        const google::protobuf::Value* state = Field(detail.struct_value(), "state");
        if (name == nullptr || name->string_value() != stream || state == nullptr) continue;
        auto number = [&](const char* key) -> uint64_t {
          const google::protobuf::Value* v = Field(state->struct_value(), key);
          return v == nullptr ? 0 : static_cast<uint64_t>(v->number_value());
        };
        return StreamCopy{number("messages"), number("bytes"), number("first_seq"),
                          number("last_seq")};
      }
    }
  }
  return absl::NotFoundError(absl::StrCat(Name(i), " holds no copy of stream ", stream));
}

}  // namespace hookbridge::testing
