// Slack: X-Slack-Signature is "v0=" and the hex HMAC-SHA256 of
// "v0:<X-Slack-Request-Timestamp>:<body>" under the app's signing secret.
// Events API callbacks carry event_id (the delivery id) and event.type;
// slash commands and interactivity come form-encoded (their type: the
// command, or the payload's type). The url_verification challenge, sent
// when the request URL is set, is answered with its challenge.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_SLACK_SLACK_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_SLACK_SLACK_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/hmac/hmac_signature.h"
#include "bridge/providers/registry.h"

namespace hookbridge {

extern const Catalog kSlackCatalog;
const HmacSignatureSpec& SlackSignature();
absl::StatusOr<std::unique_ptr<Source>> CreateSlackSource(const SourceConfig& config);
TestSignature SignSlackRequest(absl::string_view secret, const WebhookRequest& request);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_SLACK_SLACK_SOURCE_H_
