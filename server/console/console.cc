#include "server/console/console.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/console/console_json.h"

namespace hookbridge {

bool DeliveryQuery::Matches(const Delivery& delivery) const {
  if (!source.empty() && delivery.source != source) return false;
  if (outcome.has_value() && delivery.outcome != *outcome) return false;
  if (type.has_value() && (delivery.type.empty() || !type->Matches(delivery.type))) return false;
  if (before != 0 && delivery.id >= before) return false;
  return delivery.id > after;
}

std::string DeliveryEvent(const Delivery& delivery) {
  std::string event = absl::StrCat("id: ", delivery.id, "\nevent: delivery\ndata: ");
  AppendDeliverySummary(delivery, &event);
  event.append("\n\n");
  return event;
}

Console::Console(Options options, const std::vector<SourceInfo>& sources, Metrics* metrics)
    : metrics_(metrics),
      started_at_(absl::Now()),
      enabled_(options.enabled),
      body_preview_bytes_(options.body_preview_bytes),
      options_(options),
      sources_(sources) {}

Console::Options Console::options() const {
  absl::MutexLock lock(&mu_);
  return options_;
}

void Console::Reconfigure(Options options, const std::vector<SourceInfo>& sources) {
  size_t evicted = 0;
  std::vector<LiveStream> ended;
  {
    absl::MutexLock lock(&mu_);
    options_ = options;
    sources_ = sources;
    enabled_.store(options.enabled, std::memory_order_release);
    body_preview_bytes_.store(options.body_preview_bytes, std::memory_order_relaxed);
    evicted = Evict();
    if (!options.enabled) ended.swap(live_);
  }
  for (const LiveStream& live : ended) live.stream->Close();
  for (size_t i = 0; i < evicted; ++i) metrics_->ConsoleDeliveryEvicted();
}

void Console::SetReloadStatus(ReloadStatus status) {
  absl::MutexLock lock(&mu_);
  reload_status_ = std::move(status);
}

Console::ReloadStatus Console::reload_status() const {
  absl::MutexLock lock(&mu_);
  return reload_status_;
}

size_t Console::Evict() {
  size_t evicted = 0;
  // The newest stays even if it alone is over the byte bound.
  while (ring_.size() > 1 &&
         (ring_.size() > options_.max_deliveries || ring_bytes_ > options_.max_bytes)) {
    ring_bytes_ -= ring_.front()->ByteSize();
    ring_.pop_front();
    ++evicted;
  }
  evicted_ += evicted;
  return evicted;
}

void Console::Record(Delivery delivery) {
  const int64_t second = absl::ToUnixSeconds(delivery.received_at);
  const size_t outcome = static_cast<size_t>(delivery.outcome);
  absl::MutexLock lock(&mu_);
  delivery.id = ++last_id_;
  for (size_t i = 0; i < sources_.size(); ++i) {
    if (sources_[i].name != delivery.source) continue;
    Counters& counters = counters_[sources_[i].name];
    ++counters.total[outcome];
    Counters::Second& slot = counters.seconds[static_cast<size_t>(((second % 60) + 60) % 60)];
    if (slot.unix_second != second) {
      slot.unix_second = second;
      slot.counts.fill(0);
    }
    ++slot.counts[outcome];
    break;
  }
  auto shared = std::make_shared<const Delivery>(std::move(delivery));
  ring_bytes_ += shared->ByteSize();
  ring_.push_back(shared);
  const size_t evicted = Evict();
  if (!live_.empty()) {
    std::string event;
    live_.erase(std::remove_if(live_.begin(), live_.end(),
                               [&](const LiveStream& live) {
                                 if (!live.query.Matches(*shared)) return live.stream->done();
                                 if (event.empty()) event = DeliveryEvent(*shared);
                                 return !Send(live, event);
                               }),
                live_.end());
  }
  for (size_t i = 0; i < evicted; ++i) metrics_->ConsoleDeliveryEvicted();
}

bool Console::Send(const LiveStream& live, std::string event) {
  if (live.stream->Write(std::move(event))) return true;
  if (live.stream->overflowed()) metrics_->ConsoleStreamDropped();
  return false;
}

std::vector<DeliveryPtr> Console::Find(const DeliveryQuery& query) const {
  std::vector<DeliveryPtr> found;
  absl::MutexLock lock(&mu_);
  for (auto it = ring_.rbegin(); it != ring_.rend() && found.size() < query.limit; ++it) {
    if ((*it)->id <= query.after) break;
    if (query.Matches(**it)) found.push_back(*it);
  }
  return found;
}

DeliveryPtr Console::Get(uint64_t id) const {
  absl::MutexLock lock(&mu_);
  if (ring_.empty() || id < ring_.front()->id || id > ring_.back()->id) return nullptr;
  // Ids are consecutive in the ring.
  return ring_[id - ring_.front()->id];
}

Console::RingStats Console::Stats() const {
  absl::MutexLock lock(&mu_);
  return RingStats{ring_.size(), ring_bytes_, evicted_, last_id_};
}

std::vector<Console::SourceCounts> Console::Counts(absl::Time now) const {
  const int64_t now_second = absl::ToUnixSeconds(now);
  absl::MutexLock lock(&mu_);
  std::vector<SourceCounts> counts(sources_.size());
  for (size_t i = 0; i < sources_.size(); ++i) {
    counts[i].source = sources_[i];
    auto it = counters_.find(sources_[i].name);
    if (it == counters_.end()) continue;
    counts[i].total = it->second.total;
    for (const Counters::Second& slot : it->second.seconds) {
      if (slot.unix_second > now_second - 60 && slot.unix_second <= now_second) {
        for (size_t o = 0; o < slot.counts.size(); ++o) counts[i].last_minute[o] += slot.counts[o];
      }
    }
  }
  return counts;
}

absl::Status Console::AddStream(std::shared_ptr<HttpStream> stream, DeliveryQuery query) {
  absl::MutexLock lock(&mu_);
  live_.erase(std::remove_if(live_.begin(), live_.end(),
                             [](const LiveStream& live) { return live.stream->done(); }),
              live_.end());
  if (live_.size() >= kMaxStreams) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "already ", live_.size(), " live console streams open, the most this server keeps"));
  }
  LiveStream live{std::move(stream), std::move(query)};
  // Under the lock, so nothing recorded meanwhile is missed or sent twice.
  // The newest query.limit of them, oldest first, within half the queue.
  std::vector<const Delivery*> missed;
  for (auto it = ring_.rbegin(); it != ring_.rend() && missed.size() < live.query.limit; ++it) {
    if ((*it)->id <= live.query.after) break;
    if (live.query.Matches(**it)) missed.push_back(it->get());
  }
  std::string backlog;
  for (auto it = missed.rbegin(); it != missed.rend(); ++it) {
    backlog.append(DeliveryEvent(**it));
  }
  if (backlog.size() > kStreamQueueBytes / 2) backlog.clear();
  if (!backlog.empty() && !Send(live, std::move(backlog))) return absl::OkStatus();
  live_.push_back(std::move(live));
  return absl::OkStatus();
}

size_t Console::streams() const {
  absl::MutexLock lock(&mu_);
  size_t open = 0;
  for (const LiveStream& live : live_) open += live.stream->done() ? 0 : 1;
  return open;
}

}  // namespace hookbridge
