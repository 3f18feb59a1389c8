// Every Prometheus metric hookbridge exports, defined once, with label
// handles resolved ahead of time so hot paths never build label maps.
// Labels come only from closed sets: configured source names, outcomes,
// event types (typed ones from the catalogs; untyped ones capped per source).
// Also hookbridge_build_info{version,revision} (always 1)
// and the process_* metrics of process_metrics.h, read at each scrape.
// Thread-safe.
#ifndef HOOKBRIDGE_SERVER_METRICS_METRICS_H_
#define HOOKBRIDGE_SERVER_METRICS_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/ingest.h"
#include "bridge/log/event_log.h"
#include "server/metrics/process_metrics.h"

namespace hookbridge {

class Metrics {
 public:
  // Distinct untyped event types counted per source before the rest are
  // folded into type="_other".
  static constexpr size_t kMaxUntypedTypesPerSource = 100;
  // Label used for requests to a source that is not configured.
  static constexpr absl::string_view kUnknownSource = "_unknown";

  explicit Metrics(const std::vector<SourceInfo>& sources);

  // Creates the series of sources added by a config reload (those known
  // already keep theirs; removed ones keep their last values, as counters
  // do in Prometheus).
  void AddSources(const std::vector<SourceInfo>& sources);

  // hookbridge_webhooks_received_total{source,outcome}
  void WebhookReceived(absl::string_view source, Outcome outcome);
  // hookbridge_events_appended_total{source,type}
  void EventAppended(absl::string_view source, absl::string_view type, bool typed);
  // hookbridge_ingest_duration_seconds: request read -> response ready.
  void ObserveIngest(absl::Duration duration);
  // hookbridge_subscribers
  void SubscriberConnected();
  void SubscriberDisconnected();
  // hookbridge_events_delivered_total{source}
  void EventDelivered(absl::string_view source);
  // hookbridge_delivery_latency_seconds: received -> written to a live
  // subscriber.
  void ObserveDeliveryLatency(absl::Duration latency);
  // hookbridge_subscriptions_total{result}: started, rejected.
  void SubscriptionStarted(bool ok);

  // Why a Subscribe was refused, for
  // hookbridge_subscriptions_rejected_total{reason}.
  enum class SubscribeRejection {
    kUnauthenticated,     // no or an unknown token
    kPermissionDenied,    // outside the token's grant
    kInvalidRequest,      // unparsable request or a bad filter entry
    kTooManyPatterns,     // over grpc.max_filter_patterns
    kTooManySubscribers,  // grpc.max_subscribers streams already open
    kOutOfRange,          // start position not retained or beyond the end
    kShuttingDown,
    kTooManyForToken,  // grpc.max_streams_per_token streams of its token open
  };
  static constexpr size_t kSubscribeRejections = 8;
  // Counts the rejection in both hookbridge_subscriptions_total{result=
  // "rejected"} and hookbridge_subscriptions_rejected_total{reason}.
  void SubscriptionRejected(SubscribeRejection reason);

  // Subscriber authentication outcomes, for
  // hookbridge_subscriber_auth_total{token,outcome}.
  enum class AuthOutcome { kOk, kMissing, kUnknown, kDenied };
  // Creates the series of every configured token (before serving, and for
  // tokens added by a config reload). Requests without a known token count
  // under token="_none".
  void RegisterTokens(const std::vector<std::string>& names);
  void SubscriberAuth(absl::string_view token, AuthOutcome outcome);

  // hookbridge_console_deliveries_evicted_total: deliveries dropped from the
  // console's ring (oldest first) to stay within its bounds.
  void ConsoleDeliveryEvicted();
  // hookbridge_console_streams_dropped_total: live-tail streams ended
  // because the browser did not read fast enough.
  void ConsoleStreamDropped();
  // hookbridge_console_requests_refused_total{reason}: console requests
  // answered 421 because of their Host header (reason "host": a page
  // reaching the admin listener under another name) or 401 for a missing
  // or wrong console token (reason "token").
  enum class ConsoleRefusal { kHost, kToken };
  void ConsoleRequestRefused(ConsoleRefusal reason);

  // hookbridge_log_retention_bytes: the configured size limit (0: none).
  void SetLogRetentionBytes(uint64_t bytes);

  // A config reload: hookbridge_config_reloads_total{result="applied" or
  // "rejected"}, hookbridge_config_last_reload_successful (1 or 0) and
  // hookbridge_config_generation (the config in force; 1 at start).
  void ConfigReloaded(bool applied, uint64_t generation);

  // One durable consumer, as a scrape finds it (hookbridge_consumer_*,
  // label consumer: names come from the config and CreateConsumer, at most
  // kMaxConsumers of them).
  struct ConsumerReport {
    std::string name;
    uint64_t ack_floor = 0;
    // Events in the log after the ack floor, matching or not: the log's
    // last sequence minus the ack floor, 0 when nothing is pending.
    uint64_t lag = 0;
    uint64_t pending = 0;
    uint64_t outstanding = 0;
    uint64_t dead_letters = 0;  // in the list now
    uint32_t members = 0;
    double oldest_pending_age_seconds = 0;  // 0: nothing pending
    // Totals since the consumer was opened by this process.
    uint64_t delivered = 0;
    uint64_t redelivered = 0;
    uint64_t acknowledged = 0;
    uint64_t negative_acknowledgements = 0;
    uint64_t rejected = 0;
    uint64_t dead_lettered = 0;
    uint64_t lost_to_retention = 0;
  };

  // hookbridge_grpc_connections_closed_total{reason="limit"}: connections
  // of the gRPC listener shut down over grpc.max_connections.
  void GrpcConnectionsShut(size_t n) { grpc_connections_shut_.Increment(static_cast<double>(n)); }
  // hookbridge_grpc_connections: the gRPC listener's open connections.
  void SetGrpcConnections(size_t n) { grpc_connections_.Set(static_cast<double>(n)); }

  // The text exposition format, after refreshing the log gauges,
  // hookbridge_subscriber_max_lag_events (how many events the furthest
  // behind open stream still has to read; 0 without streams), the
  // consumers' series (those of consumers no longer in `consumers` go) and
  // the process_* metrics.
  std::string Serialize(const LogStats& log_stats, uint64_t subscriber_max_lag,
                        const std::vector<ConsumerReport>& consumers = {});

 private:
  struct SourceCounters {
    std::array<prometheus::Counter*, std::size(kAllOutcomes)> received{};
    prometheus::Counter* delivered = nullptr;
    // By event type; guarded by appended_mu_.
    absl::flat_hash_map<std::string, prometheus::Counter*> appended;
    size_t untyped_types = 0;
  };
  SourceCounters* Find(absl::string_view source) ABSL_LOCKS_EXCLUDED(names_mu_);
  void AddSourcesLocked(const std::vector<std::string>& names)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(names_mu_);
  // Registers an unlabelled gauge.
  prometheus::Gauge& Gauge(const std::string& name, const std::string& help);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& appended_;
  prometheus::Family<prometheus::Counter>& delivered_;
  prometheus::Family<prometheus::Counter>& subscriptions_;
  prometheus::Family<prometheus::Gauge>& subscribers_family_;
  prometheus::Family<prometheus::Histogram>& ingest_family_;
  prometheus::Family<prometheus::Histogram>& latency_family_;

  prometheus::Gauge& subscribers_;
  // hookbridge_log_events, _bytes, _first_sequence, _last_sequence
  prometheus::Gauge& log_events_;
  prometheus::Gauge& log_bytes_;
  prometheus::Gauge& log_first_sequence_;
  prometheus::Gauge& log_last_sequence_;
  prometheus::Gauge& log_corrupt_records_;
  prometheus::Gauge& log_follower_restarts_;
  prometheus::Family<prometheus::Counter>& auth_family_;
  // token name -> counter per AuthOutcome; built by RegisterTokens. Read
  // once per Subscribe, under names_mu_.
  absl::flat_hash_map<std::string, std::array<prometheus::Counter*, 4>> auth_
      ABSL_GUARDED_BY(names_mu_);
  prometheus::Counter& console_evicted_;
  prometheus::Counter& console_streams_dropped_;
  prometheus::Family<prometheus::Counter>& console_refused_family_;
  prometheus::Counter& console_refused_host_;
  prometheus::Counter& console_refused_token_;
  prometheus::Gauge& log_retention_bytes_;
  prometheus::Gauge& subscriber_max_lag_;
  prometheus::Gauge& grpc_connections_;
  prometheus::Counter& grpc_connections_shut_;
  prometheus::Histogram& ingest_duration_;
  prometheus::Histogram& delivery_latency_;
  prometheus::Counter& subscriptions_started_;
  prometheus::Counter& subscriptions_rejected_;
  // By SubscribeRejection.
  std::array<prometheus::Counter*, kSubscribeRejections> rejections_{};

  // hookbridge_consumer_*: gauges set and counters advanced at each scrape.
  static constexpr size_t kConsumerGauges = 7;
  static constexpr size_t kConsumerCounters = 7;
  struct ConsumerSeries {
    std::array<prometheus::Gauge*, kConsumerGauges> gauges{};
    std::array<prometheus::Counter*, kConsumerCounters> counters{};
    std::array<uint64_t, kConsumerCounters> reported{};
  };
  void UpdateConsumers(const std::vector<ConsumerReport>& consumers);
  std::array<prometheus::Family<prometheus::Gauge>*, kConsumerGauges> consumer_gauges_{};
  std::array<prometheus::Family<prometheus::Counter>*, kConsumerCounters> consumer_counters_{};
  absl::Mutex consumers_mu_;
  absl::flat_hash_map<std::string, ConsumerSeries> consumer_series_ ABSL_GUARDED_BY(consumers_mu_);

  prometheus::Family<prometheus::Counter>& reloads_family_;
  prometheus::Counter& reloads_applied_;
  prometheus::Counter& reloads_rejected_;
  prometheus::Gauge& reload_successful_;
  prometheus::Gauge& config_generation_;
  ProcessCollector process_;

  // The sources' counters by name. Lookups on the hot paths (every
  // webhook, every delivery) take no lock: they read the current map
  // through an atomic pointer. A reload that adds sources publishes a new
  // map (under names_mu_); old maps are kept until the Metrics object is
  // destroyed (a handful per reload that adds a source), so a reader never
  // sees one freed. SourceCounters never move (their `appended` maps and
  // `untyped_types` change under appended_mu_).
  using SourceMap = absl::flat_hash_map<std::string, SourceCounters*>;
  absl::Mutex names_mu_;
  std::atomic<const SourceMap*> sources_{nullptr};
  std::vector<std::unique_ptr<SourceMap>> source_maps_ ABSL_GUARDED_BY(names_mu_);
  std::vector<std::unique_ptr<SourceCounters>> source_counters_ ABSL_GUARDED_BY(names_mu_);
  absl::Mutex appended_mu_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_METRICS_METRICS_H_
