#include "server/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include "server/build_info.h"

namespace hookbridge {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

const Histogram::BucketBoundaries kIngestBuckets = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1};
const Histogram::BucketBoundaries kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5, 10};

}  // namespace

Metrics::Metrics(const std::vector<SourceInfo>& sources)
    : registry_(std::make_shared<prometheus::Registry>()),
      received_(BuildCounter()
                    .Name("hookbridge_webhooks_received_total")
                    .Help("Webhook requests received, by source and outcome.")
                    .Register(*registry_)),
      appended_(BuildCounter()
                    .Name("hookbridge_events_appended_total")
                    .Help("Events appended to the log, by source and event type.")
                    .Register(*registry_)),
      delivered_(BuildCounter()
                     .Name("hookbridge_events_delivered_total")
                     .Help("Events written to subscribers, by source of the event.")
                     .Register(*registry_)),
      subscriptions_(BuildCounter()
                         .Name("hookbridge_subscriptions_total")
                         .Help("Subscribe calls, by result (started or rejected).")
                         .Register(*registry_)),
      subscribers_family_(BuildGauge()
                              .Name("hookbridge_subscribers")
                              .Help("Subscription streams currently open.")
                              .Register(*registry_)),
      ingest_family_(BuildHistogram()
                         .Name("hookbridge_ingest_duration_seconds")
                         .Help("Time from a webhook request fully read to its answer ready, "
                               "including the log append.")
                         .Register(*registry_)),
      latency_family_(BuildHistogram()
                          .Name("hookbridge_delivery_latency_seconds")
                          .Help("Time from a webhook received to its event written to a live "
                                "subscriber.")
                          .Register(*registry_)),
      subscribers_(subscribers_family_.Add({})),
      log_events_(Gauge("hookbridge_log_events", "Events retained in the log.")),
      log_bytes_(Gauge("hookbridge_log_bytes", "Bytes retained in the log.")),
      log_first_sequence_(
          Gauge("hookbridge_log_first_sequence", "Sequence of the oldest retained event.")),
      log_last_sequence_(
          Gauge("hookbridge_log_last_sequence", "Sequence of the newest appended event.")),
      log_corrupt_records_(Gauge("hookbridge_log_corrupt_records",
                                 "Corrupt records found in the log files and skipped.")),
      log_follower_restarts_(Gauge("hookbridge_log_follower_restarts",
                                   "Times this replica found the consumer following the shared "
                                   "log (JetStream) stalled behind it and replaced it.")),
      auth_family_(BuildCounter()
                       .Name("hookbridge_subscriber_auth_total")
                       .Help("Subscriber authentication, by token name and outcome (ok, "
                             "missing, unknown, denied).")
                       .Register(*registry_)),
      console_evicted_(BuildCounter()
                           .Name("hookbridge_console_deliveries_evicted_total")
                           .Help("Deliveries dropped from the operator console's ring, oldest "
                                 "first, to stay within admin.console_deliveries and "
                                 "admin.console_bytes.")
                           .Register(*registry_)
                           .Add({})),
      console_streams_dropped_(BuildCounter()
                                   .Name("hookbridge_console_streams_dropped_total")
                                   .Help("Console live-tail streams ended because the browser "
                                         "did not read fast enough.")
                                   .Register(*registry_)
                                   .Add({})),
      console_refused_family_(BuildCounter()
                                  .Name("hookbridge_console_requests_refused_total")
                                  .Help("Console requests refused, by reason: host (a Host the "
                                        "console does not answer, 421: DNS rebinding) or token "
                                        "(no or a wrong admin.console_token_sha256 token, 401).")
                                  .Register(*registry_)),
      console_refused_host_(console_refused_family_.Add({{"reason", "host"}})),
      console_refused_token_(console_refused_family_.Add({{"reason", "token"}})),
      log_retention_bytes_(Gauge("hookbridge_log_retention_bytes",
                                 "Configured size limit of the log (0: none); beyond it the "
                                 "oldest events are deleted.")),
      subscriber_max_lag_(Gauge("hookbridge_subscriber_max_lag_events",
                                "Events the furthest-behind open stream has yet to read.")),
      grpc_connections_(Gauge("hookbridge_grpc_connections",
                              "Open connections of the gRPC listener (grpc.max_connections).")),
      grpc_connections_shut_(BuildCounter()
                                 .Name("hookbridge_grpc_connections_closed_total")
                                 .Help("gRPC connections closed by hookbridge, by reason (limit: "
                                       "over grpc.max_connections, without a stream).")
                                 .Register(*registry_)
                                 .Add({{"reason", "limit"}})),
      ingest_duration_(ingest_family_.Add({}, kIngestBuckets)),
      delivery_latency_(latency_family_.Add({}, kLatencyBuckets)),
      subscriptions_started_(subscriptions_.Add({{"result", "started"}})),
      subscriptions_rejected_(subscriptions_.Add({{"result", "rejected"}})),
      reloads_family_(BuildCounter()
                          .Name("hookbridge_config_reloads_total")
                          .Help("Config reloads (SIGHUP or a changed config file), by result: "
                                "applied, or rejected (the running config stays in force).")
                          .Register(*registry_)),
      reloads_applied_(reloads_family_.Add({{"result", "applied"}})),
      reloads_rejected_(reloads_family_.Add({{"result", "rejected"}})),
      reload_successful_(Gauge("hookbridge_config_last_reload_successful",
                               "Whether the last config reload was applied (1) or rejected "
                               "(0); 1 before any reload.")),
      config_generation_(Gauge("hookbridge_config_generation",
                               "Generation of the config in force: 1 at start, one more per "
                               "applied reload.")) {
  reload_successful_.Set(1);
  config_generation_.Set(1);
  BuildGauge()
      .Name("hookbridge_build_info")
      .Help(
          "Always 1; its labels say what the binary was built from: version (the project "
          "version) and revision (the git commit, or \"unknown\").")
      .Register(*registry_)
      .Add({{"version", BuildVersion()}, {"revision", BuildRevision()}})
      .Set(1);
  auto& rejections = BuildCounter()
                         .Name("hookbridge_subscriptions_rejected_total")
                         .Help("Subscribe calls refused, by reason.")
                         .Register(*registry_);
  const char* reasons[kSubscribeRejections] = {
      "unauthenticated",      "permission_denied", "invalid_request", "too_many_patterns",
      "too_many_subscribers", "out_of_range",      "shutting_down",   "too_many_streams_for_token"};
  for (size_t i = 0; i < kSubscribeRejections; ++i) {
    rejections_[i] = &rejections.Add({{"reason", reasons[i]}});
  }
  const std::array<std::pair<const char*, const char*>, kConsumerGauges> gauges = {{
      {"hookbridge_consumer_ack_floor",
       "Every event of the consumer up to this sequence is acknowledged or dead."},
      {"hookbridge_consumer_pending_events",
       "Events of the consumer delivered and not acknowledged, plus matching events not yet "
       "delivered (events not yet read from the log all counted as matching)."},
      {"hookbridge_consumer_outstanding_events",
       "Events of the consumer delivered to a member and not yet acknowledged."},
      {"hookbridge_consumer_oldest_pending_age_seconds",
       "Age of the consumer's oldest pending event (0 when none is pending)."},
      {"hookbridge_consumer_members", "Members connected to the consumer on this server."},
      {"hookbridge_consumer_dead_letters", "Events in the consumer's dead-letter list."},
      {"hookbridge_consumer_lag_events",
       "Events in the log after the consumer's ack floor, matching its filter or not (0 when "
       "nothing is pending): how far it is behind the log's end, as "
       "hookbridge_subscriber_max_lag_events is for streams."},
  }};
  for (size_t i = 0; i < kConsumerGauges; ++i) {
    consumer_gauges_[i] =
        &BuildGauge().Name(gauges[i].first).Help(gauges[i].second).Register(*registry_);
  }
  const std::array<std::pair<const char*, const char*>, kConsumerCounters> counters = {{
      {"hookbridge_consumer_delivered_total",
       "Events delivered to the consumer's members, redeliveries included."},
      {"hookbridge_consumer_redelivered_total",
       "Deliveries after an event's first (deadline passed, nack, member gone)."},
      {"hookbridge_consumer_acknowledged_total", "Acknowledgements accepted."},
      {"hookbridge_consumer_nacked_total", "Negative acknowledgements accepted."},
      {"hookbridge_consumer_rejected_acks_total",
       "Acknowledgements, nacks and deadline extensions of events not outstanding at the "
       "member that sent them (reported in its stream and ignored)."},
      {"hookbridge_consumer_dead_lettered_total",
       "Events that became dead letters after max_deliveries."},
      {"hookbridge_consumer_lost_to_retention_total",
       "Events of the consumer the log's retention by size deleted before they were "
       "acknowledged (the members get a Gap)."},
  }};
  for (size_t i = 0; i < kConsumerCounters; ++i) {
    consumer_counters_[i] =
        &BuildCounter().Name(counters[i].first).Help(counters[i].second).Register(*registry_);
  }
  std::vector<std::string> names;
  for (const SourceInfo& s : sources) names.push_back(s.name);
  names.emplace_back(kUnknownSource);
  absl::MutexLock lock(&names_mu_);
  AddSourcesLocked(names);
}

void Metrics::AddSources(const std::vector<SourceInfo>& sources) {
  std::vector<std::string> names;
  for (const SourceInfo& s : sources) names.push_back(s.name);
  absl::MutexLock lock(&names_mu_);
  AddSourcesLocked(names);
}

void Metrics::AddSourcesLocked(const std::vector<std::string>& names) {
  const SourceMap* current = sources_.load(std::memory_order_acquire);
  auto next =
      current != nullptr ? std::make_unique<SourceMap>(*current) : std::make_unique<SourceMap>();
  bool added = false;
  for (const std::string& name : names) {
    SourceCounters*& slot = (*next)[name];
    if (slot != nullptr) continue;
    auto counters = std::make_unique<SourceCounters>();
    for (size_t i = 0; i < std::size(kAllOutcomes); ++i) {
      counters->received[i] = &received_.Add(
          {{"source", name}, {"outcome", std::string(OutcomeName(kAllOutcomes[i]))}});
    }
    counters->delivered = &delivered_.Add({{"source", name}});
    slot = counters.get();
    source_counters_.push_back(std::move(counters));
    added = true;
  }
  if (!added) return;
  sources_.store(next.get(), std::memory_order_release);
  source_maps_.push_back(std::move(next));
}

void Metrics::ConfigReloaded(bool applied, uint64_t generation) {
  (applied ? reloads_applied_ : reloads_rejected_).Increment();
  reload_successful_.Set(applied ? 1 : 0);
  config_generation_.Set(static_cast<double>(generation));
}

prometheus::Gauge& Metrics::Gauge(const std::string& name, const std::string& help) {
  return BuildGauge().Name(name).Help(help).Register(*registry_).Add({});
}

Metrics::SourceCounters* Metrics::Find(absl::string_view source) {
  const SourceMap& sources = *sources_.load(std::memory_order_acquire);
  auto it = sources.find(source);
  if (it == sources.end()) it = sources.find(kUnknownSource);
  return it->second;
}

void Metrics::WebhookReceived(absl::string_view source, Outcome outcome) {
  Find(source)->received[static_cast<size_t>(outcome)]->Increment();
}

void Metrics::EventAppended(absl::string_view source, absl::string_view type, bool typed) {
  SourceCounters* counters = Find(source);
  absl::MutexLock lock(&appended_mu_);
  auto it = counters->appended.find(type);
  if (it == counters->appended.end()) {
    // Untyped types come from outside: cap how many get their own series.
    if (!typed && counters->untyped_types >= kMaxUntypedTypesPerSource) type = "_other";
    it = counters->appended.find(type);
    if (it == counters->appended.end()) {
      if (!typed) ++counters->untyped_types;
      prometheus::Counter* counter =
          &appended_.Add({{"source", std::string(source)}, {"type", std::string(type)}});
      it = counters->appended.emplace(type, counter).first;
    }
  }
  it->second->Increment();
}

void Metrics::ObserveIngest(absl::Duration duration) {
  ingest_duration_.Observe(absl::ToDoubleSeconds(duration));
}

void Metrics::SubscriberConnected() { subscribers_.Increment(); }
void Metrics::SubscriberDisconnected() { subscribers_.Decrement(); }

void Metrics::EventDelivered(absl::string_view source) { Find(source)->delivered->Increment(); }

void Metrics::ObserveDeliveryLatency(absl::Duration latency) {
  delivery_latency_.Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::SubscriptionStarted(bool ok) {
  (ok ? subscriptions_started_ : subscriptions_rejected_).Increment();
}

void Metrics::SubscriptionRejected(SubscribeRejection reason) {
  subscriptions_rejected_.Increment();
  rejections_[static_cast<size_t>(reason)]->Increment();
}

void Metrics::RegisterTokens(const std::vector<std::string>& names) {
  std::vector<std::string> all = names;
  all.emplace_back("_none");
  absl::MutexLock lock(&names_mu_);
  for (const std::string& name : all) {
    if (auth_.contains(name)) continue;
    std::array<prometheus::Counter*, 4>& counters = auth_[name];
    const char* outcomes[] = {"ok", "missing", "unknown", "denied"};
    for (size_t i = 0; i < 4; ++i) {
      counters[i] = &auth_family_.Add({{"token", name}, {"outcome", outcomes[i]}});
    }
  }
}

void Metrics::SubscriberAuth(absl::string_view token, AuthOutcome outcome) {
  absl::ReaderMutexLock lock(&names_mu_);
  auto it = auth_.find(token);
  if (it == auth_.end()) it = auth_.find("_none");
  if (it == auth_.end()) return;  // RegisterTokens was not called
  it->second[static_cast<size_t>(outcome)]->Increment();
}

void Metrics::ConsoleDeliveryEvicted() { console_evicted_.Increment(); }
void Metrics::ConsoleStreamDropped() { console_streams_dropped_.Increment(); }
void Metrics::ConsoleRequestRefused(ConsoleRefusal reason) {
  (reason == ConsoleRefusal::kHost ? console_refused_host_ : console_refused_token_).Increment();
}

void Metrics::SetLogRetentionBytes(uint64_t bytes) {
  log_retention_bytes_.Set(static_cast<double>(bytes));
}

void Metrics::UpdateConsumers(const std::vector<ConsumerReport>& consumers) {
  absl::MutexLock lock(&consumers_mu_);
  absl::flat_hash_map<std::string, ConsumerSeries> next;
  for (const ConsumerReport& c : consumers) {
    const std::array<double, kConsumerGauges> gauges = {
        static_cast<double>(c.ack_floor),   static_cast<double>(c.pending),
        static_cast<double>(c.outstanding), c.oldest_pending_age_seconds,
        static_cast<double>(c.members),     static_cast<double>(c.dead_letters),
        static_cast<double>(c.lag)};
    const std::array<uint64_t, kConsumerCounters> totals = {
        c.delivered, c.redelivered,   c.acknowledged,     c.negative_acknowledgements,
        c.rejected,  c.dead_lettered, c.lost_to_retention};
    const prometheus::Labels labels = {{"consumer", c.name}};
    ConsumerSeries series;
    if (auto it = consumer_series_.find(c.name); it != consumer_series_.end()) {
      series = it->second;
      consumer_series_.erase(it);
    } else {
      for (size_t i = 0; i < kConsumerGauges; ++i)
        series.gauges[i] = &consumer_gauges_[i]->Add(labels);
      for (size_t i = 0; i < kConsumerCounters; ++i) {
        series.counters[i] = &consumer_counters_[i]->Add(labels);
      }
    }
    for (size_t i = 0; i < kConsumerGauges; ++i) series.gauges[i]->Set(gauges[i]);
    for (size_t i = 0; i < kConsumerCounters; ++i) {
      if (totals[i] < series.reported[i]) {  // opened again (deleted and created): a reset
        consumer_counters_[i]->Remove(series.counters[i]);
        series.counters[i] = &consumer_counters_[i]->Add(labels);
        series.reported[i] = 0;
      }
      series.counters[i]->Increment(static_cast<double>(totals[i] - series.reported[i]));
      series.reported[i] = totals[i];
    }
    next.emplace(c.name, series);
  }
  // Consumers deleted since the last scrape.
  for (const auto& [name, series] : consumer_series_) {
    for (size_t i = 0; i < kConsumerGauges; ++i) consumer_gauges_[i]->Remove(series.gauges[i]);
    for (size_t i = 0; i < kConsumerCounters; ++i) {
      consumer_counters_[i]->Remove(series.counters[i]);
    }
  }
  consumer_series_ = std::move(next);
}

std::string Metrics::Serialize(const LogStats& log_stats, uint64_t subscriber_max_lag,
                               const std::vector<ConsumerReport>& consumers) {
  UpdateConsumers(consumers);
  subscriber_max_lag_.Set(static_cast<double>(subscriber_max_lag));
  log_events_.Set(static_cast<double>(log_stats.events));
  log_bytes_.Set(static_cast<double>(log_stats.bytes));
  log_first_sequence_.Set(static_cast<double>(log_stats.first_sequence));
  log_last_sequence_.Set(static_cast<double>(log_stats.last_sequence));
  log_corrupt_records_.Set(static_cast<double>(log_stats.corrupt_records));
  log_follower_restarts_.Set(static_cast<double>(log_stats.follower_restarts));
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (prometheus::MetricFamily& family : process_.Collect()) families.push_back(std::move(family));
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace hookbridge
