#include "bridge/providers/cloudevents/cloudevents_source.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bridge/crypto.h"
#include "bridge/json.h"
#include "bridge/json_document.h"
#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "bridge/status_macros.h"
#include "bridge/trace_context.h"

namespace hookbridge {
namespace {

using io::cloudevents::v1::CloudEvent;

constexpr absl::string_view kBearerAuth = "bearer";
constexpr absl::string_view kStandardWebhooksAuth = "standard-webhooks";
constexpr absl::string_view kHeaderPrefix = "ce-";
constexpr char kJsonContentType[] = "application/json";

absl::Status Invalid(absl::string_view where, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(where, why));
}

// The media type of a Content-Type value: lower-case, parameters dropped.
std::string MediaType(absl::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(content_type.substr(0, semicolon)));
}

// Whether a datacontenttype declares JSON: */json or */*+json.
bool IsJsonMediaType(absl::string_view content_type) {
  const std::string media = MediaType(content_type);
  const size_t slash = media.find('/');
  if (slash == std::string::npos) return false;
  const absl::string_view subtype = absl::string_view(media).substr(slash + 1);
  return subtype == "json" || absl::EndsWith(subtype, "+json");
}

// Attribute (and extension) names: lower-case ASCII letters and digits.
bool IsAttributeName(absl::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c)) return false;
  }
  return true;
}

absl::Status SetTime(absl::string_view where, absl::string_view text,
                     CloudEvent::CloudEventAttributeValue* out) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error) ||
      time < absl::FromUnixSeconds(-62135596800) || time >= absl::FromUnixSeconds(253402300800)) {
    return Invalid(where, "time must be an RFC 3339 timestamp between years 1 and 9999");
  }
  const int64_t seconds = absl::ToUnixSeconds(time);
  out->mutable_ce_timestamp()->set_seconds(seconds);
  out->mutable_ce_timestamp()->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return absl::OkStatus();
}

// The attributes every CloudEvent has, as fields of the message rather
// than entries of its attribute map; `where` prefixes messages.
absl::Status CheckRequired(absl::string_view where, const CloudEvent& event, bool has_specversion) {
  if (!has_specversion) return Invalid(where, "the CloudEvent has no specversion");
  if (event.spec_version() != "1.0") {
    return Invalid(where, absl::StrCat("specversion ", event.spec_version(),
                                       " is not taken: send CloudEvents 1.0"));
  }
  if (event.id().empty()) return Invalid(where, "the CloudEvent has no id (or an empty one)");
  if (event.source().empty()) {
    return Invalid(where, "the CloudEvent has no source (or an empty one)");
  }
  if (event.type().empty()) return Invalid(where, "the CloudEvent has no type (or an empty one)");
  return absl::OkStatus();
}

// ---- structured mode (the JSON event format) --------------------------------

absl::Status FromJson(absl::string_view where, JsonValue object, CloudEvent* out) {
  if (!object.is_object()) {
    return Invalid(where,
                   absl::StrCat("a CloudEvent must be a JSON object, not ", object.kind_name()));
  }
  bool has_specversion = false;
  std::optional<JsonValue> data;
  std::optional<absl::string_view> data_base64;
  std::optional<absl::string_view> content_type;
  for (const auto& [name, value] : object.members()) {
    // Unset, whatever it is.
    if (value.is_null()) continue;
    const auto string_of = [&, name = name, value = value](std::string* field) -> absl::Status {
      if (!value.is_string()) {
        return Invalid(where, absl::StrCat(name, " must be a string, not ", value.kind_name()));
      }
      *field = std::string(value.string());
      return absl::OkStatus();
    };
    if (name == "specversion") {
      HB_RETURN_IF_ERROR(string_of(out->mutable_spec_version()));
      has_specversion = true;
    } else if (name == "id") {
      HB_RETURN_IF_ERROR(string_of(out->mutable_id()));
    } else if (name == "source") {
      HB_RETURN_IF_ERROR(string_of(out->mutable_source()));
    } else if (name == "type") {
      HB_RETURN_IF_ERROR(string_of(out->mutable_type()));
    } else if (name == "data") {
      data = value;
    } else if (name == "data_base64") {
      if (!value.is_string()) {
        return Invalid(where,
                       absl::StrCat("data_base64 must be a string, not ", value.kind_name()));
      }
      data_base64 = value.string();
    } else if (!IsAttributeName(name)) {
      return Invalid(where, "attribute names must be lower-case letters a-z and digits 0-9");
    } else {
      CloudEvent::CloudEventAttributeValue& attribute =
          (*out->mutable_attributes())[std::string(name)];
      if (name == "time") {
        if (!value.is_string()) {
          return Invalid(where, absl::StrCat("time must be a string, not ", value.kind_name()));
        }
        HB_RETURN_IF_ERROR(SetTime(where, value.string(), &attribute));
      } else if (name == "dataschema") {
        if (!value.is_string() || value.string().empty()) {
          return Invalid(where, "dataschema must be a non-empty string (a URI)");
        }
        attribute.set_ce_uri(std::string(value.string()));
      } else if (value.is_string()) {
        if (name == "datacontenttype") content_type = value.string();
        attribute.set_ce_string(std::string(value.string()));
      } else if (name == "datacontenttype" || name == "subject") {
        return Invalid(where, absl::StrCat(name, " must be a string, not ", value.kind_name()));
      } else if (value.kind() == JsonValue::Kind::kBool) {
        attribute.set_ce_boolean(value.boolean());
      } else if (std::optional<int64_t> integer = value.integer();
                 integer.has_value() && *integer >= std::numeric_limits<int32_t>::min() &&
                 *integer <= std::numeric_limits<int32_t>::max()) {
        attribute.set_ce_integer(static_cast<int32_t>(*integer));
      } else {
        return Invalid(
            where,
            absl::StrCat("extension attribute ", name, " is ", value.kind_name(),
                         value.kind() == JsonValue::Kind::kNumber
                             ? " that is not a CloudEvents Integer (a whole number within 32 bits)"
                             : "; CloudEvents attributes are strings, booleans and integers"));
      }
    }
  }
  HB_RETURN_IF_ERROR(CheckRequired(where, *out, has_specversion));
  if (data.has_value() && data_base64.has_value()) {
    return Invalid(where, "a CloudEvent has data or data_base64, not both");
  }
  if (data_base64.has_value()) {
    std::string bytes;
    if (!absl::Base64Unescape(*data_base64, &bytes)) {
      return Invalid(where, "data_base64 is not base64");
    }
    out->set_binary_data(std::move(bytes));
  } else if (data.has_value()) {
    if (!content_type.has_value() || IsJsonMediaType(*content_type)) {
      out->set_text_data(data->ToJson());
      // Made explicit, as the JSON format asks of an event passed on in
      // another format.
      if (!content_type.has_value()) {
        (*out->mutable_attributes())["datacontenttype"].set_ce_string(kJsonContentType);
      }
    } else if (data->is_string()) {
      out->set_text_data(std::string(data->string()));
    } else {
      return Invalid(where, absl::StrCat("data is ", data->kind_name(), ", but datacontenttype ",
                                         *content_type,
                                         " is not JSON: send it as a string or as data_base64"));
    }
  }
  return absl::OkStatus();
}

// ---- binary mode --------------------------------------------------------------

// A ce-* header's value: a quoted string unquoted (RFC 9110's
// quoted-string, which older senders used), then percent-decoded once; the
// result must be UTF-8.
absl::StatusOr<std::string> HeaderValue(absl::string_view name, absl::string_view value) {
  std::string unquoted;
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    for (size_t i = 1; i + 1 < value.size(); ++i) {
      if (value[i] == '\\' && i + 2 < value.size()) ++i;
      unquoted.push_back(value[i]);
    }
    value = unquoted;
  }
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out.push_back(value[i]);
      continue;
    }
    const int high = i + 2 < value.size() ? HexValue(value[i + 1]) : -1;
    const int low = i + 2 < value.size() ? HexValue(value[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("header ", name, ": a % that does not start a percent-encoded byte"));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (!IsValidUtf8(out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("header ", name, ": percent-decodes to bytes that are not UTF-8"));
  }
  return out;
}

absl::Status FromHeaders(const WebhookRequest& request, int max_json_depth, CloudEvent* out) {
  bool has_specversion = false;
  std::vector<std::string> names;
  for (const auto& [header, value] : request.headers) {
    if (header.size() <= kHeaderPrefix.size() ||
        !absl::StartsWithIgnoreCase(header, kHeaderPrefix)) {
      continue;
    }
    const std::string name = absl::AsciiStrToLower(header.substr(kHeaderPrefix.size()));
    const std::string label = absl::StrCat("ce-", name);
    if (!IsAttributeName(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header ", label, ": attribute names are lower-case letters a-z and digits 0-9"));
    }
    for (const std::string& seen : names) {
      if (seen == name) {
        return absl::InvalidArgumentError(
            absl::StrCat("header ", label, " is sent more than once"));
      }
    }
    names.push_back(name);
    std::string text;
    HB_ASSIGN_OR_RETURN(text, HeaderValue(label, value));
    if (name == "specversion") {
      out->set_spec_version(std::move(text));
      has_specversion = true;
    } else if (name == "id") {
      out->set_id(std::move(text));
    } else if (name == "source") {
      out->set_source(std::move(text));
    } else if (name == "type") {
      out->set_type(std::move(text));
    } else if (name == "datacontenttype") {
      return absl::InvalidArgumentError(
          "header ce-datacontenttype: in binary mode, Content-Type is the datacontenttype");
    } else if (name == "time") {
      HB_RETURN_IF_ERROR(SetTime("header ce-time: ", text, &(*out->mutable_attributes())[name]));
    } else if (name == "dataschema") {
      (*out->mutable_attributes())[name].set_ce_uri(std::move(text));
    } else {
      // The binding carries every other attribute as a string.
      (*out->mutable_attributes())[name].set_ce_string(std::move(text));
    }
  }
  if (!has_specversion) {
    return absl::InvalidArgumentError(
        "not a CloudEvent: send it structured (Content-Type application/cloudevents+json), "
        "batched (application/cloudevents-batch+json), or binary with ce-specversion, ce-id, "
        "ce-source and ce-type headers");
  }
  HB_RETURN_IF_ERROR(CheckRequired("", *out, has_specversion));

  const absl::string_view* content_type = request.FindHeader("Content-Type");
  // It becomes the datacontenttype attribute, a protobuf string.
  if (content_type != nullptr && !IsValidUtf8(*content_type)) {
    return absl::InvalidArgumentError("header Content-Type: bytes that are not UTF-8");
  }
  if (content_type != nullptr && !content_type->empty()) {
    (*out->mutable_attributes())["datacontenttype"].set_ce_string(std::string(*content_type));
  }
  if (request.body.empty()) return absl::OkStatus();
  if (content_type == nullptr || IsJsonMediaType(*content_type)) {
    // JSON data is checked as every webhook body is: its UTF-8, its
    // nesting, its syntax.
    JsonDocument document;
    if (absl::Status parsed =
            document.ParseAnyRoot(request.body, request.body_padding, max_json_depth);
        !parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "data (", content_type == nullptr ? "no Content-Type: JSON" : std::string(*content_type),
          "): ", parsed.message()));
    }
    out->set_text_data(std::string(request.body));
    if (content_type == nullptr) {
      (*out->mutable_attributes())["datacontenttype"].set_ce_string(kJsonContentType);
    }
  } else if (absl::StartsWith(MediaType(*content_type), "text/") && IsValidUtf8(request.body)) {
    out->set_text_data(std::string(request.body));
  } else {
    out->set_binary_data(std::string(request.body));
  }
  return absl::OkStatus();
}

// ---- the hookbridge event -------------------------------------------------------

const std::string* StringAttribute(const CloudEvent& event, const std::string& name) {
  auto it = event.attributes().find(name);
  if (it == event.attributes().end() || !it->second.has_ce_string()) return nullptr;
  return &it->second.ce_string();
}

// The hookbridge Event of `cloud_event`, which becomes its payload.
void ToEvent(CloudEvent cloud_event, v1::Event* event) {
  event->set_id(cloud_event.id());
  event->set_type(cloud_event.type());
  event->set_environment_id(cloud_event.source());
  if (const std::string* subject = StringAttribute(cloud_event, "subject")) {
    event->set_subject(*subject);
  }
  // The distributed-tracing extension continues the event's own trace,
  // in preference to the request's.
  if (const std::string* traceparent = StringAttribute(cloud_event, "traceparent");
      traceparent != nullptr && IsValidTraceparent(*traceparent)) {
    v1::TraceContext* trace = event->mutable_trace_context();
    trace->Clear();
    trace->set_traceparent(*traceparent);
    if (const std::string* tracestate = StringAttribute(cloud_event, "tracestate");
        tracestate != nullptr && tracestate->size() <= kMaxTracestateBytes) {
      trace->set_tracestate(*tracestate);
    }
    trace->set_from_request(true);
  }
  *event->mutable_cloudevents() = std::move(cloud_event);
}

class CloudEventsSource : public Source {
 public:
  explicit CloudEventsSource(const SourceConfig& config)
      : secrets_(config.secrets),
        tolerance_(config.timestamp_tolerance),
        standard_webhooks_(config.cloudevents.has_value() &&
                           config.cloudevents->auth == kStandardWebhooksAuth),
        allowed_origins_(config.cloudevents.has_value() ? config.cloudevents->allowed_origins
                                                        : std::vector<std::string>()) {
    for (const std::string& secret : secrets_) token_digests_.push_back(Sha256({secret}));
  }

  absl::Status Verify(const WebhookRequest& request, Verification* verified) const override {
    if (standard_webhooks_) {
      verified->scheme = "cloudevents-standard-webhooks";
      return VerifyStandardWebhooksSignature(request, secrets_, tolerance_, verified);
    }
    verified->scheme = "cloudevents-bearer";
    absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader("Authorization");
    if (!found.ok()) return found.status();
    if (*found == nullptr) {
      return absl::UnauthenticatedError("missing Authorization header (Bearer <token>)");
    }
    absl::string_view value = **found;
    if (value.size() < 7 || !absl::StartsWithIgnoreCase(value, "Bearer ")) {
      return absl::UnauthenticatedError("the Authorization header is not Bearer <token>");
    }
    // Digests are compared, so neither the time nor the length of a wrong
    // token tells anything about the configured ones.
    const Sha256Digest sent = Sha256({absl::StripAsciiWhitespace(value.substr(7))});
    SecretMatch match;
    for (const Sha256Digest& token : token_digests_) match.Add(DigestsEqual(sent, token));
    if (!match.matched()) {
      return absl::UnauthenticatedError("the bearer token matches no configured secret");
    }
    verified->secret_index = match.index();
    return absl::OkStatus();
  }

  std::optional<ProviderAnswer> Preflight(const WebhookRequest& request,
                                          uint64_t allowed_per_minute) const override {
    if (allowed_origins_.empty()) return std::nullopt;
    ProviderAnswer answer;
    answer.content_type = "application/json";
    const auto refuse = [&](int status, absl::string_view reason) {
      answer.status = status;
      answer.what = absl::StrCat("cloudevents handshake refused: ", reason);
      // The reasons are fixed text, without quotes or backslashes.
      answer.body = absl::StrCat("{\"outcome\":\"answered\",\"reason\":\"", answer.what, "\"}\n");
      return answer;
    };
    absl::StatusOr<const absl::string_view*> origin =
        request.FindUniqueHeader("WebHook-Request-Origin");
    if (!origin.ok()) return refuse(400, "WebHook-Request-Origin is sent more than once");
    if (*origin == nullptr || (*origin)->empty()) {
      return refuse(400,
                    "an OPTIONS request to a CloudEvents source must carry "
                    "WebHook-Request-Origin (the abuse-protection handshake)");
    }
    const absl::string_view requested = **origin;
    std::optional<std::string> allowed;
    for (const std::string& entry : allowed_origins_) {
      if (entry == "*") {
        allowed = "*";
      } else if (absl::EqualsIgnoreCase(entry, requested)) {
        allowed = std::string(requested);
        break;
      }
    }
    if (!allowed.has_value()) {
      // The origin is the sender's word, not a credential: it is named in
      // the answer to the sender, never logged beyond the reason.
      return refuse(403, "the origin is not in this source's cloudevents.allowed_origins");
    }
    answer.status = 200;
    answer.content_type.clear();
    answer.what = "cloudevents webhook handshake";
    answer.headers = {
        {"Allow", "POST, OPTIONS"},
        {"WebHook-Allowed-Origin", *allowed},
        {"WebHook-Allowed-Rate",
         allowed_per_minute == 0 ? std::string("*") : absl::StrCat(allowed_per_minute)},
    };
    return answer;
  }

  bool Batches(const WebhookRequest& request) const override { return IsCloudEventsBatch(request); }

  absl::Status DecodeAll(const WebhookRequest& request, int max_json_depth, const v1::Event& common,
                         std::vector<DecodedEvent>* events) const override {
    std::vector<CloudEvent> cloud_events;
    std::vector<std::string> raw;
    HB_RETURN_IF_ERROR(ParseCloudEvents(request, max_json_depth, &cloud_events, &raw));
    for (size_t i = 0; i < cloud_events.size(); ++i) {
      DecodedEvent& decoded = events->emplace_back();
      decoded.event = common;
      ToEvent(std::move(cloud_events[i]), &decoded.event);
      if (i < raw.size()) decoded.raw_body = std::move(raw[i]);
    }
    return absl::OkStatus();
  }

  absl::Status Decode(const WebhookRequest& request, int max_json_depth,
                      v1::Event* event) const override {
    std::vector<CloudEvent> cloud_events;
    std::vector<std::string> raw;
    HB_RETURN_IF_ERROR(ParseCloudEvents(request, max_json_depth, &cloud_events, &raw));
    if (cloud_events.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("the request carries ", cloud_events.size(), " CloudEvents, not one"));
    }
    ToEvent(std::move(cloud_events[0]), event);
    return absl::OkStatus();
  }

 private:
  const std::vector<std::string> secrets_;
  std::vector<Sha256Digest> token_digests_;
  const absl::Duration tolerance_;
  const bool standard_webhooks_;
  const std::vector<std::string> allowed_origins_;
};

}  // namespace

const Catalog kCloudEventsCatalog = {v1::PROVIDER_CLOUDEVENTS, "", {}, {}};

bool IsCloudEventsBatch(const WebhookRequest& request) {
  const absl::string_view* content_type = request.FindHeader("Content-Type");
  return content_type != nullptr &&
         absl::StartsWith(MediaType(*content_type), "application/cloudevents-batch");
}

absl::Status ParseCloudEvents(const WebhookRequest& request, int max_json_depth,
                              std::vector<CloudEvent>* events, std::vector<std::string>* raw) {
  const absl::string_view* content_type = request.FindHeader("Content-Type");
  const std::string media = content_type == nullptr ? "" : MediaType(*content_type);
  const bool batch = absl::StartsWith(media, "application/cloudevents-batch");
  if (!batch && !absl::StartsWith(media, "application/cloudevents")) {
    return FromHeaders(request, max_json_depth, &events->emplace_back());
  }
  if (media != (batch ? "application/cloudevents-batch+json" : "application/cloudevents+json")) {
    return absl::InvalidArgumentError(
        absl::StrCat("Content-Type ", media,
                     ": the JSON event format is the one taken (application/cloudevents+json, "
                     "application/cloudevents-batch+json)"));
  }
  JsonDocument document;
  HB_RETURN_IF_ERROR(batch
                         ? document.ParseAnyRoot(request.body, request.body_padding, max_json_depth)
                         : document.Parse(request.body, request.body_padding, max_json_depth));
  const JsonValue root = document.root();
  if (!batch) return FromJson("", root, &events->emplace_back());
  if (root.kind() != JsonValue::Kind::kArray) {
    return absl::InvalidArgumentError(
        absl::StrCat("a CloudEvents batch is a JSON array, not ", root.kind_name()));
  }
  const std::vector<JsonValue> elements = root.elements();
  events->reserve(elements.size());
  for (size_t i = 0; i < elements.size(); ++i) {
    HB_RETURN_IF_ERROR(FromJson(absl::StrCat("event ", i + 1, " of the batch: "), elements[i],
                                &events->emplace_back()));
    raw->push_back(elements[i].ToJson());
  }
  return absl::OkStatus();
}

absl::Status ValidateCloudEventsSource(const SourceConfig& config) {
  if (!config.cloudevents.has_value()) return absl::OkStatus();
  const CloudEventsConfig& ce = *config.cloudevents;
  if (ce.auth != kBearerAuth && ce.auth != kStandardWebhooksAuth) {
    return absl::InvalidArgumentError(
        absl::StrCat("cloudevents.auth: \"", ce.auth, "\" is not bearer or standard-webhooks"));
  }
  if (ce.auth == kStandardWebhooksAuth) {
    HB_RETURN_IF_ERROR(ValidateStandardWebhooksSource(config));
  }
  for (size_t i = 0; i < ce.allowed_origins.size(); ++i) {
    const std::string& origin = ce.allowed_origins[i];
    bool printable = !origin.empty();
    for (const char c : origin) printable &= c > ' ' && c < 0x7f && c != ',';
    if (!printable) {
      return absl::InvalidArgumentError(
          absl::StrCat("cloudevents.allowed_origins[", i,
                       "]: an origin is a DNS name such as eventemitter.example.com, or *"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Source>> CreateCloudEventsSource(const SourceConfig& config) {
  HB_RETURN_IF_ERROR(CheckSourceConfig("cloudevents", config));
  return std::make_unique<CloudEventsSource>(config);
}

TestSignature SignCloudEventsRequest(absl::string_view secret, const WebhookRequest&) {
  TestSignature out;
  out.headers = {{"Authorization", absl::StrCat("Bearer ", secret)}};
  return out;
}

}  // namespace hookbridge
