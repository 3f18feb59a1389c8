#include "server/console/console_handler.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "server/console/assets.h"
#include "server/console/console_json.h"
#include "server/logging.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kApiPrefix = "/api/";
// The page's policy: its own files only (no inline script or style, no
// other origin), never framed.
constexpr absl::string_view kContentSecurityPolicy =
    "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// Subscribers listed at most (the count says how many there are).
constexpr size_t kMaxSubscribersListed = 1000;
// Dead letters listed per consumer at most (dead_letters says how many).
constexpr size_t kMaxDeadLettersListed = 20;

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

HttpResponse JsonError(int status, absl::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(&body, message);
  body.append("}\n");
  return Json(status, std::move(body));
}

absl::flat_hash_map<std::string, std::string> ParseQuery(absl::string_view query) {
  absl::flat_hash_map<std::string, std::string> params;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    std::string value =
        eq == absl::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
    params.insert_or_assign(std::move(key), std::move(value));
  }
  return params;
}

// The DeliveryQuery in `query` (source, outcome, type, limit, before,
// after); InvalidArgument naming a bad parameter.
absl::StatusOr<DeliveryQuery> ParseDeliveryQuery(absl::string_view query, size_t max_limit) {
  DeliveryQuery out;
  out.limit = std::min<size_t>(100, max_limit);
  for (const auto& [key, value] : ParseQuery(query)) {
    if (value.empty()) continue;
    if (key == "source") {
      out.source = value;
    } else if (key == "outcome") {
      for (Outcome outcome : kAllOutcomes) {
        if (OutcomeName(outcome) == value) out.outcome = outcome;
      }
      if (!out.outcome.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat("outcome: unknown outcome \"", value, "\""));
      }
    } else if (key == "type") {
      absl::StatusOr<TypePattern> pattern = TypePattern::Parse(value);
      if (!pattern.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("type: ", pattern.status().message()));
      }
      out.type = *std::move(pattern);
    } else if (key == "limit" || key == "before" || key == "after") {
      uint64_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) {
        return absl::InvalidArgumentError(absl::StrCat(key, ": not a number"));
      }
      if (key == "limit") {
        if (n == 0) return absl::InvalidArgumentError("limit: must be at least 1");
        out.limit = static_cast<size_t>(std::min<uint64_t>(n, max_limit));
      } else if (key == "before") {
        out.before = n;
      } else {
        out.after = n;
      }
    }
  }
  return out;
}

void AppendStringList(absl::string_view name, const std::vector<std::string>& values,
                      std::string* out) {
  absl::StrAppend(out, ",\"", name, "\":[");
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(out, values[i]);
  }
  out->push_back(']');
}

absl::string_view ContentType(absl::string_view name) {
  if (absl::EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (absl::EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (absl::EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (absl::EndsWith(name, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

ConsoleHandler::ConsoleHandler(Console* console, EventLog* log, SubscriberLister subscribers,
                               ConsumerSet* consumers, Metrics* metrics, const AdminConfig& admin)
    : console_(console),
      log_(log),
      subscribers_(std::move(subscribers)),
      consumers_(consumers),
      metrics_(metrics),
      access_(std::make_shared<const ConsoleAccess>(admin)) {}

void ConsoleHandler::Reconfigure(const AdminConfig& admin) {
  auto access = std::make_shared<const ConsoleAccess>(admin);
  absl::MutexLock lock(&access_mu_);
  access_ = std::move(access);
}

bool ConsoleHandler::enabled() const { return console_->enabled(); }

bool ConsoleHandler::Serves(absl::string_view path) {
  return path == "/ui" || absl::StartsWith(path, "/ui/") || absl::StartsWith(path, kApiPrefix);
}

void ConsoleHandler::Handle(const HttpRequest& request, const HttpResponder& respond) {
  const size_t question = request.target.find('?');
  const absl::string_view target = request.target;
  const absl::string_view path = target.substr(0, question);
  const absl::string_view query =
      question == std::string::npos ? absl::string_view() : target.substr(question + 1);
  if (std::optional<HttpResponse> refusal = Refusal(request, path)) {
    return respond(*std::move(refusal));
  }
  absl::string_view api = path;
  if (!absl::ConsumePrefix(&api, kApiPrefix)) return respond(Asset(path));
  if (api == "sources") return respond(Sources());
  if (api == "subscribers") return respond(Subscribers());
  if (api == "consumers") return respond(Consumers());
  if (api == "deliveries") return respond(Deliveries(query));
  if (api == "deliveries/stream") return respond(Stream(request, query));
  if (absl::ConsumePrefix(&api, "deliveries/")) return respond(Detail(api));
  respond(JsonError(404,
                    "not found: the console API has /api/sources, /api/deliveries, "
                    "/api/deliveries/<id>, /api/deliveries/stream, /api/subscribers and "
                    "/api/consumers"));
}

std::optional<HttpResponse> ConsoleHandler::Refusal(const HttpRequest& request,
                                                    absl::string_view path) const {
  std::shared_ptr<const ConsoleAccess> access;
  {
    absl::MutexLock lock(&access_mu_);
    access = access_;
  }
  const std::string* host = nullptr;
  const std::string* authorization = nullptr;
  int hosts = 0;
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "Host")) host = &value, ++hosts;
    if (absl::EqualsIgnoreCase(name, "Authorization")) authorization = &value;
  }
  if (hosts != 1 || !access->HostAllowed(*host)) {
    metrics_->ConsoleRequestRefused(Metrics::ConsoleRefusal::kHost);
    std::string message =
        "the console answers only localhost, IP addresses and the names in "
        "admin.allowed_hosts; this request named the host \"";
    message.append(host == nullptr ? "" : SafeUtf8Prefix(*host, 256));
    message.append("\"");
    return JsonError(421, message);
  }
  // The page's own files hold no data: they load without the token, and
  // the page asks for it.
  if (absl::StartsWith(path, kApiPrefix) && !access->Authorized(authorization)) {
    metrics_->ConsoleRequestRefused(Metrics::ConsoleRefusal::kToken);
    HttpResponse response =
        JsonError(401, authorization == nullptr
                           ? "the console needs its token: Authorization: Bearer <token> "
                             "(admin.console_token_sha256)"
                           : "wrong console token");
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hookbridge console\"");
    return response;
  }
  return std::nullopt;
}

HttpResponse ConsoleHandler::Asset(absl::string_view path) const {
  absl::string_view name = path;
  absl::ConsumePrefix(&name, "/ui");
  absl::ConsumePrefix(&name, "/");
  if (name.empty()) name = "index.html";
  for (size_t i = 0; i < kConsoleAssetCount; ++i) {
    const EmbeddedFile& file = kConsoleAssets[i];
    if (name != file.name) continue;
    HttpResponse response;
    response.content_type = std::string(ContentType(name));
    response.body.assign(reinterpret_cast<const char*>(file.data), file.size);
    response.headers.emplace_back("Cache-Control", "no-cache");
    response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("X-Frame-Options", "DENY");
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    return response;
  }
  HttpResponse response;
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "not found\n";
  return response;
}

HttpResponse ConsoleHandler::Sources() const {
  const absl::Time now = absl::Now();
  std::string body = "{";
  AppendTimeFields("started", console_->started_at(), &body);
  body.push_back(',');
  AppendTimeFields("now", now, &body);
  // The config in force and how the last reload went.
  const Console::ReloadStatus reload = console_->reload_status();
  absl::StrAppend(&body, ",\"config\":{\"generation\":", reload.generation, ",\"last_reload\":");
  AppendJsonString(&body, reload.result);
  if (reload.at != absl::InfinitePast()) {
    body.push_back(',');
    AppendTimeFields("last_reload_at", reload.at, &body);
  }
  if (!reload.error.empty()) {
    body.append(",\"last_reload_error\":");
    AppendJsonString(&body, reload.error);
  }
  body.append(",\"needs_restart\":[");
  for (size_t i = 0; i < reload.needs_restart.size(); ++i) {
    if (i > 0) body.push_back(',');
    AppendJsonString(&body, reload.needs_restart[i]);
  }
  body.append("]},\"outcomes\":[");
  for (size_t i = 0; i < std::size(kAllOutcomes); ++i) {
    if (i > 0) body.push_back(',');
    AppendJsonString(&body, OutcomeName(kAllOutcomes[i]));
  }
  body.append("],\"sources\":[");
  const std::vector<Console::SourceCounts> counts = console_->Counts(now);
  for (size_t i = 0; i < counts.size(); ++i) {
    const Console::SourceCounts& c = counts[i];
    if (i > 0) body.push_back(',');
    body.append("{\"name\":");
    AppendJsonString(&body, c.source.name);
    body.append(",\"provider\":");
    AppendJsonString(&body, c.source.provider->name);
    body.append(",\"path\":");
    std::string path = absl::StrCat(kWebhookPathPrefix, c.source.name);
    if (c.source.has_path_token) path.append("/\xE2\x80\xA6");
    AppendJsonString(&body, path);
    for (const auto& [key, values] :
         {std::pair<absl::string_view, const std::array<uint64_t, std::size(kAllOutcomes)>*>{
              "total", &c.total},
          {"last_minute", &c.last_minute}}) {
      absl::StrAppend(&body, ",\"", key, "\":{");
      for (size_t o = 0; o < values->size(); ++o) {
        if (o > 0) body.push_back(',');
        absl::StrAppend(&body, "\"", OutcomeName(kAllOutcomes[o]), "\":", (*values)[o]);
      }
      body.push_back('}');
    }
    body.push_back('}');
  }
  body.append("]}\n");
  return Json(200, std::move(body));
}

HttpResponse ConsoleHandler::Deliveries(absl::string_view query) const {
  absl::StatusOr<DeliveryQuery> parsed =
      ParseDeliveryQuery(query, std::max<size_t>(1, console_->options().max_deliveries));
  if (!parsed.ok()) return JsonError(400, parsed.status().message());
  const std::vector<DeliveryPtr> found = console_->Find(*parsed);
  const Console::RingStats stats = console_->Stats();
  std::string body = "{\"deliveries\":[";
  for (size_t i = 0; i < found.size(); ++i) {
    if (i > 0) body.push_back(',');
    AppendDeliverySummary(*found[i], &body);
  }
  absl::StrAppend(&body, "],\"retained\":", stats.deliveries, ",\"retained_bytes\":", stats.bytes,
                  ",\"evicted\":", stats.evicted, ",\"last_id\":", stats.last_id,
                  ",\"max_deliveries\":", console_->options().max_deliveries,
                  ",\"max_bytes\":", console_->options().max_bytes,
                  ",\"live_streams\":", console_->streams(), "}\n");
  return Json(200, std::move(body));
}

HttpResponse ConsoleHandler::Detail(absl::string_view id_text) const {
  uint64_t id = 0;
  if (!absl::SimpleAtoi(id_text, &id)) return JsonError(404, "no such delivery");
  DeliveryPtr delivery = console_->Get(id);
  if (delivery == nullptr) {
    return JsonError(404, absl::StrCat("delivery ", id,
                                       " is not retained (the console keeps the most recent "
                                       "admin.console_deliveries)"));
  }
  std::string event_json;
  std::string note;
  if (delivery->outcome == Outcome::kDuplicate) {
    note = "a redelivery of an event already stored: acknowledged, not stored again";
  } else if (delivery->outcome != Outcome::kAccepted || delivery->sequence == 0) {
    note = "rejected: never entered the event log";
  } else {
    std::vector<RecordPtr> records;
    const absl::Status read = log_->Read(delivery->sequence - 1, 1, &records, nullptr);
    if (!read.ok() || records.empty() || records.front()->sequence != delivery->sequence) {
      note = absl::StrCat("event ", delivery->sequence,
                          " is no longer in the event log (removed by retention)");
    } else {
      v1::Event event;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      if (!event.ParseFromString(records.front()->event_bytes) ||
          !google::protobuf::util::MessageToJsonString(event, &event_json, options).ok()) {
        event_json.clear();
        note = absl::StrCat("event ", delivery->sequence, " could not be decoded");
      }
    }
  }
  return Json(200, DeliveryDetail(*delivery, event_json, note));
}

HttpResponse ConsoleHandler::Stream(const HttpRequest& request, absl::string_view query) const {
  absl::StatusOr<DeliveryQuery> parsed =
      ParseDeliveryQuery(query, std::max<size_t>(1, console_->options().max_deliveries));
  if (!parsed.ok()) return JsonError(400, parsed.status().message());
  parsed->before = 0;
  // A reconnecting EventSource says where it left off.
  for (const auto& [name, value] : request.headers) {
    uint64_t last = 0;
    if (absl::EqualsIgnoreCase(name, "Last-Event-ID") && absl::SimpleAtoi(value, &last)) {
      parsed->after = last;
    }
  }
  auto stream = std::make_shared<HttpStream>(
      HttpStream::Options{Console::kStreamQueueBytes, ": keepalive\n\n", absl::Seconds(15)});
  // The browser's reconnect delay, and a first line so it sees the stream
  // open at once.
  stream->Write("retry: 3000\n: connected\n\n");
  if (absl::Status added = console_->AddStream(stream, *std::move(parsed)); !added.ok()) {
    stream->Detach();
    HttpResponse response = JsonError(503, added.message());
    response.headers.emplace_back("Retry-After", "5");
    return response;
  }
  HttpResponse response;
  response.content_type = "text/event-stream; charset=utf-8";
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: do not buffer
  response.stream = std::move(stream);
  return response;
}

HttpResponse ConsoleHandler::Subscribers() const {
  const std::vector<SubscriberInfo> subscribers = subscribers_();
  const LogStats stats = log_->Stats();
  const absl::Time now = absl::Now();
  // Append times of the record after a position, read once per position.
  std::map<uint64_t, std::optional<absl::Time>> next_appended;
  auto next_after = [&](uint64_t position) -> std::optional<absl::Time> {
    auto [it, inserted] = next_appended.try_emplace(position);
    if (inserted) {
      std::vector<RecordPtr> records;
      if (log_->Read(position, 1, &records, nullptr).ok() && !records.empty()) {
        it->second = records.front()->appended_at;
      }
    }
    return it->second;
  };
  std::string body = absl::StrCat("{\"last_sequence\":", stats.last_sequence,
                                  ",\"count\":", subscribers.size(), ",\"subscribers\":[");
  for (size_t i = 0; i < subscribers.size() && i < kMaxSubscribersListed; ++i) {
    const SubscriberInfo& s = subscribers[i];
    if (i > 0) body.push_back(',');
    body.append("{\"peer\":");
    AppendJsonString(&body, s.peer);
    body.append(",\"token\":");
    AppendJsonString(&body, s.token);
    body.append(",\"rpc\":");
    AppendJsonString(&body, s.rpc);
    AppendStringList("sources", s.sources, &body);
    AppendStringList("types", s.types, &body);
    AppendStringList("environment_ids", s.environment_ids, &body);
    AppendStringList("subjects", s.subjects, &body);
    body.push_back(',');
    AppendTimeFields("connected", s.connected_at, &body);
    const uint64_t lag_events =
        stats.last_sequence > s.position ? stats.last_sequence - s.position : 0;
    std::optional<absl::Time> behind_since = s.pending_since;
    if (!behind_since.has_value() && lag_events > 0) behind_since = next_after(s.position);
    const double lag_seconds =
        behind_since.has_value() ? std::max(0.0, absl::ToDoubleSeconds(now - *behind_since)) : 0.0;
    absl::StrAppend(&body, ",\"position\":", s.position, ",\"lag_events\":", lag_events,
                    ",\"lag_seconds\":", lag_seconds, "}");
  }
  body.append("]}\n");
  return Json(200, std::move(body));
}

HttpResponse ConsoleHandler::Consumers() const {
  const LogStats stats = log_->Stats();
  const absl::Time now = absl::Now();
  std::string body =
      absl::StrCat("{\"last_sequence\":", stats.last_sequence,
                   ",\"available\":", consumers_ != nullptr ? "true" : "false", ",\"consumers\":[");
  const std::vector<std::shared_ptr<Consumer>> consumers =
      consumers_ != nullptr ? consumers_->List() : std::vector<std::shared_ptr<Consumer>>();
  for (size_t i = 0; i < consumers.size(); ++i) {
    Consumer& consumer = *consumers[i];
    v1::ConsumerConfig config;
    config.ParseFromString(consumer.config());
    const Consumer::Stats s = consumer.stats();
    if (i > 0) body.push_back(',');
    body.append("{\"name\":");
    AppendJsonString(&body, consumer.name());
    absl::StrAppend(&body,
                    ",\"declared\":", consumers_->IsDeclared(consumer.name()) ? "true" : "false");
    AppendStringList("sources", {config.sources().begin(), config.sources().end()}, &body);
    AppendStringList("types", {config.types().begin(), config.types().end()}, &body);
    AppendStringList("environment_ids",
                     {config.environment_ids().begin(), config.environment_ids().end()}, &body);
    AppendStringList("subjects", {config.subjects().begin(), config.subjects().end()}, &body);
    const ConsumerPolicy& policy = consumer.options().policy;
    absl::StrAppend(
        &body, ",\"ordering\":\"",
        config.ordering() == v1::CONSUMER_ORDERING_PER_SUBJECT ? "per_subject" : "none",
        "\",\"ack_deadline_seconds\":", absl::ToDoubleSeconds(policy.ack_deadline),
        ",\"max_deliveries\":", policy.max_deliveries,
        ",\"max_outstanding\":", policy.max_outstanding, ",\"ack_floor\":", s.group.ack_floor,
        ",\"pending\":", s.pending(), ",\"outstanding\":", s.group.outstanding,
        ",\"oldest_pending_age_seconds\":", s.oldest_pending_age_seconds(now),
        ",\"delivered\":", s.counters.delivered, ",\"redeliveries\":", s.group.redeliveries,
        ",\"acknowledged\":", s.counters.acknowledged, ",\"rejected\":", s.counters.rejected,
        ",\"lost_to_retention\":", s.counters.lost_to_retention,
        ",\"dead_letter_count\":", s.group.dead_letters, ",\"members\":[");
    const std::vector<Consumer::MemberInfo> members = consumer.Members();
    for (size_t m = 0; m < members.size(); ++m) {
      if (m > 0) body.push_back(',');
      body.append("{\"name\":");
      AppendJsonString(&body, members[m].name);
      body.push_back(',');
      AppendTimeFields("joined", members[m].joined_at, &body);
      absl::StrAppend(&body, ",\"outstanding\":", members[m].outstanding, "}");
    }
    body.append("],\"dead_letters\":[");
    const auto letters = consumer.DeadLetters(0, kMaxDeadLettersListed);
    for (size_t d = 0; d < letters.size(); ++d) {
      const auto& [sequence, letter] = letters[d];
      v1::Event event;
      std::vector<RecordPtr> one;
      if (log_->Read(sequence - 1, 1, &one, nullptr).ok() && !one.empty() &&
          one[0]->sequence == sequence) {
        event.ParseFromString(one[0]->event_bytes);
      }
      if (d > 0) body.push_back(',');
      absl::StrAppend(&body, "{\"sequence\":", sequence, ",\"source\":");
      AppendJsonString(&body, event.source());
      body.append(",\"type\":");
      AppendJsonString(&body, event.type());
      body.append(",\"subject\":");
      AppendJsonString(&body, event.subject());
      absl::StrAppend(&body, ",\"retained\":", event.sequence() == sequence ? "true" : "false",
                      ",\"deliveries\":", letter.deliveries,
                      ",\"deadline_expiries\":", letter.deadline_expiries,
                      ",\"negative_acknowledgements\":", letter.negative_acknowledgements,
                      ",\"last_reason\":");
      AppendJsonString(&body, letter.last_reason);
      body.push_back(',');
      AppendTimeFields("dead", letter.dead_at, &body);
      body.push_back('}');
    }
    body.append("]}");
  }
  body.append("]}\n");
  return Json(200, std::move(body));
}

}  // namespace hookbridge
