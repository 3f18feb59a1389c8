// Stripe's webhook signature: Stripe-Signature: t=<unix seconds>,v1=<hex>
// [,v1=<hex>...] (v0 and other schemes are ignored). The signed content is
// "<t>.<body>", HMAC-SHA256 keyed with the endpoint secret's bytes as given
// (the "whsec_..." string itself, not decoded).
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_STRIPE_SIGNATURE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_STRIPE_SIGNATURE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

// The header value a sender computes: "t=<timestamp>,v1=<hex>".
std::string StripeSignature(absl::string_view secret, absl::string_view timestamp,
                            absl::string_view body);

// Unauthenticated with the reason unless some secret signs one of the v1
// entries; StaleTimestampError when t is further than `tolerance` from
// request.received_at.
absl::Status VerifyStripeSignature(const WebhookRequest& request,
                                   const std::vector<std::string>& secrets,
                                   absl::Duration tolerance, Verification* verified = nullptr);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_STRIPE_SIGNATURE_H_
