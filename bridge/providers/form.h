// Webhook bodies in the HTML form encoding
// (application/x-www-form-urlencoded), as Twilio, Slack's slash commands
// and interactivity, and GitHub with content type "form" send them.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_FORM_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_FORM_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/providers/provider.h"
#include "google/protobuf/struct.pb.h"

namespace hookbridge {

// Whether the request's Content-Type is application/x-www-form-urlencoded
// (parameters such as a charset ignored).
bool IsFormEncoded(const WebhookRequest& request);

using FormFields = std::vector<std::pair<std::string, std::string>>;

// The fields of a form-encoded body, in order, names and values decoded
// (`+` is a space, %XX a byte). InvalidArgument when a % escape is
// malformed or a decoded name or value is not UTF-8.
absl::StatusOr<FormFields> ParseForm(absl::string_view body);

// The form as a JSON object: each field's value a string, or a list of
// strings when its name is repeated.
void FormToStruct(const FormFields& fields, google::protobuf::Struct* out);

// A verified request's body as the JSON object an untyped event carries: a
// JSON body as it is (parsed with at most `max_depth` levels of nesting);
// a form whose only field is `payload` (GitHub, Slack interactivity) as
// that field's JSON; any other form as FormToStruct makes it.
// InvalidArgument with the reason otherwise.
absl::Status BodyToStruct(const WebhookRequest& request, int max_depth,
                          google::protobuf::Struct* out);

// For the test signers of providers that sign inside a JSON body (Linear,
// Mailgun): the body as their verifiers read it, nullopt for a form or a
// body they would refuse; and a changed body written back, nullopt when
// the verifier would refuse that.
std::optional<google::protobuf::Struct> ReadJsonBodyToSign(const WebhookRequest& request);
std::optional<std::string> WriteSignedJsonBody(const WebhookRequest& request,
                                               const google::protobuf::Struct& body);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_FORM_H_
