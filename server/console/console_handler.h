// The operator console on the admin listener: the page (/ui) and its JSON
// API (/api/sources, /api/deliveries, /api/deliveries/<id>,
// /api/deliveries/stream, /api/subscribers, /api/consumers). Read-only: GET and HEAD only.
// It has the admin listener's exposure and no authentication of its own
// (docs/SECURITY.md); docs/CONSOLE.md describes every endpoint.
#ifndef HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_HANDLER_H_
#define HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_HANDLER_H_

#include <functional>
#include <vector>

#include "bridge/consumer/consumer_set.h"
#include "bridge/log/event_log.h"
#include "server/console/console.h"
#include "server/grpc/event_bridge_service.h"
#include "server/http/http_server.h"

namespace hookbridge {

class ConsoleHandler {
 public:
  // The open subscription streams (empty before the gRPC service exists).
  using SubscriberLister = std::function<std::vector<SubscriberInfo>()>;

  // `console`, `log` and `consumers` (null: the backend keeps none) must
  // outlive the handler.
  ConsoleHandler(Console* console, EventLog* log, SubscriberLister subscribers,
                 ConsumerSet* consumers);

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

  Console* const console_;
  EventLog* const log_;
  const SubscriberLister subscribers_;
  ConsumerSet* const consumers_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_HANDLER_H_
