#include "bridge/subscription.h"

#include <algorithm>

#include "absl/base/thread_annotations.h"
#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/error_info.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {
// Records copied from the log per read; bounds the memory a subscriber
// holds besides the records it is writing (those of a read it has not
// examined yet are kept for its next call).
constexpr size_t kReadBatch = 256;

}  // namespace

// The log holds a weak reference to this, not to the subscription, so a
// wake-up racing with Close() is serialized by `mu_`.
class Subscription::Waker : public LogWaiter {
 public:
  explicit Waker(std::function<void()> fn) : fn_(std::move(fn)) {}

  void OnLogGrew() override {
    absl::MutexLock lock(&mu_);
    if (fn_) fn_();
  }

  void Close() {
    absl::MutexLock lock(&mu_);
    fn_ = nullptr;
  }

 private:
  absl::Mutex mu_;
  std::function<void()> fn_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<Subscription>> Subscription::Create(
    EventLog* log, const v1::SubscribeRequest& request, std::function<void()> on_wake) {
  absl::StatusOr<EventFilter> filter = EventFilter::FromRequest(request);
  if (!filter.ok()) return filter.status();

  uint64_t cursor = 0;
  switch (request.start_case()) {
    case v1::SubscribeRequest::kAfterSequence:
      cursor = request.after_sequence();
      break;
    case v1::SubscribeRequest::kSince: {
      // The range google.protobuf.Timestamp allows: 0001-01-01 to 9999-12-31.
      if (request.since().seconds() < -62135596800 || request.since().seconds() > 253402300799 ||
          request.since().nanos() < 0 || request.since().nanos() > 999999999) {
        return absl::InvalidArgumentError("since: not a valid timestamp");
      }
      const absl::Time since = absl::FromUnixSeconds(request.since().seconds()) +
                               absl::Nanoseconds(request.since().nanos());
      absl::StatusOr<uint64_t> position = log->PositionAt(since);
      if (position.ok()) {
        cursor = *position;
      } else if (request.allow_gaps() &&
                 position.status().code() == absl::StatusCode::kOutOfRange) {
        // Some of them were evicted: the first Next() reports a gap from the
        // start of the log to the oldest retained record.
        cursor = 0;
      } else {
        return position.status();
      }
      break;
    }
    case v1::SubscribeRequest::kEarliest: {
      if (!request.earliest()) {
        return absl::InvalidArgumentError("earliest: must be true when set");
      }
      const LogStats stats = log->Stats();
      cursor = stats.events == 0 ? stats.last_sequence : stats.first_sequence - 1;
      break;
    }
    case v1::SubscribeRequest::START_NOT_SET:
      cursor = log->Stats().last_sequence;
      break;
  }
  // Check the position now, so a bad one fails the call before it streams.
  // An evicted one is a gap if the request allows gaps.
  std::vector<RecordPtr> none;
  if (absl::Status checked = log->Read(cursor, 0, &none, nullptr);
      !checked.ok() && !(request.allow_gaps() && OldestRetainedSequence(checked).has_value())) {
    return checked;
  }

  return std::unique_ptr<Subscription>(
      new Subscription(log, *std::move(filter), cursor, request.allow_gaps(), request.include_raw(),
                       std::make_shared<Waker>(std::move(on_wake))));
}

namespace {
ReadSelector WithRawBodies(ReadSelector selector, bool raw_bodies) {
  selector.raw_bodies = raw_bodies;
  return selector;
}
}  // namespace

Subscription::Subscription(EventLog* log, EventFilter filter, uint64_t cursor, bool allow_gaps,
                           bool include_raw, std::shared_ptr<Waker> waker)
    : log_(log),
      filter_(std::move(filter)),
      selector_(WithRawBodies(filter_.Selector(), include_raw)),
      cursor_(cursor),
      allow_gaps_(allow_gaps),
      waker_(std::move(waker)) {}

Subscription::~Subscription() { Close(); }

void Subscription::Close() { waker_->Close(); }

absl::Status Subscription::Next(size_t max, std::vector<RecordPtr>* out) {
  return *Step(max, out, /*cached_only=*/false);
}

std::optional<absl::Status> Subscription::NextIfCached(size_t max, std::vector<RecordPtr>* out) {
  return Step(max, out, /*cached_only=*/true);
}

std::optional<absl::Status> Subscription::Step(size_t max, std::vector<RecordPtr>* out,
                                               bool cached_only) {
  const int max_reads = cached_only ? 1 : kMaxReadsPerNext;
  size_t found = 0;
  more_ = false;
  for (int reads = 0; found < max;) {
    if (scratch_next_ == scratch_.size()) {
      if (reads == max_reads) {
        more_ = found == 0;
        break;
      }
      ++reads;
      scratch_.clear();
      scratch_next_ = 0;
      // Ask for a wake-up only while this call has found nothing: a caller
      // that got records comes back for more by itself.
      const std::shared_ptr<LogWaiter> waiter =
          found == 0 ? std::shared_ptr<LogWaiter>(waker_) : nullptr;
      uint64_t through = cursor_;
      absl::Status read;
      if (cached_only) {
        std::optional<absl::Status> cached =
            log_->ReadIfCached(cursor_, kReadBatch, &scratch_, waiter);
        if (!cached.has_value()) {
          if (found == 0) return std::nullopt;
          break;
        }
        read = *std::move(cached);
        if (!scratch_.empty()) through = scratch_.back()->sequence;
      } else {
        read = log_->ReadSelected(cursor_, kReadBatch, selector_, &scratch_, &through, waiter);
      }
      if (!read.ok()) {
        scratch_.clear();
        const std::optional<uint64_t> oldest =
            allow_gaps_ ? OldestRetainedSequence(read) : std::nullopt;
        if (!oldest.has_value() || *oldest <= cursor_ + 1) return read;
        // Deliver what came before the gap first; the next call comes back
        // here.
        if (found == 0) {
          gap_ = Gap{cursor_ + 1, *oldest - 1};
          cursor_ = *oldest - 1;
        }
        break;
      }
      if (through <= cursor_) {  // at the end of the log
        scratch_.clear();
        break;
      }
      scratch_through_ = through;
    }
    while (scratch_next_ < scratch_.size() && found < max) {
      RecordPtr& record = scratch_[scratch_next_++];
      cursor_ = record->sequence;
      if (filter_.Matches(*record)) {
        out->push_back(std::move(record));
        ++found;
      }
    }
    if (scratch_next_ == scratch_.size()) {
      // Records the log left out did not match: skip past them too.
      cursor_ = std::max(cursor_, scratch_through_);
      scratch_.clear();
      scratch_next_ = 0;
    }
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
