#include "bridge/ingest.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bridge/crypto.h"
#include "bridge/json.h"

namespace hookbridge {

namespace {
absl::Time EntityTime(const v1::Event& event) {
  return absl::FromUnixSeconds(event.entity_time().seconds()) +
         absl::Nanoseconds(event.entity_time().nanos());
}
}  // namespace

absl::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAccepted:
      return "accepted";
    case Outcome::kDuplicate:
      return "duplicate";
    case Outcome::kConflict:
      return "conflict";
    case Outcome::kMalformed:
      return "malformed";
    case Outcome::kBadSignature:
      return "bad_signature";
    case Outcome::kStaleTimestamp:
      return "stale_timestamp";
    case Outcome::kUnknownSource:
      return "unknown_source";
    case Outcome::kBadToken:
      return "bad_token";
    case Outcome::kTooLarge:
      return "too_large";
    case Outcome::kBadRequest:
      return "bad_request";
    case Outcome::kBadMethod:
      return "bad_method";
    case Outcome::kUnavailable:
      return "unavailable";
    case Outcome::kTooManyConnections:
      return "too_many_connections";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kTlsHandshake:
      return "tls_handshake";
    case Outcome::kRateLimited:
      return "rate_limited";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<Ingestor>> Ingestor::Create(const Config& config, EventLog* log) {
  std::unique_ptr<Ingestor> ingestor(
      new Ingestor(log, config.dedup.max_entries, config.http.max_json_depth));
  for (const SourceConfig& source_config : config.sources) {
    absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(source_config);
    if (!source.ok()) return source.status();
    SourceInfo info{source_config.name, FindProvider(source_config.provider),
                    !source_config.path_token.empty()};
    ingestor->infos_.push_back(info);
    Entry entry{
        info, *std::move(source), std::nullopt,
        std::make_unique<TokenBucket>(source_config.rate_limit.value_or(config.http.rate_limit))};
    if (!source_config.path_token.empty()) entry.token_digest = Sha256({source_config.path_token});
    ingestor->sources_.emplace(source_config.name, std::move(entry));
  }
  if (absl::Status s = ingestor->Warm(config.dedup.max_entries); !s.ok()) return s;
  return ingestor;
}

Ingestor::Ingestor(EventLog* log, size_t dedup_entries, int max_json_depth)
    : log_(log), max_json_depth_(max_json_depth), dedup_(dedup_entries), ordering_(dedup_entries) {}

absl::Status Ingestor::Warm(uint64_t window) {
  const LogStats stats = log_->Stats();
  if (stats.events == 0) return absl::OkStatus();
  uint64_t after = stats.first_sequence - 1;
  if (stats.last_sequence - after > window) after = stats.last_sequence - window;
  std::vector<RecordPtr> records;
  v1::Event event;
  while (after < stats.last_sequence) {
    records.clear();
    absl::Status s = log_->Read(after, 1024, &records, nullptr);
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("rebuilding the de-duplication window from the "
                                                 "event log: ",
                                                 s.message()));
    }
    if (records.empty()) break;
    for (const RecordPtr& record : records) {
      after = record->sequence;
      const std::string key = absl::StrCat(record->source, "\n", record->id);
      if (dedup_.Reserve(key) == DedupWindow::State::kNew) dedup_.Commit(key);
      event.Clear();
      if (event.ParseFromString(record->event_bytes) && event.has_entity_time() &&
          !record->subject.empty()) {
        ordering_.IsSuperseded(record->source, record->subject, EntityTime(event));
      }
    }
  }
  return absl::OkStatus();
}

const SourceInfo* Ingestor::FindSource(absl::string_view name) const {
  auto it = sources_.find(name);
  return it == sources_.end() ? nullptr : &it->second.info;
}

Route Ingestor::Resolve(absl::string_view target) const {
  Route route;
  absl::string_view path = target.substr(0, target.find('?'));
  if (!absl::ConsumePrefix(&path, kWebhookPathPrefix)) return route;
  const size_t slash = path.find('/');
  route.name = path.substr(0, slash);
  auto it = sources_.find(route.name);
  if (route.name.empty() || it == sources_.end()) return route;
  const Entry& entry = it->second;
  if (!entry.token_digest.has_value()) {
    if (slash == absl::string_view::npos) route.source = &entry.info;
    return route;
  }
  const absl::string_view token =
      slash == absl::string_view::npos ? absl::string_view() : path.substr(slash + 1);
  if (DigestsEqual(Sha256({token}), *entry.token_digest)) {
    route.source = &entry.info;
  } else {
    route.bad_token = true;
  }
  return route;
}

void Ingestor::Handle(absl::string_view source_name, const WebhookRequest& request,
                      std::function<void(IngestResult)> done) {
  IngestResult result;
  auto it = sources_.find(source_name);
  if (it == sources_.end()) {
    result.outcome = Outcome::kUnknownSource;
    result.reason = "no such webhook source";
    return done(std::move(result));
  }
  const Entry& entry = it->second;

  if (absl::Status verified = entry.source->Verify(request); !verified.ok()) {
    result.outcome = IsStaleTimestamp(verified) ? Outcome::kStaleTimestamp : Outcome::kBadSignature;
    result.reason = std::string(verified.message());
    return done(std::move(result));
  }

  // After verification, so a stranger cannot spend a real sender's budget.
  if (const absl::Duration wait = entry.bucket->TryTake(request.received_at);
      wait > absl::ZeroDuration()) {
    const RateLimit& limit = entry.bucket->limit();
    result.outcome = Outcome::kRateLimited;
    result.reason =
        absl::StrCat("over the rate limit of source ", entry.info.name, " (", limit.per_second,
                     " requests a second, bursts of ", limit.burst, "); retry later");
    result.retry_after = wait;
    return done(std::move(result));
  }

  // Before any parsing: nothing below recurses deeper than this allows, and
  // every string that reaches the event is valid UTF-8.
  if (absl::Status checked = CheckJsonText(request.body, max_json_depth_); !checked.ok()) {
    result.outcome = Outcome::kMalformed;
    result.reason = std::string(checked.message());
    return done(std::move(result));
  }

  v1::Event event;
  event.set_source(entry.info.name);
  event.set_provider(entry.info.provider->id);
  const int64_t nanos = absl::ToUnixNanos(request.received_at);
  event.mutable_received_at()->set_seconds(nanos / 1000000000);
  event.mutable_received_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  if (absl::Status decoded = entry.source->Decode(request, &event); !decoded.ok()) {
    result.outcome = Outcome::kMalformed;
    result.reason = std::string(decoded.message());
    return done(std::move(result));
  }
  if (event.id().empty()) {
    // No delivery id from the provider: the delivery's content identifies
    // it (the body carries the send time, so distinct events differ).
    event.set_id(HexEncode(Sha256({entry.info.name, "\n", request.body})).substr(0, 32));
  }
  result.event_id = event.id();
  result.type = event.type();
  result.typed = !event.has_untyped();

  std::string key = absl::StrCat(entry.info.name, "\n", event.id());
  switch (dedup_.Reserve(key)) {
    case DedupWindow::State::kDuplicate:
      result.outcome = Outcome::kDuplicate;
      return done(std::move(result));
    case DedupWindow::State::kInFlight:
      result.outcome = Outcome::kConflict;
      result.reason = "the same delivery is being stored by another request; retry";
      return done(std::move(result));
    case DedupWindow::State::kNew:
      break;
  }

  if (event.has_entity_time() && !event.subject().empty()) {
    event.set_superseded(
        ordering_.IsSuperseded(entry.info.name, event.subject(), EntityTime(event)));
  }
  event.set_raw_body(std::string(request.body));
  log_->Append(EncodeEvent(std::move(event)),
               [this, key = std::move(key), result = std::move(result),
                done = std::move(done)](absl::StatusOr<uint64_t> sequence) mutable {
                 if (sequence.ok()) {
                   dedup_.Commit(key);
                   result.sequence = *sequence;
                 } else {
                   dedup_.Release(key);
                   result.outcome = Outcome::kUnavailable;
                   result.reason = std::string(sequence.status().message());
                 }
                 done(std::move(result));
               });
}

}  // namespace hookbridge
