// Twilio: X-Twilio-Signature is the base64 HMAC-SHA1, under the account's
// auth token, of the full URL Twilio requested followed, for a form body,
// by every parameter's name and value sorted by name. For a JSON body the
// URL carries bodySHA256=<hex SHA-256 of the body>, checked too. The URL
// must be the one Twilio was given, so a source needs public_url. No
// timestamp is signed and I-Twilio-Idempotency-Token is not: the id is a
// digest of the signed content. The type is the status Twilio reports
// (MessageStatus, CallStatus, SmsStatus) or a JSON body's type.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_TWILIO_TWILIO_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_TWILIO_TWILIO_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kTwilioCatalog;
absl::StatusOr<std::unique_ptr<Source>> CreateTwilioSource(const SourceConfig& config);
TestSignature SignTwilioRequest(absl::string_view secret, const WebhookRequest& request);
// The public_url the row's test signer signs for (its tests give it to
// their sources).
inline constexpr char kTwilioExampleUrl[] = "https://hooks.example.com";
// The row's validate: public_url is required.
absl::Status ValidateTwilioSource(const SourceConfig& config);
// The signature value for `url` and `body` (form or JSON) under `secret`.
std::string TwilioSignature(absl::string_view secret, absl::string_view url,
                            const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_TWILIO_TWILIO_SOURCE_H_
