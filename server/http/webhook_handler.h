// The webhook ingress: routes POST /webhooks/<source> into the Ingestor and
// turns its outcome into the HTTP answer. This is the one place where
// ingest outcomes map to HTTP status codes.
#ifndef HOOKBRIDGE_SERVER_HTTP_WEBHOOK_HANDLER_H_
#define HOOKBRIDGE_SERVER_HTTP_WEBHOOK_HANDLER_H_

#include <atomic>

#include "bridge/ingest.h"
#include "server/http/http_server.h"
#include "server/metrics/metrics.h"

namespace hookbridge {

// The HTTP status answering `outcome`.
int HttpStatusFor(Outcome outcome);

class WebhookHandler : public HttpHandler {
 public:
  // `ingestor` and `metrics` must outlive the handler. While `accepting` is
  // false (shutting down), webhooks are answered 503.
  WebhookHandler(Ingestor* ingestor, Metrics* metrics, const std::atomic<bool>* accepting);

  void Handle(HttpRequest request, HttpResponder respond) override;
  HttpResponse HandleError(HttpError error, absl::string_view target) override;
  // Counts the drop (under the unknown source unless the request's target
  // was read): too_many_connections, timeout or tls_handshake.
  void OnDropped(ConnectionDrop drop, absl::string_view target) override;

 private:
  Ingestor* const ingestor_;
  Metrics* const metrics_;
  const std::atomic<bool>* const accepting_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_HTTP_WEBHOOK_HANDLER_H_
