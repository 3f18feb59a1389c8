// HMAC signatures described by data rather than code: which header holds
// the signature (after an optional prefix, in hex or base64), which hash,
// what content is signed (a template over the method, the path, the
// timestamp and the body) and where the signed timestamp is. Shopify,
// Slack, Zoom, Typeform, Intercom, Bitbucket and Linear sign this way, and
// so does the declarative `hmac` provider, for services with no row of
// their own.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_HMAC_HMAC_SIGNATURE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_HMAC_HMAC_SIGNATURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/crypto.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

// One piece of the signed content.
struct SignedPart {
  enum class Kind {
    kLiteral,    // `text` as it is
    kMethod,     // {method}: the request method, e.g. POST
    kPath,       // {path}: the path and query the provider sent to
    kTimestamp,  // {timestamp}: the timestamp header's value, as sent
    kBody,       // {body}: the raw body
  };
  Kind kind = Kind::kLiteral;
  std::string text;
};

// Parses a signed-content template such as "v0:{timestamp}:{body}".
// InvalidArgument naming the problem for an unknown placeholder or a brace
// that opens or closes none, and when {timestamp} is used without a
// timestamp header (`has_timestamp`) or {body} is missing (a signature
// that does not cover the body would let anyone change it).
absl::StatusOr<std::vector<SignedPart>> ParseSignedTemplate(absl::string_view text,
                                                            bool has_timestamp);

struct HmacSignatureSpec {
  // The check's name in provenance, e.g. "shopify-hmac-sha256".
  std::string scheme;
  // The header holding the signature, and the text before it (e.g.
  // "sha256=", "v0="); the prefix is matched exactly.
  std::string header;
  std::string prefix;
  HashAlgorithm algorithm = HashAlgorithm::kSha256;
  enum class Encoding { kHex, kBase64 };
  Encoding encoding = Encoding::kHex;
  std::vector<SignedPart> signed_content = {{SignedPart::Kind::kBody, ""}};
  // The header holding the signed timestamp (empty: none), in seconds or
  // milliseconds since the Unix epoch, checked against the tolerance.
  std::string timestamp_header;
  bool timestamp_in_milliseconds = false;
};

// The signature header's value for `secret` (tests, and the `hmac`
// provider's documentation examples).
std::string HmacSignature(const HmacSignatureSpec& spec, absl::string_view secret,
                          const WebhookRequest& request, absl::string_view path);

// Unauthenticated with the reason unless the header holds the HMAC of the
// signed content under one of `secrets` (every one tried; the time taken
// does not tell which matched), and, with a timestamp header, stale (see
// MarkStale) when it is further than `tolerance` from the receive time.
// `path` is what {path} stands for: the public URL's path and query when
// the source has one, else the request's. Sets `verified`.
absl::Status VerifyHmacSignature(const HmacSignatureSpec& spec, const WebhookRequest& request,
                                 absl::string_view path, const std::vector<std::string>& secrets,
                                 absl::Duration tolerance, Verification* verified);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_HMAC_HMAC_SIGNATURE_H_
