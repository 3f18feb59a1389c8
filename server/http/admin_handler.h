// The admin listener: /metrics (Prometheus text format), /healthz (the
// process is alive), /readyz (it takes webhooks and subscriptions) and,
// unless admin.console is false, the operator console (/ui, /api/*).
#ifndef HOOKBRIDGE_SERVER_HTTP_ADMIN_HANDLER_H_
#define HOOKBRIDGE_SERVER_HTTP_ADMIN_HANDLER_H_

#include <atomic>
#include <functional>
#include <string>

#include "bridge/log/event_log.h"
#include "server/console/console_handler.h"
#include "server/http/http_server.h"

namespace hookbridge {

class AdminHandler : public HttpHandler {
 public:
  // Renders /metrics (called per scrape, from a network thread).
  using MetricsRenderer = std::function<std::string()>;

  // Everything must outlive the handler. /readyz answers 200 while `ready`
  // and the log has not failed. `console` serves /ui and /api/*; without
  // it (admin.console: false) they are answered 404.
  // Why only a restart helps now (OK: it does not), for /healthz.
  using RestartCheck = std::function<absl::Status()>;

  AdminHandler(MetricsRenderer render_metrics, EventLog* log, const std::atomic<bool>* ready,
               ConsoleHandler* console = nullptr, RestartCheck restart_needed = nullptr);

  void Handle(HttpRequest request, HttpResponder respond) override;
  HttpResponse HandleError(HttpError error, absl::string_view target) override;
  // Not counted: the admin listener serves operators, not webhooks.
  void OnDropped(ConnectionDrop drop, absl::string_view target) override {}

 private:
  const MetricsRenderer render_metrics_;
  EventLog* const log_;
  const RestartCheck restart_needed_;
  const std::atomic<bool>* const ready_;
  ConsoleHandler* const console_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_HTTP_ADMIN_HANDLER_H_
