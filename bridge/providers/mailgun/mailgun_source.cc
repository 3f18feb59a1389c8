#include "bridge/providers/mailgun/mailgun_source.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bridge/crypto.h"
#include "bridge/providers/form.h"
#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/timestamp.h"

namespace hookbridge {
namespace {

// signature.<key> as a string ("" when absent or not a string).
std::string SignatureField(const google::protobuf::Struct& body, const char* key) {
  auto signature = body.fields().find("signature");
  if (signature == body.fields().end() || !signature->second.has_struct_value()) return "";
  const auto& fields = signature->second.struct_value().fields();
  auto it = fields.find(key);
  return it != fields.end() && it->second.has_string_value() ? it->second.string_value() : "";
}

absl::Status VerifyMailgun(const WebhookRequest& request, absl::string_view,
                           const std::vector<std::string>& secrets, absl::Duration tolerance,
                           Verification* verified) {
  google::protobuf::Struct body;
  if (absl::Status s = BodyToStruct(request, kMaxJsonDepth, &body); !s.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat("Mailgun signs in the body, which is not JSON: ", s.message()));
  }
  const std::string timestamp = SignatureField(body, "timestamp");
  const std::string token = SignatureField(body, "token");
  const std::string signature = SignatureField(body, "signature");
  if (timestamp.empty() || token.empty() || signature.empty()) {
    return absl::UnauthenticatedError(
        "missing signature.timestamp, signature.token or signature.signature in the body");
  }
  Sha256Digest sent{};
  if (!HexDecodeDigest(signature, &sent)) {
    return absl::UnauthenticatedError("signature.signature is not a 64-digit hex HMAC-SHA256");
  }
  absl::StatusOr<absl::Time> signed_at = ParseUnixSeconds(timestamp, "signature.timestamp");
  if (!signed_at.ok()) return signed_at.status();
  SecretMatch match;
  for (const std::string& key : secrets) {
    match.Add(DigestsEqual(sent, HmacSha256(key, {timestamp, token})));
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured signing key matches");
  }
  verified->secret_index = match.index();
  verified->signed_at = *signed_at;
  return CheckTimestampTolerance(*signed_at, request.received_at, tolerance);
}

}  // namespace

const Catalog kMailgunCatalog = {v1::PROVIDER_MAILGUN, "", {}, {}};

absl::StatusOr<std::unique_ptr<Source>> CreateMailgunSource(const SourceConfig& config) {
  GenericScheme scheme;
  scheme.name = "mailgun-hmac-sha256";
  scheme.verify = &VerifyMailgun;
  scheme.event_type = {FieldLocation("event-data.event")};
  // The token is what is signed and unique per delivery: a second use of
  // it is a duplicate, whatever event-data comes with it.
  scheme.delivery_id = {FieldLocation("signature.token")};
  scheme.subject = {FieldLocation("event-data.message.headers.message-id")};
  return CreateGenericSource("mailgun", std::move(scheme), config);
}

TestSignature SignMailgunRequest(absl::string_view secret, const WebhookRequest& request) {
  // The signature goes into the body (a JSON object; otherwise nothing is
  // signed), its token derived from the body so that signing is repeatable.
  TestSignature out;
  std::optional<google::protobuf::Struct> read = ReadJsonBodyToSign(request);
  if (!read.has_value()) return out;
  google::protobuf::Struct& body = *read;
  std::string timestamp = SignatureField(body, "timestamp");
  const bool had_timestamp = !timestamp.empty();
  if (timestamp.empty()) timestamp = absl::StrCat(absl::ToUnixSeconds(request.received_at));
  std::string token = SignatureField(body, "token");
  if (token.empty()) token = HexEncode(Sha256({request.body})).substr(0, 50);
  google::protobuf::Struct signature;
  auto& fields = *signature.mutable_fields();
  fields["timestamp"].set_string_value(timestamp);
  fields["token"].set_string_value(token);
  fields["signature"].set_string_value(HexEncode(HmacSha256(secret, {timestamp, token})));
  *(*body.mutable_fields())["signature"].mutable_struct_value() = std::move(signature);
  // The signature object nests two levels: it may take the body over the
  // verifier's limit.
  std::optional<std::string> text = WriteSignedJsonBody(request, body);
  if (!text.has_value()) return out;
  out.used_request_timestamp = had_timestamp;
  out.body = *std::move(text);
  return out;
}

}  // namespace hookbridge
