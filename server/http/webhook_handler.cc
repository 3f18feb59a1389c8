#include "server/http/webhook_handler.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bridge/rate_limit.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

// Seconds a sender should wait before retrying a 409 or 503.
constexpr absl::string_view kRetryAfterSeconds = "1";

HttpResponse OutcomeResponse(const IngestResult& result) {
  HttpResponse response;
  if (result.outcome == Outcome::kAnswered && result.answer.has_value()) {
    // The provider's check, answered as it expects (its own format).
    response.status = result.answer->status;
    response.body = result.answer->body;
    response.content_type = result.answer->content_type;
    response.headers = result.answer->headers;
    return response;
  }
  response.status = HttpStatusFor(result.outcome);
  std::string& body = response.body;
  body = "{\"outcome\":";
  AppendJsonString(&body, OutcomeName(result.outcome));
  if (!result.reason.empty()) {
    body.append(",\"reason\":");
    AppendJsonString(&body, result.reason);
  }
  if (!result.event_id.empty()) {
    body.append(",\"id\":");
    AppendJsonString(&body, result.event_id);
  }
  if (!result.type.empty()) {
    body.append(",\"type\":");
    AppendJsonString(&body, result.type);
  }
  if (result.batch) {
    absl::StrAppend(&body, ",\"events\":", result.events, ",\"duplicates\":", result.duplicates);
  }
  if (result.sequence != 0) absl::StrAppend(&body, ",\"sequence\":", result.sequence);
  body.append("}\n");
  if (response.status == 503 || response.status == 409) {
    response.headers.emplace_back("Retry-After", std::string(kRetryAfterSeconds));
  }
  if (result.outcome == Outcome::kRateLimited) {
    response.headers.emplace_back("Retry-After",
                                  absl::StrCat(RetryAfterSeconds(result.retry_after)));
  }
  if (result.outcome == Outcome::kBadMethod) {
    response.headers.emplace_back("Allow", "GET, HEAD, POST");
  }
  return response;
}

IngestResult Rejection(Outcome outcome, std::string reason) {
  IngestResult result;
  result.outcome = outcome;
  result.reason = std::move(reason);
  return result;
}

// The reason given for a request the HTTP layer refused.
std::string HttpErrorReason(HttpError error) {
  switch (error) {
    case HttpError::kBadRequest:
      return "malformed HTTP request";
    case HttpError::kHttpVersion:
      return "webhooks must be sent with HTTP/1.1";
    case HttpError::kObsFold:
      return "a header field is folded onto the next line (obsolete line folding)";
    case HttpError::kBadHost:
      return "an HTTP/1.1 request must carry exactly one Host header";
    case HttpError::kContentLength:
      return "Content-Length must be sent once, as one number, and not with Transfer-Encoding";
    case HttpError::kTransferEncoding:
      return "Transfer-Encoding must end in chunked and name it once, in HTTP/1.1";
    case HttpError::kTransferCoding:
      return "transfer codings other than chunked are not implemented";
    case HttpError::kHeaderTooLarge:
      return "request headers are larger than http.max_header_bytes";
    case HttpError::kTooManyHeaders:
      return absl::StrCat("the request has more than ", kMaxHeaderFields, " header fields");
    case HttpError::kBodyTooLarge:
      return "request body is larger than http.max_body_bytes";
  }
  return "malformed HTTP request";
}

}  // namespace

int HttpStatusFor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted:
    case Outcome::kDuplicate:
    case Outcome::kAnswered:
      return 200;
    case Outcome::kMalformed:
    case Outcome::kBadRequest:
    case Outcome::kTlsHandshake:
      return 400;
    case Outcome::kBadSignature:
    case Outcome::kStaleTimestamp:
      return 401;
    case Outcome::kUnknownSource:
    case Outcome::kBadToken:
      return 404;
    case Outcome::kBadMethod:
      return 405;
    case Outcome::kConflict:
      return 409;
    case Outcome::kTooLarge:
      return 413;
    case Outcome::kUnavailable:
    case Outcome::kTooManyConnections:
      return 503;
    case Outcome::kTimeout:
      return 408;
    case Outcome::kRateLimited:
      return 429;
  }
  return 500;
}

WebhookHandler::WebhookHandler(Ingestor* ingestor, Metrics* metrics,
                               const std::atomic<bool>* accepting, Console* console)
    : ingestor_(ingestor),
      metrics_(metrics),
      accepting_(accepting),
      console_(console),
      rejections_(LogLevel::kInfo, "webhook rejected", kRejectionLinesPerSecond) {}

void WebhookHandler::FlushLogs(absl::Time now) { rejections_.Flush(now); }

namespace {
// The configured sources `route` was resolved with (none for a Route()).
const std::vector<SourceInfo>& SourcesOf(const Route& route) {
  static const std::vector<SourceInfo> kNone;
  return route.set != nullptr ? route.set->infos() : kNone;
}
}  // namespace

std::optional<Delivery> WebhookHandler::Capture(const HttpRequest& request, const Route& route,
                                                const SourceInfo* source) const {
  if (console_ == nullptr || !console_->enabled()) return std::nullopt;
  Delivery delivery;
  delivery.received_at = request.received_at;
  if (source != nullptr) delivery.source = source->name;
  CaptureRequest(request.method, request.target, request.headers, request.body, SourcesOf(route),
                 console_->body_preview_bytes(), &delivery);
  return delivery;
}

std::optional<Delivery> WebhookHandler::Capture(absl::string_view target,
                                                absl::Time received_at) const {
  if (console_ == nullptr || !console_->enabled()) return std::nullopt;
  const Route route = ingestor_->Resolve(target);
  Delivery delivery;
  delivery.received_at = received_at;
  if (route.named != nullptr) delivery.source = route.named->name;
  delivery.path = DisplayPath(target, SourcesOf(route));
  return delivery;
}

void WebhookHandler::Record(std::optional<Delivery> delivery, const IngestResult& result,
                            int status) const {
  if (!delivery.has_value()) return;
  delivery->outcome = result.outcome;
  delivery->status = status;
  delivery->reason = result.reason;
  delivery->diagnosis = result.diagnosis;
  delivery->event_id = result.event_id;
  delivery->type = result.type;
  delivery->sequence = result.sequence;
  delivery->duration = absl::Now() - delivery->received_at;
  console_->Record(*std::move(delivery));
}

void WebhookHandler::Handle(HttpRequest request, HttpResponder respond) {
  const Route route = ingestor_->Resolve(request.target);
  const SourceInfo* source = route.source;
  if (source == nullptr) {
    IngestResult result = Rejection(Outcome::kUnknownSource,
                                    "no such webhook source; webhooks go to /webhooks/<source>");
    if (route.bad_token) {
      metrics_->WebhookReceived(route.name, Outcome::kBadToken);
      if (request.method != "GET" && request.method != "HEAD") {
        // The console tells the operator; the sender gets the same answer
        // as for an unknown source.
        Record(Capture(request, route, route.named),
               Rejection(Outcome::kBadToken, "wrong or missing path token"), 404);
      }
    } else {
      metrics_->WebhookReceived(Metrics::kUnknownSource, Outcome::kUnknownSource);
      if (request.method != "GET" && request.method != "HEAD") {
        Record(Capture(request, route, nullptr), result, 404);
      }
    }
    // A wrong path token gets exactly the unknown-source answer, so a
    // stranger does not learn that the source exists.
    return respond(OutcomeResponse(result));
  }
  if (request.method == "GET" || request.method == "HEAD") {
    // Providers (ONLYOFFICE DocSpace among them) probe the URL before use.
    HttpResponse response;
    response.body = "{\"source\":";
    AppendJsonString(&response.body, source->name);
    response.body.append(",\"provider\":");
    AppendJsonString(&response.body, source->provider->name);
    response.body.append("}\n");
    return respond(std::move(response));
  }
  // What the source sees of the request (the views point into it).
  WebhookRequest webhook;
  webhook.method = request.method;
  webhook.target = request.target;
  webhook.headers.reserve(request.headers.size());
  for (const auto& [key, value] : request.headers) webhook.headers.emplace_back(key, value);
  webhook.body = request.body;
  webhook.body_padding = request.body.capacity() - request.body.size();
  webhook.received_at = request.received_at;
  webhook.received_monotonic = request.received_monotonic;
  // The console shows why a signature failed, when another URL form fits.
  webhook.diagnose = console_ != nullptr && console_->enabled();
  if (request.method == "OPTIONS") {
    // The CloudEvents webhook handshake, where the source offers it.
    if (std::optional<ProviderAnswer> answer = ingestor_->Preflight(route, webhook)) {
      IngestResult result;
      result.outcome = Outcome::kAnswered;
      result.reason = answer->what;
      result.answer = *std::move(answer);
      metrics_->WebhookReceived(source->name, Outcome::kAnswered);
      Log(LogLevel::kInfo, "provider check answered",
          {{"source", source->name}, {"check", result.reason}});
      HttpResponse response = OutcomeResponse(result);
      Record(Capture(request, route, source), result, response.status);
      return respond(std::move(response));
    }
  }
  if (request.method != "POST") {
    metrics_->WebhookReceived(source->name, Outcome::kBadMethod);
    // The method is not repeated: it is whatever token the sender chose.
    const IngestResult result = Rejection(
        Outcome::kBadMethod, "method not allowed: webhooks are POSTed (GET and HEAD are probes)");
    Record(Capture(request, route, source), result, HttpStatusFor(result.outcome));
    return respond(OutcomeResponse(result));
  }
  if (!accepting_->load(std::memory_order_acquire)) {
    metrics_->WebhookReceived(source->name, Outcome::kUnavailable);
    const IngestResult result = Rejection(Outcome::kUnavailable, "shutting down; retry later");
    Record(Capture(request, route, source), result, HttpStatusFor(result.outcome));
    return respond(OutcomeResponse(result));
  }

  const absl::Time started = request.received_at;
  // Captured now, on the network thread: the answer may come from the
  // log's thread, which should only have to file it.
  std::optional<Delivery> delivery = Capture(request, route, source);
  // The route's source set keeps `source` alive until the answer, whatever
  // a config reload does meanwhile.
  ingestor_->Handle(route, webhook,
                    [this, started, source, set = route.set, delivery = std::move(delivery),
                     respond = std::move(respond)](IngestResult result) mutable {
                      metrics_->WebhookReceived(source->name, result.outcome);
                      // Every event stored, those of a batch answered
                      // unavailable for the rest included.
                      for (const auto& [type, typed] : result.appended) {
                        metrics_->EventAppended(source->name, type, typed);
                      }
                      if (result.outcome == Outcome::kAccepted) {
                        Log(LogLevel::kDebug, "webhook accepted",
                            {{"source", source->name},
                             {"type", result.type},
                             {"id", result.event_id},
                             {"sequence", result.sequence}});
                      } else if (result.outcome == Outcome::kAnswered) {
                        Log(LogLevel::kInfo, "provider check answered",
                            {{"source", source->name}, {"check", result.reason}});
                      } else if (result.outcome != Outcome::kDuplicate) {
                        rejections_.Log(
                            absl::Now(),
                            {{"source", source->name}, {"outcome", OutcomeName(result.outcome)}},
                            {{"reason", result.reason}});
                      }
                      metrics_->ObserveIngest(absl::Now() - started);
                      HttpResponse response = OutcomeResponse(result);
                      Record(std::move(delivery), result, response.status);
                      respond(std::move(response));
                    });
}

HttpResponse WebhookHandler::HandleError(HttpError error, absl::string_view target) {
  const Route route = ingestor_->Resolve(target);
  const SourceInfo* source = route.source;
  const absl::string_view label = source != nullptr ? source->name : Metrics::kUnknownSource;
  const IngestResult result =
      Rejection(error == HttpError::kBodyTooLarge ? Outcome::kTooLarge : Outcome::kBadRequest,
                HttpErrorReason(error));
  metrics_->WebhookReceived(label, result.outcome);
  HttpResponse response = OutcomeResponse(result);
  response.status = HttpErrorStatus(error);
  Record(Capture(target, absl::Now()), result, response.status);
  return response;
}

void WebhookHandler::OnDropped(ConnectionDrop drop, absl::string_view target) {
  IngestResult result;
  switch (drop) {
    case ConnectionDrop::kTooManyConnections:
      metrics_->WebhookReceived(Metrics::kUnknownSource, Outcome::kTooManyConnections);
      result = Rejection(Outcome::kTooManyConnections,
                         "connection closed unread: the ingress was at http.max_connections");
      break;
    case ConnectionDrop::kTimeout: {
      const Route route = target.empty() ? Route() : ingestor_->Resolve(target);
      const SourceInfo* source = route.source;
      metrics_->WebhookReceived(source != nullptr ? source->name : Metrics::kUnknownSource,
                                Outcome::kTimeout);
      result = Rejection(Outcome::kTimeout,
                         "connection closed: the request did not arrive within http.read_timeout");
      break;
    }
    case ConnectionDrop::kTlsHandshake:
      metrics_->WebhookReceived(Metrics::kUnknownSource, Outcome::kTlsHandshake);
      result = Rejection(Outcome::kTlsHandshake, "connection closed: the TLS handshake failed");
      break;
  }
  // Status 0: the connection was closed without an answer.
  Record(Capture(target, absl::Now()), result, 0);
}

}  // namespace hookbridge
