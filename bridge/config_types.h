// The service configuration's types: what each part of hookbridge.yaml
// holds, with its defaults. The loader (config.h) fills them from YAML;
// the components they configure (providers, log backends, listeners)
// include only this header, so dependencies run one way:
// config types <- providers and backends <- loader.
#ifndef HOOKBRIDGE_BRIDGE_CONFIG_TYPES_H_
#define HOOKBRIDGE_BRIDGE_CONFIG_TYPES_H_

#include <any>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bridge/rate_limit.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {

// A host and port to listen on, written "host:port" ("[::1]:80" for IPv6).
// Port 0 asks the system for a free port.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;

  std::string ToString() const;
};

// PEM files of a TLS listener. Re-read on SIGHUP and when they change.
struct TlsConfig {
  // The certificate chain, leaf first.
  std::string cert_file;
  // Its private key, unencrypted.
  std::string key_file;
  // Optional: clients must present a certificate signed by one of these CAs
  // (mutual TLS). Empty: client certificates are not requested.
  std::string client_ca_file;

  // False when no cert_file is configured: the listener is plain.
  bool enabled() const { return !cert_file.empty(); }
};

// The webhook ingress.
struct HttpConfig {
  ListenAddress listen{"0.0.0.0", 8080};
  // Largest accepted request body. CKEditor exports carry whole documents.
  uint64_t max_body_bytes = 10ull << 20;
  // Largest accepted request line plus headers.
  uint32_t max_header_bytes = 16u << 10;
  // Time allowed to receive one request once its first byte arrived.
  absl::Duration read_timeout = absl::Seconds(30);
  // Time a keep-alive connection may stay open waiting for its next request.
  absl::Duration idle_timeout = absl::Seconds(75);
  // Network threads shared by the ingress and admin listeners; 0 = one per
  // core.
  int threads = 0;
  // Connections open at once (idle keep-alive ones included); further ones
  // are closed right after accept.
  uint32_t max_connections = 1024;
  // Requests answered on one connection; the last answer carries
  // `Connection: close`, so a pipelined flood cannot hold a connection.
  uint32_t max_requests_per_connection = 1000;
  // Deepest nesting of arrays and objects accepted in a webhook body (at
  // most kMaxJsonDepth in bridge/json.h).
  int max_json_depth = 32;
  // The rate limit of each source without its own `rate_limit`: a separate
  // bucket per source. per_second 0 = unlimited.
  RateLimit rate_limit{1000, 2000};
  // HTTPS when enabled; plain HTTP otherwise (e.g. behind a cluster ingress).
  TlsConfig tls;
};

struct GrpcConfig {
  ListenAddress listen{"0.0.0.0", 50051};
  // Subscribe and Consume streams open at once; further ones are refused
  // with RESOURCE_EXHAUSTED.
  uint32_t max_subscribers = 10000;
  // Subscribe and Consume streams open at once under one token (at most
  // max_subscribers); further ones are refused with RESOURCE_EXHAUSTED. Not
  // applied with authentication off.
  uint32_t max_streams_per_token = 1000;
  // Connections open at once. Over it, connections without a stream are
  // closed, the oldest first (server/grpc/connection_limiter.h).
  uint32_t max_connections = 1024;
  // A connection without a call for this long is closed (GOAWAY); 0: never.
  absl::Duration idle_timeout = absl::Minutes(5);
  // A connection this old is told to go away (GOAWAY): new calls go to a
  // new connection, perhaps another replica; 0: never.
  absl::Duration max_connection_age = absl::Hours(1);
  // How long calls open on a connection told to go away may still run
  // before it is closed; streams then end with UNAVAILABLE and their
  // clients resume.
  absl::Duration max_connection_age_grace = absl::Minutes(5);
  // Time from accept to a complete TLS and HTTP/2 handshake.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // Entries in `sources` plus `types` of one SubscribeRequest; more is
  // INVALID_ARGUMENT.
  uint32_t max_filter_patterns = 64;
  // Largest event stored and sent to subscribers, encoded with its raw
  // body: a webhook whose event would be larger is refused with 413.
  // GetServerInfo advertises it; clients set their receive limit from it.
  uint64_t max_event_bytes = 32ull << 20;
  // A Subscribe stream silent this long sends a Heartbeat.
  absl::Duration heartbeat_interval = absl::Seconds(10);
  // TLS (with client_ca_file: mutual TLS) when enabled; plaintext otherwise.
  TlsConfig tls;
};

// Metrics, health endpoints and the operator console. Never expose this
// through a public ingress.
struct AdminConfig {
  ListenAddress listen{"0.0.0.0", 9090};
  // The operator console (/ui and /api/*): recent deliveries with redacted
  // headers and body previews, per-source counts, subscribers.
  bool console = true;
  // Bounds of the console's ring of recent deliveries: count and bytes.
  uint64_t console_deliveries = 500;
  uint64_t console_bytes = 4ull << 20;
  // Bytes of each request body the console keeps (0: none).
  uint64_t console_body_preview_bytes = 2048;
  // Host names (lower case, no port) under which the console answers,
  // besides localhost, IP addresses and admin.listen's host, which it
  // always answers: a browser page that reaches the listener under any
  // other name (DNS rebinding) is refused. /metrics, /healthz and /readyz
  // answer any Host.
  std::vector<std::string> allowed_hosts;
  // Lower-case hex SHA-256 of the bearer token the console's API requires;
  // empty: none.
  std::string console_token_sha256;
};

// The event log: a backend, a row of the table in bridge/log/backend.h, and
// its options, which that row parses from the other keys of `log:` into its
// own Options type (e.g. FileLog::Options), where its defaults live.
struct LogConfig {
  // "file" (durable, the default), "memory" (lost on restart) or
  // "jetstream" (a NATS JetStream stream shared by several replicas).
  std::string backend = "file";
  // The backend's Options; empty until the loader sets it (then the
  // backend's defaults apply: see DescribeLog in bridge/log/backend.h).
  std::any options;

  // The options as the backend's Options type `T`; throws
  // std::bad_any_cast for another type (a broken invariant).
  template <typename T>
  const T& Options() const {
    return std::any_cast<const T&>(options);
  }
};

struct DedupConfig {
  // How many recent event ids are remembered to recognise redeliveries.
  uint64_t max_entries = 100000;
  // How long the ids of sources whose signature covers no timestamp
  // (GitHub, DocSpace, canD) are remembered: nothing else stops a replay
  // of their requests. Zero: only the last max_entries.
  absl::Duration window = absl::Hours(24 * 7);
  // At most this many of those ids (a memory bound: about 64 bytes each).
  uint64_t window_max_entries = 1000000;
};

// Where in a request a value is read from: a header or a JSON field of the
// body (a dotted path such as "data.object.id").
struct ValueLocation {
  enum class Kind { kNone, kHeader, kField };
  Kind kind = Kind::kNone;
  std::string name;

  bool empty() const { return kind == Kind::kNone; }
};

// The signature of a source of the declarative `hmac` provider
// (sources[].hmac), for services without a provider of their own.
struct HmacConfig {
  // The header holding the signature, and the text before it ("sha256=").
  std::string header;
  std::string prefix;
  std::string algorithm = "sha256";  // sha1, sha256 or sha512
  std::string encoding = "hex";      // hex (either case) or base64
  // What is signed: text with {method}, {path}, {timestamp} and {body}.
  std::string signed_content = "{body}";
  // The header holding the signed timestamp (empty: none), in seconds or
  // milliseconds since the Unix epoch.
  std::string timestamp_header;
  std::string timestamp_unit = "seconds";
};

// A source of the `cloudevents` provider (sources[].cloudevents).
struct CloudEventsConfig {
  // How requests are authenticated: "bearer" (Authorization: Bearer
  // <one of the secrets>) or "standard-webhooks" (a Standard Webhooks
  // signature made with one of the secrets, whsec_ keys).
  std::string auth = "bearer";
  // Senders allowed by the abuse-protection handshake of the CloudEvents
  // HTTP webhook specification (OPTIONS with WebHook-Request-Origin), e.g.
  // "eventemitter.example.com", or "*" for any. Empty: the handshake is not
  // offered (OPTIONS is answered 405).
  std::vector<std::string> allowed_origins;
};

// Shortest path token accepted: it is the only credential of unsigned
// providers, so it must be unguessable.
inline constexpr size_t kMinPathTokenLength = 16;

// One webhook endpoint: POST /webhooks/<name>, or /webhooks/<name>/<token>
// when the source has a path token.
struct SourceConfig {
  std::string name;
  // A provider name from the table in bridge/providers/registry.cc.
  std::string provider;
  // Signing secrets, all accepted, so a new one can be added before the old
  // one is removed.
  std::vector<std::string> secrets;
  // How far a signed timestamp may be from the receive time, either way.
  absl::Duration timestamp_tolerance = absl::Minutes(5);
  // A secret last path segment: the source is reachable only at
  // /webhooks/<name>/<path_token>. Required for providers that do not sign
  // (canD); extra protection for the others.
  std::string path_token;
  // Generic providers (standard-webhooks, github, stripe...): where the
  // event type is read from (default per provider) and, optionally, the
  // subject and the delivery id (default per provider; none: a digest of
  // the body).
  ValueLocation event_type;
  ValueLocation subject;
  ValueLocation delivery_id;
  // The `hmac` provider's signature (required there, refused elsewhere).
  std::optional<HmacConfig> hmac;
  // The `cloudevents` provider's authentication and handshake (refused
  // elsewhere; unset there: bearer, no handshake).
  std::optional<CloudEventsConfig> cloudevents;
  // This source's rate limit; unset: http.rate_limit.
  std::optional<RateLimit> rate_limit;
  // The URL the provider was given (https://host/path), when a proxy in
  // between rewrites it: schemes that sign the URL (CKEditor's path, Twilio's
  // whole URL) are verified against it, not against what arrived.
  std::string public_url;
};

// One subscriber token: its SHA-256 and what it may read.
struct TokenConfig {
  // For logs and metrics.
  std::string name;
  // Lowercase hex SHA-256 of the bearer token.
  std::string sha256;
  // Source names, or ["*"] for all.
  std::vector<std::string> sources;
  // Event type patterns, or ["*"] for all.
  std::vector<std::string> types;
  // Durable consumers it may consume (whose filter must also lie inside
  // sources and types), or ["*"].
  std::vector<std::string> consumers = {"*"};
  // May create, delete and seek consumers and redrive their dead letters.
  bool manage_consumers = false;
};

// Subscriber authentication. On by default: a Subscribe without a valid
// token is refused.
struct AuthConfig {
  bool enabled = true;
  std::vector<TokenConfig> tokens;
};

struct Config {
  HttpConfig http;
  GrpcConfig grpc;
  AdminConfig admin;
  LogConfig log;
  DedupConfig dedup;
  std::vector<SourceConfig> sources;
  AuthConfig auth;
  // Durable consumers declared here: created at start, checked on reload.
  std::vector<v1::ConsumerConfig> consumers;
  // debug, info, warn or error.
  std::string log_level = "info";
  // On SIGTERM: how long to wait for requests in progress and open streams
  // before stopping anyway.
  absl::Duration shutdown_timeout = absl::Seconds(10);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONFIG_TYPES_H_
