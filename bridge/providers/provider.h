// What a provider is to the bridge: a way to check that a webhook request is
// authentic and to turn its body into a typed event.
//
// Providers are pure functions of the request: no sockets and no clock but
// the receive time carried in the request. They are created once per
// configured source and used from many threads at once, so implementations
// must be immutable after construction.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_PROVIDER_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_PROVIDER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/json.h"
#include "hookbridge/v1/event.pb.h"

namespace hookbridge {

// One HTTP request as received. The views point into the caller's buffers
// and are valid only for the duration of the call they are passed to.
struct WebhookRequest {
  absl::string_view method;  // as sent, e.g. "POST"
  absl::string_view target;  // path and query as sent, e.g. "/webhooks/docs?a=1"
  std::vector<std::pair<absl::string_view, absl::string_view>> headers;
  absl::string_view body;
  // How many bytes after `body` its buffer has allocated and may be read
  // (not written): with kJsonPadding (bridge/json_document.h) or more, the
  // body is parsed where it is instead of being copied first.
  size_t body_padding = 0;
  // When it was received, by the wall clock (timestamps, the event's
  // received_at) and by a clock that never steps (MonotonicNow(), for the
  // rate limit).
  absl::Time received_at;
  absl::Time received_monotonic;

  // Whether a failed signature is to be diagnosed (Source::
  // DiagnoseSignature): the console is on and would show it.
  bool diagnose = false;

  // The value of the first header named `name` (case-insensitive), or
  // nullptr. Only for headers whose repetition is harmless: anything that
  // signs, identifies or types the request goes through FindUniqueHeader.
  const absl::string_view* FindHeader(absl::string_view name) const;

  // The value of the header named `name` (case-insensitive), nullptr when
  // absent. Unauthenticated when the header appears more than once: a
  // request carrying two signatures (or timestamps, or ids) is ambiguous,
  // and taking either one would let a proxy or an attacker choose.
  absl::StatusOr<const absl::string_view*> FindUniqueHeader(absl::string_view name) const;
};

// What a successful verification established: the event's provenance.
struct Verification {
  // The check made (v1::Provenance.scheme), e.g. "github-hmac-sha256".
  absl::string_view scheme;
  // Which of the source's secrets matched, from 0; -1 for schemes without
  // a list of secrets.
  int secret_index = -1;
  // The timestamp the signature covers, for schemes that sign one.
  std::optional<absl::Time> signed_at;
};

// Which of a source's secrets matched, for schemes that try each in turn:
// Add(whether secret i matched) for i = 0, 1, ... Every secret is still
// tried (no early exit), so the time taken does not tell which matched.
class SecretMatch {
 public:
  void Add(bool matched) {
    if (matched && index_ < 0) index_ = tried_;
    ++tried_;
  }
  bool matched() const { return index_ >= 0; }
  int index() const { return index_; }

 private:
  int index_ = -1;
  int tried_ = 0;
};

// What a source answers itself instead of storing an event: the reply to a
// provider checking the endpoint (Slack's url_verification, Zoom's
// endpoint.url_validation, Discord's PING).
struct ProviderAnswer {
  int status = 200;
  std::string content_type;  // empty: no body
  std::string body;
  // What it answered, for the console and the log, e.g. "slack
  // url_verification challenge".
  std::string what;
  // Further response headers (the CloudEvents handshake's
  // WebHook-Allowed-Origin, WebHook-Allowed-Rate and Allow).
  std::vector<std::pair<std::string, std::string>> headers;
};

// One event of a request, as Source::DecodeAll makes it.
struct DecodedEvent {
  v1::Event event;
  // The event's own text when the request carries several (an element of
  // a CloudEvents batch): stored as its raw_body. Unset: the request body.
  std::optional<std::string> raw_body;
};

// A configured webhook source of one provider.
class Source {
 public:
  virtual ~Source() = default;

  // Checks that the request comes from the provider and was not altered,
  // and on success says how in `*verified`. Returns Unauthenticated with the
  // reason on a missing or wrong signature, or, tagged with MarkStale(),
  // when the signed timestamp is outside the configured tolerance.
  virtual absl::Status Verify(const WebhookRequest& request, Verification* verified) const = 0;
  absl::Status Verify(const WebhookRequest& request) const {
    Verification ignored;
    return Verify(request, &ignored);
  }

  // Whether a verified request is the provider checking the endpoint rather
  // than delivering an event, and if so the answer (nothing is stored).
  // Called after Verify succeeded (with what it established), before
  // Decode. InvalidArgument when the check is malformed (answered 400).
  // Default: never a check.
  virtual absl::StatusOr<std::optional<ProviderAnswer>> Answer(const WebhookRequest& request,
                                                               const Verification& verified) const {
    (void)request;
    (void)verified;
    return std::nullopt;
  }

  // The answer to an OPTIONS request (before, and without, Verify): the
  // CloudEvents webhook abuse-protection handshake. `allowed_per_minute`
  // is the source's rate limit in requests a minute, 0 when unlimited.
  // nullopt: the source takes no OPTIONS (answered 405).
  virtual std::optional<ProviderAnswer> Preflight(const WebhookRequest& request,
                                                  uint64_t allowed_per_minute) const {
    (void)request;
    (void)allowed_per_minute;
    return std::nullopt;
  }

  // For a request whose signature did not verify: whether it would have
  // under another form of its URL (as received, the source's public_url,
  // with or without the query, with or without a trailing slash), and if
  // so which, for the operator (the console). Never an acceptance. Empty
  // for schemes that sign no URL, and when no form matches.
  virtual std::string DiagnoseSignature(const WebhookRequest& request) const {
    (void)request;
    return "";
  }

  // Decodes a verified request into `event`: type, environment_id, subject,
  // sent_at, the payload and, where the provider sends a delivery id, id.
  // Returns InvalidArgument with the reason when the body is not valid JSON
  // (UTF-8 included), nests arrays and objects deeper than `max_json_depth`
  // levels (http.max_json_depth; never more than kMaxJsonDepth), or is not
  // the provider's envelope: the reasons CheckJsonText and ParseJsonObject
  // give. A payload that does not match its schema is not an error: it is
  // delivered untyped with decode_error set.
  virtual absl::Status Decode(const WebhookRequest& request, int max_json_depth,
                              v1::Event* event) const = 0;

  // Decodes a verified request into its events, appended to `events`, each
  // starting as a copy of `common` (source, provider, provenance, trace
  // context and receive time, which the Ingestor sets). Default: the one
  // event Decode makes. A source whose requests may carry several events
  // (a CloudEvents batch) decodes them all, or fails as a whole with
  // InvalidArgument: nothing of a malformed request is stored.
  virtual absl::Status DecodeAll(const WebhookRequest& request, int max_json_depth,
                                 const v1::Event& common, std::vector<DecodedEvent>* events) const {
    DecodedEvent& decoded = events->emplace_back();
    decoded.event = common;
    return Decode(request, max_json_depth, &decoded.event);
  }
  // Whether DecodeAll may make more or fewer than one event of a request,
  // so that the HTTP answer gives counts rather than one event's id.
  virtual bool Batches(const WebhookRequest& request) const {
    (void)request;
    return false;
  }

  // Decode with the deepest nesting allowed, kMaxJsonDepth.
  absl::Status Decode(const WebhookRequest& request, v1::Event* event) const {
    return Decode(request, kMaxJsonDepth, event);
  }
};

// The path and query a provider signed: the path of `public_url` (the URL
// the provider was given, when a proxy rewrites it) with its query, or the
// received one when it has none; without a public URL, `target` as
// received.
std::string SignedPath(absl::string_view public_url, absl::string_view target);

// What Source::DiagnoseSignature says for schemes that sign the URL's path
// and query: the first form, other than the one verified (SignedPath),
// for which `matches` is true, described; "" when none is.
std::string DiagnoseUrlForms(absl::string_view public_url, absl::string_view target,
                             const std::function<bool(absl::string_view path)>& matches);

// Tags an Unauthenticated status as "stale timestamp" rather than "bad
// signature", so the two can be counted apart.
absl::Status StaleTimestampError(absl::string_view message);
bool IsStaleTimestamp(const absl::Status& status);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_PROVIDER_H_
