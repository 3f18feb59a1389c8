// hookbridge: verifies signed webhooks, turns them into typed protobuf
// events in an event log, and streams them to gRPC subscribers.
//
//   hookbridge --config config/hookbridge.yaml
//
// Exit codes: 0 after a clean stop (SIGINT/SIGTERM), 2 for a bad flag or
// config, 1 for a runtime failure (e.g. a port already in use). SIGHUP
// re-reads the TLS certificates.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <malloc.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bridge/auth.h"
#include "bridge/config.h"
#include "bridge/ingest.h"
#include "bridge/log/file_log.h"
#include "bridge/log/jetstream_log.h"
#include "bridge/log/memory_log.h"
#include "server/console/console.h"
#include "server/console/console_handler.h"
#include "server/grpc/event_bridge_service.h"
#include "server/grpc/tls_credentials.h"
#include "server/http/admin_handler.h"
#include "server/http/http_server.h"
#include "server/http/webhook_handler.h"
#include "server/logging.h"
#include "server/metrics/metrics.h"
#include "server/tls_material.h"

namespace hookbridge {
namespace {

constexpr char kUsage[] =
    "usage: hookbridge [--config FILE]\n"
    "  --config FILE  YAML configuration (default: config/hookbridge.yaml)\n"
    "  --mint-token NAME  print a new subscriber token and its auth.tokens entry\n"
    "  --version      print the version and exit\n";

int Fail(int code, absl::string_view message) {
  Log(LogLevel::kError, message);
  return code;
}

absl::StatusOr<std::unique_ptr<EventLog>> OpenLog(const LogConfig& config) {
  if (config.backend == "memory") {
    return std::make_unique<MemoryLog>(MemoryLog::Options{config.max_events, config.max_bytes});
  }
  if (config.backend == "jetstream") {
    JetStreamLog::Options options;
    options.url = config.url;
    options.stream = config.stream;
    options.subject_prefix = config.subject_prefix;
    options.replicas = static_cast<int>(config.replicas);
    options.max_age =
        config.max_age > absl::ZeroDuration() ? config.max_age : absl::InfiniteDuration();
    options.max_bytes = config.stream_max_bytes;
    options.duplicate_window = config.duplicate_window;
    options.ack_timeout = config.ack_timeout;
    options.tail_cache_bytes = config.cache_bytes;
    absl::StatusOr<std::unique_ptr<JetStreamLog>> log = JetStreamLog::Open(options);
    if (!log.ok()) return log.status();
    const LogStats stats = (*log)->Stats();
    Log(LogLevel::kInfo, "event log opened",
        {{"backend", "jetstream"},
         {"stream", config.stream},
         {"subjects", absl::StrCat(config.subject_prefix, ".>")},
         {"replicas", uint64_t{config.replicas}},
         {"events", stats.events},
         {"first_sequence", stats.first_sequence},
         {"last_sequence", stats.last_sequence}});
    return std::unique_ptr<EventLog>(*std::move(log));
  }
  FileLog::Options options;
  options.dir = config.dir;
  options.fsync = config.fsync == "never"      ? FileLog::Fsync::kNever
                  : config.fsync == "interval" ? FileLog::Fsync::kInterval
                                               : FileLog::Fsync::kAlways;
  options.fsync_interval = config.fsync_interval;
  options.segment_bytes = config.segment_bytes;
  options.retention_bytes = config.retention_bytes;
  options.retention_age =
      config.retention_age > absl::ZeroDuration() ? config.retention_age : absl::InfiniteDuration();
  options.tail_cache_bytes = config.cache_bytes;
  absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(options);
  if (!log.ok()) return log.status();
  const FileLog::Recovery& recovery = (*log)->recovery();
  for (const std::string& finding : recovery.findings) {
    Log(LogLevel::kWarn, "event log recovery", {{"finding", finding}});
  }
  const LogStats stats = (*log)->Stats();
  Log(LogLevel::kInfo, "event log opened",
      {{"dir", config.dir},
       {"fsync", config.fsync},
       {"segments", recovery.segments},
       {"events", stats.events},
       {"first_sequence", stats.first_sequence},
       {"last_sequence", stats.last_sequence},
       {"corrupt_records", recovery.corrupt_records},
       {"truncated_bytes", recovery.truncated_bytes}});
  return std::unique_ptr<EventLog>(*std::move(log));
}

// Reads the TLS files of listener `name` ("http", "grpc"), logging what was
// loaded.
absl::StatusOr<TlsMaterial> LoadTls(const TlsConfig& config, absl::string_view name) {
  absl::StatusOr<TlsMaterial> material = LoadTlsMaterial(config, absl::StrCat(name, ".tls"));
  if (material.ok()) {
    Log(LogLevel::kInfo, "tls certificate loaded",
        {{"listener", name},
         {"subject", material->subject},
         {"serial", material->serial},
         {"not_after", material->not_after},
         {"client_certificates", material->client_ca.empty() ? "not requested" : "required"}});
  }
  return material;
}

int Run(int argc, char** argv) {
  std::string config_path = "config/hookbridge.yaml";
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (absl::ConsumePrefix(&arg, "--config=")) {
      config_path = std::string(arg);
    } else if (arg == "--mint-token" && i + 1 < argc) {
      // A new subscriber token and the config entry that grants it.
      const MintedToken minted = MintToken();
      std::printf(
          "token (give it to the subscriber; it is not stored anywhere):\n  %s\n\n"
          "config entry (auth.tokens):\n"
          "  - name: %s\n    sha256: \"%s\"\n    sources: [\"*\"]\n    types: [\"*\"]\n",
          minted.token.c_str(), argv[i + 1], minted.sha256.c_str());
      return 0;
    } else if (arg == "--version") {
      std::printf("hookbridge %s\n", HOOKBRIDGE_VERSION);
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "hookbridge: unknown argument \"%s\"\n%s", argv[i], kUsage);
      return 2;
    }
  }

  // The allocator: without this glibc returns the top of each thread's heap
  // to the kernel as soon as it is free and takes it back on the next
  // request (an mprotect and page faults per burst, ~5 % of the CPU under
  // load). Freed memory up to this much per heap stays with the process.
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  // Debian's Abseil is built without NDEBUG, which turns on Mutex deadlock
  // detection: a lock-graph update on every lock. The lock order is
  // documented where the locks are; the check is for development builds.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Signals are taken by sigtimedwait below; block them before any thread starts
  // so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<Config> config = LoadConfigFile(config_path);
  if (!config.ok()) return Fail(2, config.status().message());
  SetLogLevel(config->log_level);

  absl::StatusOr<std::unique_ptr<EventLog>> opened = OpenLog(config->log);
  if (!opened.ok()) return Fail(1, opened.status().message());
  std::unique_ptr<EventLog> log = *std::move(opened);
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(*config, log.get());
  if (!ingestor.ok()) return Fail(2, ingestor.status().message());
  absl::StatusOr<std::unique_ptr<Authorizer>> authorizer = Authorizer::Create(config->auth);
  if (!authorizer.ok()) return Fail(2, absl::StrCat("config: ", authorizer.status().message()));
  if (!config->auth.enabled) {
    Log(LogLevel::kWarn,
        "subscriber authentication is disabled: anyone reaching the gRPC port "
        "can read every event");
  } else if (config->auth.tokens.empty()) {
    Log(LogLevel::kWarn,
        "subscriber authentication is on and no tokens are configured: every "
        "Subscribe is refused (see auth.tokens, hookbridge --mint-token)");
  }
  Metrics metrics((*ingestor)->sources());
  metrics.RegisterTokens((*authorizer)->TokenNames());

  std::atomic<bool> accepting{true};
  std::atomic<bool> ready{false};
  // The operator console (admin.console): recent deliveries, counts,
  // subscribers, on the admin listener.
  std::unique_ptr<Console> console;
  if (config->admin.console) {
    console = std::make_unique<Console>(
        Console::Options{config->admin.console_deliveries, config->admin.console_bytes,
                         config->admin.console_body_preview_bytes},
        (*ingestor)->sources(), &metrics);
  }
  WebhookHandler webhooks(ingestor->get(), &metrics, &accepting, console.get());
  // The gRPC service exists only further down; the renderer and the console
  // reach it through this pointer, set once it does.
  std::atomic<EventBridgeService*> service_for_metrics{nullptr};
  std::unique_ptr<ConsoleHandler> console_handler;
  if (console != nullptr) {
    console_handler = std::make_unique<ConsoleHandler>(
        console.get(), log.get(), [&service_for_metrics]() -> std::vector<SubscriberInfo> {
          EventBridgeService* service = service_for_metrics.load(std::memory_order_acquire);
          if (service == nullptr) return {};
          return service->Subscribers();
        });
  }
  metrics.SetLogRetentionBytes(config->log.backend == "memory"      ? config->log.max_bytes
                               : config->log.backend == "jetstream" ? config->log.stream_max_bytes
                                                                    : config->log.retention_bytes);
  AdminHandler admin(
      [&metrics, &log, &service_for_metrics] {
        const LogStats stats = log->Stats();
        EventBridgeService* service = service_for_metrics.load(std::memory_order_acquire);
        return metrics.Serialize(stats, service ? service->MaxLag(stats.last_sequence) : 0);
      },
      log.get(), &ready, console_handler.get());

  HttpListenerOptions http_options;
  http_options.name = "http";
  http_options.address = config->http.listen;
  http_options.max_body_bytes = config->http.max_body_bytes;
  http_options.max_header_bytes = config->http.max_header_bytes;
  http_options.read_timeout = config->http.read_timeout;
  http_options.idle_timeout = config->http.idle_timeout;
  http_options.max_connections = config->http.max_connections;
  http_options.max_requests_per_connection = config->http.max_requests_per_connection;
  http_options.handler = &webhooks;
  HttpListenerOptions admin_options = http_options;
  admin_options.name = "admin";
  admin_options.address = config->admin.listen;
  admin_options.max_body_bytes = 64 << 10;
  admin_options.handler = &admin;
  if (config->http.tls.enabled()) {
    absl::StatusOr<TlsMaterial> material = LoadTls(config->http.tls, "http");
    if (!material.ok()) return Fail(2, material.status().message());
    http_options.tls = *std::move(material);
  }
  std::unique_ptr<ReloadableTlsCredentials> grpc_tls;
  if (config->grpc.tls.enabled()) {
    absl::StatusOr<TlsMaterial> material = LoadTls(config->grpc.tls, "grpc");
    if (!material.ok()) return Fail(2, material.status().message());
    grpc_tls = std::make_unique<ReloadableTlsCredentials>(*std::move(material));
  }
  absl::StatusOr<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(config->http.threads, {http_options, admin_options});
  if (!http.ok()) {
    // An unusable address or certificate is the config's fault.
    return Fail(http.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1,
                http.status().message());
  }

  EventBridgeService service(
      log.get(), &metrics, (*ingestor)->sources(), authorizer->get(),
      SubscribeLimits{config->grpc.max_subscribers, config->grpc.max_filter_patterns});
  service_for_metrics.store(&service, std::memory_order_release);
  // grpc.health.v1.Health (for Kubernetes gRPC probes) and server
  // reflection (for grpcurl and other generic tools).
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort(config->grpc.listen.ToString(),
                           grpc_tls ? grpc_tls->credentials() : grpc::InsecureServerCredentials(),
                           &grpc_port);
  // Find subscribers whose peer vanished without closing the connection.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> grpc_server = builder.BuildAndStart();
  if (grpc_server == nullptr || grpc_port == 0) {
    return Fail(1, absl::StrCat("grpc: cannot listen on ", config->grpc.listen.ToString()));
  }

  std::vector<std::string> sources;
  for (const SourceInfo& s : (*ingestor)->sources()) {
    sources.push_back(absl::StrCat(s.name, " (", s.provider->name, ")"));
  }
  // Registers the service by name; SetServingStatus(bool) then updates the
  // server ("") and every registered name together.
  grpc_server->GetHealthCheckService()->SetServingStatus(
      std::string(v1::EventBridge::service_full_name()), true);
  grpc_server->GetHealthCheckService()->SetServingStatus(true);
  ready.store(true, std::memory_order_release);
  Log(LogLevel::kInfo, "listening",
      {{"http", ListenAddress{config->http.listen.host, (*http)->port(0)}.ToString()},
       {"grpc",
        ListenAddress{config->grpc.listen.host, static_cast<uint16_t>(grpc_port)}.ToString()},
       {"admin", ListenAddress{config->admin.listen.host, (*http)->port(1)}.ToString()},
       {"http_port", static_cast<int>((*http)->port(0))},
       {"grpc_port", grpc_port},
       {"admin_port", static_cast<int>((*http)->port(1))},
       {"console", console != nullptr ? "/ui on the admin listener" : "off"},
       {"log_backend", config->log.backend},
       {"sources", absl::StrJoin(sources, ", ")},
       {"version", HOOKBRIDGE_VERSION}});

  // Once a second, between signals: the gRPC health service follows the
  // log as /readyz and /healthz do. The EventBridge service is SERVING
  // while the log takes events; the server ("", what a gRPC liveness probe
  // asks) while no restart is needed. Changes are logged.
  bool log_ok = true;
  bool alive = true;
  auto follow_log = [&] {
    const LogStats stats = log->Stats();
    if (stats.failure.ok() != log_ok) {
      log_ok = stats.failure.ok();
      grpc_server->GetHealthCheckService()->SetServingStatus(
          std::string(v1::EventBridge::service_full_name()), log_ok);
      if (log_ok) {
        Log(LogLevel::kInfo, "event log recovered", {{"log_backend", config->log.backend}});
      } else {
        Log(LogLevel::kError, "event log failing: webhooks are answered 503",
            {{"log_backend", config->log.backend}, {"error", stats.failure.message()}});
      }
    }
    if (stats.restart_needed == alive) {
      alive = !stats.restart_needed;
      grpc_server->GetHealthCheckService()->SetServingStatus("", alive);
    }
  };
  int signal_number = 0;
  const timespec tick = {1, 0};
  for (;;) {
    signal_number = sigtimedwait(&signals, nullptr, &tick);
    if (signal_number < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        follow_log();
        continue;
      }
      break;
    }
    if (signal_number != SIGHUP) break;
    // New certificates for new connections; established ones keep theirs.
    // A file that does not load keeps the current certificate.
    if (config->http.tls.enabled()) {
      absl::StatusOr<TlsMaterial> material = LoadTls(config->http.tls, "http");
      absl::Status s = material.ok() ? (*http)->UpdateTls(0, *material) : material.status();
      if (!s.ok()) {
        Log(LogLevel::kError, "tls reload failed; keeping the current certificate",
            {{"listener", "http"}, {"error", s.message()}});
      }
    }
    if (grpc_tls != nullptr) {
      absl::StatusOr<TlsMaterial> material = LoadTls(config->grpc.tls, "grpc");
      absl::Status s = material.ok() ? grpc_tls->Update(*std::move(material)) : material.status();
      if (!s.ok()) {
        Log(LogLevel::kError, "tls reload failed; keeping the current certificate",
            {{"listener", "grpc"}, {"error", s.message()}});
      }
    }
    Log(LogLevel::kInfo, "SIGHUP handled");
  }
  const absl::Time deadline = absl::Now() + config->shutdown_timeout;
  Log(LogLevel::kInfo, "shutting down",
      {{"signal", strsignal(signal_number)},
       {"timeout_ms", absl::ToInt64Milliseconds(config->shutdown_timeout)}});
  // Not ready, and new webhooks are answered 503 (the sender retries later).
  ready.store(false, std::memory_order_release);
  accepting.store(false, std::memory_order_release);
  grpc_server->GetHealthCheckService()->SetServingStatus(false);
  // Webhooks already being stored finish and get their answer.
  if (!(*http)->Drain(deadline)) {
    Log(LogLevel::kWarn, "some webhook requests were still in progress at the deadline");
  }
  // Streams end with UNAVAILABLE and the sequence to resume after.
  if (!service.Shutdown(deadline)) {
    Log(LogLevel::kWarn, "some subscription streams did not end in time; cancelling them");
  }
  // Every stream has ended (or is cancelled now); do not wait for idle
  // client connections to go away.
  grpc_server->Shutdown(absl::ToChronoTime(absl::Now()));
  http->reset();
  (*ingestor)->StopFollowing();
  // Last: completes any queued append and closes the log files.
  log.reset();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace hookbridge

int main(int argc, char** argv) { return hookbridge::Run(argc, argv); }
