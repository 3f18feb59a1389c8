#include "bridge/cloudevents.h"

#include <cstdio>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bridge/providers/registry.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "google/protobuf/util/type_resolver.h"
#include "google/protobuf/util/type_resolver_util.h"

namespace hookbridge {
namespace {

using io::cloudevents::v1::CloudEvent;
using AttributeValue = io::cloudevents::v1::CloudEvent::CloudEventAttributeValue;

constexpr char kProtobufContentType[] = "application/protobuf";
constexpr char kJsonContentType[] = "application/json";

AttributeValue& Attribute(CloudEvent* out, const char* name) {
  return (*out->mutable_attributes())[name];
}

void SetString(CloudEvent* out, const char* name, const std::string& value) {
  Attribute(out, name).set_ce_string(value);
}

// The provider's name in config (what ListEventTypes calls it), else the
// enum value's name (an event stored by a newer server), else its number.
std::string ProviderName(v1::Provider provider) {
  for (const ProviderInfo& info : Providers()) {
    if (info.id == provider) return std::string(info.name);
  }
  const std::string& name = v1::Provider_Name(provider);
  return name.empty() ? absl::StrCat(static_cast<int>(provider)) : name;
}

// The JSON of `message` (proto3 JSON mapping), its map keys (a Struct's
// member names) in sorted order, so that an event converts to the same
// bytes every time (MessageToJsonString follows the maps' iteration order,
// which differs between copies of one message). An error for what JSON
// cannot express (a Timestamp outside years 1-9999).
absl::StatusOr<std::string> Json(const google::protobuf::Message& message) {
  static google::protobuf::util::TypeResolver* const resolver =
      google::protobuf::util::NewTypeResolverForDescriptorPool(
          "type.googleapis.com", google::protobuf::DescriptorPool::generated_pool());
  std::string binary;
  {
    google::protobuf::io::StringOutputStream stream(&binary);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  std::string json;
  const auto status = google::protobuf::util::BinaryToJsonString(
      resolver, absl::StrCat("type.googleapis.com/", message.GetDescriptor()->full_name()), binary,
      &json);
  if (!status.ok()) return absl::InvalidArgumentError(std::string(status.message()));
  return json;
}

// Adds `error` to `errors` ("; " between).
void AppendError(std::string* errors, absl::string_view error) {
  absl::StrAppend(errors, errors->empty() ? "" : "; ", error);
}

}  // namespace

absl::Status CheckEventFormat(int format) {
  switch (format) {
    case v1::EVENT_FORMAT_UNSPECIFIED:
    case v1::EVENT_FORMAT_HOOKBRIDGE:
    case v1::EVENT_FORMAT_CLOUDEVENTS:
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "format ", format,
          " is not one this server delivers (EVENT_FORMAT_HOOKBRIDGE, EVENT_FORMAT_CLOUDEVENTS)"));
  }
}

std::string CloudEventSource(absl::string_view name) {
  std::string out = "/sources/";
  for (const char c : name) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof(escaped), "%%%02X", static_cast<unsigned char>(c));
      out.append(escaped);
    }
  }
  return out;
}

std::string CloudEventSequence(uint64_t sequence) {
  char digits[21];
  std::snprintf(digits, sizeof(digits), "%020llu", static_cast<unsigned long long>(sequence));
  return digits;
}

std::optional<uint64_t> ParseCloudEventSequence(absl::string_view value) {
  if (value.empty() || value.size() > 20) return std::nullopt;
  for (const char c : value) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  uint64_t sequence = 0;
  if (!absl::SimpleAtoi(value, &sequence)) return std::nullopt;
  return sequence;
}

namespace {

// The extension attributes hookbridge adds to every event it sends: its
// sequence, provider, receive time and provenance, and (for an event that
// was not a CloudEvent already, or one that had none) the trace context.
// An incoming CloudEvent keeps every attribute it came with except these.
void AddExtensions(const v1::Event& event, const std::string& decode_error, CloudEvent* out) {
  const bool incoming = event.has_cloudevents();
  SetString(out, ce_attr::kSequence, CloudEventSequence(event.sequence()));
  SetString(out, ce_attr::kProvider, ProviderName(event.provider()));
  if (!incoming) Attribute(out, ce_attr::kSuperseded).set_ce_boolean(event.superseded());
  if (!event.trace_context().traceparent().empty() &&
      out->attributes().count(ce_attr::kTraceparent) == 0) {
    SetString(out, ce_attr::kTraceparent, event.trace_context().traceparent());
    if (!event.trace_context().tracestate().empty()) {
      SetString(out, ce_attr::kTracestate, event.trace_context().tracestate());
    }
  }
  if (event.has_received_at()) {
    *Attribute(out, ce_attr::kReceivedAt).mutable_ce_timestamp() = event.received_at();
  }
  if (!incoming && !event.environment_id().empty()) {
    SetString(out, ce_attr::kEnvironmentId, event.environment_id());
  }
  if (event.has_entity_time()) {
    *Attribute(out, ce_attr::kEntityTime).mutable_ce_timestamp() = event.entity_time();
  }
  if (!decode_error.empty()) SetString(out, ce_attr::kDecodeError, decode_error);
  if (event.has_provenance()) {
    const v1::Provenance& provenance = event.provenance();
    if (!provenance.scheme().empty()) {
      SetString(out, ce_attr::kProvenanceScheme, provenance.scheme());
    }
    // A secret's position in a config list: far below INT32_MAX.
    if (provenance.has_secret_index() && provenance.secret_index() <= INT32_MAX) {
      Attribute(out, ce_attr::kProvenanceSecret)
          .set_ce_integer(static_cast<int32_t>(provenance.secret_index()));
    }
    if (provenance.has_timestamp_skew()) {
      SetString(out, ce_attr::kProvenanceSkew,
                google::protobuf::util::TimeUtil::ToString(provenance.timestamp_skew()));
    }
    if (!provenance.body_sha256().empty()) {
      Attribute(out, ce_attr::kBodySha256).set_ce_bytes(provenance.body_sha256());
    }
  }
  if (!event.raw_body().empty()) Attribute(out, ce_attr::kRawBody).set_ce_bytes(event.raw_body());
}

}  // namespace

void ToCloudEvent(const v1::Event& event, CloudEvent* out) {
  if (event.has_cloudevents()) {
    // An incoming CloudEvent (the cloudevents provider) goes out as it came
    // in: its own id, source, type, attributes and data.
    *out = event.cloudevents();
    AddExtensions(event, event.decode_error(), out);
    return;
  }
  out->Clear();
  out->set_id(event.id());
  out->set_source(CloudEventSource(event.source()));
  out->set_spec_version(kCloudEventsSpecVersion);
  out->set_type(event.type());

  if (!event.subject().empty()) SetString(out, ce_attr::kSubject, event.subject());
  // When it happened: the provider's own time where it gives one (DocSpace's
  // is the event's creation), else when hookbridge received it.
  if (event.has_sent_at()) {
    *Attribute(out, ce_attr::kTime).mutable_ce_timestamp() = event.sent_at();
  } else if (event.has_received_at()) {
    *Attribute(out, ce_attr::kTime).mutable_ce_timestamp() = event.received_at();
  }

  // Data: the provider message when the payload arrived typed; the JSON
  // payload when it did not. A provider message beside an untyped payload
  // holds only delivery metadata (DocSpace, canD): it goes in an extension.
  const google::protobuf::FieldDescriptor* payload_field =
      event.payload_case() == v1::Event::PAYLOAD_NOT_SET
          ? nullptr
          : event.GetDescriptor()->FindFieldByNumber(event.payload_case());
  const google::protobuf::Message* provider_message =
      payload_field == nullptr ? nullptr : &event.GetReflection()->GetMessage(event, payload_field);
  // What could not be converted is left out and said in decodeerror.
  std::string decode_error = event.decode_error();
  if (event.has_untyped()) {
    if (absl::StatusOr<std::string> json = Json(event.untyped()); json.ok()) {
      out->set_text_data(*std::move(json));
      SetString(out, ce_attr::kDataContentType, kJsonContentType);
    } else {
      AppendError(&decode_error, absl::StrCat("the payload has no JSON form, so it is left out: ",
                                              json.status().message()));
    }
    if (provider_message != nullptr) {
      if (absl::StatusOr<std::string> json = Json(*provider_message); json.ok()) {
        SetString(out, ce_attr::kProviderMetadata, *json);
      } else {
        AppendError(&decode_error,
                    absl::StrCat("the provider metadata has no JSON form, so it is left out: ",
                                 json.status().message()));
      }
    }
  } else if (provider_message != nullptr) {
    out->mutable_proto_data()->PackFrom(*provider_message);
    SetString(out, ce_attr::kDataContentType, kProtobufContentType);
    // The specification's advice for proto_data: the type URL, a URI.
    Attribute(out, ce_attr::kDataSchema).set_ce_uri(out->proto_data().type_url());
  }

  AddExtensions(event, decode_error, out);
}

std::string CloudEventBytes(const LogRecord& record, bool include_raw, uint64_t max_bytes) {
  v1::Event event;
  if (!event.ParseFromString(record.event_bytes) ||
      (include_raw && !event.MergeFromString(record.raw_body_field))) {
    event.Clear();
    event.set_id(record.id);
    event.set_sequence(record.sequence);
    event.set_source(record.source);
    event.set_type(record.type);
    event.set_environment_id(record.environment_id);
    event.set_subject(record.subject);
    event.set_decode_error("the stored event could not be parsed");
  }
  CloudEvent cloud_event;
  ToCloudEvent(event, &cloud_event);
  const size_t size = cloud_event.ByteSizeLong();
  if (size > max_bytes) {
    if (event.has_cloudevents()) {
      // Its attributes still go out; its data does not.
      event.mutable_cloudevents()->clear_data();
    } else {
      event.clear_payload();
    }
    event.clear_untyped();
    event.clear_raw_body();
    event.set_decode_error(absl::StrCat("the event is ", size,
                                        " bytes as a CloudEvent, over the largest this server "
                                        "sends (grpc.max_event_bytes: ",
                                        max_bytes, "); its payload and raw body are left out"));
    ToCloudEvent(event, &cloud_event);
  }
  return cloud_event.SerializeAsString();
}

}  // namespace hookbridge
