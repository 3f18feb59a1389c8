// nats_fanout: the NATS baseline of the fan-out benchmark (bench/fanout.sh,
// see bench/README.md). Core NATS pub/sub, publisher and subscribers in one
// process, through the NATS C client.
//
// N subscriptions to one subject, spread over --connections connections
// (the client's global delivery thread pool runs their callbacks, no thread
// per subscription), pending limits lifted so the client drops nothing. Once
// the server has every subscription, a publisher on its own connection
// publishes E messages of --bytes bytes (the first 8 bytes: the message's
// index, 1..E) as fast as it can. Timed from the first publish to the last
// message received by the last subscriber. Every subscription must receive
// every message exactly once and in order; drops, slow-consumer errors and
// anything else are failures (exit 1). With --server_pid, the server's CPU
// time over the window is reported next to this process's own.
#include <nats/nats.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "bench/clock.h"

ABSL_FLAG(std::string, url, "nats://127.0.0.1:4222", "nats-server URL");
ABSL_FLAG(int, subscribers, 1, "subscriptions");
ABSL_FLAG(int, connections, 16, "subscriber connections the subscriptions are spread over");
ABSL_FLAG(int64_t, events, 1000, "messages to publish");
ABSL_FLAG(int, bytes, 1300, "message size");
ABSL_FLAG(int, delivery_threads, 2, "threads of the client's global message delivery pool");
ABSL_FLAG(int, server_pid, 0, "report this process's CPU time over the measured window");
ABSL_FLAG(double, timeout_seconds, 60, "give up (and fail) after this long");
ABSL_FLAG(std::string, label, "nats", "name of this run in the output");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace {

using hookbridge::bench::NowNs;
using hookbridge::bench::ProcessCpuSeconds;
using hookbridge::bench::SelfCpuSeconds;

constexpr char kSubject[] = "bench.fanout";

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "nats_fanout: %s\n", message.c_str());
  std::exit(1);
}

void Check(natsStatus status, const char* what) {
  if (status == NATS_OK) return;
  const char* detail = nats_GetLastError(nullptr);
  Die(absl::StrCat(what, ": ", natsStatus_GetText(status),
                   detail != nullptr && *detail != 0 ? absl::StrCat(" (", detail, ")") : ""));
}

struct Shared {
  int64_t events = 0;
  std::atomic<int64_t> remaining{0};  // subscriptions still missing messages
  std::atomic<int64_t> async_errors{0};
  std::atomic<int64_t> slow_consumer_errors{0};
  std::mutex mu;
  std::condition_variable all_done;
};

// One subscription. Its callbacks run on one delivery thread at a time.
struct Sub {
  Shared* shared = nullptr;
  natsSubscription* sub = nullptr;
  int64_t count = 0;
  uint64_t last = 0;
  int64_t out_of_order = 0;
  int64_t bytes = 0;
  std::atomic<int64_t> done_ns{0};
};

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  Sub* s = static_cast<Sub*>(closure);
  const int length = natsMsg_GetDataLength(msg);
  uint64_t index = 0;
  if (length >= 8) std::memcpy(&index, natsMsg_GetData(msg), sizeof index);
  if (index != s->last + 1) ++s->out_of_order;
  s->last = index;
  s->bytes += length;
  natsMsg_Destroy(msg);
  if (++s->count == s->shared->events) {
    s->done_ns.store(NowNs(), std::memory_order_release);
    if (s->shared->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(s->shared->mu);
      s->shared->all_done.notify_all();
    }
  }
}

void OnError(natsConnection*, natsSubscription*, natsStatus err, void* closure) {
  Shared* shared = static_cast<Shared*>(closure);
  shared->async_errors.fetch_add(1);
  if (err == NATS_SLOW_CONSUMER) shared->slow_consumer_errors.fetch_add(1);
}

natsConnection* Connect(const std::string& url, const std::string& name, Shared* shared) {
  natsOptions* options = nullptr;
  Check(natsOptions_Create(&options), "natsOptions_Create");
  Check(natsOptions_SetURL(options, url.c_str()), "natsOptions_SetURL");
  Check(natsOptions_SetName(options, name.c_str()), "natsOptions_SetName");
  Check(natsOptions_UseGlobalMessageDelivery(options, true), "UseGlobalMessageDelivery");
  Check(natsOptions_SetErrorHandler(options, OnError, shared), "natsOptions_SetErrorHandler");
  natsConnection* connection = nullptr;
  Check(natsConnection_Connect(&connection, options), ("connect " + url).c_str());
  natsOptions_Destroy(options);
  return connection;
}

int Run() {
  const std::string url = absl::GetFlag(FLAGS_url);
  const int subscribers = absl::GetFlag(FLAGS_subscribers);
  const int connections = std::max(1, std::min(absl::GetFlag(FLAGS_connections), subscribers));
  const int64_t events = absl::GetFlag(FLAGS_events);
  const int bytes = std::max(8, absl::GetFlag(FLAGS_bytes));
  const int server_pid = absl::GetFlag(FLAGS_server_pid);
  const std::string label = absl::GetFlag(FLAGS_label);
  if (subscribers <= 0 || events <= 0) Die("--subscribers and --events must be positive");

  Check(nats_Open(-1), "nats_Open");
  Check(nats_SetMessageDeliveryPoolSize(std::max(1, absl::GetFlag(FLAGS_delivery_threads))),
        "nats_SetMessageDeliveryPoolSize");
  Shared shared;
  shared.events = events;
  shared.remaining.store(subscribers);

  std::vector<natsConnection*> conns;
  for (int i = 0; i < connections; ++i) {
    conns.push_back(Connect(url, absl::StrCat("sub-", i), &shared));
  }
  std::vector<std::unique_ptr<Sub>> subs;
  for (int i = 0; i < subscribers; ++i) {
    auto s = std::make_unique<Sub>();
    s->shared = &shared;
    Check(natsConnection_Subscribe(&s->sub, conns[static_cast<size_t>(i % connections)], kSubject,
                                   OnMessage, s.get()),
          "natsConnection_Subscribe");
    // No limit: the client keeps whatever arrives instead of dropping it.
    Check(natsSubscription_SetPendingLimits(s->sub, -1, -1), "natsSubscription_SetPendingLimits");
    subs.push_back(std::move(s));
  }
  // A round trip per connection: the server has every subscription.
  for (natsConnection* c : conns) Check(natsConnection_Flush(c), "natsConnection_Flush");
  natsConnection* publisher = Connect(url, "publisher", &shared);

  std::string payload(static_cast<size_t>(bytes), 'x');
  const double server_cpu0 = server_pid > 0 ? ProcessCpuSeconds(server_pid) : 0;
  const double self_cpu0 = SelfCpuSeconds();
  const int64_t start_ns = NowNs();
  for (int64_t i = 1; i <= events; ++i) {
    const uint64_t index = static_cast<uint64_t>(i);
    std::memcpy(payload.data(), &index, sizeof index);
    Check(natsConnection_Publish(publisher, kSubject, payload.data(), bytes),
          "natsConnection_Publish");
  }
  Check(natsConnection_Flush(publisher), "natsConnection_Flush");
  bool ok;
  {
    std::unique_lock<std::mutex> lock(shared.mu);
    ok = shared.all_done.wait_for(
        lock, std::chrono::duration<double>(absl::GetFlag(FLAGS_timeout_seconds)),
        [&] { return shared.remaining.load() == 0; });
  }
  const double server_cpu = server_pid > 0 ? ProcessCpuSeconds(server_pid) - server_cpu0 : 0;
  const double self_cpu = SelfCpuSeconds() - self_cpu0;

  // Stop deliveries before reading the subscriptions' counters.
  for (auto& s : subs) natsSubscription_Unsubscribe(s->sub);
  for (natsConnection* c : conns) natsConnection_Flush(c);
  int64_t deliveries = 0, received_bytes = 0, dropped = 0, out_of_order = 0, bad = 0;
  int64_t end_ns = start_ns;
  for (auto& s : subs) {
    int64_t d = 0;
    if (natsSubscription_GetDropped(s->sub, &d) == NATS_OK) dropped += d;
    deliveries += s->count;
    received_bytes += s->bytes;
    out_of_order += s->out_of_order;
    end_ns = std::max(end_ns, s->done_ns.load(std::memory_order_acquire));
    if (s->count != events || s->last != static_cast<uint64_t>(events) || s->out_of_order > 0) {
      ++bad;
    }
  }
  const double elapsed = static_cast<double>(std::max<int64_t>(end_ns - start_ns, 1)) / 1e9;
  const double rate = static_cast<double>(deliveries) / elapsed;
  const double per_delivery = deliveries > 0 ? 1e6 / static_cast<double>(deliveries) : 0;
  const int64_t slow = shared.slow_consumer_errors.load();
  const int64_t async_errors = shared.async_errors.load();
  const bool success = ok && bad == 0 && dropped == 0 && async_errors == 0;
  std::printf(
      "%s: %d subscribers on %d connections, %lld messages of %d bytes: %lld deliveries in "
      "%.3f s = %.0f/s; CPU us/delivery: server %.2f, subscribers+publisher %.2f%s\n",
      label.c_str(), subscribers, connections, static_cast<long long>(events), bytes,
      static_cast<long long>(deliveries), elapsed, rate, server_cpu * per_delivery,
      self_cpu * per_delivery, success ? "" : "; FAILED");
  if (!success) {
    std::printf(
        "  %lld subscriptions incomplete or out of order (%lld out of order), %lld dropped, "
        "%lld slow-consumer errors, %lld other async errors%s\n",
        static_cast<long long>(bad), static_cast<long long>(out_of_order),
        static_cast<long long>(dropped), static_cast<long long>(slow),
        static_cast<long long>(async_errors - slow), ok ? "" : ", timed out");
  }

  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << absl::StrCat(
        "{\"label\":\"", label,
        "\",\"system\":\"nats\",\"mode\":\"live\",\"subscribers\":", subscribers,
        ",\"channels\":", connections, ",\"events\":", events, ",\"event_bytes\":", bytes,
        ",\"deliveries\":", deliveries, ",\"elapsed_s\":", elapsed, ",\"deliveries_per_s\":", rate,
        ",\"server_cpu_s\":", server_cpu, ",\"subscriber_cpu_s\":", self_cpu,
        ",\"dropped\":", dropped, ",\"slow_consumer_errors\":", slow,
        ",\"async_errors\":", async_errors, ",\"out_of_order\":", out_of_order,
        ",\"failed_subscriptions\":", bad, ",\"ok\":", success ? "true" : "false", "}\n");
    if (!out) Die("cannot write " + json_path);
  }

  for (auto& s : subs) natsSubscription_Destroy(s->sub);
  for (natsConnection* c : conns) natsConnection_Destroy(c);
  natsConnection_Destroy(publisher);
  nats_CloseAndWait(5000);
  return success ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
