// W3C Trace Context (https://www.w3.org/TR/trace-context/) of a webhook
// request: the `traceparent` it carries, checked as the specification's
// parsing rules say, and its `tracestate`; or, when it carries no valid
// traceparent, a new one, so that every event starts or continues a trace.
#ifndef HOOKBRIDGE_BRIDGE_TRACE_CONTEXT_H_
#define HOOKBRIDGE_BRIDGE_TRACE_CONTEXT_H_

#include "absl/strings/string_view.h"
#include "bridge/providers/provider.h"
#include "hookbridge/v1/event.pb.h"

namespace hookbridge {

// The longest tracestate kept; a longer one is left out (the specification
// lets a receiver drop it rather than cut list members).
inline constexpr size_t kMaxTracestateBytes = 512;

// Whether `value` is a traceparent a receiver may continue: version 00 in
// exactly its format (2-32-16-2 lowercase hex digits joined by dashes, a
// trace id and parent id that are not all zeros), or a later version
// (not ff) that starts that way and goes on only after a dash.
bool IsValidTraceparent(absl::string_view value);

// A new traceparent: version 00, a random trace id and parent id, flags 00.
std::string NewTraceparent();

// The trace context of `request` for its event: its own traceparent (when
// there is exactly one and it is valid) with its tracestate (left out when
// longer than kMaxTracestateBytes or not printable ASCII), else a new
// traceparent.
void TraceContextOf(const WebhookRequest& request, v1::TraceContext* out);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_TRACE_CONTEXT_H_
