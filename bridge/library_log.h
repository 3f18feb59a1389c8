// Messages of the client libraries bridge/ drives (the NATS C client's
// connection events and asynchronous errors), for the process log. bridge/
// writes no log lines itself: the process installs a sink
// (server/library_logs.h) that writes each message as one line of its log;
// until it does, they are dropped.
#ifndef HOOKBRIDGE_BRIDGE_LIBRARY_LOG_H_
#define HOOKBRIDGE_BRIDGE_LIBRARY_LOG_H_

#include <initializer_list>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace hookbridge {

enum class LibraryLogLevel { kDebug, kInfo, kWarn, kError };

struct LibraryLogField {
  absl::string_view name;
  absl::string_view value;
};

// Called from the library's threads; must be thread-safe and must not call
// back into the library. `component` names the library ("nats").
using LibraryLogSink = void (*)(LibraryLogLevel level, absl::string_view component,
                                absl::string_view message,
                                absl::Span<const LibraryLogField> fields);

// Installs `sink` for the whole process (nullptr: drop messages).
// Thread-safe; a message being passed on meanwhile may still reach the
// previous sink.
void SetLibraryLogSink(LibraryLogSink sink);

// Passes the message to the installed sink, if any.
void LibraryLog(LibraryLogLevel level, absl::string_view component, absl::string_view message,
                std::initializer_list<LibraryLogField> fields = {});

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LIBRARY_LOG_H_
