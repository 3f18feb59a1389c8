// JSON renderings of the console's data for /api/* and the live tail. Every
// string is escaped (and already valid UTF-8, see delivery.h).
#ifndef HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_JSON_H_
#define HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/console/delivery.h"

namespace hookbridge {

// "2024-05-01T12:00:00.123Z"
std::string Rfc3339Millis(absl::Time time);

// `"<key>_at":"<time>","<key>_at_ms":<unix ms>` (no leading comma).
void AppendTimeFields(absl::string_view key, absl::Time time, std::string* out);

// The summary object of a delivery (listings and the live tail): id,
// received_at, received_at_ms, source, outcome, status, reason, method,
// path, event_id, type, sequence, body_bytes, duration_ms.
void AppendDeliverySummary(const Delivery& delivery, std::string* out);

// The detail object: the summary's fields plus headers ([[name, value]],
// redacted), body_preview, body_truncated, and `event_json` (already JSON;
// omitted when empty) with `event_note` saying why it is missing.
std::string DeliveryDetail(const Delivery& delivery, absl::string_view event_json,
                           absl::string_view event_note);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_JSON_H_
