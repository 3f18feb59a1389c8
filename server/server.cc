#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bridge/config_reload.h"
#include "bridge/crypto.h"
#include "bridge/log/backend.h"
#include "bridge/status_macros.h"
#include "server/build_info.h"
#include "server/descriptors.h"
#include "server/grpc/connection_limiter.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

// Opens the configured log through its backend's row and says what it
// found.
absl::StatusOr<std::unique_ptr<EventLog>> OpenConfiguredLog(const LogConfig& config) {
  absl::StatusOr<OpenedLog> opened = OpenLog(config);
  if (!opened.ok()) return opened.status();
  for (const std::string& warning : opened->warnings) {
    Log(LogLevel::kWarn, "event log recovery", {{"finding", warning}});
  }
  const LogStats stats = opened->log->Stats();
  std::vector<std::pair<std::string, LogValue>> fields = {{"backend", config.backend}};
  for (const auto& [key, value] : opened->facts) {
    // Counts stay numbers in the JSON line.
    uint64_t number = 0;
    if (!value.empty() && absl::SimpleAtoi(value, &number) &&
        value.find_first_not_of("0123456789") == std::string::npos) {
      fields.emplace_back(key, number);
    } else {
      fields.emplace_back(key, value);
    }
  }
  fields.emplace_back("events", stats.events);
  fields.emplace_back("first_sequence", stats.first_sequence);
  fields.emplace_back("last_sequence", stats.last_sequence);
  Log(LogLevel::kInfo, "event log opened", fields);
  return std::move(opened->log);
}

void LogTlsLoaded(absl::string_view name, const TlsMaterial& material) {
  Log(LogLevel::kInfo, "tls certificate loaded",
      {{"listener", name},
       {"subject", material.subject},
       {"serial", material.serial},
       {"not_after", material.not_after},
       {"client_certificates", material.client_ca.empty() ? "not requested" : "required"}});
}

// Reads the TLS files of listener `name` ("http", "grpc"), logging what was
// loaded.
absl::StatusOr<TlsMaterial> LoadTls(const TlsConfig& config, absl::string_view name) {
  absl::StatusOr<TlsMaterial> material = LoadTlsMaterial(config, absl::StrCat(name, ".tls"));
  if (material.ok()) LogTlsLoaded(name, *material);
  return material;
}

Console::Options ConsoleOptions(const AdminConfig& admin) {
  return Console::Options{admin.console_deliveries, admin.console_bytes,
                          admin.console_body_preview_bytes, admin.console};
}

std::string SourceList(const std::vector<SourceInfo>& infos) {
  std::vector<std::string> sources;
  for (const SourceInfo& s : infos)
    sources.push_back(absl::StrCat(s.name, " (", s.provider->name, ")"));
  return absl::StrJoin(sources, ", ");
}

void WarnAboutAuth(const AuthConfig& auth) {
  if (!auth.enabled) {
    Log(LogLevel::kWarn,
        "subscriber authentication is disabled: anyone reaching the gRPC port "
        "can read every event");
  } else if (auth.tokens.empty()) {
    Log(LogLevel::kWarn,
        "subscriber authentication is on and no tokens are configured: every "
        "Subscribe is refused (see auth.tokens, hookbridge --mint-token)");
  }
}

// The consumers' figures for a scrape (none when the backend has none).
// `last_sequence`: the log's, for their lag.
std::vector<Metrics::ConsumerReport> ConsumerReports(ConsumerSet* consumers,
                                                     uint64_t last_sequence) {
  std::vector<Metrics::ConsumerReport> out;
  if (consumers == nullptr) return out;
  const absl::Time now = absl::Now();
  for (const std::shared_ptr<Consumer>& consumer : consumers->List()) {
    const Consumer::Stats stats = consumer->stats();
    Metrics::ConsumerReport& r = out.emplace_back();
    r.name = consumer->name();
    r.ack_floor = stats.group.ack_floor;
    r.lag = stats.lag(last_sequence);
    r.pending = stats.pending();
    r.outstanding = stats.group.outstanding;
    r.dead_letters = stats.group.dead_letters;
    r.members = stats.group.members;
    r.oldest_pending_age_seconds = stats.oldest_pending_age_seconds(now);
    r.delivered = stats.counters.delivered;
    r.redelivered = stats.group.redeliveries;
    r.acknowledged = stats.counters.acknowledged;
    r.negative_acknowledgements = stats.counters.negative_acknowledgements;
    r.rejected = stats.counters.rejected;
    r.dead_lettered = stats.counters.dead_lettered;
    r.lost_to_retention = stats.counters.lost_to_retention;
  }
  return out;
}

}  // namespace

absl::StatusOr<Server::Prepared> Server::Prepare(const Config& config, bool load_tls) {
  Prepared prepared;
  HB_RETURN_IF_ERROR(Ingestor::Validate(config));
  absl::StatusOr<std::unique_ptr<Authorizer>> authorizer = Authorizer::Create(config.auth);
  if (!authorizer.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", authorizer.status().message()));
  }
  prepared.authorizer = *std::move(authorizer);
  if (!load_tls) return prepared;
  if (config.http.tls.enabled()) {
    HB_ASSIGN_OR_RETURN(prepared.http_tls, LoadTlsMaterial(config.http.tls, "http.tls"));
  }
  if (config.grpc.tls.enabled()) {
    HB_ASSIGN_OR_RETURN(prepared.grpc_tls, LoadTlsMaterial(config.grpc.tls, "grpc.tls"));
  }
  return prepared;
}

std::string Server::Fingerprint(const TlsConfig& tls) {
  std::string contents;
  for (const std::string* path : {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> text = ReadConfigText(*path);
    if (!text.ok()) return "";
    absl::StrAppend(&contents, path->size(), ":", *path, text->size(), ":", *text);
  }
  return HexEncode(Sha256({contents}));
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(std::string config_path,
                                                      std::string config_text, Config config) {
  std::unique_ptr<Server> server(new Server());
  server->config_path_ = std::move(config_path);
  server->config_text_ = std::move(config_text);
  // The files' state before they are read: a change after this is seen.
  if (config.http.tls.enabled()) server->http_tls_fingerprint_ = Fingerprint(config.http.tls);
  if (config.grpc.tls.enabled()) server->grpc_tls_fingerprint_ = Fingerprint(config.grpc.tls);
  Prepared prepared;
  HB_ASSIGN_OR_RETURN(prepared, Prepare(config, /*load_tls=*/true));
  HB_RETURN_IF_ERROR(server->StartComponents(std::move(config), std::move(prepared)));
  return server;
}

absl::Status Server::StartComponents(Config config, Prepared prepared) {
  running_ = std::move(config);
  const Config& c = running_;
  SetLogLevel(c.log_level);
  HB_RETURN_IF_ERROR(FitDescriptorBudget(c));

  absl::StatusOr<std::unique_ptr<EventLog>> opened = OpenConfiguredLog(c.log);
  if (!opened.ok()) {
    // A log that does not open is a runtime failure, not the config's.
    return absl::Status(opened.status().code() == absl::StatusCode::kInvalidArgument
                            ? absl::StatusCode::kFailedPrecondition
                            : opened.status().code(),
                        opened.status().message());
  }
  log_ = *std::move(opened);
  HB_ASSIGN_OR_RETURN(ingestor_, Ingestor::Create(c, log_.get()));
  // Durable consumers: their stores next to the log, the declared ones
  // created or checked.
  if (const LogBackend* backend = FindLogBackend(c.log.backend); backend != nullptr) {
    HB_ASSIGN_OR_RETURN(consumers_, backend->open_consumers(c.log.options, log_.get()));
    HB_RETURN_IF_ERROR(consumers_->Declare(c.consumers));
  }
  WarnAboutAuth(c.auth);
  const std::vector<SourceInfo> sources = ingestor_->sources();
  metrics_ = std::make_unique<Metrics>(sources);
  metrics_->RegisterTokens(prepared.authorizer->TokenNames());

  // The operator console (admin.console): recent deliveries, counts,
  // subscribers, on the admin listener. Built even when off, so a reload
  // can turn it on.
  console_ = std::make_unique<Console>(ConsoleOptions(c.admin), sources, metrics_.get());
  webhooks_ = std::make_unique<WebhookHandler>(ingestor_.get(), metrics_.get(), &accepting_,
                                               console_.get());
  SubscribeLimits limits;
  limits.max_subscribers = c.grpc.max_subscribers;
  limits.max_streams_per_token = c.grpc.max_streams_per_token;
  limits.max_filter_patterns = c.grpc.max_filter_patterns;
  limits.max_event_bytes = ingestor_->max_event_bytes();
  limits.heartbeat_interval = c.grpc.heartbeat_interval;
  service_ = std::make_unique<EventBridgeService>(
      log_.get(), metrics_.get(), sources, prepared.authorizer, limits,
      ServerFacts{HOOKBRIDGE_VERSION, c.log.backend}, consumers_.get());
  console_handler_ = std::make_unique<ConsoleHandler>(
      console_.get(), log_.get(), [this] { return service_->Subscribers(); }, consumers_.get(),
      metrics_.get(), c.admin);
  if (const LogBackend* backend = FindLogBackend(c.log.backend); backend != nullptr) {
    metrics_->SetLogRetentionBytes(backend->retention_bytes(c.log.options));
  }
  admin_ = std::make_unique<AdminHandler>(
      [this] {
        const LogStats stats = log_->Stats();
        if (connection_limiter_ != nullptr) {
          metrics_->SetGrpcConnections(connection_limiter_->Count());
        }
        return metrics_->Serialize(stats, service_->MaxLag(stats.last_sequence),
                                   ConsumerReports(consumers_.get(), stats.last_sequence));
      },
      log_.get(), &ready_, console_handler_.get(), [this] { return RestartNeeded(); });

  HttpListenerOptions http_options;
  http_options.name = "http";
  http_options.address = c.http.listen;
  http_options.max_body_bytes = c.http.max_body_bytes;
  http_options.max_header_bytes = c.http.max_header_bytes;
  http_options.read_timeout = c.http.read_timeout;
  http_options.idle_timeout = c.http.idle_timeout;
  http_options.max_connections = c.http.max_connections;
  http_options.max_requests_per_connection = c.http.max_requests_per_connection;
  http_options.handler = webhooks_.get();
  HttpListenerOptions admin_options = http_options;
  admin_options.name = "admin";
  admin_options.address = c.admin.listen;
  admin_options.max_body_bytes = 64 << 10;
  admin_options.allow_http10 = true;
  admin_options.handler = admin_.get();
  if (prepared.http_tls.has_value()) {
    LogTlsLoaded("http", *prepared.http_tls);
    http_options.tls = std::move(prepared.http_tls);
  }
  if (prepared.grpc_tls.has_value()) {
    LogTlsLoaded("grpc", *prepared.grpc_tls);
    grpc_tls_ = std::make_unique<ReloadableTlsCredentials>(*std::move(prepared.grpc_tls));
  }
  absl::StatusOr<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(c.http.threads, {http_options, admin_options});
  if (!http.ok()) return http.status();
  http_ = *std::move(http);

  // grpc.health.v1.Health (for Kubernetes gRPC probes) and server
  // reflection (for grpcurl and other generic tools).
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(c.grpc.listen.ToString(),
                           grpc_tls_ ? grpc_tls_->credentials() : grpc::InsecureServerCredentials(),
                           &grpc_port_);
  // Find subscribers whose peer vanished without closing the connection.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // A connection's life: handshake, idle and age limits (grpc.*), so that
  // no connection is held for nothing.
  const auto millis = [](absl::Duration d) {
    return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(d), INT32_MAX));
  };
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             millis(c.grpc.handshake_timeout));
  if (c.grpc.idle_timeout > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, millis(c.grpc.idle_timeout));
  }
  if (c.grpc.max_connection_age > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, millis(c.grpc.max_connection_age));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               millis(c.grpc.max_connection_age_grace));
  }
  builder.RegisterService(service_.get());
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("grpc: cannot listen on ", c.grpc.listen.ToString()));
  }

  ConnectionLimiter::Options limiter;
  limiter.port = static_cast<uint16_t>(grpc_port_);
  limiter.max_connections = c.grpc.max_connections;
  limiter.busy_peers = [this] { return service_->StreamPeers(); };
  limiter.on_closed = [this](size_t n) {
    metrics_->GrpcConnectionsShut(n);
    const absl::Time now = absl::Now();
    if (now - connection_limit_logged_ >= absl::Seconds(10)) {
      connection_limit_logged_ = now;
      Log(LogLevel::kWarn, "grpc.max_connections reached: closing connections without a stream",
          {{"max_connections", static_cast<uint64_t>(running_.grpc.max_connections)},
           {"closed_now", static_cast<uint64_t>(n)}});
    }
  };
  connection_limiter_ = std::make_unique<ConnectionLimiter>(std::move(limiter));
  connection_limiter_->Start();

  // Registers the service by name; SetServingStatus(bool) then updates the
  // server ("") and every registered name together.
  grpc_server_->GetHealthCheckService()->SetServingStatus(
      std::string(v1::EventBridgeService::service_full_name()), true);
  grpc_server_->GetHealthCheckService()->SetServingStatus(true);
  ready_.store(true, std::memory_order_release);
  Log(LogLevel::kInfo, "listening",
      {{"http", ListenAddress{c.http.listen.host, http_port()}.ToString()},
       {"grpc", ListenAddress{c.grpc.listen.host, static_cast<uint16_t>(grpc_port_)}.ToString()},
       {"admin", ListenAddress{c.admin.listen.host, admin_port()}.ToString()},
       {"http_port", static_cast<int>(http_port())},
       {"grpc_port", grpc_port_},
       {"admin_port", static_cast<int>(admin_port())},
       {"console", !c.admin.console ? "off"
                   : c.admin.console_token_sha256.empty()
                       ? "/ui on the admin listener"
                       : "/ui on the admin listener, with a token"},
       {"log_backend", c.log.backend},
       {"sources", SourceList(sources)},
       {"version", HOOKBRIDGE_VERSION},
       {"revision", BuildRevision()}});
  return absl::OkStatus();
}

Server::~Server() { Stop(); }

uint16_t Server::http_port() const { return http_->port(0); }
uint16_t Server::admin_port() const { return http_->port(1); }

absl::Status Server::RestartNeeded() {
  const LogStats stats = log_->Stats();
  if (stats.restart_needed) return stats.failure;
  return consumers_ != nullptr ? consumers_->failure() : absl::OkStatus();
}

void Server::Tick() {
  // The EventBridgeService is SERVING while the log takes events and its
  // follower (shared logs) keeps up; the server ("", what a gRPC liveness
  // probe asks) while no restart is needed. Changes are logged.
  const LogStats stats = log_->Stats();
  const bool serving = log_ok_ && follower_ok_;
  if (stats.failure.ok() != log_ok_) {
    log_ok_ = stats.failure.ok();
    if (log_ok_) {
      Log(LogLevel::kInfo, "event log recovered", {{"log_backend", running_.log.backend}});
    } else {
      Log(LogLevel::kError, "event log failing: webhooks are answered 503",
          {{"log_backend", running_.log.backend}, {"error", stats.failure.message()}});
    }
  }
  // A stall usually ends within a tick, the follower's replacement
  // delivering at once: the restart counter tells of it then.
  if (stats.stalled.ok() != follower_ok_) {
    follower_ok_ = stats.stalled.ok();
    if (follower_ok_) {
      Log(LogLevel::kInfo, "event log follower caught up", {{"log_backend", running_.log.backend}});
    } else {
      Log(LogLevel::kWarn, "event log follower stalled: subscribers here get no new events",
          {{"log_backend", running_.log.backend}, {"error", stats.stalled.message()}});
    }
  }
  if (stats.follower_restarts != follower_restarts_) {
    follower_restarts_ = stats.follower_restarts;
    Log(LogLevel::kWarn, "event log follower was stalled behind the log and has been replaced",
        {{"log_backend", running_.log.backend}, {"follower_restarts", stats.follower_restarts}});
  }
  if ((log_ok_ && follower_ok_) != serving) {
    grpc_server_->GetHealthCheckService()->SetServingStatus(
        std::string(v1::EventBridgeService::service_full_name()), log_ok_ && follower_ok_);
  }
  if (const absl::Status restart = RestartNeeded(); restart.ok() != alive_) {
    alive_ = restart.ok();
    grpc_server_->GetHealthCheckService()->SetServingStatus("", alive_);
    if (!alive_) {
      Log(LogLevel::kError, "a restart is needed: /healthz fails", {{"error", restart.message()}});
    }
  }
  service_->SendHeartbeats(absl::Now());
  webhooks_->FlushLogs(absl::Now());
  // A ConfigMap update arrives as new file content, without a signal. An
  // unreadable file (mid-update) is looked at again next time.
  absl::StatusOr<std::string> text = ReadConfigText(config_path_);
  if (text.ok() && *text != config_text_) {
    Reload("file changed");
  } else {
    WatchTls();
  }
}

void Server::ReloadTls(bool http, absl::string_view trigger) {
  const char* name = http ? "http" : "grpc";
  const TlsConfig& config = http ? running_.http.tls : running_.grpc.tls;
  // The files' state before they are read: a change after this is seen.
  (http ? http_tls_fingerprint_ : grpc_tls_fingerprint_) = Fingerprint(config);
  absl::StatusOr<TlsMaterial> material = LoadTls(config, name);
  absl::Status s = material.status();
  if (s.ok()) s = http ? http_->UpdateTls(0, *material) : grpc_tls_->Update(*std::move(material));
  if (!s.ok()) {
    Log(LogLevel::kError, "tls reload failed; keeping the current certificate",
        {{"listener", name}, {"trigger", trigger}, {"error", s.message()}});
  }
}

void Server::WatchTls() {
  for (bool http : {true, false}) {
    const TlsConfig& config = http ? running_.http.tls : running_.grpc.tls;
    if (!config.enabled()) continue;
    const std::string now = Fingerprint(config);
    // Tried once per new content: a certificate written before its key
    // fails here and is tried again when the key changes too.
    if (!now.empty() && now != (http ? http_tls_fingerprint_ : grpc_tls_fingerprint_)) {
      ReloadTls(http, "tls files changed");
    }
  }
}

bool Server::Reload(absl::string_view trigger) {
  absl::StatusOr<std::string> text = ReadConfigText(config_path_);
  if (!text.ok()) {
    ReloadRejected(trigger, text.status());
    return false;
  }
  config_text_ = *text;
  absl::StatusOr<Config> next = ParseConfig(*text, ProcessEnvironment());
  if (!next.ok()) {
    ReloadRejected(trigger, next.status());
    return false;
  }
  std::vector<std::string> needs_restart;
  Config merged = MergeForReload(running_, *next, &needs_restart);
  // TLS files that do not load keep the listener's current certificate
  // (below) rather than refusing the rest of the config.
  absl::StatusOr<Prepared> prepared = Prepare(merged, /*load_tls=*/false);
  if (!prepared.ok()) {
    ReloadRejected(trigger, prepared.status());
    return false;
  }
  // Declared consumers: new ones created; a changed one refuses the reload.
  if (consumers_ != nullptr) {
    if (absl::Status s = consumers_->Declare(merged.consumers); !s.ok()) {
      ReloadRejected(trigger, s);
      return false;
    }
  } else if (!merged.consumers.empty()) {
    ReloadRejected(trigger, absl::FailedPreconditionError(
                                absl::StrCat("consumers: the ", merged.log.backend,
                                             " log backend keeps no durable consumers yet")));
    return false;
  }
  // Everything that can fail has been checked (Prepare built every source
  // and the token table); from here the new config is applied.
  if (absl::Status s = ingestor_->Reconfigure(merged); !s.ok()) {
    ReloadRejected(trigger, s);
    return false;
  }
  const std::vector<SourceInfo> sources = ingestor_->sources();
  metrics_->AddSources(sources);
  metrics_->RegisterTokens(prepared->authorizer->TokenNames());
  const size_t ended = service_->Reconfigure(prepared->authorizer, sources);
  console_->Reconfigure(ConsoleOptions(merged.admin), sources);
  console_handler_->Reconfigure(merged.admin);
  SetLogLevel(merged.log_level);
  if (merged.auth.enabled != running_.auth.enabled || merged.auth.tokens.empty()) {
    WarnAboutAuth(merged.auth);
  }
  running_ = std::move(merged);
  // New certificates for new connections; established ones keep theirs.
  if (running_.http.tls.enabled()) ReloadTls(/*http=*/true, trigger);
  if (running_.grpc.tls.enabled()) ReloadTls(/*http=*/false, trigger);
  ++generation_;
  metrics_->ConfigReloaded(true, generation_);
  console_->SetReloadStatus(
      Console::ReloadStatus{generation_, "applied", "", needs_restart, absl::Now()});
  Log(LogLevel::kInfo, "config reloaded",
      {{"trigger", trigger},
       {"generation", generation_},
       {"sources", SourceList(sources)},
       {"streams_ended", static_cast<uint64_t>(ended)}});
  if (!needs_restart.empty()) {
    Log(LogLevel::kWarn, "config changes that need a restart; the running values stay",
        {{"keys", absl::StrJoin(needs_restart, ", ")}});
  }
  return true;
}

void Server::ReloadRejected(absl::string_view trigger, const absl::Status& status) {
  metrics_->ConfigReloaded(false, generation_);
  console_->SetReloadStatus(Console::ReloadStatus{
      generation_, "rejected", std::string(status.message()), {}, absl::Now()});
  Log(LogLevel::kError, "config reload rejected; the running config stays in force",
      {{"trigger", trigger}, {"generation", generation_}, {"error", status.message()}});
}

void Server::Drain(absl::string_view reason) {
  const absl::Time deadline = absl::Now() + running_.shutdown_timeout;
  Log(LogLevel::kInfo, "shutting down",
      {{"signal", reason}, {"timeout_ms", absl::ToInt64Milliseconds(running_.shutdown_timeout)}});
  // Not ready, and new webhooks are answered 503 (the sender retries later).
  ready_.store(false, std::memory_order_release);
  accepting_.store(false, std::memory_order_release);
  grpc_server_->GetHealthCheckService()->SetServingStatus(false);
  // Webhooks already being stored finish and get their answer.
  if (!http_->Drain(deadline)) {
    Log(LogLevel::kWarn, "some webhook requests were still in progress at the deadline");
  }
  // Streams end with UNAVAILABLE and the sequence to resume after.
  if (!service_->Shutdown(deadline)) {
    Log(LogLevel::kWarn, "some subscription streams did not end in time; cancelling them");
  }
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  // Every stream has ended (or is cancelled now); do not wait for idle
  // client connections to go away.
  connection_limiter_.reset();
  if (grpc_server_ != nullptr) grpc_server_->Shutdown(absl::ToChronoTime(absl::Now()));
  http_.reset();
  if (ingestor_ != nullptr) {
    ingestor_->StopFollowing();
    // The next start restores the de-duplication window from this instead
    // of reading the log's last records again.
    if (absl::Status saved = ingestor_->SaveState(); !saved.ok()) {
      Log(LogLevel::kWarn,
          "de-duplication state not saved: the next start rebuilds it from the event log",
          {{"error", saved.message()}});
    }
  }
  // Their journals are flushed and closed; they read the log.
  consumers_.reset();
  // Last: completes any queued append and closes the log files.
  log_.reset();
  // The last count of left-out lines: no request is handled any more.
  if (webhooks_ != nullptr) webhooks_->FlushLogs(absl::Now());
  if (grpc_server_ != nullptr) Log(LogLevel::kInfo, "stopped");
}

}  // namespace hookbridge
