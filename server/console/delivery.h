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
  // For a bad signature: which other form of the URL it would have matched
  // (Source::DiagnoseSignature), or empty.
  std::string diagnosis;
  std::string method;
  // The request target as DisplayPath shows it: no query, no path token.
  std::string path;
  // Request headers, as sent, with credential values replaced by kRedacted
  // (IsSensitiveHeader, IsCredentialValue) and paths as DisplayPath shows
  // them.
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
// show, judged by what the name looks like (case-insensitive): any name
// containing "auth", "cookie", "credential", "hmac", "key", "passw",
// "secret", "session", "signature" or "token"; any name with "sig", "pass",
// "pwd" or "jwt" as a word of its own (words are runs of letters); and
// X-Trello-Webhook, Trello's signature, whose name says nothing. That
// covers every provider's signature header (X-CS-Signature,
// X-Shopify-Hmac-Sha256, Paypal-Transmission-Sig, Stripe-Signature, ...)
// and the usual credential headers (Authorization, Cookie, X-Auth,
// X-Api-Key, X-Gitlab-Token, X-Session-Id, ...). Redacting a harmless
// header costs one value on the page; missing a credential leaks it.
bool IsSensitiveHeader(absl::string_view name);

// Whether a header value is a credential whatever its header's name: HTTP
// authentication credentials ("Bearer ...", "Basic ...", "Digest ...",
// "Token ...") or a JSON Web Token ("eyJ...", two dots).
bool IsCredentialValue(absl::string_view value);

// `text` as valid UTF-8 (each invalid byte becomes U+FFFD), cut to at most
// `max_bytes` without splitting a character. Sets *truncated when cut.
std::string SafeUtf8Prefix(absl::string_view text, size_t max_bytes, bool* truncated = nullptr);

// `text` with its %XX escapes decoded (a malformed one stays as it is);
// with `plus_is_space`, '+' is a space too (a query string,
// application/x-www-form-urlencoded).
std::string PercentDecode(absl::string_view text, bool plus_is_space = false);

// A request target (or a URL, or a path a proxy passed on in a header) for
// display, whatever shape the sender gave it, with nothing of a path token
// left in it:
//  - the query (or fragment) is dropped, shown as "?…" ("#…");
//  - everything after the segment that names the source is "…": the
//    segment after "webhooks", compared after percent-decoding and ignoring
//    case (so "//webhooks/cand/x", "/Webhooks//cand/x" and
//    "/hook/webhooks/cand/x" all show ".../cand/…"), or any segment that
//    names one of `sources` (case-insensitive, percent-decoded); for a
//    source with a path token "/…" follows even when nothing did, so right,
//    wrong and missing tokens look the same;
//  - any other segment that could hold a path token (a run of at least
//    kMinPathTokenLength of its characters, as sent or percent-decoded:
//    "x%2F<token>" decodes to a shorter run) is "…", unless
//    it names a source, and so is a source-name segment that is not a
//    possible source name;
//  - it is cut to 256 bytes.
std::string DisplayPath(absl::string_view target, const std::vector<SourceInfo>& sources);

// Fills the request part of `delivery`: method, display path, headers
// (credentials redacted, paths and URLs shown as DisplayPath shows them),
// body preview of at most `preview_bytes`. `sources` are the configured
// sources, for DisplayPath.
void CaptureRequest(absl::string_view method, absl::string_view target,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    absl::string_view body, const std::vector<SourceInfo>& sources,
                    size_t preview_bytes, Delivery* delivery);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_DELIVERY_H_
