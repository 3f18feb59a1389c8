// hookbridge.v1.EventBridgeService: Subscribe streams the event log through
// a Subscription, one callback reactor per stream; ListEventTypes and
// GetServerInfo describe what the server decodes and its limits.
//
// Events are written as pre-serialized bytes shared with the log record
// (grpc::ByteBuffer slices referencing it), so an event is encoded once no
// matter how many subscribers receive it; a SubscribeResponse is those
// bytes, each behind a field header. A stream that asks for CloudEvents
// (EVENT_FORMAT_CLOUDEVENTS) is the exception: each event is converted
// (bridge/cloudevents.h) for it alone.
#ifndef HOOKBRIDGE_SERVER_GRPC_EVENT_BRIDGE_SERVICE_H_
#define HOOKBRIDGE_SERVER_GRPC_EVENT_BRIDGE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/auth.h"
#include "bridge/consumer/consumer_set.h"
#include "bridge/ingest.h"
#include "bridge/log/event_log.h"
#include "hookbridge/v1/service.grpc.pb.h"
#include "server/grpc/read_pool.h"
#include "server/metrics/metrics.h"

namespace hookbridge {

// The one mapping from absl::Status to grpc::Status (the codes coincide).
grpc::Status ToGrpcStatus(const absl::Status& status);

// Trailing metadata key carrying the sequence to resume after when a stream
// ends: every event up to it that matched the filter was delivered.
inline constexpr char kResumeAfterTrailer[] = "hookbridge-resume-after";

// Initial metadata sent as soon as a subscription is established: the
// sequence the stream starts after. A client that has received it knows that
// every event appended from then on will reach it.
inline constexpr char kStartAfterHeader[] = "hookbridge-start-after";

class SubscribeReactor;

// One open Subscribe stream, as the operator console shows it.
struct SubscriberInfo {
  std::string peer;   // e.g. "ipv4:127.0.0.1:51234"
  std::string token;  // the token's name; empty with authentication off
  std::string rpc;    // "Subscribe"
  // The request's filter lists, as given.
  std::vector<std::string> sources;
  std::vector<std::string> types;
  std::vector<std::string> environment_ids;
  std::vector<std::string> subjects;
  absl::Time connected_at;
  // Every matching event up to this sequence has been delivered.
  uint64_t position = 0;
  // When the oldest event already read for the stream but not yet written
  // to it was appended; absent when none is pending.
  std::optional<absl::Time> pending_since;
};

// Bounds on what subscribers may ask of the service and what it sends; the
// defaults are grpc's in bridge/config_types.h.
struct SubscribeLimits {
  // Subscribe and Consume streams open at once; more are refused with
  // RESOURCE_EXHAUSTED.
  size_t max_subscribers = GrpcConfig().max_subscribers;
  // The same, per token (not applied with authentication off).
  size_t max_streams_per_token = GrpcConfig().max_streams_per_token;
  // Entries in a request's `sources` plus `types`; more is INVALID_ARGUMENT.
  size_t max_filter_patterns = GrpcConfig().max_filter_patterns;
  // The largest event sent (Ingestor::max_event_bytes): a stored one that
  // is larger (stored under a higher limit) goes out without its payload.
  uint64_t max_event_bytes = GrpcConfig().max_event_bytes;
  // A stream silent this long gets a Heartbeat (see SendHeartbeats).
  absl::Duration heartbeat_interval = GrpcConfig().heartbeat_interval;
};

// What GetServerInfo says about the process besides the limits.
struct ServerFacts {
  std::string version;
  std::string log_backend;
};

// Most events in one SubscribeResponse; also the records read from the log
// per write.
inline constexpr size_t kMaxBatchEvents = 64;
// A SubscribeResponse grows past this only with its first event.
inline constexpr size_t kMaxBatchBytes = 1 << 20;

// The largest SubscribeResponse sent when no event exceeds
// `max_event_bytes`: one such event behind its field header, or a batch.
uint64_t MaxResponseBytes(uint64_t max_event_bytes);

class ConsumeReactor;
// Ends a Consume stream with UNAVAILABLE (server/grpc/consumers.cc).
void BeginShutdown(ConsumeReactor* reactor);
// The peer of a Consume stream (ServerContext::peer()).
const std::string& PeerOf(const ConsumeReactor* reactor);
// Sends a Consume stream silent since `silent_since` a Heartbeat.
void MaybeHeartbeat(ConsumeReactor* reactor, absl::Time silent_since, uint64_t head);

// The generated service with every method on the callback API.
using EventBridgeServiceBase = v1::EventBridgeService::WithRawCallbackMethod_Subscribe<
    v1::EventBridgeService::WithCallbackMethod_ListEventTypes<
        v1::EventBridgeService::WithCallbackMethod_GetServerInfo<
            v1::EventBridgeService::WithRawCallbackMethod_Consume<
                v1::EventBridgeService::WithCallbackMethod_CreateConsumer<
                    v1::EventBridgeService::WithCallbackMethod_GetConsumer<
                        v1::EventBridgeService::WithCallbackMethod_ListConsumers<
                            v1::EventBridgeService::WithCallbackMethod_DeleteConsumer<
                                v1::EventBridgeService::WithCallbackMethod_SeekConsumer<
                                    v1::EventBridgeService::WithCallbackMethod_ListDeadLetters<
                                        v1::EventBridgeService::
                                            WithCallbackMethod_RedriveDeadLetters<
                                                v1::EventBridgeService::Service>>>>>>>>>>>;

class EventBridgeService final : public EventBridgeServiceBase {
 public:
  // `log` and `metrics` must outlive the service; `sources` are the
  // configured sources, for ListEventTypes. Every call is authenticated
  // (authorization: Bearer <token>) and Subscribe authorized against the
  // token's grant, then checked against `limits`.
  // `consumers` (if not null) must outlive the service: the durable
  // consumers that Consume and the consumer RPCs serve (server/grpc/consumers.cc).
  EventBridgeService(EventLog* log, Metrics* metrics, const std::vector<SourceInfo>& sources,
                     std::shared_ptr<const Authorizer> authorizer, SubscribeLimits limits,
                     ServerFacts facts = {}, ConsumerSet* consumers = nullptr);

  // Applies a reloaded config: new calls are authenticated with
  // `authorizer` and ListEventTypes lists `sources`. Every open stream is
  // checked again: one whose token is no longer accepted ends with
  // UNAUTHENTICATED, one whose request is no longer inside its token's
  // grant with PERMISSION_DENIED (each with its resume position); the
  // others go on untouched. Returns how many streams were ended.
  size_t Reconfigure(std::shared_ptr<const Authorizer> authorizer,
                     const std::vector<SourceInfo>& sources);

  grpc::ServerUnaryReactor* ListEventTypes(grpc::CallbackServerContext* context,
                                           const v1::ListEventTypesRequest* request,
                                           v1::ListEventTypesResponse* response) override;

  grpc::ServerUnaryReactor* GetServerInfo(grpc::CallbackServerContext* context,
                                          const v1::GetServerInfoRequest* request,
                                          v1::GetServerInfoResponse* response) override;

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Consume(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* CreateConsumer(grpc::CallbackServerContext* context,
                                           const v1::CreateConsumerRequest* request,
                                           v1::CreateConsumerResponse* response) override;
  grpc::ServerUnaryReactor* GetConsumer(grpc::CallbackServerContext* context,
                                        const v1::GetConsumerRequest* request,
                                        v1::GetConsumerResponse* response) override;
  grpc::ServerUnaryReactor* ListConsumers(grpc::CallbackServerContext* context,
                                          const v1::ListConsumersRequest* request,
                                          v1::ListConsumersResponse* response) override;
  grpc::ServerUnaryReactor* DeleteConsumer(grpc::CallbackServerContext* context,
                                           const v1::DeleteConsumerRequest* request,
                                           v1::DeleteConsumerResponse* response) override;
  grpc::ServerUnaryReactor* SeekConsumer(grpc::CallbackServerContext* context,
                                         const v1::SeekConsumerRequest* request,
                                         v1::SeekConsumerResponse* response) override;
  grpc::ServerUnaryReactor* ListDeadLetters(grpc::CallbackServerContext* context,
                                            const v1::ListDeadLettersRequest* request,
                                            v1::ListDeadLettersResponse* response) override;
  grpc::ServerUnaryReactor* RedriveDeadLetters(grpc::CallbackServerContext* context,
                                               const v1::RedriveDeadLettersRequest* request,
                                               v1::RedriveDeadLettersResponse* response) override;

  // Sends a Heartbeat on every stream that has written nothing for
  // heartbeat_interval and has nothing to write. Call about once a second.
  void SendHeartbeats(absl::Time now);

  // Ends every open stream with UNAVAILABLE (and its resume position) and
  // refuses new ones, then waits until every stream is done or `deadline`
  // passes. Returns whether all were done. Call before
  // grpc::Server::Shutdown, which otherwise waits for idle client
  // connections until its own deadline.
  bool Shutdown(absl::Time deadline);

  // How many events, up to `last_sequence`, the furthest-behind open stream
  // has yet to examine. 0 without streams.
  uint64_t MaxLag(uint64_t last_sequence);

  // The open streams, oldest first. Costs a lock per stream: for the
  // console, not for hot paths.
  std::vector<SubscriberInfo> Subscribers();

  // The peers (ServerContext::peer()) of the open Subscribe and Consume
  // streams, for the connection limiter.
  absl::flat_hash_set<std::string> StreamPeers();

 private:
  // Threads reading the log for streams: a NATS fetch may wait for the
  // network, so more than the cores.
  static constexpr int kReadThreads = 4;

  friend class SubscribeReactor;
  friend class ConsumeReactor;
  // The consumer `name` if the call's token may use it (and manage
  // consumers, with `manage`): NOT_FOUND, UNAUTHENTICATED or
  // PERMISSION_DENIED otherwise. `stream_token` (if not null) is set to
  // the token's name with authentication on.
  absl::StatusOr<std::shared_ptr<Consumer>> AuthorizedConsumer(grpc::CallbackServerContext* context,
                                                               const std::string& name, bool manage,
                                                               std::string* stream_token = nullptr);
  // The consumer as the API describes it.
  v1::Consumer Describe(Consumer& consumer);
  // Register and RegisterConsume admit a stream of `token` (the token's
  // name; empty with authentication off): UNAVAILABLE if the service is
  // shutting down, RESOURCE_EXHAUSTED when limits_.max_subscribers streams,
  // or limits_.max_streams_per_token of the token's, are open (then
  // `*per_token`, if not null, tells which). Each admitted stream is
  // unregistered with the same token.
  absl::Status RegisterConsume(ConsumeReactor* reactor, const std::string& token);
  void UnregisterConsume(ConsumeReactor* reactor, const std::string& token);
  absl::Status Register(SubscribeReactor* reactor, const std::string& token, bool* per_token);
  void Unregister(SubscribeReactor* reactor, const std::string& token);
  absl::Status AdmitLocked(const std::string& token, bool* per_token)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReleaseLocked(const std::string& token) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The token's grant, or UNAUTHENTICATED (counted). `used` (if not null)
  // is set to the authorizer that decided.
  absl::StatusOr<Grant> Authenticate(grpc::CallbackServerContext* context,
                                     std::shared_ptr<const Authorizer>* used);
  // The reactor of a unary call, already finished (`*refused` set) when
  // the call's token is not accepted.
  grpc::ServerUnaryReactor* StartUnary(grpc::CallbackServerContext* context, bool* refused);
  std::shared_ptr<const Authorizer> authorizer() ABSL_LOCKS_EXCLUDED(config_mu_);

  EventLog* const log_;
  Metrics* const metrics_;
  const SubscribeLimits limits_;
  const ServerFacts facts_;
  ConsumerSet* const consumers_;
  // What a reload changes. Lock order: mu_, then config_mu_.
  absl::Mutex config_mu_;
  std::shared_ptr<const Authorizer> authorizer_ ABSL_GUARDED_BY(config_mu_);
  std::shared_ptr<const v1::ListEventTypesResponse> event_types_ ABSL_GUARDED_BY(config_mu_);
  absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<SubscribeReactor*> reactors_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<ConsumeReactor*> consume_reactors_ ABSL_GUARDED_BY(mu_);
  // Open streams per token name, for limits_.max_streams_per_token.
  absl::flat_hash_map<std::string, size_t> streams_per_token_ ABSL_GUARDED_BY(mu_);
  // Reads the log for Subscribe streams. Declared last: destroyed (its
  // threads joined) first, once Shutdown has seen every stream done.
  ReadPool read_pool_{kReadThreads};
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_GRPC_EVENT_BRIDGE_SERVICE_H_
