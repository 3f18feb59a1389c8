// fanout_sub: many hookbridge Subscribe streams in one process, for the
// fan-out and memory benchmarks (bench/fanout.sh, bench/memory.sh; see
// bench/README.md).
//
// N streams (token from HOOKBRIDGE_TOKEN) spread over --channels gRPC
// channels, each channel on its own HTTP/2 connection. All streams are
// driven by gRPC's callback API (one reactor per stream, no thread per
// stream); events are read as raw bytes and only their sequence is decoded.
//
//   --mode replay: every stream starts at --after_sequence and must receive
//                  every event up to --last_sequence. Timed from the start of
//                  the calls to the last event received by the last stream.
//   --mode live:   every stream starts live (no start position). Once all of
//                  them are live (the hookbridge-start-after initial
//                  metadata has arrived) --ready_file is created; the events
//                  are posted by someone else, who then writes the log's last
//                  sequence into --last_sequence_file. Timed from the first
//                  event received by any stream to the last event received
//                  by the last stream. With nothing posted this just holds
//                  the streams open (bench/memory.sh).
//
// Every stream must receive every event after its start exactly once and in
// order: consecutive sequences, the first right after its start, the last
// equal to the log's last sequence. Any other outcome is a failure (exit 1).
// With --server_pid, the server's CPU time over the measured window is
// reported next to this process's own.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bench/clock.h"
#include "bench/json.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "hookbridge/v1/service.pb.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "hookbridge gRPC address");
ABSL_FLAG(int, subscribers, 1, "Subscribe streams to open");
ABSL_FLAG(int, channels, 16, "gRPC channels (HTTP/2 connections) the streams are spread over");
ABSL_FLAG(std::string, mode, "replay", "replay or live");
ABSL_FLAG(uint64_t, after_sequence, 0, "replay: start after this sequence");
ABSL_FLAG(uint64_t, last_sequence, 0, "replay: the log's last sequence, received by every stream");
ABSL_FLAG(std::string, ready_file, "", "live: created once every stream is live");
ABSL_FLAG(std::string, last_sequence_file, "",
          "live: polled for the log's last sequence once the events are posted");
ABSL_FLAG(int, server_pid, 0, "report this process's CPU time over the measured window");
ABSL_FLAG(double, timeout_seconds, 60, "give up (and fail) after this long");
ABSL_FLAG(std::string, label, "", "name of this run in the output");
ABSL_FLAG(bool, include_raw, false, "ask for each event's raw body (SubscribeRequest.include_raw)");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace {

using hookbridge::bench::JsonStrings;
using hookbridge::bench::NowNs;
using hookbridge::bench::ProcessCpuSeconds;
using hookbridge::bench::SelfCpuSeconds;

constexpr char kMethod[] = "/hookbridge.v1.EventBridgeService/Subscribe";

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "fanout_sub: %s\n", message.c_str());
  std::exit(1);
}

using google::protobuf::internal::WireFormatLite;

// The sequence (field 2) of the serialized hookbridge.v1.Event in `in`.
bool ReadSequence(google::protobuf::io::CodedInputStream* in, uint64_t* sequence) {
  constexpr uint32_t kSequenceTag =
      WireFormatLite::MakeTag(2, WireFormatLite::WIRETYPE_VARINT);  // Event.sequence
  while (const uint32_t tag = in->ReadTag()) {
    if (tag == kSequenceTag) return in->ReadVarint64(sequence);
    if (!WireFormatLite::SkipField(in, tag)) return false;
  }
  return false;
}

// The sequences of the events in a SubscribeResponse (events = field 1;
// a Heartbeat has none). False if an event has none.
bool ParseSequences(const grpc::ByteBuffer& buffer, std::string* scratch,
                    std::vector<uint64_t>* sequences) {
  sequences->clear();
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  const uint8_t* data;
  size_t size;
  if (slices.size() == 1) {
    data = slices[0].begin();
    size = slices[0].size();
  } else {
    scratch->clear();
    for (const grpc::Slice& s : slices) {
      scratch->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    data = reinterpret_cast<const uint8_t*>(scratch->data());
    size = scratch->size();
  }
  google::protobuf::io::CodedInputStream in(data, static_cast<int>(size));
  uint64_t sequence = 0;
  constexpr uint32_t kEventsTag =  // SubscribeResponse.events
      WireFormatLite::MakeTag(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  while (const uint32_t tag = in.ReadTag()) {
    if (tag != kEventsTag) {
      if (!WireFormatLite::SkipField(&in, tag)) return false;
      continue;
    }
    uint32_t length = 0;
    if (!in.ReadVarint32(&length)) return false;
    const auto limit = in.PushLimit(static_cast<int>(length));
    if (!ReadSequence(&in, &sequence)) return false;
    in.Skip(in.BytesUntilLimit());
    in.PopLimit(limit);
    sequences->push_back(sequence);
  }
  return true;
}

// What every stream reports to the main thread.
struct Shared {
  std::atomic<int> live{0};   // streams whose initial metadata arrived
  std::atomic<int> ended{0};  // streams whose call is over (OnDone)
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable changed;

  void Notify() {
    std::lock_guard<std::mutex> lock(mu);
    changed.notify_all();
  }
};

// One Subscribe call: a bidi call through the generic stub (a
// server-streaming method on the wire is one request message, then
// responses), its responses kept as bytes.
class Stream : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  Stream(Shared* shared, const std::string& token) : shared_(shared) {
    if (!token.empty()) context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }

  void Start(grpc::GenericStub* stub, const grpc::ByteBuffer& request) {
    request_ = request;
    stub->PrepareBidiStreamingCall(&context_, kMethod, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&in_);
    StartCall();
  }

  void Cancel() { context_.TryCancel(); }

  void OnReadInitialMetadataDone(bool ok) override {
    if (ok) {
      const auto& metadata = context_.GetServerInitialMetadata();
      auto it = metadata.find("hookbridge-start-after");
      uint64_t after = 0;
      if (it != metadata.end() &&
          absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()), &after)) {
        start_after_.store(after, std::memory_order_relaxed);
        has_start_.store(true, std::memory_order_release);
      }
    }
    shared_->live.fetch_add(1, std::memory_order_acq_rel);
    shared_->Notify();
  }

  void OnWriteDone(bool ok) override {}

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the call is over; OnDone follows
    const int64_t now = NowNs();
    bytes_.fetch_add(static_cast<int64_t>(in_.Length()), std::memory_order_relaxed);
    uint64_t last = last_.load(std::memory_order_relaxed);
    int64_t count = count_.load(std::memory_order_relaxed);
    if (!ParseSequences(in_, &scratch_, &sequences_)) {
      SetError("an event without a sequence");
    }
    for (const uint64_t sequence : sequences_) {
      if (count > 0 && sequence != last + 1) {
        SetError(absl::StrCat("sequence ", sequence, " after ", last));
      }
      if (count == 0) {
        first_ = sequence;
        first_ns_ = now;
      }
      last = sequence;
      ++count;
    }
    last_ns_.store(now, std::memory_order_relaxed);
    last_.store(last, std::memory_order_relaxed);
    count_.store(count, std::memory_order_release);
    in_.Clear();
    StartRead(&in_);
  }

  void OnDone(const grpc::Status& status) override {
    if (!shared_->stopping.load(std::memory_order_acquire)) {
      SetError(absl::StrCat("stream ended: ", status.error_code(), " ", status.error_message()));
    }
    shared_->ended.fetch_add(1, std::memory_order_acq_rel);
    shared_->Notify();
  }

  bool has_start() const { return has_start_.load(std::memory_order_acquire); }
  uint64_t start_after() const { return start_after_.load(std::memory_order_relaxed); }
  int64_t count() const { return count_.load(std::memory_order_acquire); }
  uint64_t last() const { return last_.load(std::memory_order_relaxed); }
  int64_t last_ns() const { return last_ns_.load(std::memory_order_relaxed); }
  // Valid once count() > 0 (read after count()).
  uint64_t first() const { return first_; }
  int64_t first_ns() const { return first_ns_; }
  int64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::string error() {
    std::lock_guard<std::mutex> lock(error_mu_);
    return error_;
  }

 private:
  void SetError(const std::string& error) {
    {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (error_.empty()) error_ = error;
    }
    failed_.store(true, std::memory_order_release);
    shared_->Notify();
  }

  Shared* const shared_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer in_;
  std::string scratch_;
  std::vector<uint64_t> sequences_;  // of the message just read
  std::atomic<bool> has_start_{false};
  std::atomic<uint64_t> start_after_{0};
  std::atomic<int64_t> count_{0};
  std::atomic<uint64_t> last_{0};
  std::atomic<int64_t> last_ns_{0};
  uint64_t first_ = 0;
  int64_t first_ns_ = 0;
  std::atomic<int64_t> bytes_{0};
  std::atomic<bool> failed_{false};
  std::mutex error_mu_;
  std::string error_;
};

int Run() {
  const int subscribers = absl::GetFlag(FLAGS_subscribers);
  const int channels = std::max(1, std::min(absl::GetFlag(FLAGS_channels), subscribers));
  const std::string mode = absl::GetFlag(FLAGS_mode);
  const bool live = mode == "live";
  if (!live && mode != "replay") Die("--mode is replay or live");
  if (subscribers <= 0) Die("--subscribers must be positive");
  if (live && (absl::GetFlag(FLAGS_ready_file).empty() ||
               absl::GetFlag(FLAGS_last_sequence_file).empty())) {
    Die("live mode needs --ready_file and --last_sequence_file");
  }
  const int server_pid = absl::GetFlag(FLAGS_server_pid);
  const int64_t give_up =
      NowNs() + static_cast<int64_t>(absl::GetFlag(FLAGS_timeout_seconds) * 1e9);
  std::string label = absl::GetFlag(FLAGS_label);
  if (label.empty()) label = mode;
  const char* token_env = std::getenv("HOOKBRIDGE_TOKEN");
  const std::string token = token_env != nullptr ? token_env : "";

  hookbridge::v1::SubscribeRequest request;
  if (!live) request.set_after_sequence(absl::GetFlag(FLAGS_after_sequence));
  request.set_include_raw(absl::GetFlag(FLAGS_include_raw));
  grpc::Slice request_slice(request.SerializeAsString());
  const grpc::ByteBuffer request_bytes(&request_slice, 1);

  // Each channel on its own connection: a distinct channel argument gives
  // it a subchannel of its own.
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("hookbridge.bench.channel_index", i);
    args.SetMaxReceiveMessageSize(-1);
    stubs.push_back(std::make_unique<grpc::GenericStub>(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials(), args)));
  }

  Shared shared;
  std::vector<std::unique_ptr<Stream>> streams;
  streams.reserve(static_cast<size_t>(subscribers));
  for (int i = 0; i < subscribers; ++i) streams.push_back(std::make_unique<Stream>(&shared, token));

  // Waits until `done()` holds, a stream failed or the time is up; false if
  // it does not hold.
  auto wait_for = [&](auto done) {
    std::unique_lock<std::mutex> lock(shared.mu);
    for (;;) {
      if (done()) return true;
      if (NowNs() > give_up) return false;
      for (auto& s : streams) {
        if (s->failed()) return false;
      }
      shared.changed.wait_for(lock, std::chrono::milliseconds(5));
    }
  };

  const int64_t start_ns = NowNs();
  const double server_cpu_start = server_pid > 0 ? ProcessCpuSeconds(server_pid) : 0;
  const double self_cpu_start = SelfCpuSeconds();
  for (int i = 0; i < subscribers; ++i) {
    streams[static_cast<size_t>(i)]->Start(stubs[static_cast<size_t>(i % channels)].get(),
                                           request_bytes);
  }
  bool ok = wait_for([&] { return shared.live.load() == subscribers; });
  const double attach_s = static_cast<double>(NowNs() - start_ns) / 1e9;
  std::string failure;
  if (!ok) failure = absl::StrCat(shared.live.load(), " of ", subscribers, " streams went live");

  // Live: the window starts once every stream is live.
  double server_cpu0 = server_cpu_start, self_cpu0 = self_cpu_start;
  uint64_t last_sequence = absl::GetFlag(FLAGS_last_sequence);
  if (ok && live) {
    server_cpu0 = server_pid > 0 ? ProcessCpuSeconds(server_pid) : 0;
    self_cpu0 = SelfCpuSeconds();
    std::ofstream(absl::GetFlag(FLAGS_ready_file)) << "ready\n";
    const std::string path = absl::GetFlag(FLAGS_last_sequence_file);
    for (;;) {
      std::ifstream in(path);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &last_sequence)) break;
      if (NowNs() > give_up) {
        ok = false;
        failure = "no last sequence in " + path;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (ok) {
    ok = wait_for([&] {
      for (auto& s : streams) {
        if (s->count() > 0 ? s->last() < last_sequence : s->start_after() < last_sequence) {
          return false;
        }
      }
      return true;
    });
    if (!ok) failure = "not every stream received every event";
  }
  const double server_cpu = server_pid > 0 ? ProcessCpuSeconds(server_pid) - server_cpu0 : 0;
  const double self_cpu = SelfCpuSeconds() - self_cpu0;

  // Per stream: every event after its start exactly once, in order.
  int64_t deliveries = 0, bytes = 0, bad_streams = 0;
  int64_t first_ns = INT64_MAX, end_ns = 0;
  uint64_t min_start = UINT64_MAX;
  std::vector<std::string> errors;
  for (auto& s : streams) {
    const int64_t count = s->count();
    const uint64_t after = live ? s->start_after() : absl::GetFlag(FLAGS_after_sequence);
    min_start = std::min(min_start, after);
    deliveries += count;
    bytes += s->bytes();
    if (count > 0) {
      first_ns = std::min(first_ns, s->first_ns());
      end_ns = std::max(end_ns, s->last_ns());
    }
    std::string error = s->error();
    if (error.empty() && !s->has_start()) error = "no hookbridge-start-after";
    if (error.empty() && s->start_after() != after) {
      error = absl::StrCat("started after ", s->start_after(), ", asked for ", after);
    }
    const uint64_t expected = last_sequence > after ? last_sequence - after : 0;
    if (error.empty() && static_cast<uint64_t>(count) != expected) {
      error = absl::StrCat("received ", count, " events, expected ", expected);
    }
    if (error.empty() && count > 0 && (s->first() != after + 1 || s->last() != last_sequence)) {
      error = absl::StrCat("received sequences ", s->first(), "..", s->last(), ", expected ",
                           after + 1, "..", last_sequence);
    }
    if (!error.empty()) {
      ++bad_streams;
      if (errors.size() < 5) errors.push_back(error);
    }
  }
  if (!ok && errors.size() < 5) errors.push_back(failure);
  const uint64_t events = last_sequence > min_start ? last_sequence - min_start : 0;
  // Replay: from the start of the calls; live: from the first event received.
  const int64_t from_ns = live ? first_ns : start_ns;
  const double elapsed =
      deliveries > 0 ? static_cast<double>(std::max<int64_t>(end_ns - from_ns, 1)) / 1e9 : 0;
  const double rate = elapsed > 0 ? static_cast<double>(deliveries) / elapsed : 0;
  const double event_bytes =
      deliveries > 0 ? static_cast<double>(bytes) / static_cast<double>(deliveries) : 0;

  // Close every stream and wait for the calls to end before exiting.
  shared.stopping.store(true, std::memory_order_release);
  for (auto& s : streams) s->Cancel();
  {
    std::unique_lock<std::mutex> lock(shared.mu);
    shared.changed.wait_for(lock, std::chrono::seconds(30),
                            [&] { return shared.ended.load() == subscribers; });
  }
  const bool all_ended = shared.ended.load() == subscribers;

  const bool success = ok && bad_streams == 0;
  const double per_delivery = deliveries > 0 ? 1e6 / static_cast<double>(deliveries) : 0;
  std::printf(
      "%s: %s, %d subscribers on %d channels, %llu events: %lld deliveries in %.3f s = %.0f/s; "
      "attach %.3f s; CPU us/delivery: server %.2f, subscribers %.2f; event %.0f bytes%s\n",
      label.c_str(), mode.c_str(), subscribers, channels, static_cast<unsigned long long>(events),
      static_cast<long long>(deliveries), elapsed, rate, attach_s, server_cpu * per_delivery,
      self_cpu * per_delivery, event_bytes, success ? "" : "; FAILED");
  for (const std::string& e : errors) std::printf("  %s\n", e.c_str());
  if (bad_streams > 0) std::printf("  %lld streams failed\n", static_cast<long long>(bad_streams));

  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << absl::StrCat(
        "{\"label\":\"", label, "\",\"system\":\"hookbridge\",\"mode\":\"", mode,
        "\",\"subscribers\":", subscribers, ",\"channels\":", channels, ",\"events\":", events,
        ",\"last_sequence\":", last_sequence, ",\"deliveries\":", deliveries,
        ",\"elapsed_s\":", elapsed, ",\"deliveries_per_s\":", rate, ",\"attach_s\":", attach_s,
        ",\"server_cpu_s\":", server_cpu, ",\"subscriber_cpu_s\":", self_cpu,
        ",\"event_bytes\":", event_bytes, ",\"failed_streams\":", bad_streams,
        ",\"ok\":", success ? "true" : "false", ",\"errors\":[", JsonStrings(errors), "]}\n");
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
