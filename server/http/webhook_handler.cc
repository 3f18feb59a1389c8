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

}  // namespace

int HttpStatusFor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted:
    case Outcome::kDuplicate:
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
                               const std::atomic<bool>* accepting)
    : ingestor_(ingestor), metrics_(metrics), accepting_(accepting) {}

void WebhookHandler::Handle(HttpRequest request, HttpResponder respond) {
  const Route route = ingestor_->Resolve(request.target);
  const SourceInfo* source = route.source;
  if (source == nullptr) {
    if (route.bad_token) {
      metrics_->WebhookReceived(route.name, Outcome::kBadToken);
    } else {
      metrics_->WebhookReceived(Metrics::kUnknownSource, Outcome::kUnknownSource);
    }
    // A wrong path token gets exactly the unknown-source answer, so a
    // stranger does not learn that the source exists.
    return respond(OutcomeResponse(Rejection(
        Outcome::kUnknownSource, "no such webhook source; webhooks go to /webhooks/<source>")));
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
  if (request.method != "POST") {
    metrics_->WebhookReceived(source->name, Outcome::kBadMethod);
    return respond(OutcomeResponse(
        Rejection(Outcome::kBadMethod, absl::StrCat("method ", request.method, " not allowed"))));
  }
  if (!accepting_->load(std::memory_order_acquire)) {
    metrics_->WebhookReceived(source->name, Outcome::kUnavailable);
    return respond(OutcomeResponse(Rejection(Outcome::kUnavailable, "shutting down; retry later")));
  }

  WebhookRequest webhook;
  webhook.method = request.method;
  webhook.target = request.target;
  webhook.headers.reserve(request.headers.size());
  for (const auto& [key, value] : request.headers) webhook.headers.emplace_back(key, value);
  webhook.body = request.body;
  webhook.received_at = request.received_at;
  const absl::Time started = request.received_at;
  ingestor_->Handle(source->name, webhook,
                    [this, started, source, respond = std::move(respond)](IngestResult result) {
                      metrics_->WebhookReceived(source->name, result.outcome);
                      if (result.outcome == Outcome::kAccepted) {
                        metrics_->EventAppended(source->name, result.type, result.typed);
                        Log(LogLevel::kDebug, "webhook accepted",
                            {{"source", source->name},
                             {"type", result.type},
                             {"id", result.event_id},
                             {"sequence", result.sequence}});
                      } else if (result.outcome != Outcome::kDuplicate) {
                        Log(LogLevel::kInfo, "webhook rejected",
                            {{"source", source->name},
                             {"outcome", OutcomeName(result.outcome)},
                             {"reason", result.reason}});
                      }
                      metrics_->ObserveIngest(absl::Now() - started);
                      respond(OutcomeResponse(result));
                    });
}

HttpResponse WebhookHandler::HandleError(HttpError error, absl::string_view target) {
  const SourceInfo* source = ingestor_->Resolve(target).source;
  const absl::string_view label = source != nullptr ? source->name : Metrics::kUnknownSource;
  IngestResult result;
  switch (error) {
    case HttpError::kBodyTooLarge:
      result = Rejection(Outcome::kTooLarge, "request body is larger than http.max_body_bytes");
      break;
    case HttpError::kHeaderTooLarge: {
      metrics_->WebhookReceived(label, Outcome::kBadRequest);
      HttpResponse response = OutcomeResponse(
          Rejection(Outcome::kBadRequest, "request headers are larger than http.max_header_bytes"));
      response.status = 431;
      return response;
    }
    case HttpError::kBadRequest:
      result = Rejection(Outcome::kBadRequest, "malformed HTTP request");
      break;
  }
  metrics_->WebhookReceived(label, result.outcome);
  return OutcomeResponse(result);
}

void WebhookHandler::OnDropped(ConnectionDrop drop, absl::string_view target) {
  switch (drop) {
    case ConnectionDrop::kTooManyConnections:
      metrics_->WebhookReceived(Metrics::kUnknownSource, Outcome::kTooManyConnections);
      return;
    case ConnectionDrop::kTimeout: {
      const SourceInfo* source = target.empty() ? nullptr : ingestor_->Resolve(target).source;
      metrics_->WebhookReceived(source != nullptr ? source->name : Metrics::kUnknownSource,
                                Outcome::kTimeout);
      return;
    }
    case ConnectionDrop::kTlsHandshake:
      metrics_->WebhookReceived(Metrics::kUnknownSource, Outcome::kTlsHandshake);
      return;
  }
}

}  // namespace hookbridge
