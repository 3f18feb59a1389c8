// The hookbridge process as one object: it owns the event log, the ingest
// path, the HTTP ingress and admin listeners, the gRPC service, the console
// and the metrics, follows the log's health, takes config reloads and shuts
// down in order. main.cc parses flags and signals and drives it.
//
// Lifecycle: Start (everything bound and serving) -> any number of Tick and
// Reload calls -> Drain (stop taking work, finish what is in progress) ->
// Stop (close listeners and the log). Tick, Reload, Drain and Stop are
// called from one thread (main's signal loop); the components they reach
// are thread-safe.
#ifndef HOOKBRIDGE_SERVER_SERVER_H_
#define HOOKBRIDGE_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/auth.h"
#include "bridge/config.h"
#include "bridge/consumer/consumer_set.h"
#include "bridge/ingest.h"
#include "bridge/log/event_log.h"
#include "server/console/console.h"
#include "server/console/console_handler.h"
#include "server/grpc/connection_limiter.h"
#include "server/grpc/event_bridge_service.h"
#include "server/grpc/tls_credentials.h"
#include "server/http/admin_handler.h"
#include "server/http/http_server.h"
#include "server/http/webhook_handler.h"
#include "server/metrics/metrics.h"
#include "server/tls_material.h"

namespace hookbridge {

class Server {
 public:
  // What a config needs beyond parsing, built as a start (or a reload)
  // would: every source, the token table and the TLS files.
  struct Prepared {
    std::shared_ptr<const Authorizer> authorizer;
    std::optional<TlsMaterial> http_tls;
    std::optional<TlsMaterial> grpc_tls;
  };
  // Checks `config` exactly as a start does, short of opening the log and
  // binding ports: InvalidArgument naming what is wrong. Without
  // `load_tls`, the TLS files are not read (http_tls and grpc_tls stay
  // empty).
  static absl::StatusOr<Prepared> Prepare(const Config& config, bool load_tls);

  // Opens the log, builds everything from `config` (read from
  // `config_path`, whose text was `config_text`) and starts serving.
  // InvalidArgument for a problem of the config (the process exits 2),
  // another code for a runtime failure such as a port in use (exit 1).
  static absl::StatusOr<std::unique_ptr<Server>> Start(std::string config_path,
                                                       std::string config_text, Config config);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  // Stops if Stop was not called.
  ~Server();

  // Once a second: the gRPC health service follows the log; a config file
  // whose content changed is reloaded; TLS files whose content changed are
  // loaded for new connections.
  // Why only a restart helps now (the log cannot recover by itself, or a
  // consumer's store failed); OK when nothing does.
  absl::Status RestartNeeded();
  void Tick();

  // Re-reads the config file and applies it (see bridge/config_reload.h for
  // what can change live). An invalid config is refused as a whole and the
  // running one stays. `trigger` is for the log ("SIGHUP", "file changed").
  // Returns whether the new config was applied.
  bool Reload(absl::string_view trigger);

  // Stops taking webhooks (503) and subscriptions, then waits up to
  // shutdown_timeout for webhooks being stored and for streams to end (with
  // their resume position). `reason` is for the log.
  void Drain(absl::string_view reason);
  // Closes the listeners and, last, the log.
  void Stop();

  uint16_t http_port() const;
  uint16_t admin_port() const;
  int grpc_port() const { return grpc_port_; }

 private:
  Server() = default;
  absl::Status StartComponents(Config config, Prepared prepared);

  // Records the outcome of a reload in the log, metrics and console.
  void ReloadRejected(absl::string_view trigger, const absl::Status& status);
  // Loads the TLS files of the HTTP (or gRPC) listener for new
  // connections; on failure logs it and keeps the current certificate.
  void ReloadTls(bool http, absl::string_view trigger);
  // Reloads a TLS listener whose files changed since they were loaded.
  void WatchTls();
  // Of the files of `tls`: their content, hashed; empty when unreadable.
  static std::string Fingerprint(const TlsConfig& tls);

  std::string config_path_;
  // The text reloads compare against: the last one read, applied or not.
  std::string config_text_;
  Config running_;
  uint64_t generation_ = 1;
  std::string http_tls_fingerprint_;
  std::string grpc_tls_fingerprint_;

  std::atomic<bool> accepting_{true};
  std::atomic<bool> ready_{false};
  bool log_ok_ = true;
  bool alive_ = true;
  // What Tick last saw of the log's follower (shared logs).
  bool follower_ok_ = true;
  uint64_t follower_restarts_ = 0;
  bool stopped_ = false;
  int grpc_port_ = 0;

  // Destroyed in reverse: the log last.
  std::unique_ptr<EventLog> log_;
  // Before the log goes: they read it.
  std::unique_ptr<ConsumerSet> consumers_;
  std::unique_ptr<Ingestor> ingestor_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Console> console_;
  std::unique_ptr<ConsoleHandler> console_handler_;
  std::unique_ptr<WebhookHandler> webhooks_;
  std::unique_ptr<EventBridgeService> service_;
  std::unique_ptr<AdminHandler> admin_;
  std::unique_ptr<ReloadableTlsCredentials> grpc_tls_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<grpc::Server> grpc_server_;
  // Keeps grpc.max_connections; stopped before the gRPC server.
  std::unique_ptr<ConnectionLimiter> connection_limiter_;
  absl::Time connection_limit_logged_ = absl::InfinitePast();  // on the limiter's thread
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_SERVER_H_
