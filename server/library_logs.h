// The messages of the libraries the process runs, in its log: gRPC core's
// (gpr_set_log_function; gRPC 1.51 has no Abseil log sinks) and those
// bridge/ passes on from the NATS C client (SetLibraryLogSink). Each becomes
// one JSON line of server/logging.h with the message's level and a
// `component` field, "grpc" or "nats", instead of gRPC's own text format on
// stderr.
#ifndef HOOKBRIDGE_SERVER_LIBRARY_LOGS_H_
#define HOOKBRIDGE_SERVER_LIBRARY_LOGS_H_

#include <grpc/support/log.h>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bridge/library_log.h"

namespace hookbridge {

// Installs both adaptors below. Call once, before gRPC or NATS is used.
// gRPC core passes on only messages at or above GRPC_VERBOSITY (DEBUG,
// INFO or ERROR; gRPC's default ERROR); the process log level then applies
// as to every line.
void RouteLibraryLogs();

// What RouteLibraryLogs installs for gRPC core: the message (trailing
// whitespace trimmed) at debug, info or error, with component "grpc" and
// `source` (gRPC's file:line).
void LogGrpcCoreMessage(gpr_log_func_args* args);

// What RouteLibraryLogs installs for bridge/: the message at its level,
// with `component` and then its fields.
void LogLibraryMessage(LibraryLogLevel level, absl::string_view component,
                       absl::string_view message, absl::Span<const LibraryLogField> fields);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_LIBRARY_LOGS_H_
