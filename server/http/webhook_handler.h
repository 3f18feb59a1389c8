// The webhook ingress: routes POST /webhooks/<source> into the Ingestor and
// turns its outcome into the HTTP answer. This is the one place where
// ingest outcomes map to HTTP status codes.
#ifndef HOOKBRIDGE_SERVER_HTTP_WEBHOOK_HANDLER_H_
#define HOOKBRIDGE_SERVER_HTTP_WEBHOOK_HANDLER_H_

#include <atomic>
#include <optional>

#include "bridge/ingest.h"
#include "server/console/console.h"
#include "server/http/http_server.h"
#include "server/logging.h"
#include "server/metrics/metrics.h"

namespace hookbridge {

// The HTTP status answering `outcome`.
int HttpStatusFor(Outcome outcome);

class WebhookHandler : public HttpHandler {
 public:
  // `ingestor`, `metrics` and `console` must outlive the handler. While
  // `accepting` is false (shutting down), webhooks are answered 503. Every
  // webhook request (not GET/HEAD probes) is recorded in `console`, if
  // given, with its outcome, whether it was answered or dropped.
  WebhookHandler(Ingestor* ingestor, Metrics* metrics, const std::atomic<bool>* accepting,
                 Console* console = nullptr);

  void Handle(HttpRequest request, HttpResponder respond) override;
  HttpResponse HandleError(HttpError error, absl::string_view target) override;
  // Counts the drop (under the unknown source unless the request's target
  // was read): too_many_connections, timeout or tls_handshake.
  void OnDropped(ConnectionDrop drop, absl::string_view target) override;

  // Logs how many "webhook rejected" lines were left out since the last
  // call (at most kRejectionLinesPerSecond are written per source and
  // outcome). Call periodically; thread-safe.
  void FlushLogs(absl::Time now);

  static constexpr int kRejectionLinesPerSecond = 10;

 private:
  // The console's record of a request resolved to `route`, filed under
  // `source` (nullptr: none), with what the request says; nullopt when
  // there is no console.
  std::optional<Delivery> Capture(const HttpRequest& request, const Route& route,
                                  const SourceInfo* source) const;
  // The same for a request of which only the target is known.
  std::optional<Delivery> Capture(absl::string_view target, absl::Time received_at) const;
  // Completes `delivery` with `result` answered with `status` and records it.
  void Record(std::optional<Delivery> delivery, const IngestResult& result, int status) const;

  Ingestor* const ingestor_;
  Metrics* const metrics_;
  const std::atomic<bool>* const accepting_;
  Console* const console_;
  // "webhook rejected" lines: a flood of bad requests must not become one
  // of log lines, written on the network threads.
  LogThrottle rejections_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_HTTP_WEBHOOK_HANDLER_H_
