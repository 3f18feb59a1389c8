// nats_latency: the NATS baseline of the end-to-end latency benchmark
// (bench/latency.sh, see bench/README.md). Core NATS publish -> subscriber
// latency at a fixed offered rate, open loop, through the NATS C client;
// publisher and subscriber in one process, as load_gen holds both its HTTP
// connections and its gRPC subscriber.
//
// Message i is due at t0 + i / rate. The publisher sleeps until the next
// message is due, then publishes every message due by then (one that falls
// behind catches up at once, and its lateness counts), on its own connection
// with SendAsap: each publish is written to the socket at once instead of
// being left to the client's flusher thread, the lowest latency the client
// offers. Each message is --bytes long (the size of a serialized hookbridge
// event) and starts with its index. The subscriber, on its own connection,
// is an async subscription (the client's reader thread hands each message to
// the subscription's delivery thread, whose callback timestamps it), pending
// limits lifted so the client drops nothing. Latency counts from when a
// message was due (no coordinated omission). Percentiles, clock and JSON
// shape are load_gen's (bench/percentiles.h, bench/clock.h); exit 1 if a
// message published is not received within --drain_seconds, or on an async
// error.
#include <nats/nats.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "bench/clock.h"
#include "bench/percentiles.h"

ABSL_FLAG(std::string, url, "nats://127.0.0.1:4222", "nats-server URL");
ABSL_FLAG(double, rate, 1000, "offered rate in messages/s (open loop)");
ABSL_FLAG(double, seconds, 5, "how long to publish");
ABSL_FLAG(int, bytes, 700, "message size (at least 8)");
ABSL_FLAG(bool, send_asap, true, "write each publish to the socket at once (SendAsap)");
ABSL_FLAG(double, drain_seconds, 5, "how long to wait for deliveries after publishing");
ABSL_FLAG(int, server_pid, 0,
          "the server's pid: its CPU time over the measured window is reported");
ABSL_FLAG(std::string, label, "nats", "name of this run in the output");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace {

using hookbridge::bench::CpuWindow;
using hookbridge::bench::NowNs;
using hookbridge::bench::Percentiles;
using hookbridge::bench::PercentilesJson;
using hookbridge::bench::Summarize;

// The index warm-up messages carry; measured ones carry 0..N-1.
constexpr uint64_t kWarmUp = std::numeric_limits<uint64_t>::max();

// The stages of a message's latency: due -> publish called (the pacing
// timer's lateness, or catching up) -> received by the subscriber's callback.
constexpr int kStages = 2;
constexpr const char* kStageNames[kStages] = {"due_to_written", "written_to_received"};

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "nats_latency: %s\n", message.c_str());
  std::exit(1);
}

void Check(natsStatus status, const char* what) {
  if (status == NATS_OK) return;
  const char* detail = nats_GetLastError(nullptr);
  Die(absl::StrCat(what, ": ", natsStatus_GetText(status),
                   detail != nullptr && *detail != 0 ? absl::StrCat(" (", detail, ")") : ""));
}

// What the subscriber's callback records. The callback runs on the
// subscription's one delivery thread; the main thread reads the counters at
// any time and the arrival times once `received` says they are all there
// (or the drain time is over).
struct Arrivals {
  explicit Arrivals(size_t capacity) : received_ns(capacity) {}
  std::vector<std::atomic<int64_t>> received_ns;  // 0: not received
  std::atomic<int64_t> received{0};
  std::atomic<bool> warm{false};
  std::atomic<int64_t> unexpected{0};  // duplicates, bad indexes, short messages
  std::atomic<int64_t> async_errors{0};
  std::atomic<int64_t> slow_consumer_errors{0};
  std::atomic<int64_t> last_ns{0};
};

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  const int64_t now = NowNs();
  Arrivals* a = static_cast<Arrivals*>(closure);
  uint64_t index = kWarmUp;
  const bool readable = natsMsg_GetDataLength(msg) >= 8;
  if (readable) std::memcpy(&index, natsMsg_GetData(msg), sizeof index);
  natsMsg_Destroy(msg);
  if (readable && index == kWarmUp) {
    a->warm.store(true, std::memory_order_release);
    return;
  }
  int64_t expected = 0;
  if (!readable || index >= a->received_ns.size() ||
      !a->received_ns[index].compare_exchange_strong(expected, now, std::memory_order_relaxed)) {
    a->unexpected.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  a->last_ns.store(now, std::memory_order_relaxed);
  a->received.fetch_add(1, std::memory_order_release);
}

void OnError(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
  Arrivals* a = static_cast<Arrivals*>(closure);
  a->async_errors.fetch_add(1);
  if (err == NATS_SLOW_CONSUMER) a->slow_consumer_errors.fetch_add(1);
}

natsConnection* Connect(const std::string& url, const char* name, bool send_asap, Arrivals* a) {
  natsOptions* options = nullptr;
  Check(natsOptions_Create(&options), "natsOptions_Create");
  Check(natsOptions_SetURL(options, url.c_str()), "natsOptions_SetURL");
  Check(natsOptions_SetName(options, name), "natsOptions_SetName");
  Check(natsOptions_SetSendAsap(options, send_asap), "natsOptions_SetSendAsap");
  Check(natsOptions_SetErrorHandler(options, OnError, a), "natsOptions_SetErrorHandler");
  natsConnection* connection = nullptr;
  Check(natsConnection_Connect(&connection, options), ("connect " + url).c_str());
  natsOptions_Destroy(options);
  return connection;
}

void SleepUntil(int64_t monotonic_ns) {
  timespec ts{};
  ts.tv_sec = monotonic_ns / 1'000'000'000;
  ts.tv_nsec = monotonic_ns % 1'000'000'000;
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

int Run() {
  const std::string url = absl::GetFlag(FLAGS_url);
  const double rate = absl::GetFlag(FLAGS_rate);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const int bytes = std::max(8, absl::GetFlag(FLAGS_bytes));
  const bool send_asap = absl::GetFlag(FLAGS_send_asap);
  const std::string label = absl::GetFlag(FLAGS_label);
  if (rate <= 0 || seconds <= 0) Die("--rate and --seconds must be positive");
  const int64_t count = static_cast<int64_t>(rate * seconds + 0.5);
  // NowNs() is std::chrono::steady_clock, which is CLOCK_MONOTONIC here:
  // the clock SleepUntil sleeps on.
  static_assert(std::chrono::steady_clock::is_steady);

  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // microsecond-precise pacing, as load_gen
  Check(nats_Open(-1), "nats_Open");
  Arrivals arrivals(static_cast<size_t>(count));
  // A subject of this run only.
  const std::string subject = absl::StrCat("bench.latency.", getpid(), ".", NowNs());
  natsConnection* sub_conn = Connect(url, "latency-subscriber", false, &arrivals);
  natsSubscription* sub = nullptr;
  Check(natsConnection_Subscribe(&sub, sub_conn, subject.c_str(), OnMessage, &arrivals),
        "natsConnection_Subscribe");
  // No limit: the client keeps whatever arrives instead of dropping it.
  Check(natsSubscription_SetPendingLimits(sub, -1, -1), "natsSubscription_SetPendingLimits");
  Check(natsConnection_Flush(sub_conn), "natsConnection_Flush");  // the server has it
  natsConnection* pub_conn = Connect(url, "latency-publisher", send_asap, &arrivals);

  std::string payload(static_cast<size_t>(bytes), 'x');
  auto publish = [&](uint64_t index) {
    std::memcpy(payload.data(), &index, sizeof index);
    Check(natsConnection_Publish(pub_conn, subject.c_str(), payload.data(), bytes),
          "natsConnection_Publish");
  };
  // Warm-up, as load_gen's: until one message has made the whole trip.
  const int64_t give_up = NowNs() + 10'000'000'000;
  while (!arrivals.warm.load(std::memory_order_acquire)) {
    if (NowNs() > give_up) Die("the subscriber received no warm-up message in 10 s");
    publish(kWarmUp);
    Check(natsConnection_Flush(pub_conn), "natsConnection_Flush");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  CpuWindow cpu(absl::GetFlag(FLAGS_server_pid));
  cpu.Start();
  std::vector<int64_t> due_ns(static_cast<size_t>(count));
  std::vector<int64_t> written_ns(static_cast<size_t>(count));
  const double interval_ns = 1e9 / rate;
  const int64_t t0 = NowNs();
  int64_t max_backlog = 0;
  int64_t last_publish_ns = t0;
  for (int64_t i = 0; i < count;) {
    const int64_t due = t0 + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
    int64_t now = NowNs();
    if (now < due) {
      SleepUntil(due);
      now = NowNs();
    }
    // Every message due by now, at once.
    const int64_t overdue = static_cast<int64_t>(static_cast<double>(now - t0) / interval_ns) + 1;
    max_backlog = std::max(max_backlog, std::min(overdue, count) - i);
    do {
      const size_t k = static_cast<size_t>(i);
      due_ns[k] = t0 + static_cast<int64_t>(static_cast<double>(i) * interval_ns);
      written_ns[k] = NowNs();
      publish(static_cast<uint64_t>(i));
      ++i;
    } while (i < count && i < overdue);
    last_publish_ns = NowNs();
  }
  Check(natsConnection_Flush(pub_conn), "natsConnection_Flush");
  const int64_t drain_until =
      NowNs() + static_cast<int64_t>(absl::GetFlag(FLAGS_drain_seconds) * 1e9);
  while (arrivals.received.load(std::memory_order_acquire) < count && NowNs() < drain_until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  cpu.Stop();

  std::vector<int64_t> e2e_ns;
  e2e_ns.reserve(static_cast<size_t>(count));
  std::vector<int64_t> stage_ns[kStages];
  int64_t missing = 0;
  for (size_t k = 0; k < static_cast<size_t>(count); ++k) {
    const int64_t at = arrivals.received_ns[k].load(std::memory_order_relaxed);
    if (at == 0) {
      ++missing;
      continue;
    }
    e2e_ns.push_back(at - due_ns[k]);
    stage_ns[0].push_back(written_ns[k] - due_ns[k]);
    stage_ns[1].push_back(at - written_ns[k]);
  }
  // Where the slowest 1 % spent their time, as load_gen reports it.
  double tail_stage_us[kStages] = {};
  int64_t tail_count = 0;
  if (!e2e_ns.empty()) {
    std::vector<int64_t> sorted = e2e_ns;
    std::sort(sorted.begin(), sorted.end());
    const int64_t p99 =
        sorted[std::min(sorted.size() - 1, static_cast<size_t>(0.99 * sorted.size()))];
    for (size_t k = 0; k < e2e_ns.size(); ++k) {
      if (e2e_ns[k] < p99) continue;
      ++tail_count;
      for (int j = 0; j < kStages; ++j) tail_stage_us[j] += stage_ns[j][k] / 1000.0;
    }
    for (double& v : tail_stage_us) v /= static_cast<double>(tail_count);
  }
  Percentiles stage_percentiles[kStages];
  for (int j = 0; j < kStages; ++j) stage_percentiles[j] = Summarize(&stage_ns[j]);
  const Percentiles e2e = Summarize(&e2e_ns);

  int64_t dropped = 0;
  natsSubscription_GetDropped(sub, &dropped);
  const int64_t received = arrivals.received.load();
  const double publish_s = static_cast<double>(std::max<int64_t>(last_publish_ns - t0, 1)) / 1e9;
  const int64_t last_ns = arrivals.last_ns.load();
  const double receive_s = static_cast<double>(std::max<int64_t>(last_ns - t0, 1)) / 1e9;
  const double published_per_s = static_cast<double>(count) / publish_s;
  const double received_per_s = static_cast<double>(received) / receive_s;
  const int64_t unexpected = arrivals.unexpected.load();
  const int64_t async_errors = arrivals.async_errors.load();
  const int64_t slow = arrivals.slow_consumer_errors.load();
  const bool ok = missing == 0 && unexpected == 0 && async_errors == 0 && dropped == 0;

  std::printf(
      "%s: open loop at %g/s, %.1f s, %d-byte messages: published %lld (%.0f/s), received %lld "
      "(%.0f/s)%s\n",
      label.c_str(), rate, seconds, bytes, static_cast<long long>(count), published_per_s,
      static_cast<long long>(received), received_per_s, ok ? "" : "; FAILED");
  if (max_backlog > 1) {
    std::printf("  fell behind the offered rate: up to %lld messages overdue at once\n",
                static_cast<long long>(max_backlog));
  }
  std::printf(
      "  end to end (due -> received) us: p50 %.1f p99 %.1f p99.9 %.1f max %.1f; missing %lld\n",
      e2e.p50, e2e.p99, e2e.p999, e2e.max, static_cast<long long>(missing));
  std::printf("  stages us (p50 / p99; mean over the slowest 1 %%):");
  for (int j = 0; j < kStages; ++j) {
    std::printf(" %s %.1f / %.1f; %.1f%s", kStageNames[j], stage_percentiles[j].p50,
                stage_percentiles[j].p99, tail_stage_us[j], j + 1 < kStages ? "," : "\n");
  }
  if (!ok) {
    std::printf(
        "  %lld unexpected messages, %lld dropped, %lld slow-consumer errors, %lld other "
        "async errors\n",
        static_cast<long long>(unexpected), static_cast<long long>(dropped),
        static_cast<long long>(slow), static_cast<long long>(async_errors - slow));
  }

  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    std::string json = absl::StrCat(
        "{\"label\":\"", label, "\",\"system\":\"nats\",\"mode\":\"open\",\"offered_rate\":", rate,
        ",\"connections\":1,\"seconds\":", seconds, ",\"event_bytes\":", bytes,
        ",\"send_asap\":", send_asap ? "true" : "false", ",\"offered\":", count,
        ",\"sent\":", count, ",\"received\":", received, ",\"published_per_s\":", published_per_s,
        ",\"received_per_s\":", received_per_s, ",\"max_backlog\":", max_backlog,
        ",\"cpu\":", cpu.Json(), ",\"e2e_latency_us\":", PercentilesJson(e2e),
        ",\"e2e_missing\":", missing, ",\"stages_us\":{");
    for (int j = 0; j < kStages; ++j) {
      absl::StrAppend(&json, j > 0 ? "," : "", "\"", kStageNames[j],
                      "\":", PercentilesJson(stage_percentiles[j]));
    }
    absl::StrAppend(&json, "},\"tail_stages_us\":{\"count\":", tail_count);
    for (int j = 0; j < kStages; ++j) {
      absl::StrAppend(&json, ",\"", kStageNames[j], "\":", tail_stage_us[j]);
    }
    absl::StrAppend(&json, "},\"unexpected\":", unexpected, ",\"dropped\":", dropped,
                    ",\"slow_consumer_errors\":", slow, ",\"async_errors\":", async_errors,
                    ",\"ok\":", ok ? "true" : "false", "}\n");
    std::ofstream out(json_path);
    out << json;
    if (!out) Die("cannot write " + json_path);
  }

  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(pub_conn);
  natsConnection_Destroy(sub_conn);
  nats_CloseAndWait(5000);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
