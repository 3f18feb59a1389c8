#include "server/http/admin_handler.h"

#include "absl/strings/str_cat.h"

namespace hookbridge {

AdminHandler::AdminHandler(MetricsRenderer render_metrics, EventLog* log,
                           const std::atomic<bool>* ready, ConsoleHandler* console,
                           RestartCheck restart_needed)
    : render_metrics_(std::move(render_metrics)),
      log_(log),
      restart_needed_(restart_needed ? std::move(restart_needed) : [log] {
        const LogStats stats = log->Stats();
        return stats.restart_needed ? stats.failure : absl::OkStatus();
      }),
      ready_(ready),
      console_(console) {}

void AdminHandler::Handle(HttpRequest request, HttpResponder respond) {
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  const absl::string_view path =
      absl::string_view(request.target).substr(0, request.target.find('?'));
  if (request.method != "GET" && request.method != "HEAD") {
    response.status = 405;
    response.headers.emplace_back("Allow", "GET, HEAD");
    response.body = "method not allowed\n";
  } else if (path == "/metrics") {
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = render_metrics_();
  } else if (path == "/healthz") {
    if (const absl::Status why = restart_needed_(); !why.ok()) {
      // Only a restart helps: let the orchestrator do it.
      response.status = 503;
      response.body = absl::StrCat("restart needed: ", why.message(), "\n");
    } else {
      response.body = "ok\n";
    }
  } else if (path == "/readyz") {
    // A replica whose follower of a shared log stalled has events it
    // cannot send: not ready either.
    const LogStats stats = log_->Stats();
    const absl::Status log_failure = stats.failure.ok() ? stats.stalled : stats.failure;
    const bool ready = ready_->load(std::memory_order_acquire) && log_failure.ok();
    response.status = ready ? 200 : 503;
    response.body = ready              ? "ready\n"
                    : log_failure.ok() ? "not ready\n"
                                       : absl::StrCat("not ready: ", log_failure.message(), "\n");
  } else if (ConsoleHandler::Serves(path)) {
    if (console_ != nullptr && console_->enabled()) return console_->Handle(request, respond);
    response.status = 404;
    response.body = "not found: the console is turned off (admin.console: false)\n";
  } else {
    response.status = 404;
    response.body = console_ != nullptr && console_->enabled()
                        ? "not found: the admin listener serves /metrics, /healthz, /readyz, "
                          "and the console at /ui\n"
                        : "not found: the admin listener serves /metrics, /healthz and /readyz\n";
  }
  respond(std::move(response));
}

HttpResponse AdminHandler::HandleError(HttpError error, absl::string_view target) {
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.status = HttpErrorStatus(error);
  response.body = "bad request\n";
  return response;
}

}  // namespace hookbridge
