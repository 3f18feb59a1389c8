// Durable consumers on the JetStream backend: their state lives in NATS,
// never in one replica, so members connected to different replicas share
// one consumer and a member may reconnect to any replica.
//
// Each hookbridge consumer is a JetStream durable pull consumer on the
// log's stream (`hb_<name>`, explicit acks, AckWait = ack_deadline, filter
// subject from its sources and types; its hookbridge config is kept in the
// durable's description). Every replica with members of it pulls from that
// durable for its own members and hands each member at most
// max_outstanding events; JetStream gives each message to one puller at a
// time and redelivers what is not acknowledged within AckWait.
// Acknowledgements are sent pipelined and confirmed by a synchronous
// acknowledgement after them, so a confirmed one is stored by the server.
//
// JetStream has no dead letters: a message delivered more than
// max_deliveries times is terminated and recorded in the key-value bucket
// `<stream>_DEAD` (key `<consumer>.<sequence>`) with the deliveries, the
// negative acknowledgements and the last reason a member gave (nack reasons
// wait in `<stream>_NACKS`). Redriving publishes the stored event again to
// the work-queue stream `<stream>_REDRIVE` (subject
// `<prefix>_redrive.<consumer>`), which a second durable of the consumer
// delivers like the first. Seeking replaces the durable.
//
// `ordering: per_subject` is refused: JetStream cannot hold one event per
// subject outstanding across the pullers of several replicas. Events the
// stream's limits remove before a consumer acknowledged them are not
// reported as gaps (JetStream skips them).
#ifndef HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_CONSUMERS_H_
#define HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_CONSUMERS_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "bridge/consumer/consumer_set.h"
#include "bridge/log/jetstream/jetstream_log.h"

namespace hookbridge {

class JetStreamConsumer;

class JetStreamConsumerSet : public ConsumerSet {
 public:
  // Connects (its own connection) and creates the redrive stream and the
  // key-value buckets where missing. `log` must outlive the set.
  static absl::StatusOr<std::unique_ptr<JetStreamConsumerSet>> Open(
      const JetStreamLog::Options& options, EventLog* log);
  ~JetStreamConsumerSet() override;

  // FailedPrecondition for what this backend cannot do (per-subject
  // ordering), before anything is created.
  static absl::Status CheckSupported(const v1::ConsumerConfig& config);

  absl::StatusOr<std::shared_ptr<Consumer>> Create(const v1::ConsumerConfig& config,
                                                   bool declared) override;
  // Looks the consumer up in NATS (another replica may have created or
  // deleted it).
  std::shared_ptr<Consumer> Find(const std::string& name) override;
  std::vector<std::shared_ptr<Consumer>> List() override;
  absl::Status Delete(const std::string& name) override;
  bool IsDeclared(const std::string& name) override;
  absl::Status Declare(const std::vector<v1::ConsumerConfig>& declared) override;

  struct Nats;

 private:
  JetStreamConsumerSet(std::shared_ptr<Nats> nats, EventLog* log);
  // The consumer object for `name` as NATS has it now (cached while its
  // config is the same); nullptr when NATS has no such consumer.
  absl::StatusOr<std::shared_ptr<JetStreamConsumer>> Load(const std::string& name);

  const std::shared_ptr<Nats> nats_;
  EventLog* const log_;
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<JetStreamConsumer>> cache_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> declared_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_CONSUMERS_H_
