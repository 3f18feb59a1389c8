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

  std::unique_ptr<v1::EventBridgeService::Stub> stub_;
  uint64_t stub_limit_ = 0;
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
  std::chrono::milliseconds heartbeat_interval_{10000};
  std::thread watchdog_;
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

 private:
  friend class Subscription;
  Client(Options options, std::shared_ptr<grpc::ChannelCredentials> credentials);
  void Authorize(grpc::ClientContext* context) const;
  // A channel whose receive limit is `max_receive_bytes`.
  std::shared_ptr<grpc::Channel> Channel(uint64_t max_receive_bytes) const;

  const Options options_;
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::unique_ptr<v1::EventBridgeService::Stub> stub_;
};

}  // namespace hookbridge::client

#endif  // HOOKBRIDGE_CLIENT_H_
