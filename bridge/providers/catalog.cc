#include "bridge/providers/catalog.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "bridge/check.h"
#include "bridge/json.h"
#include "google/protobuf/util/time_util.h"

namespace hookbridge {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const TypedEventSpec* Catalog::Find(absl::string_view type) const {
  for (const TypedEventSpec& spec : events) {
    if (spec.type == type) return &spec;
  }
  return nullptr;
}

namespace {

// The field of hookbridge.v1.Event holding `catalog`'s container and the
// field of the container holding `spec`'s message, looked up once per
// thread. The catalog is checked against the descriptors by a unit test, so
// a missing field is a programming error.
std::pair<const FieldDescriptor*, const FieldDescriptor*> TypedFields(const Catalog& catalog,
                                                                      const TypedEventSpec& spec) {
  thread_local absl::flat_hash_map<const TypedEventSpec*,
                                   std::pair<const FieldDescriptor*, const FieldDescriptor*>>
      fields;
  auto [it, inserted] = fields.try_emplace(&spec);
  if (inserted) {
    const FieldDescriptor* container_field =
        v1::Event::descriptor()->FindFieldByName(std::string(catalog.event_field));
    HB_CHECK(container_field != nullptr);
    const FieldDescriptor* typed_field =
        container_field->message_type()->FindFieldByName(std::string(spec.field));
    HB_CHECK(typed_field != nullptr);
    it->second = {container_field, typed_field};
  }
  return it->second;
}

}  // namespace

void DecodePayload(const Catalog& catalog, absl::string_view type,
                   google::protobuf::Struct* payload, v1::Event* event) {
  const TypedEventSpec* spec = catalog.Find(type);
  if (spec == nullptr) {
    for (absl::string_view path : catalog.untyped_subject_paths) {
      if (std::optional<std::string> subject = IdAtPath(*payload, path)) {
        event->set_subject(*std::move(subject));
        break;
      }
    }
    event->mutable_untyped()->Swap(payload);
    return;
  }
  if (std::optional<std::string> subject = IdAtPath(*payload, spec->subject_path)) {
    event->set_subject(*std::move(subject));
  }
  for (absl::string_view path : spec->entity_time_paths) {
    if (path.empty()) break;
    const std::string* time = FindStringAtPath(*payload, path);
    if (time != nullptr &&
        google::protobuf::util::TimeUtil::FromString(*time, event->mutable_entity_time())) {
      break;
    }
    event->clear_entity_time();
  }
  const auto [container_field, typed_field] = TypedFields(catalog, *spec);
  Message* container = event->GetReflection()->MutableMessage(event, container_field);
  Message* typed = container->GetReflection()->MutableMessage(container, typed_field);
  absl::Status status = StructToMessage(*payload, typed, "payload");
  if (!status.ok()) {
    // Deliver the payload as JSON instead; keep the provider message only
    // for the metadata it may carry.
    event->set_decode_error(std::string(status.message()));
    container->GetReflection()->ClearField(container, typed_field);
    if (container->ByteSizeLong() == 0) event->GetReflection()->ClearField(event, container_field);
    event->mutable_untyped()->Swap(payload);
  }
}

void DecodePayload(const Catalog& catalog, absl::string_view type, const JsonValue* payload,
                   v1::Event* event) {
  // The payload as untyped JSON: an empty object when there is none.
  const auto untyped = [payload, event] {
    google::protobuf::Struct* out = event->mutable_untyped();
    if (payload != nullptr) payload->ToStruct(out);
  };
  const TypedEventSpec* spec = catalog.Find(type);
  if (spec == nullptr) {
    if (payload != nullptr) {
      for (absl::string_view path : catalog.untyped_subject_paths) {
        if (std::optional<std::string> subject = JsonIdAtPath(*payload, path)) {
          event->set_subject(*std::move(subject));
          break;
        }
      }
    }
    untyped();
    return;
  }
  if (payload != nullptr) {
    if (std::optional<std::string> subject = JsonIdAtPath(*payload, spec->subject_path)) {
      event->set_subject(*std::move(subject));
    }
    for (absl::string_view path : spec->entity_time_paths) {
      if (path.empty()) break;
      const std::optional<absl::string_view> time = FindJsonStringAtPath(*payload, path);
      if (time.has_value() && google::protobuf::util::TimeUtil::FromString(
                                  std::string(*time), event->mutable_entity_time())) {
        break;
      }
      event->clear_entity_time();
    }
  }
  const auto [container_field, typed_field] = TypedFields(catalog, *spec);
  Message* container = event->GetReflection()->MutableMessage(event, container_field);
  Message* typed = container->GetReflection()->MutableMessage(container, typed_field);
  if (payload == nullptr) return;
  absl::Status status = JsonToMessage(*payload, typed, "payload");
  if (!status.ok()) {
    event->set_decode_error(std::string(status.message()));
    container->GetReflection()->ClearField(container, typed_field);
    if (container->ByteSizeLong() == 0) event->GetReflection()->ClearField(event, container_field);
    untyped();
  }
}

}  // namespace hookbridge
