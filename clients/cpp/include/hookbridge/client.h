// The hookbridge C++ client: subscribe to a hookbridge server's events with
// filters, a start position and a cursor store, and let the library
// reconnect and resume without gap or duplicate.
//
//   hookbridge::client::Options options;
//   options.target = "hookbridge.internal:50051";
//   options.token = std::getenv("HOOKBRIDGE_TOKEN");
//   std::unique_ptr<hookbridge::client::Client> client;
//   grpc::Status connected = hookbridge::client::Client::Create(options, &client);
//
//   hookbridge::client::FileCursorStore cursor("comments.cursor");
//   hookbridge::client::SubscribeOptions subscribe;
//   subscribe.types = {"comment.*"};
//   subscribe.earliest = true;         // only without a stored cursor
//   subscribe.cursor_store = &cursor;  // saved as events are handled
//   std::unique_ptr<hookbridge::client::Subscription> events = client->Subscribe(subscribe);
//   hookbridge::v1::Event event;
//   while (events->Next(&event)) {
//     if (event.has_ckeditor()) Handle(event.ckeditor().comment_added());
//   }
//   // Next() returned false: Cancel() was called, or events->status() says
//   // why the subscription could not go on.
//
// Or, as a member of a durable consumer's group (docs/CONSUMERS.md):
//
//   hookbridge::client::ConsumeOptions consume;
//   consume.consumer = "indexer";
//   consume.member_id = hostname;
//   std::unique_ptr<hookbridge::client::Consumer> indexer = client->Consume(consume);
//   hookbridge::client::Message message;
//   while (indexer->Next(&message)) {
//     if (Index(message.event())) {
//       message.Ack();
//     } else {
//       message.Nack(std::chrono::minutes(1), "index unavailable");
//     }
//   }
//
// Installed with the server (`cmake --install`); a CMake project uses it
// with `find_package(hookbridge CONFIG REQUIRED)` and links
// `hookbridge::client`. The generated messages of proto/ come with it
// (`hookbridge::proto`).
#ifndef HOOKBRIDGE_CLIENT_H_
#define HOOKBRIDGE_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "hookbridge/v1/service.grpc.pb.h"

namespace hookbridge::client {

// Where and how to connect.
struct Options {
  std::string target = "localhost:50051";
  // Sent as `authorization: Bearer <token>` on every call; empty: none.
  std::string token;
  // TLS, verifying the server against the system's roots, or against the
  // CA certificates (PEM) in `ca_file`, which implies TLS.
  bool tls = false;
  std::string ca_file;
  // A client certificate and its key (PEM), for mutual TLS.
  std::string cert_file;
  std::string key_file;
  // The name the server's certificate must carry, when it is not the
  // target's host.
  std::string server_name;
};

// Where a subscription keeps its position across restarts of the process.
class CursorStore {
 public:
  virtual ~CursorStore() = default;
  // The stored sequence, or nullopt in `*sequence` when none is stored.
  virtual grpc::Status Load(std::optional<uint64_t>* sequence) = 0;
  virtual grpc::Status Save(uint64_t sequence) = 0;
};

// A cursor in a file holding the sequence as decimal text. Save replaces
// the file atomically (a temporary file in the same directory, fsync,
// rename, fsync of the directory): a crash leaves the old or the new
// cursor, never a torn one.
class FileCursorStore : public CursorStore {
 public:
  explicit FileCursorStore(std::string path) : path_(std::move(path)) {}
  grpc::Status Load(std::optional<uint64_t>* sequence) override;
  grpc::Status Save(uint64_t sequence) override;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct SubscribeOptions {
  // Filters: empty = any; entries of one list are alternatives, lists AND.
  // `types` takes patterns (`comment.*`); the others are exact values.
  std::vector<std::string> types;
  std::vector<std::string> sources;
  std::vector<std::string> environment_ids;
  std::vector<std::string> subjects;

  // Where to start when the cursor store holds nothing (or there is none):
  // after a sequence, at a time, at the oldest retained event, or (none of
  // them) live.
  std::optional<uint64_t> after_sequence;
  std::optional<std::chrono::system_clock::time_point> since;
  bool earliest = false;

  bool include_raw = false;
  // Evicted events become a Gap (reported to on_gap) instead of an end.
  bool allow_gaps = false;
  // Events as CloudEvents (EVENT_FORMAT_CLOUDEVENTS, docs/CLOUDEVENTS.md):
  // read them with Next(io::cloudevents::v1::CloudEvent*); the position is
  // each one's `sequence` attribute.
  bool cloud_events = false;

  // Not owned; must outlive the subscription. Loaded once when the
  // subscription starts; saved by Commit() and on heartbeats.
  CursorStore* cursor_store = nullptr;
  // Called from Next() for each Gap.
  std::function<void(const v1::Gap&)> on_gap;
  // Called from Next() with one line of progress: "subscribed: streaming
  // events after sequence N", "reconnecting in M ms: CODE: message ...".
  std::function<void(const std::string&)> on_status;

  // Waits between attempts: exponential from `initial_backoff` to
  // `max_backoff`, each drawn uniformly below the bound (full jitter),
  // reset once a stream delivers.
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{10000};
};

// The name of a status code as gRPC spells it, e.g. "UNAVAILABLE".
std::string CodeName(grpc::StatusCode code);

// Whether a subscription ending with `code` is tried again.
bool IsRetryable(grpc::StatusCode code);

// The wait before attempt `attempt` (0-based) of a reconnect: uniform in
// [0, min(max, initial * 2^attempt)], and at least `at_least`.
std::chrono::milliseconds Backoff(int attempt, std::chrono::milliseconds initial,
                                  std::chrono::milliseconds max, std::chrono::milliseconds at_least,
                                  std::mt19937_64& random);

// The `google.rpc.RetryInfo` delay in a status's details (0 if none).
std::chrono::milliseconds RetryDelay(const grpc::Status& status);

class Client;

namespace internal {
// What a stream needs from GetServerInfo, asked before each one (a
// restarted server may have other limits): a stub whose channel's receive
// limit is max_response_bytes plus a margin, and the heartbeat interval.
struct StreamSetup {
  std::unique_ptr<v1::EventBridgeService::Stub> stub;
  uint64_t limit = 0;
  std::chrono::milliseconds heartbeat_interval{10000};
};
}  // namespace internal

// One subscription: events in sequence order, one at a time, across as
// many streams as reconnecting takes. Next() and Commit() are for one
// thread; Cancel() may be called from any.
class Subscription {
 public:
  ~Subscription();
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  // The next event, blocking until there is one. Calling it again means
  // the previous event was handled: its sequence becomes the position.
  // False when the subscription is over: after Cancel() (status() is OK)
  // or an error that retrying cannot fix (status(), resume_after()).
  bool Next(v1::Event* event);
  // The same for a subscription with `cloud_events` set (each call to the
  // other Next ends such a subscription with FAILED_PRECONDITION, and the
  // other way round). A CloudEvent without a decimal `sequence` attribute
  // ends it with DATA_LOSS.
  bool Next(io::cloudevents::v1::CloudEvent* event);

  // Saves the position (the last event Next() returned) in the cursor
  // store now, e.g. before the process exits.
  grpc::Status Commit();

  // Ends the subscription promptly: a Next() in progress returns false.
  void Cancel();

  const grpc::Status& status() const { return status_; }
  // The hookbridge-resume-after of the last stream that ended, if sent.
  std::optional<uint64_t> resume_after() const { return resume_after_; }
  // Every matching event up to this sequence was handed out (none yet:
  // nullopt).
  std::optional<uint64_t> position() const { return position_; }

 private:
  friend class Client;
  Subscription(Client* client, SubscribeOptions options);

  // Opens a stream (after a wait when `attempt` > 0). False when cancelled
  // or when the server's info cannot be had.
  bool Open();
  // Reads responses until one holds an event; false when the stream ended.
  bool Fill();
  // Waits until the response holds an event not handed out yet, in the
  // list the options ask for (cloud_events or events); false when the
  // subscription is over. `cloud_events` says which Next asks: a mismatch
  // ends the subscription.
  bool Ready(bool cloud_events);
  // Handles the end of a stream: true to reconnect.
  bool Ended(grpc::Status status);
  void Advance(uint64_t sequence);
  void Watch();

  Client* const client_;
  const SubscribeOptions options_;
  std::optional<uint64_t> position_;
  std::optional<uint64_t> saved_;
  std::optional<uint64_t> resume_after_;
  grpc::Status status_;
  bool started_ = false;
  bool over_ = false;
  int attempt_ = 0;
  std::chrono::milliseconds least_wait_{0};
  std::mt19937_64 random_;

  internal::StreamSetup setup_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  v1::SubscribeResponse response_;
  int next_ = 0;
  uint64_t handed_out_ = 0;
  bool has_handed_out_ = false;

  // Shared with Cancel() and the watchdog thread.
  std::mutex mu_;
  std::condition_variable changed_;
  std::unique_ptr<grpc::ClientContext> context_;
  bool cancelled_ = false;
  bool stalled_ = false;
  bool streaming_ = false;  // a Subscribe call is open
  std::chrono::steady_clock::time_point last_heard_;
  std::thread watchdog_;
};

// What a consumer does (Client::Consume).
struct ConsumeOptions {
  // The consumer's name, and this member's id (in the server's metrics,
  // logs and console, e.g. the pod name; empty: the server makes one up).
  std::string consumer;
  std::string member_id;

  // Called from the consumer's thread with one line of progress:
  // "consuming: NAME as member ID" for each stream established (ID is
  // "(server-chosen)" without member_id), "reconnecting in M ms: CODE:
  // message" before each retry.
  std::function<void(const std::string&)> on_status;
  // Called from the consumer's thread for each `rejected` response: the
  // acknowledgements, nacks or extensions of events no longer outstanding at
  // this member (acknowledged already, or redelivered elsewhere after their
  // deadline). The server ignored them; not an error.
  std::function<void(const std::vector<uint64_t>& sequences, const std::string& reason)>
      on_rejected;
  // Called from the consumer's thread for each Gap: matching events the
  // log's retention removed before the consumer acknowledged them.
  std::function<void(const v1::Gap&)> on_gap;

  // Waits between attempts, as for a subscription.
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{10000};
  // How long Cancel() (and the destructor) waits for acknowledgements to
  // be confirmed before ending the stream; 0: not at all.
  std::chrono::milliseconds close_timeout{5000};
};

class ConsumerState;

// One event delivered to this member of a consumer. Settle it with Ack()
// or Nack(), from any thread; Extend() restarts its ack deadline while it
// is worked on. Once Ack() or Nack() was called, later calls of any of the
// three do nothing; so do all three on a message whose stream has ended
// (the server took the event back and delivers it again). Copies share
// that state.
class Message {
 public:
  Message() = default;

  const v1::Event& event() const { return event_; }
  v1::Event* mutable_event() { return &event_; }
  uint64_t sequence() const { return event_.sequence(); }
  // 1 for the first delivery of this event to the consumer, 2 for the next...
  uint32_t delivery_attempt() const { return delivery_attempt_; }

  // The event is done: it is never delivered to this consumer again once
  // the server confirms (Consumer::confirmed(), Consumer::Flush()). Queued
  // and sent promptly, with others.
  void Ack();
  // Give it back, to be delivered again (to any member) after `delay` (0:
  // at once); `reason` is kept if it becomes a dead letter.
  void Nack(std::chrono::milliseconds delay = std::chrono::milliseconds(0),
            const std::string& reason = "");
  // Restart its ack deadline.
  void Extend();

 private:
  friend class ConsumerState;
  v1::Event event_;
  uint32_t delivery_attempt_ = 0;
  uint64_t epoch_ = 0;  // the stream that delivered it
  std::shared_ptr<std::atomic<bool>> settled_;
  std::weak_ptr<ConsumerState> state_;
};

// This process's membership in a durable consumer's group: the events the
// server hands to it, across as many Consume streams as reconnecting
// takes. A stream is open in the background from the start. Next() is for
// one thread at a time; the rest may be called from any.
class Consumer {
 public:
  // Cancel()s.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // The next message, blocking until there is one. False when the consumer
  // is over: after Cancel() (status() is OK) or an error that retrying
  // cannot fix (status(): NOT_FOUND for an unknown consumer,
  // PERMISSION_DENIED...).
  bool Next(Message* message);

  // Sends what was settled and waits until every acknowledgement sent so
  // far is confirmed, rejected, or lost with its stream (its event is
  // delivered again); false if `timeout` passed first.
  bool Flush(std::chrono::milliseconds timeout);

  // Flushes (at most close_timeout), then ends the consumer: the stream
  // closes, the server gives the unacknowledged events to the other
  // members, a Next() in progress returns false.
  void Cancel();

  // Acknowledgements the server has confirmed durable.
  uint64_t confirmed() const;
  grpc::Status status() const;

 private:
  friend class Client;
  explicit Consumer(std::shared_ptr<ConsumerState> state) : state_(std::move(state)) {}
  const std::shared_ptr<ConsumerState> state_;
};

class Client {
 public:
  // Reads the TLS files and creates the channel; INVALID_ARGUMENT when a
  // file cannot be read. Nothing is sent yet.
  static grpc::Status Create(Options options, std::unique_ptr<Client>* client);

  grpc::Status GetServerInfo(v1::GetServerInfoResponse* info);
  grpc::Status ListEventTypes(v1::ListEventTypesResponse* types);

  // Starts a subscription; the first stream opens in the first Next().
  std::unique_ptr<Subscription> Subscribe(SubscribeOptions options);

  // Joins a durable consumer's group; the first stream opens at once, in
  // the background. The client must outlive the consumer.
  std::unique_ptr<Consumer> Consume(ConsumeOptions options);

  // The consumer RPCs (docs/CONSUMERS.md), each with a 30 s deadline.
  grpc::Status CreateConsumer(const v1::CreateConsumerRequest& request,
                              v1::CreateConsumerResponse* response);
  grpc::Status GetConsumer(const v1::GetConsumerRequest& request,
                           v1::GetConsumerResponse* response);
  grpc::Status ListConsumers(v1::ListConsumersResponse* response);
  grpc::Status DeleteConsumer(const v1::DeleteConsumerRequest& request);
  grpc::Status SeekConsumer(const v1::SeekConsumerRequest& request,
                            v1::SeekConsumerResponse* response);
  grpc::Status ListDeadLetters(const v1::ListDeadLettersRequest& request,
                               v1::ListDeadLettersResponse* response);
  grpc::Status RedriveDeadLetters(const v1::RedriveDeadLettersRequest& request,
                                  v1::RedriveDeadLettersResponse* response);

 private:
  friend class Subscription;
  friend class ConsumerState;

  // Calls GetServerInfo on `context` (authorized here, deadline set) and
  // updates `setup`.
  grpc::Status Prepare(grpc::ClientContext* context, uint64_t margin, internal::StreamSetup* setup);
  using Stub = v1::EventBridgeService::Stub;
  template <typename Request, typename Response>
  using UnaryMethod = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

  Client(Options options, std::shared_ptr<grpc::ChannelCredentials> credentials);
  void Authorize(grpc::ClientContext* context) const;
  // Calls `method` with the token and a deadline.
  template <typename Request, typename Response>
  grpc::Status Call(UnaryMethod<Request, Response> method, const Request& request,
                    Response* response, std::chrono::seconds deadline);
  // A channel whose receive limit is `max_receive_bytes`.
  std::shared_ptr<grpc::Channel> Channel(uint64_t max_receive_bytes) const;

  const Options options_;
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::unique_ptr<v1::EventBridgeService::Stub> stub_;
};

}  // namespace hookbridge::client

#endif  // HOOKBRIDGE_CLIENT_H_
