#include "bridge/providers/catalog.h"

#include "absl/strings/str_cat.h"
#include "bridge/check.h"
#include "bridge/json.h"

namespace hookbridge {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

const TypedEventSpec* Catalog::Find(absl::string_view type) const {
  for (const TypedEventSpec& spec : events) {
    if (spec.type == type) return &spec;
  }
  return nullptr;
}

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
  // The catalog is checked against the descriptors by a unit test, so a
  // missing field here is a programming error.
  const FieldDescriptor* container_field =
      v1::Event::descriptor()->FindFieldByName(std::string(catalog.event_field));
  HB_CHECK(container_field != nullptr);
  Message* container = event->GetReflection()->MutableMessage(event, container_field);
  const FieldDescriptor* typed_field =
      container->GetDescriptor()->FindFieldByName(std::string(spec->field));
  HB_CHECK(typed_field != nullptr);
  Message* typed = container->GetReflection()->MutableMessage(container, typed_field);
  absl::Status status = StructToMessage(*payload, typed, "payload");
  if (!status.ok()) {
    event->set_decode_error(std::string(status.message()));
    event->mutable_untyped()->Swap(payload);
  }
}

}  // namespace hookbridge
