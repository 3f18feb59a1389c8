// One webhook request as the operator console shows it: what came in (with
// credentials redacted), what became of it and why. Rejected requests live
// only here (in the console's bounded ring), never in the event log.
#ifndef HOOKBRIDGE_SERVER_CONSOLE_DELIVERY_H_
#define HOOKBRIDGE_SERVER_CONSOLE_DELIVERY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/ingest.h"

namespace hookbridge {

struct Delivery {
  uint64_t id = 0;  // assigned by the console, increasing from 1
  absl::Time received_at;
  // The configured source, or empty when the path names none.
  std::string source;
  Outcome outcome = Outcome::kAccepted;
  int status = 0;  // the HTTP status sent; 0 when the connection was closed unanswered
  std::string reason;
  std::string method;
  // The request path with its query dropped and a source's path token
  // replaced by "…".
  std::string path;
  // Request headers, as sent, with credential values replaced (RedactHeader).
  std::vector<std::pair<std::string, std::string>> headers;
  // The first bytes of the body (console_body_preview_bytes), cut at a
  // character boundary, invalid UTF-8 replaced by U+FFFD.
  std::string body_preview;
  uint64_t body_bytes = 0;
  bool body_truncated = false;
  // Once the body was decoded: the event id and type; for accepted ones the
  // sequence in the event log.
  std::string event_id;
  std::string type;
  uint64_t sequence = 0;
  // From the request fully read to the answer ready.
  absl::Duration duration;

  // Memory accounted to the delivery for console_bytes.
  size_t ByteSize() const;
};

using DeliveryPtr = std::shared_ptr<const Delivery>;

// What a redacted header value reads.
inline constexpr absl::string_view kRedacted = "[redacted]";

// Whether the value of header `name` is a credential the console must not
// show: Authorization, Proxy-Authorization, Cookie, Set-Cookie, and any name
// containing "signature", "secret", "token", "key" or "password"
// (case-insensitive); that covers every provider's signature header
// (X-CS-Signature, x-docspace-signature-256, webhook-signature,
// X-Hub-Signature-256, Stripe-Signature).
bool IsSensitiveHeader(absl::string_view name);

// `text` as valid UTF-8 (each invalid byte becomes U+FFFD), cut to at most
// `max_bytes` without splitting a character. Sets *truncated when cut.
std::string SafeUtf8Prefix(absl::string_view text, size_t max_bytes, bool* truncated = nullptr);

// The path of `target` for display: the query is dropped (shown as "?…"),
// and for a source with a path token everything after
// "/webhooks/<source>/" becomes "…" (the token is the source's credential,
// and a wrong one may be a near miss). Unknown paths are cut to 256 bytes.
std::string DisplayPath(absl::string_view target, bool source_has_token);

// Fills the request part of `delivery`: method, display path, redacted
// headers, body preview of at most `preview_bytes`.
void CaptureRequest(absl::string_view method, absl::string_view target,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    absl::string_view body, bool source_has_token, size_t preview_bytes,
                    Delivery* delivery);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_DELIVERY_H_
