#include "bridge/providers/svix/svix_source.h"

#include <string>
#include <vector>

#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/standard_webhooks/signature.h"

namespace hookbridge {
namespace {

// "svix" when the request has Svix's header names, else the standard's.
absl::string_view HeaderPrefix(const WebhookRequest& request) {
  return request.FindHeader("svix-id") != nullptr || request.FindHeader("svix-signature") != nullptr
             ? "svix"
             : "webhook";
}

}  // namespace

const Catalog kSvixCatalog = {v1::PROVIDER_SVIX, "", {}, {}};

absl::StatusOr<std::unique_ptr<Source>> CreateSvixSource(const SourceConfig& config) {
  GenericScheme scheme;
  scheme.name = "standard-webhooks-v1";
  scheme.verify = [](const WebhookRequest& request, absl::string_view,
                     const std::vector<std::string>& secrets, absl::Duration tolerance,
                     Verification* verified) {
    return VerifyStandardWebhooksSignature(request, secrets, tolerance, verified,
                                           HeaderPrefix(request));
  };
  scheme.timestamp = [](const WebhookRequest& request) {
    const absl::string_view* t = request.FindHeader(
        HeaderPrefix(request) == "svix" ? "svix-timestamp" : "webhook-timestamp");
    return t != nullptr ? *t : absl::string_view();
  };
  scheme.event_type = {FieldLocation("type")};
  // Only the id of the header set that was verified: a svix-id beside
  // webhook-* headers is not signed.
  scheme.delivery_id = {HeaderLocation("svix-id"), HeaderLocation("webhook-id")};
  return CreateGenericSource("svix", std::move(scheme), config);
}

TestSignature SignSvixRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out = SignStandardWebhooksRequest(secret, request);
  for (auto& [name, value] : out.headers) {
    if (name.rfind("webhook-", 0) == 0) name = "svix-" + name.substr(8);
  }
  return out;
}

}  // namespace hookbridge
