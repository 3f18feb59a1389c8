// The operator console on the admin listener: the page (/ui) and its JSON
// API (/api/sources, /api/deliveries, /api/deliveries/<id>,
// /api/deliveries/stream, /api/subscribers, /api/consumers). Read-only: GET and HEAD only.
// It answers only Host values a browser sends when pointed at it (421
// otherwise: DNS rebinding), and with admin.console_token_sha256 its API
// only requests carrying that bearer token (401 otherwise); the page's own
// files hold no data and need no token, so the page can ask for it
// (ConsoleAccess, docs/SECURITY.md). docs/CONSOLE.md describes every
// endpoint.
#ifndef HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_HANDLER_H_
#define HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_HANDLER_H_

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "bridge/consumer/consumer_set.h"
#include "bridge/log/event_log.h"
#include "server/console/console.h"
#include "server/console/console_access.h"
#include "server/grpc/event_bridge_service.h"
#include "server/http/http_server.h"
#include "server/metrics/metrics.h"

namespace hookbridge {

class ConsoleHandler {
 public:
  // The open subscription streams (empty before the gRPC service exists).
  using SubscriberLister = std::function<std::vector<SubscriberInfo>()>;

  // `console`, `log`, `consumers` (null: the backend keeps none) and
  // `metrics` must outlive the handler. `admin` sets who may use it.
  ConsoleHandler(Console* console, EventLog* log, SubscriberLister subscribers,
                 ConsumerSet* consumers, Metrics* metrics, const AdminConfig& admin);

  // Applies a reloaded admin config's access settings (allowed_hosts,
  // console_token_sha256) to the requests that follow. Thread-safe.
  void Reconfigure(const AdminConfig& admin);

  // Whether `path` belongs to the console: /ui, /ui/..., /api/...
  static bool Serves(absl::string_view path);

  // Whether the console is on (admin.console, which a reload may change).
  bool enabled() const;

  // Answers a GET or HEAD for a path that Serves. A detail view reads the
  // accepted event from the log (one record: from memory, or one read from
  // disk or the stream) on the calling network thread.
  void Handle(const HttpRequest& request, const HttpResponder& respond);

 private:
  HttpResponse Asset(absl::string_view path) const;
  HttpResponse Sources() const;
  HttpResponse Deliveries(absl::string_view query) const;
  HttpResponse Detail(absl::string_view id) const;
  HttpResponse Stream(const HttpRequest& request, absl::string_view query) const;
  HttpResponse Subscribers() const;
  HttpResponse Consumers() const;

  // The answer refusing `request` for `path`, or nullopt when it may read
  // the console.
  std::optional<HttpResponse> Refusal(const HttpRequest& request, absl::string_view path) const;

  Console* const console_;
  EventLog* const log_;
  const SubscriberLister subscribers_;
  ConsumerSet* const consumers_;
  Metrics* const metrics_;
  mutable absl::Mutex access_mu_;
  std::shared_ptr<const ConsoleAccess> access_ ABSL_GUARDED_BY(access_mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_HANDLER_H_
