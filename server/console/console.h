// The operator console's memory: the most recent webhook deliveries
// (accepted and rejected) in a bounded ring, counts per source and outcome
// since start and over the last minute, and the live-tail streams that get
// each new delivery as it is recorded.
//
// Rejected requests are kept only here, never in the event log; the ring is
// bounded by count and by bytes, evicting the oldest (counted in
// hookbridge_console_deliveries_evicted_total).
//
// Thread-safe: Record is called from network threads and from the log's
// appending thread; it takes one short lock and never waits on a browser
// (live streams have bounded queues; a slow one is dropped).
#ifndef HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_H_
#define HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/filter.h"
#include "bridge/ingest.h"
#include "server/console/delivery.h"
#include "server/http/http_server.h"
#include "server/metrics/metrics.h"

namespace hookbridge {

// Which deliveries a listing or a live stream wants. Empty fields match
// anything.
struct DeliveryQuery {
  std::string source;               // exact source name
  std::optional<Outcome> outcome;   // exact outcome
  std::optional<TypePattern> type;  // event type pattern (`*` wildcards)
  uint64_t before = 0;              // only ids below this (0: no bound)
  uint64_t after = 0;               // only ids above this
  size_t limit = 100;               // listings: at most this many, newest first

  bool Matches(const Delivery& delivery) const;
};

class Console {
 public:
  // admin.console* (defaults in bridge/config_types.h).
  struct Options {
    size_t max_deliveries = AdminConfig().console_deliveries;
    size_t max_bytes = AdminConfig().console_bytes;
    size_t body_preview_bytes = AdminConfig().console_body_preview_bytes;
    bool enabled = AdminConfig().console;
  };
  // Live-tail streams open at once; more are refused.
  static constexpr size_t kMaxStreams = 16;
  // Bytes queued for one live-tail browser before it is dropped.
  static constexpr size_t kStreamQueueBytes = 1 << 20;

  // `metrics` must outlive the console.
  Console(Options options, const std::vector<SourceInfo>& sources, Metrics* metrics);

  // The options in force now (they change with Reconfigure).
  Options options() const;
  bool enabled() const { return enabled_.load(std::memory_order_acquire); }
  // options().body_preview_bytes without a lock, for the request path.
  size_t body_preview_bytes() const { return body_preview_bytes_.load(std::memory_order_relaxed); }
  absl::Time started_at() const { return started_at_; }

  // Applies a reloaded config: new bounds (the ring shrinks at once if they
  // are lower), body preview size, sources (counts of sources that stay are
  // kept), and on/off. Turning the console off ends its live streams; what
  // it recorded stays until it is turned on again or evicted.
  void Reconfigure(Options options, const std::vector<SourceInfo>& sources);

  // The config generation in force and the result of the last reload, for
  // the overview. Set by the server.
  struct ReloadStatus {
    uint64_t generation = 1;
    std::string result = "initial";  // "initial", "applied" or "rejected"
    std::string error;               // why the last reload was rejected
    std::vector<std::string> needs_restart;
    absl::Time at = absl::InfinitePast();
  };
  void SetReloadStatus(ReloadStatus status);
  ReloadStatus reload_status() const;

  // Records a finished delivery: assigns its id, counts it under its source
  // and outcome, keeps it (evicting the oldest beyond the bounds) and sends
  // it to the live streams it matches.
  void Record(Delivery delivery);

  // Retained deliveries matching `query`, newest first, at most
  // query.limit.
  std::vector<DeliveryPtr> Find(const DeliveryQuery& query) const;
  // The retained delivery `id`, or nullptr.
  DeliveryPtr Get(uint64_t id) const;

  struct RingStats {
    size_t deliveries = 0;
    size_t bytes = 0;
    uint64_t evicted = 0;
    uint64_t last_id = 0;  // the newest id recorded (0: none yet)
  };
  RingStats Stats() const;

  // Deliveries per outcome (indexed by Outcome) of one configured source.
  struct SourceCounts {
    SourceInfo source;
    std::array<uint64_t, std::size(kAllOutcomes)> total{};
    std::array<uint64_t, std::size(kAllOutcomes)> last_minute{};  // the 60 s up to `now`
  };
  std::vector<SourceCounts> Counts(absl::Time now) const;

  // Live tail: writes to `stream` every retained delivery matching `query`
  // with an id above query.after (oldest first), then each new matching
  // one as it is recorded, as Server-Sent Events (`id`, `event: delivery`,
  // `data:` the summary JSON). ResourceExhausted when kMaxStreams are open.
  absl::Status AddStream(std::shared_ptr<HttpStream> stream, DeliveryQuery query);
  // Live-tail streams open now.
  size_t streams() const;

 private:
  // Per source: totals, and a per-second ring over the last minute.
  struct Counters {
    std::array<uint64_t, std::size(kAllOutcomes)> total{};
    struct Second {
      int64_t unix_second = -1;
      std::array<uint32_t, std::size(kAllOutcomes)> counts{};
    };
    std::array<Second, 60> seconds;
  };
  struct LiveStream {
    std::shared_ptr<HttpStream> stream;
    DeliveryQuery query;
  };
  // Sends `event` to `live`; false when the stream is gone (and counts a
  // drop if it overflowed).
  bool Send(const LiveStream& live, std::string event);
  // Evicts the oldest deliveries beyond the bounds; returns how many.
  size_t Evict() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Metrics* const metrics_;
  const absl::Time started_at_;
  std::atomic<bool> enabled_;
  std::atomic<size_t> body_preview_bytes_;

  mutable absl::Mutex mu_;
  Options options_ ABSL_GUARDED_BY(mu_);
  std::vector<SourceInfo> sources_ ABSL_GUARDED_BY(mu_);
  ReloadStatus reload_status_ ABSL_GUARDED_BY(mu_);
  std::deque<DeliveryPtr> ring_ ABSL_GUARDED_BY(mu_);  // oldest first, ids increasing
  size_t ring_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t evicted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_id_ ABSL_GUARDED_BY(mu_) = 0;
  // By source name; kept for removed sources, so counts survive a source
  // being removed and added back.
  absl::flat_hash_map<std::string, Counters> counters_ ABSL_GUARDED_BY(mu_);
  std::vector<LiveStream> live_ ABSL_GUARDED_BY(mu_);
};

// The Server-Sent Event for `delivery`.
std::string DeliveryEvent(const Delivery& delivery);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_H_
