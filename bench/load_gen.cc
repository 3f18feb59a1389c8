// load_gen: HTTP/1.1 load generator for the ingest and end-to-end latency
// benchmarks (bench/ingest.sh, bench/latency.sh; see bench/README.md).
//
// N keep-alive connections POST ~1 KiB CKEditor Cloud Services webhooks
// (comment.added, signed with X-CS-Timestamp / X-CS-Signature), each body
// unique (its document id carries a run nonce and the event's index), so
// deduplication never short-circuits an append.
//
//   closed loop: --rate 0 (default): every connection sends its next request
//                as soon as the previous one is answered, for --seconds.
//   open loop:   --rate R: requests are due at t0 + i / R whatever the
//                answers; a due request waits for a free connection, and its
//                latency counts from when it was due (no coordinated
//                omission).
//
// With --subscribe HOST:PORT, one gRPC subscriber in this process (token from
// HOOKBRIDGE_TOKEN) timestamps each event's arrival and matches it to its
// send time by the document id (the event's subject): the end-to-end
// latency, POST due -> event received by a subscriber, split into stages at
// the request's write and at the server's received_at (kStageNames), with
// the mean of each stage over the slowest 1 %. With --server_pid, the
// server's CPU over the measured window is reported beside this process's
// and the rest of the machine's (bench/clock.h, CpuWindow).
//
// One thread drives all connections with epoll; the subscriber has its own.
#include <arpa/inet.h>
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "bench/clock.h"
#include "bench/percentiles.h"
#include "bridge/providers/ckeditor/signature.h"
#include "hookbridge/v1/service.grpc.pb.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "server address (IPv4)");
ABSL_FLAG(int, port, 0, "server HTTP port");
ABSL_FLAG(std::string, path, "/webhooks/ckeditor", "request target");
ABSL_FLAG(std::string, secret, "bench-secret", "the source's CKEditor API secret");
ABSL_FLAG(int, connections, 16, "keep-alive connections");
ABSL_FLAG(double, seconds, 10, "how long to send");
ABSL_FLAG(double, rate, 0, "offered rate in requests/s (open loop); 0: closed loop");
ABSL_FLAG(int, body_bytes, 1024, "approximate request body size");
ABSL_FLAG(std::string, subscribe, "",
          "hookbridge gRPC address: subscribe and measure POST -> received latency");
ABSL_FLAG(int64_t, max_events, 4000000, "stop after this many requests (bounds memory)");
ABSL_FLAG(int, server_pid, 0,
          "the server's pid: its CPU time over the measured window is reported");
ABSL_FLAG(double, drain_seconds, 5, "how long to wait for answers and deliveries after sending");
ABSL_FLAG(std::string, label, "", "name of this run in the output");
ABSL_FLAG(std::string, json, "", "also write the results as JSON to this file");

namespace {

using hookbridge::bench::CpuWindow;
using hookbridge::bench::NowNs;
using hookbridge::bench::Percentiles;
using hookbridge::bench::PercentilesJson;
using hookbridge::bench::Summarize;
using hookbridge::bench::UnixNowNs;

// The stages of an event's end-to-end latency, split where this process can
// time them (its own clock, and the server's realtime clock read from the
// event's received_at): due_to_written (waiting for the pacing timer or a
// free connection, and signing), written_to_parsed (to the server's header
// parsed), then parsed_to_answered (the append, durable as configured, and
// the answer's way back) and, overlapping it, parsed_to_received (the
// append, the subscription's wake-up and read, the gRPC write and its way to
// this process's subscriber). written_to_received is the latency without the
// client's own lateness, the stage nats_latency reports under that name.
constexpr int kStages = 5;
constexpr const char* kStageNames[kStages] = {"due_to_written", "written_to_parsed",
                                              "parsed_to_answered", "parsed_to_received",
                                              "written_to_received"};

int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "load_gen: %s\n", message.c_str());
  std::exit(1);
}

// Builds signed requests. Event `index` has the document id
// "<prefix><index>", which becomes the event's subject.
class RequestMaker {
 public:
  RequestMaker(std::string path, std::string secret, std::string prefix, int body_bytes)
      : path_(std::move(path)), secret_(std::move(secret)), prefix_(std::move(prefix)) {
    const int fixed = static_cast<int>(Body("000000000", "").size());
    padding_.assign(std::max(1, body_bytes - fixed), 'x');
  }

  const std::string& prefix() const { return prefix_; }

  std::string Make(const std::string& index) const {
    const std::string body = Body(index, padding_);
    const std::string timestamp = std::to_string(UnixMillis());
    const std::string signature =
        hookbridge::CkeditorSignature(secret_, "POST", path_, timestamp, body);
    std::string request;
    request.reserve(body.size() + 256);
    absl::StrAppend(&request, "POST ", path_,
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    "X-CS-Timestamp: ",
                    timestamp, "\r\nX-CS-Signature: ", signature,
                    "\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
    return request;
  }

 private:
  std::string Body(const std::string& index, const std::string& padding) const {
    return absl::StrCat(
        "{\"event\":\"comment.added\",\"environment_id\":\"env-bench\","
        "\"sent_at\":\"2019-05-29T08:17:53.457Z\",\"payload\":{\"document\":{\"id\":\"",
        prefix_, index, "\"},\"comment\":{\"id\":\"c-", index, "\",\"content\":\"", padding,
        "\",\"created_at\":\"2019-05-29T08:17:53.450Z\",\"thread_id\":\"t\","
        "\"user\":{\"id\":\"u\"}}}}");
  }

  std::string path_, secret_, prefix_, padding_;
};

// The first complete response at the start of `in`: its length and status,
// or 0 when more bytes are needed, -1 when it cannot be read.
int64_t ParseResponse(const std::string& in, int* status) {
  const size_t header_end = in.find("\r\n\r\n");
  if (header_end == std::string::npos) return 0;
  const absl::string_view head(in.data(), header_end);
  if (head.size() < 12 || !absl::StartsWith(head, "HTTP/1.1 ") ||
      !absl::SimpleAtoi(head.substr(9, 3), status)) {
    return -1;
  }
  int64_t content_length = 0;
  size_t line = head.find("\r\n");
  while (line != absl::string_view::npos) {
    const size_t next = head.find("\r\n", line + 2);
    absl::string_view field = head.substr(
        line + 2, next == absl::string_view::npos ? absl::string_view::npos : next - line - 2);
    const size_t colon = field.find(':');
    if (colon != absl::string_view::npos) {
      const absl::string_view name = field.substr(0, colon);
      const absl::string_view value = absl::StripAsciiWhitespace(field.substr(colon + 1));
      if (absl::EqualsIgnoreCase(name, "content-length")) {
        if (!absl::SimpleAtoi(value, &content_length)) return -1;
      } else if (absl::EqualsIgnoreCase(name, "transfer-encoding")) {
        return -1;  // Neither server under test sends chunked answers here.
      }
    }
    line = next;
  }
  const int64_t total = static_cast<int64_t>(header_end) + 4 + content_length;
  return static_cast<int64_t>(in.size()) >= total ? total : 0;
}

int Connect(const std::string& host, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) Die(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) Die("bad --host " + host);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    Die(absl::StrCat("connect ", host, ":", port, ": ", std::strerror(errno)));
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

struct Connection {
  int fd = -1;
  std::string out;
  size_t written = 0;
  std::string in;
  bool busy = false;
  int64_t index = -1;
  int64_t start_ns = 0;
};

// One blocking request (warm-up): the status, or dies.
int BlockingRequest(int fd, const std::string& request) {
  size_t written = 0;
  while (written < request.size()) {
    const ssize_t n = write(fd, request.data() + written, request.size() - written);
    if (n <= 0) Die(absl::StrCat("write: ", std::strerror(errno)));
    written += static_cast<size_t>(n);
  }
  std::string in;
  char buffer[16384];
  for (;;) {
    int status = 0;
    const int64_t length = ParseResponse(in, &status);
    if (length < 0) Die("unreadable response: " + in.substr(0, 200));
    if (length > 0) {
      if (status < 200 || status > 299) {
        Die(absl::StrCat("warm-up request answered ", status, ": ", in.substr(0, 400)));
      }
      return status;
    }
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) Die("warm-up: connection closed");
    in.append(buffer, static_cast<size_t>(n));
  }
}

// The subscriber: records when each event of this run arrives, and when the
// server says it received the request (the event's received_at: its header
// parsed), which splits the end-to-end latency at the server's door.
class Subscriber {
 public:
  Subscriber(const std::string& target, std::string prefix, size_t capacity)
      : prefix_(std::move(prefix)), received_ns_(capacity, 0), server_received_ns_(capacity, 0) {
    auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
    stub_ = hookbridge::v1::EventBridgeService::NewStub(channel);
    if (const char* token = std::getenv("HOOKBRIDGE_TOKEN")) {
      context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
    thread_ = std::thread([this] { Run(); });
  }

  ~Subscriber() { Stop(); }

  void Stop() {
    if (!thread_.joinable()) return;
    context_.TryCancel();
    thread_.join();
  }

  bool warm() const { return warm_.load(std::memory_order_acquire); }
  int64_t received() const { return received_.load(std::memory_order_acquire); }
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  // Valid after Stop(): 0 for events not received.
  const std::vector<int64_t>& received_ns() const { return received_ns_; }
  // Valid after Stop(): the events' received_at, Unix nanoseconds.
  const std::vector<int64_t>& server_received_ns() const { return server_received_ns_; }
  // Valid after Stop(): mean serialized size of this run's events.
  double mean_event_bytes() const {
    return event_count_ > 0 ? static_cast<double>(event_bytes_) / static_cast<double>(event_count_)
                            : 0;
  }
  const std::string& error() const { return error_; }

 private:
  void Run() {
    hookbridge::v1::SubscribeRequest request;
    request.add_types("comment.added");
    auto reader = stub_->Subscribe(&context_, request);
    hookbridge::v1::SubscribeResponse response;
    while (reader->Read(&response)) {
      const int64_t now = NowNs();
      for (const hookbridge::v1::Event& event : response.events()) Received(event, now);
    }
    grpc::Status status = reader->Finish();
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      error_ = status.error_message();
      failed_.store(true, std::memory_order_release);
    }
  }

  // Records the arrival of one event of this run at `now`.
  void Received(const hookbridge::v1::Event& event, int64_t now) {
    absl::string_view subject = event.subject();
    if (!absl::ConsumePrefix(&subject, prefix_)) return;  // another run's event
    if (absl::ConsumePrefix(&subject, "w")) {
      warm_.store(true, std::memory_order_release);
      return;
    }
    size_t index = 0;
    if (!absl::SimpleAtoi(subject, &index) || index >= received_ns_.size()) return;
    if (received_ns_[index] == 0) {
      received_ns_[index] = now;
      server_received_ns_[index] =
          event.received_at().seconds() * 1'000'000'000 + event.received_at().nanos();
      event_bytes_ += static_cast<int64_t>(event.ByteSizeLong());
      ++event_count_;
      received_.fetch_add(1, std::memory_order_release);
    }
  }

  std::string prefix_;
  std::vector<int64_t> received_ns_;
  std::vector<int64_t> server_received_ns_;
  int64_t event_bytes_ = 0;
  int64_t event_count_ = 0;
  std::unique_ptr<hookbridge::v1::EventBridgeService::Stub> stub_;
  grpc::ClientContext context_;
  std::atomic<bool> warm_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int64_t> received_{0};
  std::string error_;
  std::thread thread_;
};

int Run() {
  const std::string host = absl::GetFlag(FLAGS_host);
  const int port = absl::GetFlag(FLAGS_port);
  const int connections = absl::GetFlag(FLAGS_connections);
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const double rate = absl::GetFlag(FLAGS_rate);
  const bool open_loop = rate > 0;
  if (port <= 0 || connections <= 0 || seconds <= 0) Die("give --port, --connections, --seconds");
  int64_t max_events = absl::GetFlag(FLAGS_max_events);
  if (open_loop) {
    max_events = std::min(max_events, static_cast<int64_t>(rate * seconds + 0.5));
  }
  std::string label = absl::GetFlag(FLAGS_label);
  if (label.empty()) label = "run";

  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // microsecond-precise open-loop pacing
  // A nonce per run: events of earlier runs against the same server differ.
  const std::string prefix = absl::StrCat("b", UnixMillis() % 100000000, getpid(), "-");
  RequestMaker maker(absl::GetFlag(FLAGS_path), absl::GetFlag(FLAGS_secret), prefix,
                     absl::GetFlag(FLAGS_body_bytes));

  std::vector<Connection> conns(static_cast<size_t>(connections));
  for (Connection& c : conns) c.fd = Connect(host, port);

  // Warm-up: one request per connection; with a subscriber, repeat until one
  // arrives, so the subscription is live before the measured run.
  std::unique_ptr<Subscriber> subscriber;
  const std::string target = absl::GetFlag(FLAGS_subscribe);
  if (!target.empty()) {
    subscriber = std::make_unique<Subscriber>(target, prefix, static_cast<size_t>(max_events));
  }
  int warm_count = 0;
  for (Connection& c : conns) BlockingRequest(c.fd, maker.Make(absl::StrCat("w", warm_count++)));
  if (subscriber) {
    const int64_t give_up = NowNs() + 10'000'000'000;
    while (!subscriber->warm()) {
      if (subscriber->failed()) Die("subscribe: " + subscriber->error());
      if (NowNs() > give_up) Die("subscriber received no warm-up event in 10 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      BlockingRequest(conns[0].fd, maker.Make(absl::StrCat("w", warm_count++)));
    }
  }

  const int epoll = epoll_create1(EPOLL_CLOEXEC);
  const int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = static_cast<uint64_t>(connections);
    epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &ev);
  }
  for (size_t i = 0; i < conns.size(); ++i) {
    fcntl(conns[i].fd, F_SETFL, fcntl(conns[i].fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u64 = i;
    epoll_ctl(epoll, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }

  // Per request: when it was due (open loop) or sent (closed loop).
  std::vector<int64_t> sent_ns;
  sent_ns.reserve(static_cast<size_t>(std::min<int64_t>(max_events, 50'000'000)));
  std::vector<int64_t> http_latency_ns;
  http_latency_ns.reserve(sent_ns.capacity());
  // When each request's write began (after any wait for a connection).
  std::vector<int64_t> written_ns;
  written_ns.reserve(sent_ns.capacity());
  std::vector<int64_t> ok_index;  // requests answered 2xx
  ok_index.reserve(sent_ns.capacity());
  std::vector<int64_t> ok_answered_ns;  // when each of them was answered
  ok_answered_ns.reserve(sent_ns.capacity());
  std::map<int, int64_t> statuses;
  int64_t errors = 0;  // requests lost with their connection, stray answers
  int64_t reconnects = 0;
  std::vector<size_t> idle;
  for (size_t i = 0; i < conns.size(); ++i) idle.push_back(i);

  CpuWindow cpu(absl::GetFlag(FLAGS_server_pid));
  cpu.Start();
  // The realtime clock's reading minus the monotonic one's: converts the
  // server's received_at to this process's clock.
  const int64_t steady_before = NowNs();
  const int64_t unix_now = UnixNowNs();
  const int64_t realtime_offset_ns = unix_now - (steady_before + NowNs()) / 2;
  const int64_t t0 = NowNs();
  const int64_t send_until = t0 + static_cast<int64_t>(seconds * 1e9);
  const int64_t drain_until =
      send_until + static_cast<int64_t>(absl::GetFlag(FLAGS_drain_seconds) * 1e9);
  const double interval_ns = open_loop ? 1e9 / rate : 0;
  int64_t next = 0;  // index of the next request
  int64_t in_flight = 0;
  int64_t last_answer_ns = t0;
  int64_t max_backlog = 0;

  auto flush = [&](Connection& c) -> bool {
    while (c.written < c.out.size()) {
      const ssize_t n = write(c.fd, c.out.data() + c.written, c.out.size() - c.written);
      if (n > 0) {
        c.written += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return true;
      } else {
        return false;
      }
    }
    return true;
  };
  auto start = [&](size_t i, int64_t due_ns) {
    Connection& c = conns[i];
    c.out = maker.Make(std::to_string(next));
    c.written = 0;
    c.busy = true;
    c.index = next;
    c.start_ns = open_loop ? due_ns : NowNs();
    sent_ns.push_back(c.start_ns);
    written_ns.push_back(open_loop ? NowNs() : c.start_ns);
    ++next;
    ++in_flight;
    if (!flush(c)) Die("write failed");
  };
  auto due_at = [&](int64_t index) {
    return t0 + static_cast<int64_t>(static_cast<double>(index) * interval_ns);
  };
  auto arm_timer = [&](int64_t at_ns) {
    itimerspec spec{};
    const int64_t ns = std::max<int64_t>(at_ns, 1);
    spec.it_value.tv_sec = ns / 1'000'000'000;
    spec.it_value.tv_nsec = ns % 1'000'000'000;
    timerfd_settime(timer, TFD_TIMER_ABSTIME, &spec, nullptr);
  };
  auto issue = [&](int64_t now) {
    if (now >= send_until) return;
    if (!open_loop) {
      while (!idle.empty() && next < max_events) {
        const size_t i = idle.back();
        idle.pop_back();
        start(i, 0);
      }
      return;
    }
    while (next < max_events && due_at(next) <= now && !idle.empty()) {
      const size_t i = idle.back();
      idle.pop_back();
      start(i, due_at(next));
    }
    if (next < max_events) {
      const int64_t backlog = (now - due_at(next)) > 0
                                  ? static_cast<int64_t>((now - due_at(next)) / interval_ns) + 1
                                  : 0;
      max_backlog = std::max(max_backlog, backlog);
      if (!idle.empty()) arm_timer(due_at(next));
    }
  };

  issue(NowNs());
  std::vector<epoll_event> events(static_cast<size_t>(connections) + 1);
  char buffer[65536];
  for (;;) {
    const int64_t now = NowNs();
    const bool sending = now < send_until && next < max_events;
    if (!sending && in_flight == 0) break;
    if (now >= drain_until) break;
    const int n = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 100);
    if (n < 0 && errno != EINTR) Die(absl::StrCat("epoll_wait: ", std::strerror(errno)));
    for (int k = 0; k < n; ++k) {
      const uint64_t id = events[static_cast<size_t>(k)].data.u64;
      if (id == static_cast<uint64_t>(connections)) {
        uint64_t expirations;
        while (read(timer, &expirations, sizeof expirations) > 0) {
        }
        continue;
      }
      Connection& c = conns[id];
      if (events[static_cast<size_t>(k)].events & EPOLLOUT) {
        if (c.busy && !flush(c)) Die("write failed");
      }
      if (events[static_cast<size_t>(k)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        bool closed = false;
        for (;;) {
          const ssize_t r = read(c.fd, buffer, sizeof buffer);
          if (r > 0) {
            c.in.append(buffer, static_cast<size_t>(r));
            continue;
          }
          if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
          closed = true;  // EOF or reset: answers read so far still count
          break;
        }
        for (;;) {
          int status = 0;
          const int64_t length = ParseResponse(c.in, &status);
          if (length < 0) Die("unreadable response: " + c.in.substr(0, 200));
          if (length == 0) break;
          c.in.erase(0, static_cast<size_t>(length));
          if (!c.busy) {
            ++errors;  // an answer nobody asked for
            continue;
          }
          const int64_t done = NowNs();
          last_answer_ns = done;
          ++statuses[status];
          http_latency_ns.push_back(done - c.start_ns);
          if (status >= 200 && status <= 299) {
            ok_index.push_back(c.index);
            ok_answered_ns.push_back(done);
          }
          c.busy = false;
          --in_flight;
          idle.push_back(id);
        }
        if (closed) {
          // The server ended the connection (e.g. its requests-per-connection
          // limit): a request in flight is lost; open a new connection.
          ++reconnects;
          if (c.busy) {
            ++errors;
            c.busy = false;
            --in_flight;
            idle.push_back(id);
          }
          epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
          close(c.fd);
          c.in.clear();
          c.fd = Connect(host, port);
          fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
          ev.data.u64 = id;
          epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &ev);
        }
      }
    }
    issue(NowNs());
  }
  const int64_t sent = next;
  const int64_t answered = static_cast<int64_t>(http_latency_ns.size());
  // From the first request to the last answer.
  const double elapsed =
      static_cast<double>(std::max(last_answer_ns, t0 + 1)) / 1e9 - static_cast<double>(t0) / 1e9;
  const double requests_per_s = static_cast<double>(answered) / elapsed;

  // Deliveries: wait until every accepted event arrived, or the drain time.
  std::vector<int64_t> e2e_ns;
  int64_t missing = 0;
  // Per delivered event, the stages of its end-to-end latency (kStageNames).
  std::vector<int64_t> stage_ns[kStages];
  if (subscriber) {
    const int64_t expected = static_cast<int64_t>(ok_index.size());
    while (subscriber->received() < expected && NowNs() < drain_until && !subscriber->failed()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    subscriber->Stop();
    if (subscriber->failed()) {
      std::fprintf(stderr, "load_gen: subscriber: %s\n", subscriber->error().c_str());
    }
    const std::vector<int64_t>& received = subscriber->received_ns();
    const std::vector<int64_t>& server_received = subscriber->server_received_ns();
    e2e_ns.reserve(ok_index.size());
    for (size_t k = 0; k < ok_index.size(); ++k) {
      const size_t i = static_cast<size_t>(ok_index[k]);
      const int64_t at = received[i];
      if (at == 0) {
        ++missing;
        continue;
      }
      e2e_ns.push_back(at - sent_ns[i]);
      const int64_t parsed = server_received[i] - realtime_offset_ns;
      const int64_t stage[kStages] = {written_ns[i] - sent_ns[i], parsed - written_ns[i],
                                      ok_answered_ns[k] - parsed, at - parsed, at - written_ns[i]};
      for (int j = 0; j < kStages; ++j) stage_ns[j].push_back(stage[j]);
    }
  }
  cpu.Stop();
  // Where the slowest 1 % of events spent their time: each stage's mean over
  // the events whose end-to-end latency is at or above the p99.
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

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu_s = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  const int64_t offered = open_loop ? max_events : sent;
  const Percentiles http = Summarize(&http_latency_ns);
  const Percentiles e2e = Summarize(&e2e_ns);
  std::string status_text, status_json;
  for (const auto& [code, count] : statuses) {
    absl::StrAppend(&status_text, status_text.empty() ? "" : " ", code, ":", count);
    absl::StrAppend(&status_json, status_json.empty() ? "" : ",", "\"", code, "\":", count);
  }
  const int64_t unanswered = sent - answered;
  std::printf(
      "%s: %s, %d connections, %.1f s: offered %lld, sent %lld, answered %lld (%s), unanswered "
      "%lld\n",
      label.c_str(), open_loop ? absl::StrCat("open loop at ", rate, "/s").c_str() : "closed loop",
      connections, seconds, static_cast<long long>(offered), static_cast<long long>(sent),
      static_cast<long long>(answered), status_text.c_str(), static_cast<long long>(unanswered));
  std::printf(
      "  %.0f requests/s; HTTP latency us: p50 %.1f p99 %.1f p99.9 %.1f max %.1f; "
      "load_gen CPU %.2f s\n",
      requests_per_s, http.p50, http.p99, http.p999, http.max, cpu_s);
  if (errors > 0 || reconnects > 0) {
    std::printf("  %lld requests lost, %lld reconnects\n", static_cast<long long>(errors),
                static_cast<long long>(reconnects));
  }
  if (open_loop && max_backlog > 1) {
    std::printf("  fell behind the offered rate: up to %lld requests waited for a connection\n",
                static_cast<long long>(max_backlog));
  }
  if (subscriber) {
    std::printf(
        "  end to end (due -> received) us: p50 %.1f p99 %.1f p99.9 %.1f max %.1f; "
        "missing %lld\n",
        e2e.p50, e2e.p99, e2e.p999, e2e.max, static_cast<long long>(missing));
    std::printf("  stages us (p50 / p99; mean over the slowest 1 %%):");
    for (int j = 0; j < kStages; ++j) {
      std::printf(" %s %.1f / %.1f; %.1f%s", kStageNames[j], stage_percentiles[j].p50,
                  stage_percentiles[j].p99, tail_stage_us[j], j + 1 < kStages ? "," : "\n");
    }
  }

  const std::string json_path = absl::GetFlag(FLAGS_json);
  if (!json_path.empty()) {
    FILE* f = std::fopen(json_path.c_str(), "w");
    if (f == nullptr) Die("cannot write " + json_path);
    std::string json = absl::StrCat(
        "{\"label\":\"", label, "\",\"mode\":\"", open_loop ? "open" : "closed",
        "\",\"offered_rate\":", rate, ",\"connections\":", connections, ",\"seconds\":", seconds,
        ",\"body_bytes\":", absl::GetFlag(FLAGS_body_bytes), ",\"offered\":", offered,
        ",\"sent\":", sent, ",\"answered\":", answered, ",\"unanswered\":", unanswered,
        ",\"errors\":", errors, ",\"reconnects\":", reconnects, ",\"status\":{", status_json,
        "},\"requests_per_s\":", requests_per_s, ",\"max_backlog\":", max_backlog,
        ",\"load_gen_cpu_s\":", cpu_s, ",\"cpu\":", cpu.Json(),
        ",\"http_latency_us\":", PercentilesJson(http));
    if (subscriber) {
      absl::StrAppend(&json, ",\"e2e_latency_us\":", PercentilesJson(e2e),
                      ",\"e2e_missing\":", missing,
                      ",\"event_bytes\":", subscriber->mean_event_bytes(), ",\"stages_us\":{");
      for (int j = 0; j < kStages; ++j) {
        absl::StrAppend(&json, j > 0 ? "," : "", "\"", kStageNames[j],
                        "\":", PercentilesJson(stage_percentiles[j]));
      }
      absl::StrAppend(&json, "},\"tail_stages_us\":{\"count\":", tail_count);
      for (int j = 0; j < kStages; ++j) {
        absl::StrAppend(&json, ",\"", kStageNames[j], "\":", tail_stage_us[j]);
      }
      json.append("}");
    }
    json.append("}\n");
    std::fputs(json.c_str(), f);
    std::fclose(f);
  }
  for (Connection& c : conns) close(c.fd);
  close(timer);
  close(epoll);
  return (errors > 0 || missing > 0) ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return Run();
}
