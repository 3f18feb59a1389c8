// The typed providers' decoding as it was before bodies were decoded
// straight into typed messages: the ingress's CheckJsonText, then
// ParseJsonObject into a google.protobuf.Struct, then StructToMessage. Kept
// as the oracle of the differential tests (json_document_test.cc): for any
// body, Source::Decode must produce the event this produces, byte for byte,
// or fail with the same reason.
#ifndef HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_REFERENCE_DECODE_H_
#define HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_REFERENCE_DECODE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bridge/providers/provider.h"
#include "hookbridge/v1/event.pb.h"

namespace hookbridge::test_util {

// Whether ReferenceDecode knows `provider` (a registry name): the providers
// with typed events (the generic ones changed only how they parse).
bool HasReferenceDecoder(absl::string_view provider);

// Decodes `request` as a source of `provider` did, after checking the body
// as the ingress did with http.max_json_depth = `max_json_depth`.
absl::Status ReferenceDecode(absl::string_view provider, const WebhookRequest& request,
                             int max_json_depth, v1::Event* event);

}  // namespace hookbridge::test_util

#endif  // HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_REFERENCE_DECODE_H_
