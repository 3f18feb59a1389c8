// What the JetStream log and the durable consumers of that backend share:
// how an event is stored in a stream message and how they connect to NATS
// (both link the NATS client; nothing else includes this header).
#ifndef HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_RECORD_H_
#define HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_RECORD_H_

#include <nats/nats.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bridge/log/event_log.h"
#include "bridge/log/jetstream/jetstream_log.h"

namespace hookbridge {

// Where the event ends and its raw body field begins in a stored message.
inline constexpr char kEventBytesHeader[] = "Hookbridge-Event-Bytes";

// The record of a message hookbridge stored, as event `sequence` appended
// at `stored_at`. InvalidArgument for a message hookbridge did not write.
absl::StatusOr<std::shared_ptr<LogRecord>> RecordFromStoredMessage(natsMsg* msg, uint64_t sequence,
                                                                   absl::Time stored_at);

// "<what>: <NATS status text> (<last error>)".
std::string NatsError(absl::string_view what, natsStatus s);

// What happened to a NATS connection, for the process log.
enum class NatsConnectionEvent { kDisconnected, kReconnected, kClosed };

// Writes `event` of connection `connection` ("log" or "consumers") to the
// process log (LibraryLog, component "nats"), with the server it is
// connected to or the last error. Called from the client's threads.
void LogNatsConnectionEvent(natsConnection* nc, NatsConnectionEvent event, const char* connection);

// Connection options for `options.url`, every server of its list (the
// client tries them in random order and learns the cluster's others from
// them), named `name`, reconnecting forever every `options.reconnect_wait`.
// Its disconnections, reconnections, closing, a server's lame duck mode and
// the client's asynchronous errors (a slow consumer, say) are logged as
// connection `connection` (a string that lives as long as the process);
// whoever sets its own disconnected, reconnected or closed callback calls
// LogNatsConnectionEvent itself. The caller owns the result
// (natsOptions_Destroy). InvalidArgument when the client library refuses
// them.
absl::StatusOr<natsOptions*> NewNatsOptions(const JetStreamLog::Options& options,
                                            const std::string& name, const char* connection);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_RECORD_H_
