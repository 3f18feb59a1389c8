// The HTTP/1.1 server under the webhook ingress and the admin endpoints,
// built on Boost.Beast. This header keeps Beast and Asio out of its users:
// they see plain request and response structs and a handler interface.
//
// Each connection is served on its own strand: requests on one connection
// are read, handled and answered strictly in order (pipelined requests wait
// in the read buffer). Handlers answer asynchronously, from any thread.
//
// A listener serves plain HTTP or, given TLS material, HTTPS (TLS 1.2+,
// optionally requiring client certificates). Its certificate can be replaced
// while it runs: new handshakes use the new one, established connections
// keep theirs.
#ifndef HOOKBRIDGE_SERVER_HTTP_HTTP_SERVER_H_
#define HOOKBRIDGE_SERVER_HTTP_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/config_types.h"
#include "server/http/http_stream.h"
#include "server/tls_material.h"

namespace hookbridge {

struct HttpRequest {
  std::string method;  // as sent, e.g. "POST"
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When the request's header had been read: by the wall clock, and by
  // MonotonicNow() (for durations; it never steps).
  absl::Time received_at;
  absl::Time received_monotonic;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";  // empty: none sent
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the response is streamed: the header goes out without a
  // length, followed by whatever the stream is given, and the connection
  // closes when the stream ends (`body` is ignored). The server sends
  // `Cache-Control: no-store` unless `headers` has a Cache-Control.
  std::shared_ptr<HttpStream> stream;
};

// Sends the response; call exactly once, from any thread.
using HttpResponder = std::function<void(HttpResponse)>;

// Why a request could not be read, or was refused once its header was:
// besides what Beast itself refuses, the HTTP layer refuses what RFC 9112
// lets a server refuse and what could frame the request differently here
// than in a proxy in front (request smuggling).
enum class HttpError {
  kBadRequest,        // not valid HTTP/1.1 syntax
  kHttpVersion,       // not HTTP/1.1 (HTTP/1.0 where the listener allows it)
  kObsFold,           // a header field continued on the next line (obsolete line folding)
  kBadHost,           // an HTTP/1.1 request without a Host header, or Host repeated
  kContentLength,     // Content-Length repeated, a list, or with Transfer-Encoding
  kTransferEncoding,  // Transfer-Encoding not ending in chunked, chunked twice, or in HTTP/1.0
  kTransferCoding,    // a transfer coding other than chunked (gzip, ...): not implemented
  kHeaderTooLarge,    // request line plus headers over the limit
  kTooManyHeaders,    // more than kMaxHeaderFields header fields
  kBodyTooLarge,      // body over the limit
};

// The status answering `error`: 400, 413 (body), 431 (header size or
// count) or 501 (transfer coding).
int HttpErrorStatus(HttpError error);

// Header fields a request may carry; more are refused (kTooManyHeaders)
// whatever their size. Webhook senders send a few dozen at most.
inline constexpr size_t kMaxHeaderFields = 100;

// Why a connection was closed without an answer.
enum class ConnectionDrop {
  kTooManyConnections,  // the listener was at max_connections: closed at accept
  kTimeout,             // a TLS handshake or a started request not done within read_timeout
  kTlsHandshake,        // the TLS handshake failed (not TLS, no valid client certificate, ...)
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Handles one complete request. Must not block: slow work answers later
  // through `respond`.
  virtual void Handle(HttpRequest request, HttpResponder respond) = 0;
  // The answer to a request that could not be read (sent, then the
  // connection is closed). `target` is empty if it was not read either.
  virtual HttpResponse HandleError(HttpError error, absl::string_view target) = 0;
  // Told when a connection is closed without an answer (for counting); must
  // not block. `target` is the request's, if its header was read.
  virtual void OnDropped(ConnectionDrop drop, absl::string_view target) = 0;
};

// The limits default to http's in bridge/config_types.h, where they are
// documented; they are not written twice.
struct HttpListenerOptions {
  std::string name;  // for logs: "http", "admin"
  ListenAddress address;
  uint64_t max_body_bytes = HttpConfig().max_body_bytes;
  uint32_t max_header_bytes = HttpConfig().max_header_bytes;
  absl::Duration read_timeout = HttpConfig().read_timeout;
  absl::Duration idle_timeout = HttpConfig().idle_timeout;
  // Open connections at once; further ones are closed right after accept.
  uint32_t max_connections = HttpConfig().max_connections;
  // Requests answered per connection; the last answer says Connection: close.
  uint32_t max_requests_per_connection = HttpConfig().max_requests_per_connection;
  // Whether HTTP/1.0 requests are served (else refused, kHttpVersion).
  // Health checkers such as HAProxy's still speak it to admin endpoints.
  bool allow_http10 = false;
  // HTTPS with this certificate; plain HTTP when absent.
  std::optional<TlsMaterial> tls;
  HttpHandler* handler = nullptr;  // not owned; must outlive the server
};

// Owns the network threads and the listeners on them.
class HttpServer {
 public:
  // Binds every listener (so ports are known when this returns) and starts
  // `threads` network threads. Unavailable if an address cannot be bound;
  // InvalidArgument (naming "<name>.listen" or "<name>.tls") for an address
  // or TLS material that cannot be used.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(
      int threads, std::vector<HttpListenerOptions> listeners);

  // Stops accepting connections, ends every streamed response (and those
  // started later), and waits until every request already read has been
  // answered (or `deadline` passes). Returns whether all were. Open
  // connections stay up: requests they still send are handled too.
  bool Drain(absl::Time deadline);

  // Stops accepting, closes connections and joins the threads.
  ~HttpServer();

  // The bound port of listener `i` (in the order given to Start).
  uint16_t port(size_t i) const;

  // Replaces the certificate of listener `i`, which must have been started
  // with TLS (FailedPrecondition otherwise): handshakes from now on use it,
  // established connections keep the one they started with. On error
  // (InvalidArgument) the current certificate stays. Thread-safe.
  absl::Status UpdateTls(size_t i, const TlsMaterial& material);

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_HTTP_HTTP_SERVER_H_
