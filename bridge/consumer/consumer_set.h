// The durable consumers of a server: the ConsumerSet interface, the local
// implementation, and the checks and defaults every implementation shares.
#ifndef HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_SET_H_
#define HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_SET_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bridge/consumer/consumer.h"
#include "bridge/log/env.h"
#include "bridge/log/event_log.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {

// The defaults of ConsumerConfig's unset fields.
inline constexpr absl::Duration kDefaultAckDeadline = absl::Seconds(30);
inline constexpr uint32_t kDefaultMaxDeliveries = 5;
inline constexpr uint32_t kDefaultMaxOutstanding = 1000;
// Consumers a server keeps at most (each is a metric label value).
inline constexpr size_t kMaxConsumers = 1000;

// Checks a consumer config: its name, filter and bounds. INVALID_ARGUMENT
// naming the field.
absl::Status ValidateConsumerConfig(const v1::ConsumerConfig& config);

// The filter of `config` as a SubscribeRequest (for EventFilter and for
// checking it against a token's grant).
v1::SubscribeRequest ConsumerFilterRequest(const v1::ConsumerConfig& config);

// The durable consumers of a server. LocalConsumerSet keeps them in this
// process (stores next to the file log, or in memory with the memory log);
// JetStreamConsumerSet keeps them in NATS, shared by every replica.
class ConsumerSet {
 public:
  virtual ~ConsumerSet() = default;

  // Creates a consumer, resolving its start position against the log now.
  // The same config again returns the existing consumer; another config
  // under the same name is ALREADY_EXISTS (for a declared one: a message
  // saying a declared consumer's config cannot change).
  virtual absl::StatusOr<std::shared_ptr<Consumer>> Create(const v1::ConsumerConfig& config,
                                                           bool declared) = 0;
  virtual std::shared_ptr<Consumer> Find(const std::string& name) = 0;
  // In name order.
  virtual std::vector<std::shared_ptr<Consumer>> List() = 0;
  // NOT_FOUND, or FAILED_PRECONDITION for a declared consumer.
  virtual absl::Status Delete(const std::string& name) = 0;
  // Whether `name` is declared in the config (not created by an RPC).
  virtual bool IsDeclared(const std::string& name) = 0;

  // Creates the declared consumers that do not exist, checks that those
  // that do have the declared config, and marks the others as created by
  // RPC. All checked before anything changes.
  virtual absl::Status Declare(const std::vector<v1::ConsumerConfig>& declared) = 0;

  // The first consumer whose progress can no longer be stored (OK: none).
  // Only a restart recovers it, so /healthz fails while it lasts. Cheap:
  // asked by every liveness probe.
  virtual absl::Status failure() { return absl::OkStatus(); }
};

// Consumers created from the config's `consumers:` (declared) or by
// CreateConsumer, kept in stores next to the file log (or in memory with
// the memory log), and a timer thread that expires their deadlines.
class LocalConsumerSet : public ConsumerSet {
 public:
  struct Options {
    EventLog* log = nullptr;
    // Where the stores live; empty: consumers are kept in memory only.
    std::string dir;
    Env* env = nullptr;  // null: Env::Default()
  };

  // Opens the stores found in `options.dir` and starts the timer.
  static absl::StatusOr<std::unique_ptr<LocalConsumerSet>> Open(Options options);
  ~LocalConsumerSet() override;

  absl::StatusOr<std::shared_ptr<Consumer>> Create(const v1::ConsumerConfig& config,
                                                   bool declared) override;
  std::shared_ptr<Consumer> Find(const std::string& name) override;
  std::vector<std::shared_ptr<Consumer>> List() override;
  absl::Status Delete(const std::string& name) override;
  bool IsDeclared(const std::string& name) override;
  absl::Status Declare(const std::vector<v1::ConsumerConfig>& declared) override;
  absl::Status failure() override;

 private:
  explicit LocalConsumerSet(Options options);
  std::shared_ptr<LocalConsumer> Make(const v1::ConsumerConfig& config,
                                      std::unique_ptr<ConsumerJournal> journal);
  // The ack floor `config`'s start position means now.
  absl::StatusOr<uint64_t> StartFloor(const v1::ConsumerConfig& config);
  void RunTimer();
  // Tells the log what the consumers still need (EventLog::HoldFrom).
  void UpdateHoldLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<LocalConsumer>> consumers_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> declared_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread timer_;
};

// The filter and policy of `config` (defaults applied), for a Consumer.
Consumer::Options ConsumerOptions(const v1::ConsumerConfig& config);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_SET_H_
