// consume_members: hookbridge's side of the durable-consumer benchmark
// (bench/consume.sh, see bench/README.md). M members of one durable
// consumer in one process, each a Consume stream on its own HTTP/2
// connection, driven by gRPC's callback API (one reactor per member).
//
// Creates the consumer (--consumer, from the earliest event, or the one
// already there with the same config), then opens the M streams at once.
// Each member acknowledges every event it is handed as soon as it reads
// it, pipelined: it never waits for a confirmation, and the
// acknowledgements that pile up while its previous Acknowledge is being
// written go out together in the next one, as ranges. Timed from the
// streams' start until the server has confirmed every acknowledgement
// (ConsumeResponse.acknowledged: durable) and GetConsumer shows the ack
// floor at --last_sequence with nothing pending.
//
// Checks, any miss a failure (exit 1): every sequence after the consumer's
// start up to --last_sequence handed out and confirmed exactly once over
// the group (no duplicate, no redelivery: delivery_attempt 1 everywhere),
// each confirmation from the member that was handed the event, no
// rejected acknowledgement, every member with a share, and the consumer's
// final state. With --server_pid, the server's CPU time over the window is
// reported next to this process's own.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/clock.h"
#include "bench/json.h"
#include "hookbridge/v1/service.grpc.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "hookbridge gRPC address");
ABSL_FLAG(std::string, consumer, "bench", "the consumer to create (from the earliest event)");
ABSL_FLAG(int, members, 1, "Consume streams, each on its own connection");
ABSL_FLAG(uint64_t, last_sequence, 0, "the log's last sequence: consumed up to here");
ABSL_FLAG(uint32_t, max_outstanding, 1000, "the consumer's max_outstanding (per member)");
ABSL_FLAG(int, server_pid, 0, "report this process's CPU time over the measured window");
ABSL_FLAG(double, timeout_seconds, 60, "give up (and fail) after this long");
ABSL_FLAG(std::string, label, "hookbridge", "name of this run in the output");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace {

namespace v1 = hookbridge::v1;
using hookbridge::bench::JsonStrings;
using hookbridge::bench::NowNs;
using hookbridge::bench::ProcessCpuSeconds;
using hookbridge::bench::SelfCpuSeconds;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "consume_members: %s\n", message.c_str());
  std::exit(1);
}

// Shared by the members: per sequence, who was handed it and whether its
// acknowledgement is confirmed.
struct Shared {
  uint64_t floor = 0;  // the consumer's start: events are floor+1..last
  uint64_t last = 0;
  std::vector<std::atomic<int>> holder;  // by sequence - floor - 1: member + 1
  std::vector<std::atomic<uint8_t>> confirmed;
  std::atomic<int64_t> confirmed_count{0};
  std::atomic<int64_t> confirmed_all_ns{0};
  std::atomic<int> ended{0};
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable changed;

  int64_t events() const { return static_cast<int64_t>(last - floor); }
  bool InRange(uint64_t sequence) const { return sequence > floor && sequence <= last; }
  size_t Index(uint64_t sequence) const { return static_cast<size_t>(sequence - floor - 1); }
  void Notify() {
    std::lock_guard<std::mutex> lock(mu);
    changed.notify_all();
  }
};

// The sequences as an Acknowledge: runs of consecutive ones as ranges.
void FillAcknowledge(std::vector<uint64_t>* sequences, v1::Acknowledge* ack) {
  std::sort(sequences->begin(), sequences->end());
  for (size_t i = 0; i < sequences->size();) {
    size_t j = i;
    while (j + 1 < sequences->size() && (*sequences)[j + 1] == (*sequences)[j] + 1) ++j;
    if (j == i) {
      ack->add_sequences((*sequences)[i]);
    } else {
      v1::SequenceRange* range = ack->add_ranges();
      range->set_first((*sequences)[i]);
      range->set_last((*sequences)[j]);
    }
    i = j + 1;
  }
  sequences->clear();
}

// One member: a Consume stream. Reads and writes run on gRPC's threads; the
// acknowledgements to send and the write in flight are under `mu_`.
class Member : public grpc::ClientBidiReactor<v1::ConsumeRequest, v1::ConsumeResponse> {
 public:
  Member(int index, Shared* shared, const std::string& token) : index_(index), shared_(shared) {
    if (!token.empty()) context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }

  void Start(v1::EventBridgeService::Stub* stub, const std::string& consumer) {
    stub->async()->Consume(&context_, this);
    out_.mutable_start()->set_consumer(consumer);
    out_.mutable_start()->set_member_id(absl::StrCat("bench-", index_));
    writing_ = true;
    AddHold();  // released once the writes are done (Stop)
    StartWrite(&out_);
    StartRead(&in_);
    StartCall();
  }

  // Ends the stream: the server finishes it once it has read the end.
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    MaybeWrite();
  }

  void Cancel() { context_.TryCancel(); }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) {
      if (!shared_->stopping.load()) SetError("a write failed");
      if (!hold_released_) {
        hold_released_ = true;
        RemoveHold();
      }
      return;
    }
    MaybeWrite();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the call is over; OnDone follows
    const int64_t now = NowNs();
    std::vector<uint64_t> handed;
    for (const v1::ConsumedEvent& e : in_.events()) {
      const uint64_t sequence = e.event().sequence();
      ++received_;
      event_bytes_ += static_cast<int64_t>(e.event().ByteSizeLong());
      if (e.delivery_attempt() != 1) ++redelivered_;
      if (!shared_->InRange(sequence)) {
        ++out_of_range_;
        continue;
      }
      int expected = 0;
      if (!shared_->holder[shared_->Index(sequence)].compare_exchange_strong(expected,
                                                                             index_ + 1)) {
        ++duplicates_;
      }
      handed.push_back(sequence);
    }
    int64_t newly_confirmed = 0;
    if (in_.has_acknowledged()) {
      ++confirmations_;
      std::vector<uint64_t> confirmed(in_.acknowledged().sequences().begin(),
                                      in_.acknowledged().sequences().end());
      for (const v1::SequenceRange& r : in_.acknowledged().ranges()) {
        for (uint64_t s = r.first(); s <= r.last() && s != 0; ++s) confirmed.push_back(s);
      }
      for (const uint64_t sequence : confirmed) {
        if (!shared_->InRange(sequence) ||
            shared_->holder[shared_->Index(sequence)].load() != index_ + 1) {
          ++foreign_confirmations_;
        } else if (shared_->confirmed[shared_->Index(sequence)].exchange(1) != 0) {
          ++duplicate_confirmations_;
        } else {
          ++confirmed_;
          ++newly_confirmed;
        }
      }
    }
    if (in_.has_rejected()) {
      rejected_ += in_.rejected().sequences_size();
      SetError(absl::StrCat("acknowledgements rejected: ", in_.rejected().reason()));
    }
    if (in_.has_gap()) SetError("a gap: events lost to retention");
    if (newly_confirmed > 0 &&
        shared_->confirmed_count.fetch_add(newly_confirmed) + newly_confirmed ==
            shared_->events()) {
      shared_->confirmed_all_ns.store(now);
      shared_->Notify();
    }
    in_.Clear();
    StartRead(&in_);
    if (!handed.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      to_ack_.insert(to_ack_.end(), handed.begin(), handed.end());
      MaybeWrite();
    }
  }

  void OnDone(const grpc::Status& status) override {
    if (!status.ok() && !shared_->stopping.load()) {
      SetError(absl::StrCat("stream ended: ", status.error_code(), " ", status.error_message()));
    }
    shared_->ended.fetch_add(1);
    shared_->Notify();
  }

  // Read after the member's stream is over (or from its own callbacks).
  int64_t received() const { return received_; }
  int64_t confirmed() const { return confirmed_; }
  int64_t event_bytes() const { return event_bytes_; }
  int64_t redelivered() const { return redelivered_; }
  int64_t duplicates() const { return duplicates_; }
  int64_t out_of_range() const { return out_of_range_; }
  int64_t rejected() const { return rejected_; }
  int64_t foreign_confirmations() const { return foreign_confirmations_; }
  int64_t duplicate_confirmations() const { return duplicate_confirmations_; }
  int64_t confirmations() const { return confirmations_; }
  int64_t acknowledges() const {
    std::lock_guard<std::mutex> lock(mu_);
    return acknowledges_;
  }
  bool failed() const { return failed_.load(); }
  std::string error() const {
    std::lock_guard<std::mutex> lock(error_mu_);
    return error_;
  }

 private:
  // Writes the acknowledgements that piled up, or the end of the writes,
  // if no write is in flight. Under mu_.
  void MaybeWrite() {
    if (writing_ || hold_released_) return;
    if (!to_ack_.empty()) {
      out_.Clear();
      FillAcknowledge(&to_ack_, out_.mutable_ack());
      writing_ = true;
      ++acknowledges_;
      StartWrite(&out_);
    } else if (stop_) {
      hold_released_ = true;
      StartWritesDone();
      RemoveHold();
    }
  }

  void SetError(const std::string& error) {
    {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (error_.empty()) error_ = error;
    }
    failed_.store(true);
    shared_->Notify();
  }

  const int index_;
  Shared* const shared_;
  grpc::ClientContext context_;
  v1::ConsumeResponse in_;

  mutable std::mutex mu_;
  v1::ConsumeRequest out_;        // the write in flight
  std::vector<uint64_t> to_ack_;  // handed, not yet sent back
  bool writing_ = false;
  bool stop_ = false;
  bool hold_released_ = false;
  int64_t acknowledges_ = 0;

  // Only the read callbacks (one at a time) touch these.
  int64_t received_ = 0, confirmed_ = 0, event_bytes_ = 0, redelivered_ = 0, duplicates_ = 0,
          out_of_range_ = 0, rejected_ = 0, foreign_confirmations_ = 0,
          duplicate_confirmations_ = 0, confirmations_ = 0;

  mutable std::mutex error_mu_;
  std::string error_;
  std::atomic<bool> failed_{false};
};

int Run() {
  const int members = absl::GetFlag(FLAGS_members);
  const uint64_t last = absl::GetFlag(FLAGS_last_sequence);
  const std::string name = absl::GetFlag(FLAGS_consumer);
  const int server_pid = absl::GetFlag(FLAGS_server_pid);
  const double timeout_s = absl::GetFlag(FLAGS_timeout_seconds);
  const std::string label = absl::GetFlag(FLAGS_label);
  if (members <= 0) Die("--members must be positive");
  const int64_t give_up = NowNs() + static_cast<int64_t>(timeout_s * 1e9);
  const char* token_env = std::getenv("HOOKBRIDGE_TOKEN");
  const std::string token = token_env != nullptr ? token_env : "";
  auto authorized = [&token](grpc::ClientContext* context) {
    if (!token.empty()) context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  };

  // One channel (HTTP/2 connection) per member, and the admin calls on the
  // first; all connected before the window starts.
  std::vector<std::unique_ptr<v1::EventBridgeService::Stub>> stubs;
  for (int i = 0; i < members; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("hookbridge.bench.channel_index", i);
    args.SetMaxReceiveMessageSize(-1);
    auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target),
                                             grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      Die("cannot connect to " + absl::GetFlag(FLAGS_target));
    }
    stubs.push_back(v1::EventBridgeService::NewStub(channel));
  }
  v1::EventBridgeService::Stub& admin = *stubs[0];

  // The consumer: from the earliest event, no redelivery within the run.
  v1::CreateConsumerRequest create;
  create.mutable_config()->set_name(name);
  create.mutable_config()->set_earliest(true);
  create.mutable_config()->set_max_outstanding(absl::GetFlag(FLAGS_max_outstanding));
  create.mutable_config()->mutable_ack_deadline()->set_seconds(
      std::min<int64_t>(static_cast<int64_t>(timeout_s) + 300, 12 * 3600));
  v1::CreateConsumerResponse created;
  {
    grpc::ClientContext context;
    authorized(&context);
    const grpc::Status status = admin.CreateConsumer(&context, create, &created);
    if (!status.ok()) {
      Die(absl::StrCat("CreateConsumer ", name, ": ", status.error_code(), " ",
                       status.error_message()));
    }
  }
  auto get_consumer = [&](v1::Consumer* out) {
    grpc::ClientContext context;
    authorized(&context);
    v1::GetConsumerRequest request;
    request.set_name(name);
    v1::GetConsumerResponse response;
    const grpc::Status status = admin.GetConsumer(&context, request, &response);
    if (status.ok()) *out = response.consumer();
    return status.ok();
  };

  Shared shared;
  shared.floor = created.consumer().ack_floor();
  shared.last = last;
  if (last <= shared.floor) {
    Die(absl::StrCat("nothing to consume: the consumer starts after ", shared.floor,
                     ", --last_sequence is ", last));
  }
  const int64_t events = shared.events();
  shared.holder = std::vector<std::atomic<int>>(static_cast<size_t>(events));
  shared.confirmed = std::vector<std::atomic<uint8_t>>(static_cast<size_t>(events));
  std::vector<std::unique_ptr<Member>> ms;
  for (int i = 0; i < members; ++i) ms.push_back(std::make_unique<Member>(i, &shared, token));

  const double server_cpu0 = server_pid > 0 ? ProcessCpuSeconds(server_pid) : 0;
  const double self_cpu0 = SelfCpuSeconds();
  const int64_t start_ns = NowNs();
  for (int i = 0; i < members; ++i) {
    ms[static_cast<size_t>(i)]->Start(stubs[static_cast<size_t>(i)].get(), name);
  }
  // Until every acknowledgement is confirmed (or a member fails).
  bool ok;
  {
    std::unique_lock<std::mutex> lock(shared.mu);
    for (;;) {
      ok = shared.confirmed_count.load() == events;
      if (ok || NowNs() > give_up) break;
      if (std::any_of(ms.begin(), ms.end(), [](auto& m) { return m->failed(); })) break;
      if (shared.ended.load() > 0) break;
      shared.changed.wait_for(lock, std::chrono::milliseconds(5));
    }
  }
  // Then until the server's view of the consumer has them all.
  v1::Consumer state;
  bool state_confirmed = false;
  while (ok && NowNs() < give_up) {
    if (get_consumer(&state) && state.ack_floor() == last && state.pending() == 0 &&
        state.outstanding() == 0) {
      state_confirmed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const int64_t end_ns = NowNs();
  const double server_cpu = server_pid > 0 ? ProcessCpuSeconds(server_pid) - server_cpu0 : 0;
  const double self_cpu = SelfCpuSeconds() - self_cpu0;
  if (!state_confirmed) get_consumer(&state);

  // Close the streams: each ends its writes, the server finishes it.
  shared.stopping.store(true);
  for (auto& m : ms) m->Stop();
  {
    std::unique_lock<std::mutex> lock(shared.mu);
    shared.changed.wait_for(lock, std::chrono::seconds(10),
                            [&] { return shared.ended.load() == members; });
  }
  if (shared.ended.load() != members) {
    for (auto& m : ms) m->Cancel();
    std::unique_lock<std::mutex> lock(shared.mu);
    shared.changed.wait_for(lock, std::chrono::seconds(10),
                            [&] { return shared.ended.load() == members; });
  }
  const bool all_ended = shared.ended.load() == members;

  int64_t received = 0, confirmed = 0, event_bytes = 0, redelivered = 0, duplicates = 0,
          out_of_range = 0, rejected = 0, foreign = 0, duplicate_confirmations = 0,
          acknowledges = 0, confirmations = 0, idle_members = 0;
  std::vector<int64_t> counts;
  std::string first_error;
  for (auto& m : ms) {
    counts.push_back(m->received());
    received += m->received();
    confirmed += m->confirmed();
    event_bytes += m->event_bytes();
    redelivered += m->redelivered();
    duplicates += m->duplicates();
    out_of_range += m->out_of_range();
    rejected += m->rejected();
    foreign += m->foreign_confirmations();
    duplicate_confirmations += m->duplicate_confirmations();
    acknowledges += m->acknowledges();
    confirmations += m->confirmations();
    if (m->received() == 0) ++idle_members;
    if (first_error.empty() && !m->error().empty()) {
      first_error = absl::StrCat("member ", &m - &ms[0], ": ", m->error());
    }
  }
  std::vector<std::string> errors;
  if (confirmed != events) {
    errors.push_back(absl::StrCat(confirmed, " of ", events, " acknowledgements confirmed"));
  }
  if (received != events) errors.push_back(absl::StrCat(received, " events received"));
  if (duplicates) errors.push_back(absl::StrCat(duplicates, " duplicates"));
  if (redelivered) errors.push_back(absl::StrCat(redelivered, " redeliveries"));
  if (out_of_range) errors.push_back(absl::StrCat(out_of_range, " sequences out of range"));
  if (rejected) errors.push_back(absl::StrCat(rejected, " acknowledgements rejected"));
  if (foreign) errors.push_back(absl::StrCat(foreign, " confirmations of another's events"));
  if (duplicate_confirmations) {
    errors.push_back(absl::StrCat(duplicate_confirmations, " confirmations repeated"));
  }
  if (idle_members) errors.push_back(absl::StrCat(idle_members, " members got no event"));
  if (!state_confirmed) {
    errors.push_back(absl::StrCat("consumer state not confirmed: ack floor ", state.ack_floor(),
                                  " (expected ", last, "), pending ", state.pending(),
                                  ", outstanding ", state.outstanding()));
  }
  if (state.redeliveries() > 0) {
    errors.push_back(absl::StrCat("server counts ", state.redeliveries(), " redeliveries"));
  }
  if (!first_error.empty()) errors.push_back(first_error);
  const bool success = errors.empty();

  const double elapsed = static_cast<double>(std::max<int64_t>(end_ns - start_ns, 1)) / 1e9;
  const int64_t confirmed_all_ns = shared.confirmed_all_ns.load();
  const double members_elapsed =
      confirmed_all_ns > 0 ? static_cast<double>(confirmed_all_ns - start_ns) / 1e9 : 0;
  const double rate = static_cast<double>(confirmed) / elapsed;
  const double per_event = 1e6 / static_cast<double>(events);
  const double mean_bytes =
      received > 0 ? static_cast<double>(event_bytes) / static_cast<double>(received) : 0;
  std::printf(
      "%s: %d members, %lld events of %.0f bytes: consumed and acknowledged (confirmed) in "
      "%.3f s = %.0f/s; %lld Acknowledge messages, %lld confirmations; CPU us/event: server "
      "%.2f, client %.2f; per member %s%s\n",
      label.c_str(), members, static_cast<long long>(events), mean_bytes, elapsed, rate,
      static_cast<long long>(acknowledges), static_cast<long long>(confirmations),
      server_cpu * per_event, self_cpu * per_event, absl::StrJoin(counts, "/").c_str(),
      success ? "" : "; FAILED");
  for (const auto& e : errors) std::printf("  %s\n", e.c_str());

  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << absl::StrCat(
        "{\"label\":\"", label,
        "\",\"system\":\"hookbridge\",\"ack\":\"confirmed\",\"members\":", members,
        ",\"max_outstanding\":", absl::GetFlag(FLAGS_max_outstanding), ",\"events\":", events,
        ",\"event_bytes\":", mean_bytes, ",\"seconds\":", elapsed,
        ",\"members_seconds\":", members_elapsed, ",\"events_per_s\":", rate,
        ",\"server_cpu_s\":", server_cpu, ",\"client_cpu_s\":", self_cpu,
        ",\"server_us_per_event\":", server_cpu * per_event,
        ",\"client_us_per_event\":", self_cpu * per_event, ",\"acknowledged\":", confirmed,
        ",\"received\":", received, ",\"acknowledge_messages\":", acknowledges,
        ",\"confirmation_messages\":", confirmations, ",\"member_counts\":[",
        absl::StrJoin(counts, ","), "],\"duplicates\":", duplicates,
        ",\"redelivered\":", redelivered, ",\"rejected\":", rejected,
        ",\"ack_floor\":", state.ack_floor(), ",\"confirmed\":", state_confirmed ? "true" : "false",
        ",\"errors\":[", JsonStrings(errors), "],\"ok\":", success ? "true" : "false", "}\n");
    if (!out) Die("cannot write " + json_path);
  }
  if (!all_ended) {
    // Streams still in gRPC's hands: leave without destroying them.
    std::fflush(stdout);
    std::_Exit(success ? 0 : 1);
  }
  return success ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
