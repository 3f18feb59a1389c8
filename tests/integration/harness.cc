#include "tests/integration/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bridge/crypto.h"
#include "gtest/gtest.h"

extern char** environ;

namespace hookbridge::testing {
namespace {

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view entry = *e;
    const std::string name(entry.substr(0, entry.find('=')));
    if (!extra.count(name)) env.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) env.push_back(k + "=" + v);
  return env;
}

// Spawns argv with stdout/stderr redirected to the given fds (-1: inherit).
pid_t Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (out_fd >= 0) posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = Environment(env);
  std::vector<char*> arg_ptrs = Pointers(args);
  std::vector<char*> env_ptrs = Pointers(envs);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0].c_str(), &actions, nullptr, arg_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << args[0] << ": " << strerror(rc);
    return -1;
  }
  return pid;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

int JsonIntField(const std::string& line, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  size_t pos = line.find(needle);
  if (pos == std::string::npos) return 0;
  int value = 0;
  size_t end = line.find_first_of(",}", pos);
  if (!absl::SimpleAtoi(line.substr(pos + needle.size(), end - pos - needle.size()), &value)) {
    return 0;
  }
  return value;
}

}  // namespace

std::string BinaryPath(const std::string& name) {
  return absl::StrCat(HOOKBRIDGE_BIN_DIR, "/", name);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ReadTestdata(const std::string& relative_path) {
  std::ifstream in(std::string(HOOKBRIDGE_TESTDATA_DIR) + "/" + relative_path);
  EXPECT_TRUE(in.good()) << "missing testdata " << relative_path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string LoopbackListeners(const std::string& http_extra, const std::string& grpc_extra) {
  return "http: { listen: \"127.0.0.1:0\"" + (http_extra.empty() ? "" : ", " + http_extra) +
         " }\n"
         "grpc: { listen: \"127.0.0.1:0\"" +
         (grpc_extra.empty() ? "" : ", " + grpc_extra) +
         " }\n"
         "admin: { listen: \"127.0.0.1:0\" }\n"
         "logging: { level: debug }\n";
}

std::string CommentAddedBody(const std::string& doc, const std::string& content) {
  return absl::StrCat(
      R"({"event":"comment.added","environment_id":"environment-1","payload":{"document":{"id":")",
      doc, R"("},"comment":{"id":"c-1","content":")", content,
      R"(","created_at":"2019-05-29T08:17:53.450Z","thread_id":"t-1","user":{"id":"u-1"}}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

std::string ExportBody(const std::string& doc, const std::string& removed_at) {
  return absl::StrCat(
      R"({"event":"collaboration.document.exported","environment_id":"env-1","payload":{"document":{"id":")",
      doc, R"(","data":"<p>x</p>","removed_at":")", removed_at,
      R"(","version":3}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

std::string CkeditorConfig(const std::string& secret, const std::string& extra,
                           const std::string& http_extra, const std::string& grpc_extra) {
  return LoopbackListeners(http_extra, grpc_extra) + extra +
         "sources:\n"
         "  - name: ckeditor\n"
         "    provider: ckeditor-cloud-services\n"
         "    secrets: [\"" +
         secret + "\"]\n";
}

std::string HookbridgeProcess::Complete(const std::string& config_yaml) const {
  std::string yaml = config_yaml;
  if (!absl::StartsWith(yaml, "auth:") && !absl::StrContains(yaml, "\nauth:")) {
    yaml += AuthSection({{"test", kTestToken}});
  }
  if (!log_dir_.empty() && !absl::StartsWith(yaml, "log:") && !absl::StrContains(yaml, "\nlog:")) {
    yaml += absl::StrCat("log: { backend: file, dir: \"", log_dir_, "\" }\n");
  }
  return yaml;
}

void HookbridgeProcess::RewriteConfig(const std::string& config_yaml) {
  const std::string yaml = Complete(config_yaml);
  const std::string next = config_path_ + ".next";
  {
    std::ofstream out(next, std::ios::binary | std::ios::trunc);
    out << yaml;
    ASSERT_TRUE(out.good()) << "cannot write " << next;
  }
  ASSERT_EQ(rename(next.c_str(), config_path_.c_str()), 0) << "cannot replace " << config_path_;
}

std::unique_ptr<HookbridgeProcess> HookbridgeProcess::Start(
    const std::string& config_yaml, const std::map<std::string, std::string>& env) {
  std::unique_ptr<HookbridgeProcess> p(new HookbridgeProcess());
  if (!absl::StartsWith(config_yaml, "log:") && !absl::StrContains(config_yaml, "\nlog:")) {
    // The default backend, the file log, in a directory of this process.
    char dir[] = "/tmp/hookbridge-log-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return nullptr;
    }
    p->log_dir_ = dir;
  }
  const std::string yaml = p->Complete(config_yaml);
  char path[] = "/tmp/hookbridge-test-XXXXXX.yaml";
  int fd = mkstemps(path, 5);
  if (fd < 0) {
    ADD_FAILURE() << "mkstemps failed";
    return nullptr;
  }
  p->config_path_ = path;
  if (write(fd, yaml.data(), yaml.size()) != static_cast<ssize_t>(yaml.size())) {
    ADD_FAILURE() << "cannot write config";
  }
  close(fd);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe failed";
    return nullptr;
  }
  p->pid_ = Spawn({BinaryPath("hookbridge"), "--config", p->config_path_}, env, -1, pipe_fds[1]);
  close(pipe_fds[1]);
  p->stderr_fd_ = pipe_fds[0];
  if (p->pid_ < 0) return nullptr;

  // Read the log until the "listening" line: the process is then ready.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  std::string pending;
  while (true) {
    const int left_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    pollfd pfd{p->stderr_fd_, POLLIN, 0};
    if (left_ms <= 0 || poll(&pfd, 1, left_ms) <= 0) {
      ADD_FAILURE() << "hookbridge did not report listening in time; stderr:\n" << pending;
      return nullptr;
    }
    char buf[4096];
    ssize_t n = read(p->stderr_fd_, buf, sizeof buf);
    if (n <= 0) {
      ADD_FAILURE() << "hookbridge exited before listening; stderr:\n" << pending;
      p->stopped_ = true;
      waitpid(p->pid_, nullptr, 0);
      return nullptr;
    }
    pending.append(buf, static_cast<size_t>(n));
    size_t pos = pending.find("\"msg\":\"listening\"");
    if (pos != std::string::npos) {
      size_t end = pending.find('\n', pos);
      if (end == std::string::npos) continue;
      size_t begin = pending.rfind('\n', pos);
      const std::string line =
          pending.substr(begin == std::string::npos ? 0 : begin + 1, end - begin);
      p->http_port_ = JsonIntField(line, "http_port");
      p->grpc_port_ = JsonIntField(line, "grpc_port");
      p->admin_port_ = JsonIntField(line, "admin_port");
      break;
    }
  }
  p->stderr_ = pending;
  p->drain_ = std::thread([raw = p.get()] { raw->Drain(); });
  EXPECT_GT(p->http_port_, 0);
  EXPECT_GT(p->grpc_port_, 0);
  EXPECT_GT(p->admin_port_, 0);
  return p;
}

void HookbridgeProcess::Drain() {
  char buf[4096];
  ssize_t n;
  while ((n = read(stderr_fd_, buf, sizeof buf)) > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    stderr_.append(buf, static_cast<size_t>(n));
    stderr_grew_.notify_all();
  }
  std::lock_guard<std::mutex> lock(mu_);
  stderr_closed_ = true;
  stderr_grew_.notify_all();
}

bool HookbridgeProcess::WaitForStderr(const std::string& needle, int count,
                                      absl::Duration timeout) {
  auto occurrences = [&] {
    int found = 0;
    for (size_t pos = stderr_.find(needle); pos != std::string::npos;
         pos = stderr_.find(needle, pos + needle.size())) {
      ++found;
    }
    return found;
  };
  std::unique_lock<std::mutex> lock(mu_);
  return stderr_grew_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] {
    return occurrences() >= count || stderr_closed_;
  }) && occurrences() >= count;
}

std::string HookbridgeProcess::Stderr() {
  std::lock_guard<std::mutex> lock(mu_);
  return stderr_;
}

int HookbridgeProcess::Stop(int signal) {
  if (stopped_) return -1;
  stopped_ = true;
  // A process descriptor, polled: a shutdown that hangs (its own timeout is
  // at most 30 s in these tests) fails the test and is killed, instead of
  // hanging it until ctest's timeout, which prints nothing of it.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  kill(pid_, signal);
  if (pidfd >= 0) {
    pollfd exited{pidfd, POLLIN, 0};
    if (poll(&exited, 1, 60'000) == 0) {
      ADD_FAILURE() << "hookbridge did not exit within 60 s of signal " << signal
                    << "; killed. stderr:\n"
                    << Stderr();
      kill(pid_, SIGKILL);
    }
    close(pidfd);
  }
  int status = 0;
  waitpid(pid_, &status, 0);
  if (drain_.joinable()) drain_.join();
  return ExitCode(status);
}

HookbridgeProcess::~HookbridgeProcess() {
  if (!stopped_ && pid_ > 0) {
    EXPECT_EQ(Stop(SIGTERM), 0) << "hookbridge did not stop cleanly; stderr:\n" << Stderr();
  }
  if (drain_.joinable()) drain_.join();
  if (stderr_fd_ >= 0) close(stderr_fd_);
  if (!config_path_.empty()) unlink(config_path_.c_str());
  if (!log_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(log_dir_, ec);
  }
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env) {
  CommandResult result;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) return result;
  pid_t pid = Spawn(argv, env, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  std::thread err_reader([&] { result.err = ReadAll(err[0]); });
  result.out = ReadAll(out[0]);
  err_reader.join();
  close(out[0]);
  close(err[0]);
  if (pid > 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = ExitCode(status);
  }
  return result;
}

pid_t SpawnBackground(const std::vector<std::string>& argv, const std::string& log_path) {
  int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    ADD_FAILURE() << "cannot open " << log_path;
    return -1;
  }
  pid_t pid = Spawn(argv, {}, fd, fd);
  close(fd);
  return pid;
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env,
                                     const std::string& out_path, const std::string& err_path) {
  const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out >= 0 && err >= 0) {
    pid_ = Spawn(argv, env, out, err);
  } else {
    ADD_FAILURE() << "cannot open " << out_path << " or " << err_path;
  }
  if (out >= 0) close(out);
  if (err >= 0) close(err);
}

BackgroundCommand::~BackgroundCommand() {
  if (pid_ > 0 && !reaped_) Stop(SIGKILL);
}

int BackgroundCommand::Stop(int signal) {
  if (pid_ <= 0 || reaped_) return -1;
  if (signal != 0) kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  return ExitCode(status);
}

grpc::Status GetServerInfo(const std::string& target, v1::GetServerInfoResponse* response,
                           const std::string& token) {
  auto stub = v1::EventBridgeService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  if (!token.empty()) AddBearer(&context, token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return stub->GetServerInfo(&context, v1::GetServerInfoRequest(), response);
}

double MetricValue(int admin_port, const std::string& series) {
  HttpClient client(admin_port);
  HttpResponse response = client.Send("GET", "/metrics");
  if (response.status != 200) return -1;
  for (absl::string_view line : absl::StrSplit(response.body, '\n')) {
    if (line.size() > series.size() && line.substr(0, series.size()) == series &&
        line[series.size()] == ' ') {
      double value = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
    }
  }
  return -1;
}

std::string AuthSection(const std::vector<TestToken>& tokens) {
  std::string yaml = "auth:\n  tokens:\n";
  for (const TestToken& t : tokens) {
    absl::StrAppend(&yaml, "    - { name: ", t.name, ", sha256: \"", HexEncode(Sha256({t.token})),
                    "\", sources: ", t.sources, ", types: ", t.types, t.extra, " }\n");
  }
  return yaml;
}

v1::Consumer GetConsumer(const std::string& target, const std::string& name) {
  auto stub = v1::EventBridgeService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  AddBearer(&context);
  v1::GetConsumerRequest request;
  request.set_name(name);
  v1::GetConsumerResponse response;
  grpc::Status status = stub->GetConsumer(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.consumer();
}

void AddBearer(grpc::ClientContext* context, const std::string& token) {
  context->AddMetadata("authorization", "Bearer " + token);
}

double WaitForMetric(int admin_port, const std::string& series, double expected,
                     absl::Duration timeout) {
  double value = -1;
  Eventually(
      [&] {
        value = MetricValue(admin_port, series);
        return value == expected;
      },
      timeout);
  return value;
}

Subscriber::Subscriber(const std::string& target, const v1::SubscribeRequest& request,
                       const grpc::ChannelArguments& channel_args, const std::string& token)
    : stub_(v1::EventBridgeService::NewStub(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), channel_args))) {
  if (!token.empty()) AddBearer(&context_, token);
  context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  reader_ = stub_->Subscribe(&context_, request);
  reader_->WaitForInitialMetadata();
  const auto& metadata = context_.GetServerInitialMetadata();
  if (auto it = metadata.find("hookbridge-start-after"); it != metadata.end()) {
    start_after_ = std::string(it->second.data(), it->second.size());
  }
}

bool Subscriber::Read(v1::Event* event) {
  while (next_ == buffered_.events_size()) {
    buffered_.Clear();
    next_ = 0;
    if (!reader_->Read(&buffered_)) return false;
    if (buffered_.events_size() > 0) ++event_responses_;
    if (buffered_.has_heartbeat()) heartbeats_.push_back(buffered_.heartbeat());
    if (buffered_.has_gap()) gaps_.push_back(buffered_.gap());
  }
  *event = std::move(*buffered_.mutable_events(next_++));
  return true;
}

bool Subscriber::ReadResponse(v1::SubscribeResponse* response) {
  if (next_ < buffered_.events_size()) {
    response->Clear();
    for (int i = next_; i < buffered_.events_size(); ++i) {
      *response->add_events() = std::move(*buffered_.mutable_events(i));
    }
    next_ = buffered_.events_size();
    return true;
  }
  return reader_->Read(response);
}

std::vector<v1::Event> Subscriber::ReadN(int n) {
  std::vector<v1::Event> events;
  for (int i = 0; i < n; ++i) {
    v1::Event event;
    if (!Read(&event)) {
      ADD_FAILURE() << "stream ended after " << i << " of " << n << " events";
      break;
    }
    events.push_back(std::move(event));
  }
  return events;
}

grpc::Status Subscriber::Finish() { return reader_->Finish(); }

std::string Subscriber::Trailer(const std::string& key) const {
  const auto& trailers = context_.GetServerTrailingMetadata();
  auto it = trailers.find(key);
  return it == trailers.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace hookbridge::testing
