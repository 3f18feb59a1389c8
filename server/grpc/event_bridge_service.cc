#include "server/grpc/event_bridge_service.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bridge/cloudevents.h"
#include "bridge/error_info.h"
#include "bridge/filter.h"
#include "bridge/status_macros.h"
#include "bridge/subscription.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/status.pb.h"
#include "server/logging.h"

namespace hookbridge {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  // The facts the status carries (bridge/error_info.h), as the gRPC richer
  // error model's google.rpc.Status in grpc-status-details-bin.
  google::rpc::Status details;
  status.ForEachPayload([&details](absl::string_view type_url, const absl::Cord& value) {
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(value));
  });
  if (details.details_size() == 0) return grpc::Status(code, std::move(message));
  details.set_code(static_cast<int32_t>(code));
  details.set_message(message);
  return grpc::Status(code, std::move(message), details.SerializeAsString());
}

uint64_t MaxResponseBytes(uint64_t max_event_bytes) {
  // What wraps the largest event, or a full batch, in a response: in a
  // SubscribeResponse a field header (a tag byte and a length varint of at
  // most 10); in a ConsumeResponse two of them and the delivery attempt
  // (a tag byte and a varint of at most 5).
  constexpr uint64_t kPerEvent = 2 * 11 + 6;
  return std::max<uint64_t>(max_event_bytes + kPerEvent,
                            kMaxBatchBytes + kMaxBatchEvents * kPerEvent);
}

namespace {

// The header of a length-delimited field `field` of `length` bytes: tag and
// varint length, appended to `out`. Field 1 is SubscribeResponse.events.
void AppendFieldHeader(int field, size_t length, std::string* out) {
  out->push_back(static_cast<char>(field << 3 | 2));  // wire type 2
  while (length >= 0x80) {
    out->push_back(static_cast<char>((length & 0x7f) | 0x80));
    length >>= 7;
  }
  out->push_back(static_cast<char>(length));
}

void ReleaseRecord(void* record) { delete static_cast<RecordPtr*>(record); }
void ReleaseString(void* bytes) { delete static_cast<std::string*>(bytes); }

// A slice that owns `bytes` (moved, not copied) until gRPC is done with it.
grpc::Slice SliceOwning(std::string bytes) {
  auto* owned = new std::string(std::move(bytes));
  return grpc::Slice(owned->data(), owned->size(), &ReleaseString, owned);
}

// The grant of the call's `authorization` metadata under `authorizer`.
// `*missing` (if given) says whether the call carried none.
absl::StatusOr<const Grant*> AuthenticateCall(const Authorizer& authorizer,
                                              const grpc::CallbackServerContext& context,
                                              bool* missing = nullptr) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (missing != nullptr) *missing = it == metadata.end();
  if (it == metadata.end()) return authorizer.Authenticate(nullptr);
  const std::string authorization(it->second.data(), it->second.size());
  return authorizer.Authenticate(&authorization);
}

// A slice over bytes owned by `record`, keeping the record alive until
// gRPC is done with the bytes.
grpc::Slice SliceOf(const RecordPtr& record, const std::string& bytes) {
  return grpc::Slice(const_cast<char*>(bytes.data()), bytes.size(), &ReleaseRecord,
                     new RecordPtr(record));
}

}  // namespace

// One Subscribe stream. Discipline (as in the gRPC callback examples): at
// most one write in flight; exactly one Finish, only when no write is in
// flight; OnDone closes the subscription and deletes the reactor, and
// nothing touches it afterwards.
//
// Threads: gRPC calls OnWriteDone/OnCancel/OnDone; the log calls the wake-up
// from its notifier thread. `mu_` serializes them. Lock order: the
// subscription's waker lock, then `mu_`, then the log's lock.
//
// The log is read on the service's ReadPool, one task at a time per stream
// (`reading_`), never under `mu_`: resolving the start position (Start) and
// each bounded step of Subscription::Next (ReadStep). So a stream scanning a
// long log past records its filter does not match, or a NATS fetch waiting
// for the network, holds no gRPC thread and no lock that /metrics (MaxLag),
// the console or heartbeats take. The one exception is a read the log
// serves from memory right after a write completes (ReadInline): a stream
// keeping up with the tail then needs no hand-off to the pool and back.
// The reactor is deleted by whichever of OnDone and the last read task
// ends later.
//
// A write is a SubscribeResponse: every record ready, up to
// kMaxBatchEvents / kMaxBatchBytes, as its `events`, whose encoding is the
// events' own bytes each behind a field header, so batching copies nothing;
// or a Heartbeat or Gap. A stream that asked for CloudEvents gets them as
// `cloud_events` instead: each record converted once it is read
// (CloudEventBytes, on the read pool unless read inline), and the batch
// bounded by the converted sizes.
class SubscribeReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  SubscribeReactor(EventBridgeService* service, grpc::CallbackServerContext* context,
                   const grpc::ByteBuffer* request_bytes)
      : service_(service), context_(context), started_at_(absl::Now()), last_write_(started_at_) {
    absl::StatusOr<Grant> grant = service_->Authenticate(context, &authenticated_with_);
    if (!grant.ok()) {
      Reject(grant.status());
      return;
    }
    v1::SubscribeRequest& request = request_;
    grpc::ByteBuffer copy = *request_bytes;
    if (!grpc::SerializationTraits<v1::SubscribeRequest>::Deserialize(&copy, &request).ok()) {
      Reject(absl::InvalidArgumentError("SubscribeRequest could not be parsed"));
      return;
    }
    if (absl::Status format = CheckEventFormat(request.format()); !format.ok()) {
      Reject(format);
      return;
    }
    // Before the grant check, whose cost grows with the request's patterns.
    if (const size_t patterns = EventFilter::PatternCount(request);
        patterns > service_->limits_.max_filter_patterns) {
      Reject(absl::InvalidArgumentError(absl::StrCat(
                 "the filter has ", patterns, " sources and types; at most ",
                 service_->limits_.max_filter_patterns, " are allowed (grpc.max_filter_patterns)")),
             Metrics::SubscribeRejection::kTooManyPatterns);
      return;
    }
    if (absl::Status allowed = Authorizer::Authorize(*grant, request); !allowed.ok()) {
      service_->metrics_->SubscriberAuth(grant->name, Metrics::AuthOutcome::kDenied);
      Reject(allowed);
      return;
    }
    service_->metrics_->SubscriberAuth(grant->name, Metrics::AuthOutcome::kOk);
    token_ = grant->name;
    info_.peer = context_->peer();
    if (authenticated_with_->enabled()) info_.token = token_;
    info_.rpc = "Subscribe";
    info_.sources.assign(request.sources().begin(), request.sources().end());
    info_.types.assign(request.types().begin(), request.types().end());
    info_.environment_ids.assign(request.environment_ids().begin(),
                                 request.environment_ids().end());
    info_.subjects.assign(request.subjects().begin(), request.subjects().end());
    info_.connected_at = started_at_;
    include_raw_ = request.include_raw();
    cloud_events_ = request.format() == v1::EVENT_FORMAT_CLOUDEVENTS;
    // The start position may need the log (a `since` time, a NATS request).
    absl::MutexLock lock(&mu_);
    reading_ = true;
    service_->read_pool_.Schedule([this] { Start(); });
  }

  // On the read pool: resolves the start position and registers the stream.
  void Start() {
    absl::StatusOr<std::unique_ptr<Subscription>> subscription =
        Subscription::Create(service_->log_, request_, [this] { OnWake(); });
    absl::Status status = subscription.status();
    bool per_token = false;
    if (status.ok()) {
      subscription_ = *std::move(subscription);
      {
        absl::MutexLock lock(&mu_);
        cursor_ = resume_after_ = subscription_->cursor();
      }
      status = service_->Register(this, info_.token, &per_token);
      if (status.ok()) {
        registered_ = true;
        service_->metrics_->SubscriptionStarted(true);
        service_->metrics_->SubscriberConnected();
        Log(LogLevel::kDebug, "subscriber connected",
            {{"peer", context_->peer()},
             {"token", token_},
             {"filter", subscription_->filter().ToString()},
             {"after", subscription_->cursor()}});
      }
    }
    bool destroy = false;
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (done_) {
        destroy = true;
      } else if (!status.ok()) {
        RejectLocked(status, per_token
                                 ? std::optional(Metrics::SubscribeRejection::kTooManyForToken)
                                 : std::nullopt);
      } else if (!finished_) {
        started_ = true;
        want_read_ = true;
        // Tell the client where the stream starts; once it has this, every
        // event appended afterwards will reach it.
        context_->AddInitialMetadata(kStartAfterHeader, std::to_string(cursor_));
        StartSendInitialMetadata();
        Pump();
      }
    }
    if (destroy) Destroy();
  }

  // On the read pool: one bounded step of the subscription.
  void ReadStep() {
    std::vector<RecordPtr> batch;
    const absl::Status status = subscription_->Next(kMaxBatchEvents, &batch);
    std::optional<Subscription::Gap> gap = subscription_->TakeGap();
    const bool more = subscription_->more();
    const uint64_t cursor = subscription_->cursor();
    std::vector<std::string> converted = Convert(batch);  // without mu_
    bool destroy = false;
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      if (done_) {
        destroy = true;
      } else {
        TakeRead(status, std::move(batch), std::move(converted), gap, more, cursor);
        Pump();
      }
    }
    if (destroy) Destroy();
  }

  // The next step read where Pump runs, without the read pool, when the
  // log has the records in memory (a subscriber keeping up with the tail):
  // one read of the log under `mu_`, a few pointer copies. Saves two
  // thread hand-offs per write. False, having read nothing, when the read
  // would need the disk or the network, or when it found no match in a
  // whole read (scanning on is the pool's work).
  bool ReadInline() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<RecordPtr> batch;
    std::optional<absl::Status> status = subscription_->NextIfCached(kMaxBatchEvents, &batch);
    if (!status.has_value()) return false;
    std::optional<Subscription::Gap> gap = subscription_->TakeGap();
    const bool more = subscription_->more();
    if (status->ok() && batch.empty() && !gap.has_value() && more) {
      cursor_ = subscription_->cursor();
      return false;
    }
    std::vector<std::string> converted = Convert(batch);
    TakeRead(*status, std::move(batch), std::move(converted), gap, more, subscription_->cursor());
    Pump();
    return true;
  }

  // The serialized CloudEvents of `batch` for a stream that asked for
  // them; nothing for the others.
  std::vector<std::string> Convert(const std::vector<RecordPtr>& batch) const {
    std::vector<std::string> converted;
    if (!cloud_events_) return converted;
    converted.reserve(batch.size());
    for (const RecordPtr& record : batch) {
      converted.push_back(
          CloudEventBytes(*record, include_raw_, service_->limits_.max_event_bytes));
    }
    return converted;
  }

  // Takes what a step of the subscription read (`converted`: its
  // CloudEvents, from Convert).
  void TakeRead(const absl::Status& status, std::vector<RecordPtr> batch,
                std::vector<std::string> converted, std::optional<Subscription::Gap> gap, bool more,
                uint64_t cursor) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    cursor_ = cursor;
    if (!status.ok()) {
      read_error_ = status;
      return;
    }
    pending_ = std::move(batch);
    converted_ = std::move(converted);
    next_ = 0;
    gap_ = gap;
    // Nothing found and none of this: the waker is armed (OnWake).
    if (!pending_.empty() || gap.has_value() || more) want_read_ = true;
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) {
      // The stream is broken (client gone); the status reaches no one.
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    const absl::Time now = absl::Now();
    for (const RecordPtr& record : in_flight_) {
      service_->metrics_->EventDelivered(record->source);
      if (record->appended_at >= started_at_) {
        service_->metrics_->ObserveDeliveryLatency(now - record->appended_at);
      }
    }
    resume_after_ = std::max(resume_after_, write_position_);
    in_flight_.clear();
    Pump(/*read_inline=*/true);
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    if (!write_in_flight_) FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    bool destroy = false;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      destroy = !reading_;  // else the read task destroys it when it ends
    }
    if (destroy) Destroy();
  }

  // After OnDone, with no read task queued or running.
  void Destroy() {
    // Close first, without mu_: it waits for a wake-up in progress, which
    // may itself be waiting for mu_.
    if (subscription_ != nullptr) subscription_->Close();
    if (registered_) {
      service_->Unregister(this, info_.token);
      service_->metrics_->SubscriberDisconnected();
      // Not context_->peer(): the call is gone after OnDone.
      Log(LogLevel::kDebug, "subscriber disconnected", {{"peer", info_.peer}});
    }
    delete this;
  }

  // Every matching event up to this sequence has been delivered.
  uint64_t Position() {
    absl::MutexLock lock(&mu_);
    return ResumeAfter();
  }

  // What the console shows of this stream. Its constant part is set
  // before the reactor is registered.
  // Set before the stream registers; constant afterwards.
  const std::string& peer() const { return info_.peer; }

  SubscriberInfo Info() {
    SubscriberInfo info = info_;
    absl::MutexLock lock(&mu_);
    info.position = ResumeAfter();
    if (!in_flight_.empty()) {
      info.pending_since = in_flight_.front()->appended_at;
    } else if (next_ < pending_.size()) {
      info.pending_since = pending_[next_]->appended_at;
    }
    return info;
  }

  // Whether the stream's token is accepted by `authorizer` and its request
  // inside the token's grant: UNAUTHENTICATED or PERMISSION_DENIED if not.
  absl::Status CheckAccess(const Authorizer& authorizer) const {
    absl::StatusOr<const Grant*> grant = AuthenticateCall(authorizer, *context_);
    if (!grant.ok()) {
      return absl::UnauthenticatedError(
          absl::StrCat("the stream's token is no longer accepted (config reloaded): ",
                       grant.status().message()));
    }
    if (absl::Status allowed = Authorizer::Authorize(**grant, request_); !allowed.ok()) {
      return absl::PermissionDeniedError(
          absl::StrCat("the stream's token no longer grants its request (config reloaded): ",
                       allowed.message()));
    }
    return absl::OkStatus();
  }

  // The authorizer the stream was let in by.
  const Authorizer* authenticated_with() const { return authenticated_with_.get(); }

  // After a config reload: ends the stream (once no write is in flight)
  // if CheckAccess fails. Returns whether it ends.
  bool Recheck(const Authorizer& authorizer) {
    const absl::Status end = CheckAccess(authorizer);
    if (end.ok()) return false;
    Log(LogLevel::kInfo, "subscriber ended by a config reload",
        {{"peer", context_->peer()}, {"token", token_}, {"error", end.message()}});
    absl::MutexLock lock(&mu_);
    if (!end_.ok()) return true;
    end_ = end;
    Pump();
    return true;
  }

  // Writes a Heartbeat if the stream has been silent since `silent_since`
  // and has nothing to write. `head` is the log's last sequence.
  void MaybeHeartbeat(absl::Time silent_since, uint64_t head) {
    absl::MutexLock lock(&mu_);
    if (!started_ || finished_ || write_in_flight_ || cancelled_ || shutting_down_ || !end_.ok() ||
        next_ < pending_.size() || gap_.has_value() || last_write_ > silent_since) {
      return;
    }
    v1::SubscribeResponse response;
    v1::Heartbeat* heartbeat = response.mutable_heartbeat();
    const uint64_t position = ResumeAfter();
    heartbeat->set_resume_after(position);
    heartbeat->set_head_sequence(std::max(head, position));
    WriteControl(response, position);
  }

  // Ends the stream with UNAVAILABLE once no write is in flight.
  void BeginShutdown() {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
    Pump();
  }

 private:
  // Ends the call with `status`, counted under `reason` (by default the one
  // its code stands for).
  void Reject(const absl::Status& status,
              std::optional<Metrics::SubscribeRejection> reason = std::nullopt) {
    absl::MutexLock lock(&mu_);
    RejectLocked(status, reason);
  }
  void RejectLocked(const absl::Status& status,
                    std::optional<Metrics::SubscribeRejection> reason = std::nullopt)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    service_->metrics_->SubscriptionRejected(reason.value_or(RejectionFor(status.code())));
    FinishLocked(ToGrpcStatus(status));
  }

  static Metrics::SubscribeRejection RejectionFor(absl::StatusCode code) {
    switch (code) {
      case absl::StatusCode::kUnauthenticated:
        return Metrics::SubscribeRejection::kUnauthenticated;
      case absl::StatusCode::kPermissionDenied:
        return Metrics::SubscribeRejection::kPermissionDenied;
      case absl::StatusCode::kResourceExhausted:
        return Metrics::SubscribeRejection::kTooManySubscribers;
      case absl::StatusCode::kOutOfRange:
        return Metrics::SubscribeRejection::kOutOfRange;
      case absl::StatusCode::kUnavailable:
        return Metrics::SubscribeRejection::kShuttingDown;
      default:
        return Metrics::SubscribeRejection::kInvalidRequest;
    }
  }

  void OnWake() {
    absl::MutexLock lock(&mu_);
    want_read_ = true;
    Pump();
  }

  // Starts the next write, or finishes, or waits for the log to grow.
  // `read_inline`: on the completion of a write, the next read may be done
  // here (ReadInline) when the log has it in memory. Not on a wake-up: the
  // appending or notifying thread wakes every stream, and would then do
  // every stream's read and write in turn.
  void Pump(bool read_inline = false) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || write_in_flight_) return;
    if (cancelled_) return FinishLocked(grpc::Status::CANCELLED);
    if (shutting_down_) {
      return FinishLocked(ToGrpcStatus(WithResumeFacts(
          absl::UnavailableError(absl::StrCat(
              "server is shutting down; resume with after_sequence = ", ResumeAfter())),
          kReasonShuttingDown)));
    }
    if (!end_.ok()) return FinishLocked(ToGrpcStatus(end_));
    if (!started_) return;  // Start calls again
    if (next_ == pending_.size()) {
      if (!read_error_.ok()) return FinishLocked(ToGrpcStatus(WithResumeFacts(read_error_)));
      if (std::optional<Subscription::Gap> gap = std::exchange(gap_, std::nullopt)) {
        // Past evicted records, before the events after them.
        v1::SubscribeResponse response;
        response.mutable_gap()->set_first_sequence(gap->first);
        response.mutable_gap()->set_last_sequence(gap->last);
        return WriteControl(response, gap->last);
      }
      // A read is on its way, or the log has nothing more yet (woken when
      // it grows).
      if (reading_ || !want_read_) return;
      pending_.clear();
      converted_.clear();
      next_ = 0;
      want_read_ = false;
      if (read_inline && ReadInline()) return;
      reading_ = true;
      service_->read_pool_.Schedule([this] { ReadStep(); });
      return;
    }
    slices_.clear();
    size_t batch_bytes = 0;
    if (cloud_events_) {
      // SubscribeResponse.cloud_events (4), each already within
      // max_event_bytes (CloudEventBytes).
      do {
        std::string& cloud_event = converted_[next_];
        std::string header;
        AppendFieldHeader(4, cloud_event.size(), &header);
        batch_bytes += header.size() + cloud_event.size();
        slices_.emplace_back(header);
        slices_.push_back(SliceOwning(std::move(cloud_event)));
        in_flight_.push_back(std::move(pending_[next_++]));
      } while (next_ < pending_.size() && in_flight_.size() < kMaxBatchEvents &&
               batch_bytes + converted_[next_].size() <= kMaxBatchBytes);
      return StartWriteLocked(in_flight_.back()->sequence);
    }
    do {
      RecordPtr record = std::move(pending_[next_++]);
      const bool raw = include_raw_ && !record->raw_body_field.empty();
      const size_t length = record->event_bytes.size() + (raw ? record->raw_body_field.size() : 0);
      std::string header;
      if (length > service_->limits_.max_event_bytes) {
        // Stored under a higher limit than today's: no client could read it.
        const std::string trimmed = Trimmed(*record, length);
        AppendFieldHeader(1, trimmed.size(), &header);
        slices_.emplace_back(header);
        slices_.emplace_back(trimmed);
        batch_bytes += header.size() + trimmed.size();
      } else {
        AppendFieldHeader(1, length, &header);
        slices_.emplace_back(header);  // copied: a few bytes
        batch_bytes += header.size() + length;
        slices_.push_back(SliceOf(record, record->event_bytes));
        if (raw) slices_.push_back(SliceOf(record, record->raw_body_field));
      }
      in_flight_.push_back(std::move(record));
    } while (next_ < pending_.size() && in_flight_.size() < kMaxBatchEvents &&
             batch_bytes + pending_[next_]->event_bytes.size() <= kMaxBatchBytes);
    StartWriteLocked(in_flight_.back()->sequence);
  }

  // The event of `record` (`length` bytes as it would be sent) without its
  // payload and raw body, and a decode_error saying why.
  std::string Trimmed(const LogRecord& record, size_t length) const {
    v1::Event event;
    if (!event.ParseFromString(record.event_bytes)) {
      event.set_sequence(record.sequence);
      event.set_source(record.source);
    }
    event.clear_payload();
    event.clear_untyped();
    event.clear_raw_body();
    event.set_decode_error(absl::StrCat("the event is ", length,
                                        " bytes, over the largest this server sends "
                                        "(grpc.max_event_bytes: ",
                                        service_->limits_.max_event_bytes,
                                        "); its payload and raw body are left out"));
    return event.SerializeAsString();
  }

  // Writes `response` (a control message); the stream's position is
  // `position` once it is written.
  void WriteControl(const v1::SubscribeResponse& response, uint64_t position)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    slices_.clear();
    slices_.emplace_back(response.SerializeAsString());
    StartWriteLocked(position);
  }

  void StartWriteLocked(uint64_t position) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    buffer_ = grpc::ByteBuffer(slices_.data(), slices_.size());
    write_position_ = position;
    write_in_flight_ = true;
    last_write_ = absl::Now();
    StartWrite(&buffer_);
  }

  // An end status (OUT_OF_RANGE or UNAVAILABLE) with the facts a client
  // resumes by: the sequence to resume after (as the hookbridge-resume-after
  // trailer has it) in its ErrorInfo, whose reason is `reason` unless the
  // log gave one, and for UNAVAILABLE when to retry. Other codes pass.
  absl::Status WithResumeFacts(absl::Status status, absl::string_view reason = {}) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const bool unavailable = status.code() == absl::StatusCode::kUnavailable;
    if (!unavailable && status.code() != absl::StatusCode::kOutOfRange) return status;
    if (reason.empty()) reason = unavailable ? kReasonLogUnavailable : kReasonEventsNotRetained;
    status =
        WithErrorMetadata(std::move(status), reason, "resume_after", absl::StrCat(ResumeAfter()));
    return unavailable ? WithRetryDelay(std::move(status), absl::Seconds(1)) : status;
  }

  // Every matching event up to this sequence has been delivered.
  uint64_t ResumeAfter() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (started_ && next_ == pending_.size() && !gap_.has_value() && !write_in_flight_) {
      return cursor_;
    }
    return resume_after_;
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    if (started_) {
      context_->AddTrailingMetadata(kResumeAfterTrailer, std::to_string(ResumeAfter()));
    }
    Finish(status);
  }

  EventBridgeService* const service_;
  grpc::CallbackServerContext* const context_;
  const absl::Time started_at_;
  std::unique_ptr<Subscription> subscription_;
  bool include_raw_ = false;
  bool cloud_events_ = false;  // the request's format is EVENT_FORMAT_CLOUDEVENTS
  bool registered_ = false;
  std::string token_;             // the subscriber's token name
  SubscriberInfo info_;           // constant once registered
  v1::SubscribeRequest request_;  // constant once registered
  std::shared_ptr<const Authorizer> authenticated_with_;

  absl::Mutex mu_;
  // Start has registered the stream and sent its start position.
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  // A Start or ReadStep task is queued or running: only it touches
  // subscription_ meanwhile.
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  // Reading again may find more: set by records found, a gap, a step cut
  // short by its bound and the log's wake-up; cleared when a read starts.
  bool want_read_ ABSL_GUARDED_BY(mu_) = false;
  // gRPC is done with the call (OnDone ran).
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  // The subscription's cursor as the last read left it.
  uint64_t cursor_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status read_error_ ABSL_GUARDED_BY(mu_);
  std::optional<Subscription::Gap> gap_ ABSL_GUARDED_BY(mu_);
  std::vector<RecordPtr> pending_ ABSL_GUARDED_BY(mu_);
  // With cloud_events_: the serialized CloudEvent of each of pending_.
  std::vector<std::string> converted_ ABSL_GUARDED_BY(mu_);
  size_t next_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<RecordPtr> in_flight_ ABSL_GUARDED_BY(mu_);  // in the write
  std::vector<grpc::Slice> slices_ ABSL_GUARDED_BY(mu_);   // of the write
  grpc::ByteBuffer buffer_ ABSL_GUARDED_BY(mu_);
  uint64_t resume_after_ ABSL_GUARDED_BY(mu_) = 0;
  // The position once the write in flight is done.
  uint64_t write_position_ ABSL_GUARDED_BY(mu_) = 0;
  // When the last write started (the stream's start before the first).
  absl::Time last_write_ ABSL_GUARDED_BY(mu_);
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // Set when a config reload revoked the stream's access.
  absl::Status end_ ABSL_GUARDED_BY(mu_);
};

namespace {
v1::ListEventTypesResponse DescribeSources(const std::vector<SourceInfo>& sources) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const SourceInfo& s : sources) pairs.emplace_back(s.name, std::string(s.provider->name));
  return DescribeEventTypes(pairs);
}
}  // namespace

EventBridgeService::EventBridgeService(EventLog* log, Metrics* metrics,
                                       const std::vector<SourceInfo>& sources,
                                       std::shared_ptr<const Authorizer> authorizer,
                                       SubscribeLimits limits, ServerFacts facts,
                                       ConsumerSet* consumers)
    : log_(log),
      metrics_(metrics),
      limits_(limits),
      facts_(std::move(facts)),
      consumers_(consumers),
      authorizer_(std::move(authorizer)),
      event_types_(std::make_shared<const v1::ListEventTypesResponse>(DescribeSources(sources))) {}

std::shared_ptr<const Authorizer> EventBridgeService::authorizer() {
  absl::MutexLock lock(&config_mu_);
  return authorizer_;
}

size_t EventBridgeService::Reconfigure(std::shared_ptr<const Authorizer> authorizer,
                                       const std::vector<SourceInfo>& sources) {
  auto event_types = std::make_shared<const v1::ListEventTypesResponse>(DescribeSources(sources));
  absl::MutexLock lock(&mu_);
  {
    absl::MutexLock config_lock(&config_mu_);
    authorizer_ = authorizer;
    event_types_ = std::move(event_types);
  }
  // Under mu_, so none is deleted meanwhile. A stream let in by an older
  // authorizer that registers after this is checked in Register.
  size_t ended = 0;
  for (SubscribeReactor* reactor : reactors_) ended += reactor->Recheck(*authorizer) ? 1 : 0;
  return ended;
}

absl::StatusOr<Grant> EventBridgeService::Authenticate(grpc::CallbackServerContext* context,
                                                       std::shared_ptr<const Authorizer>* used) {
  std::shared_ptr<const Authorizer> current = authorizer();
  if (used != nullptr) *used = current;
  bool missing = false;
  absl::StatusOr<const Grant*> grant = AuthenticateCall(*current, *context, &missing);
  if (!grant.ok()) {
    metrics_->SubscriberAuth(
        "_none", missing ? Metrics::AuthOutcome::kMissing : Metrics::AuthOutcome::kUnknown);
    return grant.status();
  }
  return **grant;
}

grpc::ServerUnaryReactor* EventBridgeService::StartUnary(grpc::CallbackServerContext* context,
                                                         bool* refused) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Grant> grant = Authenticate(context, nullptr);
  *refused = !grant.ok();
  if (*refused) reactor->Finish(ToGrpcStatus(grant.status()));
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::ListEventTypes(
    grpc::CallbackServerContext* context, const v1::ListEventTypesRequest* request,
    v1::ListEventTypesResponse* response) {
  bool refused = false;
  grpc::ServerUnaryReactor* reactor = StartUnary(context, &refused);
  if (refused) return reactor;
  std::shared_ptr<const v1::ListEventTypesResponse> event_types;
  {
    absl::MutexLock lock(&config_mu_);
    event_types = event_types_;
  }
  *response = *event_types;
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* EventBridgeService::GetServerInfo(grpc::CallbackServerContext* context,
                                                            const v1::GetServerInfoRequest* request,
                                                            v1::GetServerInfoResponse* response) {
  bool refused = false;
  grpc::ServerUnaryReactor* reactor = StartUnary(context, &refused);
  if (refused) return reactor;
  response->set_version(facts_.version);
  response->set_log_backend(facts_.log_backend);
  response->set_max_event_bytes(limits_.max_event_bytes);
  response->set_max_response_bytes(MaxResponseBytes(limits_.max_event_bytes));
  response->set_max_batch_events(kMaxBatchEvents);
  const int64_t interval = absl::ToInt64Nanoseconds(limits_.heartbeat_interval);
  response->mutable_heartbeat_interval()->set_seconds(interval / 1000000000);
  response->mutable_heartbeat_interval()->set_nanos(static_cast<int32_t>(interval % 1000000000));
  response->set_max_filter_patterns(static_cast<uint32_t>(limits_.max_filter_patterns));
  response->set_max_subscribers(static_cast<uint32_t>(limits_.max_subscribers));
  const LogStats stats = log_->Stats();
  response->set_first_sequence(stats.events == 0 ? 0 : stats.first_sequence);
  response->set_last_sequence(stats.last_sequence);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* EventBridgeService::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  return new SubscribeReactor(this, context, request);
}

void EventBridgeService::SendHeartbeats(absl::Time now) {
  const uint64_t head = log_->Stats().last_sequence;
  const absl::Time silent_since = now - limits_.heartbeat_interval;
  absl::MutexLock lock(&mu_);
  for (SubscribeReactor* reactor : reactors_) reactor->MaybeHeartbeat(silent_since, head);
  for (ConsumeReactor* reactor : consume_reactors_) MaybeHeartbeat(reactor, silent_since, head);
}

absl::Status EventBridgeService::AdmitLocked(const std::string& token, bool* per_token) {
  if (shutting_down_) return absl::UnavailableError("server is shutting down");
  if (const size_t open = reactors_.size() + consume_reactors_.size();
      open >= limits_.max_subscribers) {
    return absl::ResourceExhaustedError(
        absl::StrCat("already ", open,
                     " streams, the most this server takes (grpc.max_subscribers); retry "
                     "later or against another replica"));
  }
  if (token.empty()) return absl::OkStatus();
  size_t& open = streams_per_token_[token];
  if (open >= limits_.max_streams_per_token) {
    if (per_token != nullptr) *per_token = true;
    return absl::ResourceExhaustedError(
        absl::StrCat("token \"", token, "\" already has ", open,
                     " streams open, the most one token may have (grpc.max_streams_per_token)"));
  }
  ++open;
  return absl::OkStatus();
}

void EventBridgeService::ReleaseLocked(const std::string& token) {
  if (token.empty()) return;
  auto it = streams_per_token_.find(token);
  if (it == streams_per_token_.end()) return;
  if (--it->second == 0) streams_per_token_.erase(it);
}

absl::Status EventBridgeService::Register(SubscribeReactor* reactor, const std::string& token,
                                          bool* per_token) {
  absl::MutexLock lock(&mu_);
  if (const std::shared_ptr<const Authorizer> current = authorizer();
      !shutting_down_ && current.get() != reactor->authenticated_with()) {
    // A reload came between its authentication and now.
    HB_RETURN_IF_ERROR(reactor->CheckAccess(*current));
  }
  HB_RETURN_IF_ERROR(AdmitLocked(token, per_token));
  reactors_.insert(reactor);
  return absl::OkStatus();
}

void EventBridgeService::Unregister(SubscribeReactor* reactor, const std::string& token) {
  absl::MutexLock lock(&mu_);
  if (reactors_.erase(reactor) > 0) ReleaseLocked(token);
}

uint64_t EventBridgeService::MaxLag(uint64_t last_sequence) {
  absl::MutexLock lock(&mu_);
  uint64_t lag = 0;
  for (SubscribeReactor* reactor : reactors_) {
    const uint64_t position = reactor->Position();
    if (position < last_sequence) lag = std::max(lag, last_sequence - position);
  }
  return lag;
}

absl::flat_hash_set<std::string> EventBridgeService::StreamPeers() {
  absl::flat_hash_set<std::string> peers;
  absl::MutexLock lock(&mu_);
  for (SubscribeReactor* reactor : reactors_) peers.insert(reactor->peer());
  for (ConsumeReactor* reactor : consume_reactors_) peers.insert(PeerOf(reactor));
  return peers;
}

std::vector<SubscriberInfo> EventBridgeService::Subscribers() {
  std::vector<SubscriberInfo> subscribers;
  {
    absl::MutexLock lock(&mu_);
    subscribers.reserve(reactors_.size());
    for (SubscribeReactor* reactor : reactors_) subscribers.push_back(reactor->Info());
  }
  std::sort(subscribers.begin(), subscribers.end(),
            [](const SubscriberInfo& a, const SubscriberInfo& b) {
              return a.connected_at < b.connected_at;
            });
  return subscribers;
}

bool EventBridgeService::Shutdown(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  for (SubscribeReactor* reactor : reactors_) reactor->BeginShutdown();
  for (ConsumeReactor* reactor : consume_reactors_) BeginShutdown(reactor);
  auto all_done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return reactors_.empty() && consume_reactors_.empty();
  };
  return mu_.AwaitWithDeadline(absl::Condition(&all_done), deadline);
}

}  // namespace hookbridge
