// Mailgun: the signature is in the body, not a header:
// {"signature":{"timestamp","token","signature"},"event-data":{...}}, the
// signature being the hex HMAC-SHA256 of timestamp and token concatenated
// under the HTTP webhook signing key. It does not cover event-data: anyone
// who saw one delivery could send other event data with its signature
// within the tolerance, which is why the token is the delivery id (a
// second use of a token is a duplicate) and the tolerance matters. The
// type is event-data.event, the subject the message id.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_MAILGUN_MAILGUN_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_MAILGUN_MAILGUN_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kMailgunCatalog;
absl::StatusOr<std::unique_ptr<Source>> CreateMailgunSource(const SourceConfig& config);
TestSignature SignMailgunRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_MAILGUN_MAILGUN_SOURCE_H_
