// Test harness for integration tests: runs the real hookbridge binary on
// free loopback ports, and talks to it with a real HTTP client and a real
// gRPC client.
#ifndef HOOKBRIDGE_TESTS_INTEGRATION_HARNESS_H_
#define HOOKBRIDGE_TESTS_INTEGRATION_HARNESS_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "hookbridge/v1/service.grpc.pb.h"
#include "tests/testing/eventually.h"

namespace hookbridge::testing {

// Path of a built executable (build/bin/<name>).
std::string BinaryPath(const std::string& name);

// Reads a file under tests/testdata.
std::string ReadTestdata(const std::string& relative_path);

// The content of the file at `path` ("" if it cannot be read), e.g. what a
// BackgroundCommand wrote so far.
std::string ReadText(const std::string& path);

// The subscriber token every test process accepts unless its YAML has its
// own `auth:` section (then the test says which tokens exist). It may read
// every source and type.
inline constexpr char kTestToken[] = "hookbridge-integration-test-token";

// The `auth:` section granting `token` (name `name`) the given sources and
// types, e.g. AuthSection({{"reader", kTestToken, "[\"ckeditor\"]", "[\"comment.*\"]"}}).
struct TestToken {
  std::string name;
  std::string token;
  std::string sources = "[\"*\"]";  // YAML flow list
  std::string types = "[\"*\"]";
  // More keys of the entry, e.g. ", manage_consumers: true".
  std::string extra = "";
};
std::string AuthSection(const std::vector<TestToken>& tokens);

// Adds `authorization: Bearer <token>` to a call.
void AddBearer(grpc::ClientContext* context, const std::string& token = kTestToken);

// GetConsumer `name` on `target` with the test token (a test failure
// unless it answers).
v1::Consumer GetConsumer(const std::string& target, const std::string& name);

// GetServerInfo on `target` with `token` (none if empty).
grpc::Status GetServerInfo(const std::string& target, v1::GetServerInfoResponse* response,
                           const std::string& token = kTestToken);

// A running hookbridge process. The destructor stops it with SIGTERM and
// fails the test if it does not exit 0.
class HookbridgeProcess {
 public:
  // Writes `config_yaml` to a temporary file and starts the binary with it.
  // Without a `log:` section, the file log is used in a fresh temporary
  // directory, removed with the process object. Without an `auth:` section,
  // kTestToken may read everything.
  // The YAML should listen on 127.0.0.1:0 (see LoopbackListeners()); the
  // real ports are read from the startup log line. `env` adds environment
  // variables. Fails the test (and returns nullptr) if the process does not
  // report that it listens within 20 s.
  static std::unique_ptr<HookbridgeProcess> Start(
      const std::string& config_yaml, const std::map<std::string, std::string>& env = {});

  ~HookbridgeProcess();

  // Sends `signal` and waits for the exit; returns the exit code (or 128 +
  // signal number if killed by a signal).
  int Stop(int signal);

  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }
  int admin_port() const { return admin_port_; }
  pid_t pid() const { return pid_; }
  std::string grpc_target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }

  // Everything the process wrote to stderr so far.
  std::string Stderr();

  // The config file the process was started with.
  const std::string& config_path() const { return config_path_; }

  // Replaces the config file's content with `config_yaml`, completed as
  // Start completes it (the default auth section and the same log
  // directory), atomically (a new file renamed over the old one, as a
  // Kubernetes ConfigMap update does). Sends no signal.
  void RewriteConfig(const std::string& config_yaml);

  // Waits until `needle` occurs at least `count` times in what the process
  // wrote to stderr. False (a test failure for the caller to report) if the
  // process ends its stderr first or `timeout` passes: a bound on a hang,
  // not a timing assumption.
  bool WaitForStderr(const std::string& needle, int count = 1,
                     absl::Duration timeout = absl::Seconds(30));

 private:
  HookbridgeProcess() = default;
  void Drain();
  // `config_yaml` with the default auth and log sections Start adds.
  std::string Complete(const std::string& config_yaml) const;

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  int http_port_ = 0;
  int grpc_port_ = 0;
  int admin_port_ = 0;
  std::string config_path_;
  std::string log_dir_;
  std::thread drain_;
  std::mutex mu_;
  std::condition_variable stderr_grew_;  // with mu_
  bool stderr_closed_ = false;           // guarded by mu_
  std::string stderr_;
  bool stopped_ = false;
};

// Runs a binary to completion, returning its exit code and output.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {});

// Starts a helper server (e.g. prometheus) in the background with stdout
// and stderr appended to `log_path`. Returns its pid (-1 and a test failure
// if it cannot start). The caller stops and reaps it.
pid_t SpawnBackground(const std::vector<std::string>& argv, const std::string& log_path);

// A program running in the background with `env` added, its stdout and
// stderr written to files (created or truncated) while it runs.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& out_path,
                    const std::string& err_path);
  // Stops it with SIGKILL if it still runs.
  ~BackgroundCommand();
  // Sends `signal` (unless 0) and waits for the exit; its exit code, or
  // 128 + the signal that ended it.
  int Stop(int signal);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// The http/grpc/admin sections listening on 127.0.0.1:0; `http_extra` adds
// keys to the http section (e.g. "max_body_bytes: 1KiB"), `grpc_extra` to
// the grpc section.
std::string LoopbackListeners(const std::string& http_extra = "",
                              const std::string& grpc_extra = "");

// A CKEditor comment.added body about document `doc` whose comment holds
// `content`, spliced in as is (it may carry escapes or raw bytes).
std::string CommentAddedBody(const std::string& doc, const std::string& content = "text");

// A CKEditor collaboration.document.exported body about document `doc`,
// whose entity time (for the ordering guard) is `removed_at`.
std::string ExportBody(const std::string& doc, const std::string& removed_at);

// A one-source config with secret `secret` for source `ckeditor`, plus
// `extra` YAML at the top level and `http_extra` / `grpc_extra` keys in the
// http / grpc section.
std::string CkeditorConfig(const std::string& secret, const std::string& extra = "",
                           const std::string& http_extra = "", const std::string& grpc_extra = "");

struct HttpResponse {
  int status = 0;          // 0: no answer (a connection error, or timed_out)
  bool timed_out = false;  // the server kept the request 30 s without an answer
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
};

// A keep-alive HTTP/1.1 connection to 127.0.0.1:port.
class HttpClient {
 public:
  explicit HttpClient(int port);
  ~HttpClient();

  // Sends `headers` after Host: 127.0.0.1 (or the Host among them).
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

  // Like Send, but a connection error is not a test failure: it returns
  // status 0 (and reconnects on the next call). So is a request left
  // without an answer for 30 s (`timed_out`): a test that expects one
  // says so.
  HttpResponse TrySend(const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {});

  // Headers signing `body` for `target` the CKEditor way at time `at`.
  static std::vector<std::pair<std::string, std::string>> CkeditorHeaders(
      const std::string& target, const std::string& body, const std::string& secret,
      absl::Time at = absl::Now());

  // POSTs `body` to `target` signed with `secret` the CKEditor way, with the
  // timestamp `at` (default: now).
  HttpResponse PostSigned(const std::string& target, const std::string& body,
                          const std::string& secret, absl::Time at = absl::Now());

  // Times the connection was (re)opened: 1 while keep-alive holds.
  int connections_opened() const;

 private:
  HttpResponse DoSend(const std::string& method, const std::string& target, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      bool errors_fail);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// GET /metrics and return the value of the sample written exactly as
// `series` (e.g. `hookbridge_subscribers`), or -1 if absent.
double MetricValue(int admin_port, const std::string& series);

// The value of `series` once it equals `expected`, or its last value after
// `timeout`. Counters such as hookbridge_events_delivered_total are updated
// when a write completes on the server, which may be just after the client
// has read the event.
double WaitForMetric(int admin_port, const std::string& series, double expected,
                     absl::Duration timeout = absl::Seconds(10));

// An open Subscribe stream, read event by event: the events of each
// SubscribeResponse in order; Heartbeats and Gaps are kept aside.
class Subscriber {
 public:
  // Opens the stream and waits for the server to establish it (the
  // hookbridge-start-after initial metadata). Calls have a 60 s deadline.
  // The call carries `authorization: Bearer <token>`, none if `token` is
  // empty.
  Subscriber(const std::string& target, const v1::SubscribeRequest& request,
             const grpc::ChannelArguments& channel_args = grpc::ChannelArguments(),
             const std::string& token = kTestToken);

  // Reads the next event; false when the stream ended (see Finish()).
  bool Read(v1::Event* event);
  // Reads the next response as the server sent it (events not yet returned
  // by Read come first, as one response); false when the stream ended.
  bool ReadResponse(v1::SubscribeResponse* response);
  // How many responses held events, and the control messages seen by Read.
  int event_responses() const { return event_responses_; }
  const std::vector<v1::Heartbeat>& heartbeats() const { return heartbeats_; }
  const std::vector<v1::Gap>& gaps() const { return gaps_; }
  // Reads exactly n events or fails the test.
  std::vector<v1::Event> ReadN(int n);
  grpc::Status Finish();
  void Cancel() { context_.TryCancel(); }

  // The initial metadata value of hookbridge-start-after ("" if the stream
  // failed before it was established).
  const std::string& start_after() const { return start_after_; }
  std::string Trailer(const std::string& key) const;

 private:
  std::unique_ptr<v1::EventBridgeService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  std::string start_after_;
  v1::SubscribeResponse buffered_;  // events of the last response not yet read
  int next_ = 0;
  int event_responses_ = 0;
  std::vector<v1::Heartbeat> heartbeats_;
  std::vector<v1::Gap> gaps_;
};

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_INTEGRATION_HARNESS_H_
