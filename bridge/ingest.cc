#include "bridge/ingest.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "absl/base/internal/endian.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "bridge/byte_io.h"
#include "bridge/check.h"
#include "bridge/config_section.h"
#include "bridge/crc32c.h"
#include "bridge/crypto.h"
#include "bridge/status_macros.h"
#include "bridge/subscription.h"
#include "bridge/trace_context.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "google/protobuf/wire_format_lite.h"

namespace hookbridge {

namespace {

// The de-duplication key of an event of the source named `source`, whose
// provider is `provider` (nullptr: a source no longer configured): its id,
// and for a CloudEvent also its `source` attribute (environment_id), since
// only the two together identify a CloudEvent. The id's length keeps
// "a" + "b\nc" apart from "a\nb" + "c".
std::string DedupKey(const ProviderInfo* provider, absl::string_view source, absl::string_view id,
                     absl::string_view environment_id) {
  if (provider == nullptr || provider->id != v1::PROVIDER_CLOUDEVENTS) {
    return absl::StrCat(source, "\n", id);
  }
  return absl::StrCat(source, "\n", id.size(), ":", id, "\n", environment_id);
}

// What Verify established, and the body's digest, for the event.
void SetProvenance(const Verification& verification, const WebhookRequest& request,
                   v1::Provenance* out) {
  out->set_scheme(std::string(verification.scheme));
  if (verification.secret_index >= 0) {
    out->set_secret_index(static_cast<uint32_t>(verification.secret_index));
  }
  if (verification.signed_at.has_value()) {
    *out->mutable_timestamp_skew() = google::protobuf::util::TimeUtil::NanosecondsToDuration(
        absl::ToInt64Nanoseconds(request.received_at - *verification.signed_at));
  }
  const Sha256Digest digest = Sha256({request.body});
  out->set_body_sha256(digest.data(), digest.size());
}

absl::Time EntityTime(const v1::Event& event) {
  return absl::FromUnixSeconds(event.entity_time().seconds()) +
         absl::Nanoseconds(event.entity_time().nanos());
}
// Event.entity_time of a serialized Event, found by skipping its other
// top-level fields (the payload among them) instead of parsing them.
std::optional<absl::Time> EntityTimeOf(absl::string_view event_bytes) {
  namespace wire = google::protobuf::internal;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(event_bytes.data()),
                                            static_cast<int>(event_bytes.size()));
  std::optional<absl::Time> found;
  while (uint32_t tag = in.ReadTag()) {
    if (wire::WireFormatLite::GetTagFieldNumber(tag) != v1::Event::kEntityTimeFieldNumber ||
        wire::WireFormatLite::GetTagWireType(tag) !=
            wire::WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!wire::WireFormatLite::SkipField(&in, tag)) return std::nullopt;
      continue;
    }
    uint32_t length = 0;
    std::string bytes;
    if (!in.ReadVarint32(&length) || !in.ReadString(&bytes, static_cast<int>(length))) {
      return std::nullopt;
    }
    google::protobuf::Timestamp time;
    if (!time.ParseFromString(bytes)) return std::nullopt;
    found = absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
  }
  return found;
}
}  // namespace

absl::StatusOr<std::shared_ptr<const SourceSet>> SourceSet::Create(const Config& config,
                                                                   const SourceSet* previous) {
  std::shared_ptr<SourceSet> set(new SourceSet());
  for (const SourceConfig& source_config : config.sources) {
    absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(source_config);
    if (!source.ok()) return source.status();
    SourceInfo info{source_config.name, FindProvider(source_config.provider),
                    !source_config.path_token.empty()};
    set->infos_.push_back(info);
    const RateLimit limit = source_config.rate_limit.value_or(config.http.rate_limit);
    std::shared_ptr<TokenBucket> bucket;
    if (previous != nullptr) {
      auto it = previous->entries_.find(source_config.name);
      if (it != previous->entries_.end() && it->second.bucket->limit() == limit) {
        bucket = it->second.bucket;  // keeps its tokens: a reload is no free burst
      }
    }
    if (bucket == nullptr) bucket = std::make_shared<TokenBucket>(limit);
    SourceSet::Entry entry{info, *std::move(source), std::nullopt, std::move(bucket)};
    if (!source_config.path_token.empty()) entry.token_digest = Sha256({source_config.path_token});
    set->entries_.emplace(source_config.name, std::move(entry));
  }
  return std::shared_ptr<const SourceSet>(std::move(set));
}

absl::Status Ingestor::Validate(const Config& config) {
  return SourceSet::Create(config, nullptr).status();
}

uint64_t Ingestor::StoredEventBytes(uint64_t body_bytes) {
  // The decoded event and the raw body field (tag, length, bytes), plus
  // `superseded`.
  return body_bytes + kEventFieldsBytes + body_bytes + 1 + 10 + 2;
}

uint64_t Ingestor::LargestBodyFor(uint64_t event_bytes) {
  const uint64_t fixed = StoredEventBytes(0);
  return event_bytes > fixed ? (event_bytes - fixed) / 2 : 0;
}

absl::StatusOr<std::unique_ptr<Ingestor>> Ingestor::Create(const Config& config, EventLog* log) {
  // A webhook the ingress takes but the log could never store would be
  // refused (413) on every retry: such a config is refused instead.
  if (const uint64_t needed = StoredEventBytes(config.http.max_body_bytes);
      needed > log->max_record_bytes()) {
    const uint64_t fits = LargestBodyFor(log->max_record_bytes()) >> 10 << 10;
    return absl::InvalidArgumentError(absl::StrCat(
        "http.max_body_bytes is ", FormatConfigBytes(config.http.max_body_bytes),
        ", and a webhook body that large becomes a stored event of up to ", needed,
        " bytes (its decoded event plus the raw body), but the event log stores events of at "
        "most ",
        log->max_record_bytes(), " bytes: ", log->DescribeRecordLimit(needed),
        ", or lower http.max_body_bytes to ", FormatConfigBytes(fits), " or less"));
  }
  std::unique_ptr<Ingestor> ingestor(
      new Ingestor(log, config.dedup, config.http.max_json_depth,
                   std::min(config.grpc.max_event_bytes, log->max_record_bytes())));
  std::shared_ptr<const SourceSet> set;
  HB_ASSIGN_OR_RETURN(set, SourceSet::Create(config, nullptr));
  {
    absl::MutexLock lock(&ingestor->sources_mu_);
    ingestor->sources_ = std::move(set);
  }
  absl::StatusOr<uint64_t> warmed = ingestor->Warm(config.dedup);
  if (!warmed.ok()) return warmed.status();
  if (log->shared()) {
    Ingestor* self = ingestor.get();
    HB_ASSIGN_OR_RETURN(ingestor->follower_,
                        LogFollower::Start(log, *warmed, [self](const LogRecord& record) {
                          self->Remember(record);
                        }));
  }
  return ingestor;
}

Ingestor::Ingestor(EventLog* log, const DedupConfig& dedup, int max_json_depth,
                   uint64_t max_event_bytes)
    : log_(log),
      max_event_bytes_(max_event_bytes),
      max_json_depth_(max_json_depth),
      dedup_config_(dedup),
      dedup_(dedup.max_entries, dedup.window, dedup.window_max_entries),
      ordering_(dedup.max_entries) {}

Ingestor::~Ingestor() = default;

void Ingestor::StopFollowing() { follower_.reset(); }

const ProviderInfo* Ingestor::ProviderOf(const SourceSet& set, absl::string_view source) {
  auto it = set.entries_.find(source);
  return it == set.entries_.end() ? nullptr : it->second.info.provider;
}

bool Ingestor::RemembersByTime(const SourceSet& set, absl::string_view source) {
  const ProviderInfo* provider = ProviderOf(set, source);
  return provider != nullptr && !provider->signs_timestamp;
}

void Ingestor::Remember(const LogRecord& record) {
  const ProviderInfo* provider = ProviderOf(*Snapshot(), record.source);
  const std::string key = DedupKey(provider, record.source, record.id, record.environment_id);
  // Known already: taken by this process (which ran it past the ordering
  // guard then) or remembered before.
  if (dedup_.Reserve(key) != DedupWindow::State::kNew) return;
  if (provider != nullptr && !provider->signs_timestamp) {
    dedup_.CommitForWindow(key, record.appended_at);
  } else {
    dedup_.Commit(key);
  }
  if (record.subject.empty()) return;
  if (std::optional<absl::Time> time = EntityTimeOf(record.event_bytes)) {
    ordering_.IsSuperseded(record.source, record.subject, *time);
  }
}

namespace {

// EventLog::SaveState's name for the ingestor's state, and its format:
// the magic, then little-endian u64s: dedup.max_entries, dedup.window (ns),
// dedup.window_max_entries, the last sequence the state covers, and three
// length-prefixed strings: that record's "source\nid", the window's Save(),
// the guard's Save(); then the CRC-32C of all before it (u32).
constexpr char kStateName[] = "ingest";
constexpr absl::string_view kStateMagic = "HBINGv1\n";

std::string KeyOf(const LogRecord& record) { return absl::StrCat(record.source, "\n", record.id); }

}  // namespace

absl::Status Ingestor::SaveState() {
  if (log_->shared()) return absl::OkStatus();
  if (const int64_t n = in_flight_.load(); n != 0) {
    return absl::FailedPreconditionError(absl::StrCat(n, " appends are still in flight"));
  }
  const LogStats stats = log_->Stats();
  if (stats.events == 0) return absl::OkStatus();
  std::vector<RecordPtr> last;
  HB_RETURN_IF_ERROR(log_->Read(stats.last_sequence - 1, 1, &last, nullptr));
  if (last.empty()) return absl::InternalError("the log's last record cannot be read");
  std::string out(kStateMagic);
  PutU64(&out, dedup_config_.max_entries);
  PutU64(&out, static_cast<uint64_t>(absl::ToInt64Nanoseconds(dedup_config_.window)));
  PutU64(&out, dedup_config_.window_max_entries);
  PutU64(&out, last[0]->sequence);
  for (const std::string& part : {KeyOf(*last[0]), dedup_.Save(), ordering_.Save()}) {
    PutBytes(&out, part);
  }
  PutU32(&out, Crc32c(out));
  return log_->SaveState(kStateName, out);
}

std::optional<uint64_t> Ingestor::Restore(const DedupConfig& dedup, const LogStats& stats) {
  absl::StatusOr<std::string> saved = log_->LoadState(kStateName);
  if (!saved.ok() || saved->size() < kStateMagic.size() + 4 ||
      !absl::StartsWith(*saved, kStateMagic)) {
    return std::nullopt;
  }
  absl::string_view in(*saved);
  const absl::string_view body = in.substr(0, in.size() - 4);
  if (Crc32c(body) != absl::little_endian::Load32(in.data() + body.size())) return std::nullopt;
  ByteReader reader(body.substr(kStateMagic.size()));
  const uint64_t max_entries = reader.U64();
  const int64_t window = static_cast<int64_t>(reader.U64());
  const uint64_t window_max_entries = reader.U64();
  const uint64_t sequence = reader.U64();
  const absl::string_view key = reader.Bytes();
  const absl::string_view window_state = reader.Bytes();
  const absl::string_view guard_state = reader.Bytes();
  if (!reader.ok() || reader.left() != 0 || max_entries != dedup.max_entries ||
      window != absl::ToInt64Nanoseconds(dedup.window) ||
      window_max_entries != dedup.window_max_entries) {
    return std::nullopt;
  }
  // This log's: it still holds that record, and the records after it are
  // few enough that reading them is cheaper than rebuilding.
  if (sequence < stats.first_sequence || sequence > stats.last_sequence ||
      stats.last_sequence - sequence > dedup.max_entries) {
    return std::nullopt;
  }
  std::vector<RecordPtr> record;
  if (!log_->Read(sequence - 1, 1, &record, nullptr).ok() || record.empty() ||
      record[0]->sequence != sequence || KeyOf(*record[0]) != key) {
    return std::nullopt;
  }
  if (!ordering_.Load(guard_state)) return std::nullopt;
  if (!dedup_.Load(window_state)) {
    ordering_.Clear();
    return std::nullopt;
  }
  return sequence;
}

absl::StatusOr<uint64_t> Ingestor::Warm(const DedupConfig& dedup) {
  const LogStats stats = log_->Stats();
  if (stats.events == 0) return stats.last_sequence;
  if (std::optional<uint64_t> restored = Restore(dedup, stats)) {
    // The saved state, then what was appended after it.
    uint64_t after = *restored;
    std::vector<RecordPtr> records;
    while (after < stats.last_sequence) {
      records.clear();
      HB_RETURN_IF_ERROR(log_->Read(after, 1024, &records, nullptr));
      if (records.empty()) break;
      for (const RecordPtr& record : records) {
        after = record->sequence;
        Remember(*record);
      }
    }
    return after;
  }
  const uint64_t oldest = stats.first_sequence - 1;
  uint64_t recent = oldest;
  if (stats.last_sequence - recent > dedup.max_entries) {
    recent = stats.last_sequence - dedup.max_entries;
  }
  auto failed = [](const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat("rebuilding the de-duplication window from the "
                                               "event log: ",
                                               s.message()));
  };

  // First the ids remembered by time, from before the last max_entries:
  // only the sources that need them are read (JetStream selects them on
  // the server).
  ReadSelector timed;
  {
    const std::shared_ptr<const SourceSet> set = Snapshot();
    for (const SourceInfo& info : set->infos()) {
      if (!info.provider->signs_timestamp) timed.sources.push_back(info.name);
    }
  }
  uint64_t after = recent;
  if (!timed.sources.empty() && dedup.window > absl::ZeroDuration() &&
      dedup.window_max_entries > 0) {
    // By the log's own time, as the window keeps it (see DedupWindow).
    std::vector<RecordPtr> last;
    if (absl::Status s = log_->Read(stats.last_sequence - 1, 1, &last, nullptr); !s.ok()) {
      return failed(s);
    }
    const absl::Time newest = last.empty() ? absl::Now() : last.back()->appended_at;
    absl::StatusOr<uint64_t> since = log_->PositionAt(newest - dedup.window);
    // OUT_OF_RANGE: retention has removed part of the window already.
    after = since.ok() ? std::max(*since, oldest) : oldest;
  }
  std::vector<RecordPtr> records;
  while (after < recent) {
    records.clear();
    uint64_t through = after;
    absl::Status s = log_->ReadSelected(after, 1024, timed, &records, &through, nullptr);
    if (!s.ok()) return failed(s);
    if (through <= after) break;
    const std::shared_ptr<const SourceSet> set = Snapshot();
    for (const RecordPtr& record : records) {
      if (record->sequence > recent) break;
      if (RemembersByTime(*set, record->source)) Remember(*record);
    }
    after = std::min(through, recent);
  }

  // Then every id of the last max_entries records.
  after = recent;
  while (after < stats.last_sequence) {
    records.clear();
    absl::Status s = log_->Read(after, 1024, &records, nullptr);
    if (!s.ok()) return failed(s);
    if (records.empty()) break;
    for (const RecordPtr& record : records) {
      after = record->sequence;
      Remember(*record);
    }
  }
  return after;
}

absl::Status Ingestor::Reconfigure(const Config& config) {
  std::shared_ptr<const SourceSet> previous = Snapshot();
  std::shared_ptr<const SourceSet> set;
  HB_ASSIGN_OR_RETURN(set, SourceSet::Create(config, previous.get()));
  max_json_depth_.store(config.http.max_json_depth, std::memory_order_relaxed);
  absl::MutexLock lock(&sources_mu_);
  sources_ = std::move(set);
  return absl::OkStatus();
}

std::shared_ptr<const SourceSet> Ingestor::Snapshot() const {
  absl::MutexLock lock(&sources_mu_);
  return sources_;
}

std::vector<SourceInfo> Ingestor::sources() const { return Snapshot()->infos(); }

Route Ingestor::Resolve(absl::string_view target) const {
  Route route;
  route.set = Snapshot();
  absl::string_view path = target.substr(0, target.find('?'));
  if (!absl::ConsumePrefix(&path, kWebhookPathPrefix)) return route;
  const size_t slash = path.find('/');
  route.name = path.substr(0, slash);
  if (route.name.empty()) return route;
  auto it = route.set->entries_.find(route.name);
  if (it == route.set->entries_.end()) return route;
  const SourceSet::Entry& entry = it->second;
  route.named = &entry.info;
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
  // Held for this call: the entry must outlive a reload meanwhile.
  const std::shared_ptr<const SourceSet> set = Snapshot();
  auto it = set->entries_.find(source_name);
  if (it == set->entries_.end()) {
    IngestResult result;
    result.outcome = Outcome::kUnknownSource;
    result.reason = "no such webhook source";
    return done(std::move(result));
  }
  HandleEntry(it->second, request, std::move(done));
}

void Ingestor::Handle(const Route& route, const WebhookRequest& request,
                      std::function<void(IngestResult)> done) {
  HB_CHECK(route.source != nullptr && route.set != nullptr);
  // The route's set holds the entry for this call.
  HandleEntry(route.set->entries_.at(route.source->name), request, std::move(done));
}

void Ingestor::HandleEntry(const SourceSet::Entry& entry, const WebhookRequest& request,
                           std::function<void(IngestResult)> done) {
  IngestResult result;

  Verification verification;
  if (absl::Status verified = entry.source->Verify(request, &verification); !verified.ok()) {
    result.outcome = IsStaleTimestamp(verified) ? Outcome::kStaleTimestamp : Outcome::kBadSignature;
    result.reason = std::string(verified.message());
    if (request.diagnose && result.outcome == Outcome::kBadSignature) {
      result.diagnosis = entry.source->DiagnoseSignature(request);
    }
    return done(std::move(result));
  }

  // After verification, so a stranger cannot spend a real sender's budget.
  // By the clock that never steps: a wall clock set back must not starve
  // the bucket (nor one set forward refill it).
  if (const absl::Duration wait = entry.bucket->TryTake(request.received_monotonic);
      wait > absl::ZeroDuration()) {
    const RateLimit& limit = entry.bucket->limit();
    result.outcome = Outcome::kRateLimited;
    result.reason =
        absl::StrCat("over the rate limit of source ", entry.info.name, " (", limit.per_second,
                     " requests a second, bursts of ", limit.burst, "); retry later");
    result.retry_after = wait;
    return done(std::move(result));
  }

  // The provider checking the endpoint: answered as it expects, nothing
  // stored.
  {
    absl::StatusOr<std::optional<ProviderAnswer>> answer =
        entry.source->Answer(request, verification);
    if (!answer.ok()) {
      result.outcome = Outcome::kMalformed;
      result.reason = std::string(answer.status().message());
      return done(std::move(result));
    }
    if (answer->has_value()) {
      result.outcome = Outcome::kAnswered;
      result.reason = (*answer)->what;
      result.answer = *std::move(*answer);
      return done(std::move(result));
    }
  }

  v1::Event common;
  common.set_source(entry.info.name);
  common.set_provider(entry.info.provider->id);
  SetProvenance(verification, request, common.mutable_provenance());
  TraceContextOf(request, common.mutable_trace_context());
  const int64_t nanos = absl::ToUnixNanos(request.received_at);
  common.mutable_received_at()->set_seconds(nanos / 1000000000);
  common.mutable_received_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  // The decoder checks the body's UTF-8 and nesting (http.max_json_depth) in
  // the same pass: nothing recurses deeper than that allows, and every string
  // that reaches the event is valid UTF-8.
  std::vector<DecodedEvent> decoded;
  if (absl::Status status = entry.source->DecodeAll(
          request, max_json_depth_.load(std::memory_order_relaxed), common, &decoded);
      !status.ok()) {
    result.outcome = Outcome::kMalformed;
    result.reason = std::string(status.message());
    return done(std::move(result));
  }
  result.batch = entry.source->Batches(request);
  result.events = decoded.size();
  HB_CHECK(result.batch || decoded.size() == 1);

  // Each event checked before anything of the request is reserved or
  // stored: a request is taken whole or refused whole.
  struct Pending {
    v1::Event event;
    std::string raw_body_field;
    std::string key;
    bool duplicate = false;
  };
  absl::InlinedVector<Pending, 1> pending;
  pending.reserve(decoded.size());
  for (DecodedEvent& item : decoded) {
    v1::Event& event = item.event;
    const absl::string_view raw = item.raw_body.has_value() ? *item.raw_body : request.body;
    if (event.id().empty()) {
      // No delivery id from the provider: the delivery's content identifies
      // it (the body carries the send time, so distinct events differ).
      event.set_id(HexEncode(Sha256({entry.info.name, "\n", raw})).substr(0, 32));
    }
    if (!result.batch) {
      result.event_id = event.id();
      result.type = event.type();
      result.typed = !event.has_untyped();
    }

    // A provider that signs no timestamp may still sign a time in the body
    // (DocSpace's event.createOn, repeated by its retries): a delivery older
    // than the ids remembered could be a replay that would not be recognised.
    if (!entry.info.provider->signs_timestamp && event.has_sent_at() &&
        dedup_.window() > absl::ZeroDuration()) {
      const absl::Time sent = absl::FromUnixSeconds(event.sent_at().seconds()) +
                              absl::Nanoseconds(event.sent_at().nanos());
      if (request.received_at - sent > dedup_.window()) {
        result.outcome = Outcome::kStaleTimestamp;
        const absl::Duration age = request.received_at - sent;
        result.reason = absl::StrCat(
            result.batch ? absl::StrCat("event ", pending.size() + 1, " of the batch: ") : "",
            "the event was created ",
            age >= absl::Hours(48) ? absl::StrCat(absl::ToInt64Hours(age) / 24, " days")
                                   : absl::FormatDuration(absl::Trunc(age, absl::Seconds(1))),
            " ago, longer ago than de-duplication remembers (dedup.window, ",
            FormatConfigDuration(dedup_.window()),
            "): as the provider signs no timestamp, this could be a replay");
        return done(std::move(result));
      }
    }

    // Refused before anything is reserved: an event no subscriber could be
    // sent must not be stored (nor remembered as a duplicate). Counted with
    // the raw body and the two bytes `superseded` may add. The raw body is
    // copied once, straight into its encoded field.
    std::string raw_body_field = RawBodyField(raw);
    if (const uint64_t size = event.ByteSizeLong() + raw_body_field.size() + 2;
        size > max_event_bytes_) {
      result.outcome = Outcome::kTooLarge;
      result.reason = absl::StrCat(
          result.batch ? absl::StrCat("event ", pending.size() + 1, " of the batch: ") : "",
          "the event would be ", size, " bytes encoded (its body ", raw.size(),
          "), over the largest this server stores and sends: ", max_event_bytes_,
          " (grpc.max_event_bytes, or the event log's own limit if lower)");
      return done(std::move(result));
    }
    std::string key =
        DedupKey(entry.info.provider, entry.info.name, event.id(), event.environment_id());
    pending.push_back(Pending{std::move(event), std::move(raw_body_field), std::move(key)});
  }

  // Reserved in order; an event repeated within a batch is a duplicate of
  // its first occurrence.
  absl::InlinedVector<size_t, 1> reserved;
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < pending.size(); ++i) {
    Pending& item = pending[i];
    if (pending.size() > 1 && !seen.insert(item.key).second) {
      item.duplicate = true;
      ++result.duplicates;
      continue;
    }
    switch (dedup_.Reserve(item.key)) {
      case DedupWindow::State::kDuplicate:
        item.duplicate = true;
        ++result.duplicates;
        break;
      case DedupWindow::State::kInFlight:
        for (const size_t j : reserved) dedup_.Release(pending[j].key);
        result.outcome = Outcome::kConflict;
        result.reason = "the same delivery is being stored by another request; retry";
        return done(std::move(result));
      case DedupWindow::State::kNew:
        reserved.push_back(i);
        break;
    }
  }
  if (reserved.empty()) {
    // Nothing new (or an empty batch, which stores nothing either).
    result.outcome = pending.empty() ? Outcome::kAccepted : Outcome::kDuplicate;
    return done(std::move(result));
  }

  // The request is answered once every append has: accepted when all were
  // stored; otherwise unavailable, and the sender's retry stores the rest
  // (those stored are then duplicates).
  const bool by_time = !entry.info.provider->signs_timestamp;
  const absl::Time received_at = request.received_at;
  struct Batch {
    absl::Mutex mu;
    size_t remaining ABSL_GUARDED_BY(mu);
    IngestResult result ABSL_GUARDED_BY(mu);
    std::function<void(IngestResult)> done;
  };
  auto batch = std::make_shared<Batch>();
  {
    absl::MutexLock lock(&batch->mu);
    batch->remaining = reserved.size();
    batch->result = std::move(result);
  }
  batch->done = std::move(done);
  for (const size_t i : reserved) {
    Pending& item = pending[i];
    v1::Event& event = item.event;
    if (event.has_entity_time() && !event.subject().empty()) {
      event.set_superseded(
          ordering_.IsSuperseded(entry.info.name, event.subject(), EntityTime(event)));
    }
    in_flight_.fetch_add(1);
    std::pair<std::string, bool> appended(event.type(), !event.has_untyped());
    log_->Append(EncodeEvent(std::move(event), std::move(item.raw_body_field)),
                 [this, key = std::move(item.key), by_time, received_at, batch,
                  appended = std::move(appended)](absl::StatusOr<uint64_t> sequence) mutable {
                   if (sequence.ok()) {
                     if (by_time) {
                       dedup_.CommitForWindow(key, received_at);
                     } else {
                       dedup_.Commit(key);
                     }
                   } else {
                     dedup_.Release(key);
                   }
                   std::optional<IngestResult> finished;
                   {
                     absl::MutexLock lock(&batch->mu);
                     IngestResult& result = batch->result;
                     if (sequence.ok()) {
                       result.sequence = std::max(result.sequence, *sequence);
                       result.appended.push_back(std::move(appended));
                     } else if (result.outcome != Outcome::kUnavailable) {
                       result.outcome = Outcome::kUnavailable;
                       result.reason = std::string(sequence.status().message());
                     }
                     if (--batch->remaining == 0) finished = std::move(result);
                   }
                   if (finished.has_value()) batch->done(*std::move(finished));
                   in_flight_.fetch_sub(1);
                 });
  }
}

std::optional<ProviderAnswer> Ingestor::Preflight(const Route& route,
                                                  const WebhookRequest& request) const {
  HB_CHECK(route.source != nullptr && route.set != nullptr);
  const SourceSet::Entry& entry = route.set->entries_.at(route.source->name);
  const RateLimit& limit = entry.bucket->limit();
  // Requests a minute, rounded down but never to 0 (which means unlimited).
  const uint64_t per_minute =
      limit.unlimited() ? 0 : std::max<uint64_t>(1, static_cast<uint64_t>(limit.per_second * 60));
  return entry.source->Preflight(request, per_minute);
}

}  // namespace hookbridge
