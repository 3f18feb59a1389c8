#include "bridge/providers/linear/linear_source.h"

#include <cmath>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "bridge/providers/form.h"
#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/hmac/hmac_source.h"
#include "bridge/providers/timestamp.h"

namespace hookbridge {
namespace {

const HmacSignatureSpec& LinearSignature() {
  static const HmacSignatureSpec* const spec = [] {
    auto* spec = new HmacSignatureSpec;
    spec->scheme = "linear-hmac-sha256";
    spec->header = "Linear-Signature";
    spec->algorithm = HashAlgorithm::kSha256;
    spec->encoding = HmacSignatureSpec::Encoding::kHex;
    return spec;
  }();
  return *spec;
}

const google::protobuf::Value* FieldOf(const google::protobuf::Struct& body, const char* key) {
  auto it = body.fields().find(key);
  return it == body.fields().end() ? nullptr : &it->second;
}

}  // namespace

const Catalog kLinearCatalog = {v1::PROVIDER_LINEAR, "", {}, {}};

absl::StatusOr<std::unique_ptr<Source>> CreateLinearSource(const SourceConfig& config) {
  GenericScheme scheme = HmacScheme(LinearSignature());
  scheme.verify = [](const WebhookRequest& request, absl::string_view path,
                     const std::vector<std::string>& secrets, absl::Duration tolerance,
                     Verification* verified) -> absl::Status {
    if (absl::Status s =
            VerifyHmacSignature(LinearSignature(), request, path, secrets, tolerance, verified);
        !s.ok()) {
      return s;
    }
    // The signed body's webhookTimestamp (Unix milliseconds) bounds replays.
    google::protobuf::Struct body;
    if (absl::Status s = BodyToStruct(request, kMaxJsonDepth, &body); !s.ok()) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the signed body is not JSON, so it has no webhookTimestamp: ", s.message()));
    }
    const google::protobuf::Value* sent = FieldOf(body, "webhookTimestamp");
    // Finite and within about 285,000 years of 1970: a time, which converts
    // to an integer safely.
    if (sent == nullptr || !sent->has_number_value() || !std::isfinite(sent->number_value()) ||
        std::fabs(sent->number_value()) > 9e15) {
      return absl::UnauthenticatedError(
          "the signed body has no webhookTimestamp (Unix milliseconds)");
    }
    const absl::Time signed_at = absl::FromUnixMillis(static_cast<int64_t>(sent->number_value()));
    verified->signed_at = signed_at;
    return CheckTimestampTolerance(signed_at, request.received_at, tolerance);
  };
  scheme.type_of = [](const google::protobuf::Struct& body) -> std::optional<std::string> {
    const google::protobuf::Value* type = FieldOf(body, "type");
    const google::protobuf::Value* action = FieldOf(body, "action");
    if (type == nullptr || !type->has_string_value() || type->string_value().empty()) {
      return std::nullopt;
    }
    if (action == nullptr || !action->has_string_value() || action->string_value().empty()) {
      return type->string_value();
    }
    return absl::StrCat(type->string_value(), ".", action->string_value());
  };
  scheme.event_type = {FieldLocation("type")};
  scheme.subject = {FieldLocation("data.id")};
  return CreateGenericSource("linear", std::move(scheme), config);
}

TestSignature SignLinearRequest(absl::string_view secret, const WebhookRequest& request) {
  // The timestamp is in the signed body: added at the receive time when the
  // body (a JSON object; otherwise nothing is signed) has none.
  TestSignature out;
  std::optional<google::protobuf::Struct> body = ReadJsonBodyToSign(request);
  if (!body.has_value()) return out;
  std::string text(request.body);
  if (FieldOf(*body, "webhookTimestamp") != nullptr) {
    out.used_request_timestamp = true;
  } else {
    (*body->mutable_fields())["webhookTimestamp"].set_number_value(
        static_cast<double>(absl::ToUnixMillis(request.received_at)));
    std::optional<std::string> written = WriteSignedJsonBody(request, *body);
    if (!written.has_value()) return out;
    text = *written;
    out.body = text;
  }
  WebhookRequest as_sent = request;
  as_sent.body = text;
  out.headers = {{"Linear-Signature", HmacSignature(LinearSignature(), secret, as_sent, "")}};
  return out;
}

}  // namespace hookbridge
