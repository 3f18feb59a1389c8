#include "tests/testing/nats_server.h"

#include <nats/nats.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

extern char** environ;

namespace hookbridge::testing {
namespace {

constexpr char kListening[] = "Listening for client connections on ";
constexpr char kReady[] = "Server is ready";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

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
      const size_t at = text.find(kListening);
      if (at == std::string::npos) break;
      absl::string_view rest = absl::string_view(text).substr(at + sizeof(kListening) - 1);
      rest = rest.substr(0, rest.find('\n'));
      rest = rest.substr(rest.rfind(':') + 1);
      if (!absl::SimpleAtoi(rest, &port_)) break;
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(10));  // polling the log for readiness
  }
  Stop();
  return absl::DeadlineExceededError(
      absl::StrCat("nats-server did not become ready: ", ReadFile(log)));
}

void NatsServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
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
