// nats_consume: the JetStream baseline of the durable-consumer benchmark
// (bench/consume.sh, see bench/README.md). A pull consumer with explicit
// acknowledgements, through the NATS C client.
//
// Creates a fresh stream (file storage, one subject) and publishes E
// messages of --bytes bytes into it (the first 8 bytes: the message's index,
// 1..E) with asynchronous publishes, waiting for every PubAck. Then creates
// a durable pull consumer (AckExplicit, deliver all, max ack pending E so it
// is never the limit, ack wait well beyond the run so nothing is
// redelivered) and starts M members at once, each a thread with its own
// connection and pull subscription bound to that consumer: fetch up to
// --batch messages (natsSubscription_Fetch), acknowledge each, fetch again.
// --ack async acknowledges with natsMsg_Ack (the ack is published, not
// confirmed); --ack sync with natsMsg_AckSync (one round trip per message:
// the server has confirmed every ack). Timed from the members' start until
// the consumer's state on the server (consumer info, polled once the members
// have acknowledged all E) shows every message acknowledged: ack floor at
// the last sequence, nothing pending.
//
// Checks, any miss a failure (exit 1): every stream sequence 1..E received
// and acknowledged exactly once over all members (no duplicates, no
// redeliveries), each message's index matching its sequence, every member
// with a share, no fetch or ack errors, and the consumer's final state. With
// --server_pid, the server's CPU time over each window is reported next to
// this process's own.
#include <nats/nats.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/clock.h"
#include "bench/json.h"

ABSL_FLAG(std::string, url, "nats://127.0.0.1:4222", "nats-server URL (JetStream enabled)");
ABSL_FLAG(std::string, stream, "BENCH_CONSUME", "stream to create (deleted first if it exists)");
ABSL_FLAG(std::string, subject, "bench.consume", "the stream's one subject");
ABSL_FLAG(std::string, durable, "bench", "the durable consumer's name");
ABSL_FLAG(int64_t, events, 20000, "messages to publish and consume");
ABSL_FLAG(int, bytes, 1024, "message size");
ABSL_FLAG(int, members, 1, "concurrent fetchers, each with its own connection");
ABSL_FLAG(int, batch, 100, "messages per fetch");
ABSL_FLAG(std::string, ack, "async", "async (natsMsg_Ack) or sync (natsMsg_AckSync, confirmed)");
ABSL_FLAG(int64_t, max_pending_publishes, 4096, "asynchronous publishes in flight at most");
ABSL_FLAG(int, server_pid, 0, "report this process's CPU time over the measured windows");
ABSL_FLAG(double, timeout_seconds, 60, "give up (and fail) after this long, per phase");
ABSL_FLAG(bool, keep_stream, false, "leave the stream on the server at the end");
ABSL_FLAG(std::string, label, "nats", "name of this run in the output");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace {

using hookbridge::bench::JsonStrings;
using hookbridge::bench::NowNs;
using hookbridge::bench::ProcessCpuSeconds;
using hookbridge::bench::SelfCpuSeconds;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "nats_consume: %s\n", message.c_str());
  std::exit(1);
}

std::string ErrorText(natsStatus status, jsErrCode code = static_cast<jsErrCode>(0)) {
  const char* detail = nats_GetLastError(nullptr);
  return absl::StrCat(natsStatus_GetText(status),
                      detail != nullptr && *detail != 0 ? absl::StrCat(" (", detail, ")") : "",
                      code != 0 ? absl::StrCat(", JetStream error ", static_cast<int>(code)) : "");
}

void Check(natsStatus status, const std::string& what, jsErrCode code = static_cast<jsErrCode>(0)) {
  if (status != NATS_OK) Die(absl::StrCat(what, ": ", ErrorText(status, code)));
}

natsConnection* Connect(const std::string& url, const std::string& name) {
  natsOptions* options = nullptr;
  Check(natsOptions_Create(&options), "natsOptions_Create");
  Check(natsOptions_SetURL(options, url.c_str()), "natsOptions_SetURL");
  Check(natsOptions_SetName(options, name.c_str()), "natsOptions_SetName");
  natsConnection* connection = nullptr;
  Check(natsConnection_Connect(&connection, options), "connect " + url);
  natsOptions_Destroy(options);
  return connection;
}

jsCtx* JetStream(natsConnection* connection) {
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.MaxPending = absl::GetFlag(FLAGS_max_pending_publishes);
  jsCtx* js = nullptr;
  Check(natsConnection_JetStream(&js, connection, &options), "natsConnection_JetStream");
  return js;
}

std::atomic<int64_t> publish_errors{0};
void OnPublishError(jsCtx*, jsPubAckErr*, void*) { publish_errors.fetch_add(1); }

// Shared by the members.
struct Shared {
  int64_t events = 0;
  int batch = 0;
  bool sync_ack = false;
  int64_t deadline_ns = 0;
  std::vector<std::atomic<uint8_t>> seen;  // by stream sequence, 1..events
  std::atomic<int64_t> acknowledged{0};    // distinct sequences acknowledged
  std::atomic<bool> done{false};
  std::atomic<int64_t> acked_all_ns{0};  // when the last distinct one was acknowledged
  std::atomic<bool> go{false};
};

struct Member {
  int index = 0;
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  natsSubscription* sub = nullptr;
  // Written by the member's thread only, read after it is joined.
  int64_t received = 0;
  int64_t fetches = 0;
  int64_t duplicates = 0;
  int64_t redelivered = 0;
  int64_t out_of_range = 0;
  int64_t mismatched = 0;
  int64_t fetch_errors = 0;
  int64_t ack_errors = 0;
  std::string first_error;
};

void Note(Member& m, const std::string& what, natsStatus s, jsErrCode code) {
  if (m.first_error.empty()) m.first_error = absl::StrCat(what, ": ", ErrorText(s, code));
}

void RunMember(Member& m, Shared& shared) {
  while (!shared.go.load(std::memory_order_acquire)) std::this_thread::yield();
  while (!shared.done.load(std::memory_order_acquire)) {
    if (NowNs() > shared.deadline_ns) break;
    natsMsgList list;
    jsErrCode code = static_cast<jsErrCode>(0);
    // Returns what the server has at once (up to batch); waits, up to the
    // timeout, only when it has nothing.
    natsStatus s = natsSubscription_Fetch(&list, m.sub, shared.batch, 100, &code);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {
      ++m.fetch_errors;
      Note(m, "fetch", s, code);
      if (m.fetch_errors > 100) break;
      continue;
    }
    ++m.fetches;
    for (int i = 0; i < list.Count; ++i) {
      natsMsg* msg = list.Msgs[i];
      ++m.received;
      jsMsgMetaData* meta = nullptr;
      uint64_t seq = 0;
      if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        seq = meta->Sequence.Stream;
        if (meta->NumDelivered > 1) ++m.redelivered;
        jsMsgMetaData_Destroy(meta);
      }
      uint64_t index = 0;
      if (natsMsg_GetDataLength(msg) >= 8) std::memcpy(&index, natsMsg_GetData(msg), sizeof index);
      if (index != seq) ++m.mismatched;
      if (shared.sync_ack) {
        jsErrCode ack_code = static_cast<jsErrCode>(0);
        s = natsMsg_AckSync(msg, nullptr, &ack_code);
        if (s != NATS_OK) {
          ++m.ack_errors;
          Note(m, "ack (sync)", s, ack_code);
          continue;
        }
      } else {
        s = natsMsg_Ack(msg, nullptr);
        if (s != NATS_OK) {
          ++m.ack_errors;
          Note(m, "ack", s, static_cast<jsErrCode>(0));
          continue;
        }
      }
      if (seq < 1 || seq > static_cast<uint64_t>(shared.events)) {
        ++m.out_of_range;
      } else if (shared.seen[seq].exchange(1, std::memory_order_relaxed) != 0) {
        ++m.duplicates;
      } else if (shared.acknowledged.fetch_add(1, std::memory_order_acq_rel) + 1 == shared.events) {
        shared.acked_all_ns.store(NowNs(), std::memory_order_release);
        shared.done.store(true, std::memory_order_release);
      }
    }
    natsMsgList_Destroy(&list);
  }
  // Acks published asynchronously leave with the connection's next flush;
  // make it now rather than waiting for the client's flusher.
  natsConnection_Flush(m.connection);
}

double Cpu(int pid) { return pid > 0 ? ProcessCpuSeconds(pid) : 0; }

int Run() {
  const std::string url = absl::GetFlag(FLAGS_url);
  const std::string stream = absl::GetFlag(FLAGS_stream);
  const std::string subject = absl::GetFlag(FLAGS_subject);
  const std::string durable = absl::GetFlag(FLAGS_durable);
  const int64_t events = absl::GetFlag(FLAGS_events);
  const int bytes = std::max(8, absl::GetFlag(FLAGS_bytes));
  const int members = absl::GetFlag(FLAGS_members);
  const int batch = absl::GetFlag(FLAGS_batch);
  const std::string ack = absl::GetFlag(FLAGS_ack);
  const int server_pid = absl::GetFlag(FLAGS_server_pid);
  const double timeout_s = absl::GetFlag(FLAGS_timeout_seconds);
  const std::string label = absl::GetFlag(FLAGS_label);
  if (events <= 0 || members <= 0 || batch <= 0) {
    Die("--events, --members and --batch must be positive");
  }
  if (ack != "async" && ack != "sync") Die("--ack must be async or sync");
  const int64_t timeout_ns = static_cast<int64_t>(timeout_s * 1e9);

  Check(nats_Open(-1), "nats_Open");
  natsConnection* admin = Connect(url, "consume-admin");
  jsCtx* js = nullptr;
  {
    jsOptions options;
    jsOptions_Init(&options);
    options.PublishAsync.MaxPending = absl::GetFlag(FLAGS_max_pending_publishes);
    options.PublishAsync.ErrHandler = OnPublishError;
    Check(natsConnection_JetStream(&js, admin, &options), "natsConnection_JetStream");
  }

  // A fresh stream: file storage, one subject.
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteStream(js, stream.c_str(), nullptr, &code);
  if (s != NATS_OK && s != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
    Check(s, "js_DeleteStream " + stream, code);
  }
  {
    const char* subjects[] = {subject.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = stream.c_str();
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Retention = js_LimitsPolicy;
    jsStreamInfo* info = nullptr;
    Check(js_AddStream(&info, js, &config, nullptr, &code), "js_AddStream " + stream, code);
    jsStreamInfo_Destroy(info);
  }

  // Publish phase: asynchronous publishes, then wait for every PubAck.
  std::string payload(static_cast<size_t>(bytes), 'x');
  double server_cpu0 = Cpu(server_pid);
  double self_cpu0 = SelfCpuSeconds();
  int64_t start_ns = NowNs();
  for (int64_t i = 1; i <= events; ++i) {
    const uint64_t index = static_cast<uint64_t>(i);
    std::memcpy(payload.data(), &index, sizeof index);
    Check(js_PublishAsync(js, subject.c_str(), payload.data(), bytes, nullptr), "js_PublishAsync");
  }
  {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = static_cast<int64_t>(timeout_s * 1000);
    Check(js_PublishAsyncComplete(js, &options), "js_PublishAsyncComplete");
  }
  const double publish_s = static_cast<double>(NowNs() - start_ns) / 1e9;
  const double publish_server_cpu = Cpu(server_pid) - server_cpu0;
  const double publish_self_cpu = SelfCpuSeconds() - self_cpu0;
  uint64_t stored = 0, last_seq = 0;
  {
    jsStreamInfo* info = nullptr;
    Check(js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &code), "js_GetStreamInfo", code);
    stored = info->State.Msgs;
    last_seq = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
  }
  if (publish_errors.load() != 0 || stored != static_cast<uint64_t>(events) ||
      last_seq != static_cast<uint64_t>(events)) {
    Die(absl::StrCat("publish: ", publish_errors.load(), " errors; the stream holds ", stored,
                     " messages, last sequence ", last_seq, ", expected ", events));
  }

  // The durable pull consumer.
  {
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = durable.c_str();
    config.AckPolicy = js_AckExplicit;
    config.DeliverPolicy = js_DeliverAll;
    config.MaxAckPending = events;  // never the limit
    // Far beyond the run: a redelivery would be a failure, not a retry.
    config.AckWait = static_cast<int64_t>((timeout_s + 300) * 1e9);
    jsConsumerInfo* info = nullptr;
    Check(js_AddConsumer(&info, js, stream.c_str(), &config, nullptr, &code), "js_AddConsumer",
          code);
    jsConsumerInfo_Destroy(info);
  }

  Shared shared;
  shared.events = events;
  shared.batch = batch;
  shared.sync_ack = ack == "sync";
  shared.seen = std::vector<std::atomic<uint8_t>>(static_cast<size_t>(events) + 1);
  std::vector<std::unique_ptr<Member>> ms;
  for (int i = 0; i < members; ++i) {
    auto m = std::make_unique<Member>();
    m->index = i;
    m->connection = Connect(url, absl::StrCat("member-", i));
    m->js = JetStream(m->connection);
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream.c_str();
    options.Consumer = durable.c_str();  // bind to the existing consumer
    Check(js_PullSubscribe(&m->sub, m->js, subject.c_str(), nullptr, nullptr, &options, &code),
          "js_PullSubscribe", code);
    ms.push_back(std::move(m));
  }
  std::vector<std::thread> threads;
  for (auto& m : ms) threads.emplace_back([&m, &shared] { RunMember(*m, shared); });

  // Consume phase.
  server_cpu0 = Cpu(server_pid);
  self_cpu0 = SelfCpuSeconds();
  start_ns = NowNs();
  shared.deadline_ns = start_ns + timeout_ns;
  shared.go.store(true, std::memory_order_release);
  while (!shared.done.load(std::memory_order_acquire) && NowNs() < shared.deadline_ns) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Until the server's view of the consumer has every ack.
  bool confirmed = false;
  int64_t ack_floor = 0, ack_pending = -1, redelivered_server = -1, delivered = 0;
  while (shared.done.load() && NowNs() < shared.deadline_ns) {
    jsConsumerInfo* info = nullptr;
    s = js_GetConsumerInfo(&info, js, stream.c_str(), durable.c_str(), nullptr, &code);
    if (s == NATS_OK) {
      ack_floor = static_cast<int64_t>(info->AckFloor.Stream);
      ack_pending = info->NumAckPending;
      redelivered_server = info->NumRedelivered;
      delivered = static_cast<int64_t>(info->Delivered.Stream);
      jsConsumerInfo_Destroy(info);
      if (ack_floor == events && ack_pending == 0) {
        confirmed = true;
        break;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int64_t end_ns = NowNs();
  const double server_cpu = Cpu(server_pid) - server_cpu0;
  const double self_cpu = SelfCpuSeconds() - self_cpu0;
  shared.done.store(true);
  for (auto& t : threads) t.join();

  const double elapsed = static_cast<double>(std::max<int64_t>(end_ns - start_ns, 1)) / 1e9;
  const int64_t acked_all_ns = shared.acked_all_ns.load();
  const double members_elapsed =
      acked_all_ns > 0 ? static_cast<double>(acked_all_ns - start_ns) / 1e9 : 0;
  int64_t received = 0, duplicates = 0, redelivered = 0, out_of_range = 0, mismatched = 0,
          fetch_errors = 0, ack_errors = 0, fetches = 0, idle_members = 0;
  std::vector<int64_t> counts;
  std::string first_error;
  for (auto& m : ms) {
    counts.push_back(m->received);
    received += m->received;
    fetches += m->fetches;
    duplicates += m->duplicates;
    redelivered += m->redelivered;
    out_of_range += m->out_of_range;
    mismatched += m->mismatched;
    fetch_errors += m->fetch_errors;
    ack_errors += m->ack_errors;
    if (m->received == 0) ++idle_members;
    if (first_error.empty() && !m->first_error.empty()) {
      first_error = absl::StrCat("member ", m->index, ": ", m->first_error);
    }
  }
  const int64_t acknowledged = shared.acknowledged.load();
  std::vector<std::string> errors;
  if (acknowledged != events) {
    errors.push_back(absl::StrCat(acknowledged, " of ", events, " sequences acknowledged"));
  }
  if (received != events) errors.push_back(absl::StrCat(received, " messages received"));
  if (duplicates) errors.push_back(absl::StrCat(duplicates, " duplicates"));
  if (redelivered) errors.push_back(absl::StrCat(redelivered, " redeliveries"));
  if (out_of_range) errors.push_back(absl::StrCat(out_of_range, " sequences out of range"));
  if (mismatched) errors.push_back(absl::StrCat(mismatched, " payloads not matching sequence"));
  if (fetch_errors) errors.push_back(absl::StrCat(fetch_errors, " fetch errors"));
  if (ack_errors) errors.push_back(absl::StrCat(ack_errors, " ack errors"));
  if (idle_members) errors.push_back(absl::StrCat(idle_members, " members got no message"));
  if (!confirmed) {
    errors.push_back(absl::StrCat("consumer state not confirmed: ack floor ", ack_floor,
                                  ", ack pending ", ack_pending, ", delivered ", delivered));
  }
  if (redelivered_server > 0) {
    errors.push_back(absl::StrCat("server counts ", redelivered_server, " redelivered"));
  }
  if (!first_error.empty()) errors.push_back(first_error);
  const bool success = errors.empty();

  const double rate = static_cast<double>(acknowledged) / elapsed;
  const double per_event = 1e6 / static_cast<double>(events);
  std::printf(
      "%s: %d members, ack %s, batch %d, %lld messages of %d bytes: published in %.3f s "
      "(%.0f/s); consumed and acknowledged in %.3f s = %.0f/s; CPU us/event: server %.2f, "
      "client %.2f; per member %s%s\n",
      label.c_str(), members, ack.c_str(), batch, static_cast<long long>(events), bytes, publish_s,
      static_cast<double>(events) / publish_s, elapsed, rate, server_cpu * per_event,
      self_cpu * per_event, absl::StrJoin(counts, "/").c_str(), success ? "" : "; FAILED");
  for (const auto& e : errors) std::printf("  %s\n", e.c_str());

  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << absl::StrCat("{\"label\":\"", label, "\",\"system\":\"nats\",\"ack\":\"", ack,
                        "\",\"members\":", members, ",\"batch\":", batch, ",\"events\":", events,
                        ",\"event_bytes\":", bytes, ",\"publish_s\":", publish_s,
                        ",\"publish_per_s\":", static_cast<double>(events) / publish_s,
                        ",\"publish_server_cpu_s\":", publish_server_cpu,
                        ",\"publish_client_cpu_s\":", publish_self_cpu, ",\"seconds\":", elapsed,
                        ",\"members_seconds\":", members_elapsed, ",\"events_per_s\":", rate,
                        ",\"server_cpu_s\":", server_cpu, ",\"client_cpu_s\":", self_cpu,
                        ",\"server_us_per_event\":", server_cpu * per_event,
                        ",\"client_us_per_event\":", self_cpu * per_event,
                        ",\"acknowledged\":", acknowledged, ",\"received\":", received,
                        ",\"fetches\":", fetches, ",\"member_counts\":[",
                        absl::StrJoin(counts, ","), "],\"duplicates\":", duplicates,
                        ",\"redelivered\":", redelivered, ",\"fetch_errors\":", fetch_errors,
                        ",\"ack_errors\":", ack_errors, ",\"ack_floor\":", ack_floor,
                        ",\"confirmed\":", confirmed ? "true" : "false", ",\"errors\":[",
                        JsonStrings(errors), "],\"ok\":", success ? "true" : "false", "}\n");
    if (!out) Die("cannot write " + json_path);
  }

  for (auto& m : ms) {
    natsSubscription_Destroy(m->sub);  // leaves the durable consumer in place
    jsCtx_Destroy(m->js);
    natsConnection_Destroy(m->connection);
  }
  if (!absl::GetFlag(FLAGS_keep_stream)) js_DeleteStream(js, stream.c_str(), nullptr, nullptr);
  jsCtx_Destroy(js);
  natsConnection_Destroy(admin);
  nats_CloseAndWait(5000);
  return success ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
