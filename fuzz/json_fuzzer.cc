// Differential fuzzing of the webhook body decoder (bridge/json_document.h)
// against the functions it replaced (bridge/json.h), on any bytes as a body.
//
// The first byte picks the nesting limit (1 to kMaxJsonDepth, as
// http.max_json_depth may be); the rest is the body. Findings (HB_CHECK):
// - JsonDocument::Parse and CheckJsonText + ParseJsonObject disagree on
//   whether the body is accepted, or give different reasons;
// - the parsed values differ (compared as serialized Structs, so -0.0 and
//   0.0 differ);
// - JsonToMessage and StructToMessage (and JsonToMessageKeyByKey and
//   StructToMessage one member at a time) fill a typed message differently
//   or fail differently, for the body and for each object in it, into
//   messages with every kind of field.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bridge/check.h"
#include "bridge/json.h"
#include "bridge/json_document.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "hookbridge/cand/v1/cand.pb.h"
#include "hookbridge/ckbox/v1/ckbox.pb.h"
#include "hookbridge/ckeditor/v1/ckeditor.pb.h"
#include "hookbridge/docspace/v1/docspace.pb.h"
#include "hookbridge/v1/event.pb.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge::fuzz {
namespace {

using google::protobuf::Message;
using google::protobuf::Struct;
using google::protobuf::Value;

// Map entries in key order, doubles bit for bit.
std::string Bytes(const Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

// Messages with every kind of field the conversion handles: strings,
// 32/64-bit and unsigned integers, doubles, bools, enums, Timestamps,
// Value/Struct/ListValue, maps, repeated messages, oneofs, json_names.
const std::vector<const Message*>& Targets() {
  static const auto* const targets = new std::vector<const Message*>{
      &ckeditor::v1::CommentAdded::default_instance(),
      &ckeditor::v1::CommentThreadAllRemoved::default_instance(),
      &ckeditor::v1::StorageDocumentSaveFailed::default_instance(),
      &ckbox::v1::AssetUploaded::default_instance(),
      &docspace::v1::DocspaceEvent::default_instance(),
      &docspace::v1::File::default_instance(),
      &cand::v1::CandEvent::default_instance(),
      &v1::Event::default_instance(),
      &v1::SubscribeRequest::default_instance(),
      &google::protobuf::Int32Value::default_instance(),
      &google::protobuf::UInt32Value::default_instance(),
  };
  return *targets;
}

// `object` (text of one JSON object) into each target both ways.
void CompareConversions(absl::string_view object) {
  const absl::StatusOr<Struct> reference = ParseJsonObject(object);
  HB_CHECK(reference.ok());
  JsonDocument document;
  HB_CHECK(document.Parse(object, 0, kMaxJsonDepth).ok());
  std::vector<const std::string*> keys;
  for (const auto& member : reference->fields()) keys.push_back(&member.first);
  std::sort(keys.begin(), keys.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const Message* target : Targets()) {
    std::unique_ptr<Message> expected(target->New());
    std::unique_ptr<Message> actual(target->New());
    const absl::Status expected_status = StructToMessage(*reference, expected.get(), "payload");
    const absl::Status status = JsonToMessage(document.root(), actual.get(), "payload");
    HB_CHECK(status == expected_status);
    HB_CHECK(Bytes(*actual) == Bytes(*expected));

    std::vector<std::string> expected_errors, errors;
    expected->Clear();
    actual->Clear();
    for (const std::string* key : keys) {
      Struct one;
      (*one.mutable_fields())[*key] = reference->fields().at(*key);
      std::unique_ptr<Message> part(target->New());
      if (absl::Status s = StructToMessage(one, part.get(), "event"); !s.ok()) {
        expected_errors.push_back(std::string(s.message()));
        continue;
      }
      expected->MergeFrom(*part);
    }
    JsonToMessageKeyByKey(document.root(), actual.get(), "event", &errors);
    HB_CHECK(errors == expected_errors);
    HB_CHECK(Bytes(*actual) == Bytes(*expected));
  }
}

// The objects nested in `value` (not `value` itself), as JSON text.
void NestedObjects(const Value& value, std::vector<std::string>* out) {
  if (value.kind_case() == Value::kListValue) {
    for (const Value& item : value.list_value().values()) {
      if (item.kind_case() == Value::kStructValue) {
        std::string text;
        HB_CHECK(google::protobuf::util::MessageToJsonString(item.struct_value(), &text).ok());
        out->push_back(std::move(text));
      }
      NestedObjects(item, out);
    }
  } else if (value.kind_case() == Value::kStructValue) {
    for (const auto& [key, member] : value.struct_value().fields()) {
      if (member.kind_case() == Value::kStructValue) {
        std::string text;
        HB_CHECK(google::protobuf::util::MessageToJsonString(member.struct_value(), &text).ok());
        out->push_back(std::move(text));
      }
      NestedObjects(member, out);
    }
  }
}

}  // namespace
}  // namespace hookbridge::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hookbridge;
  if (size == 0) return 0;
  const int max_depth = 1 + data[0] % kMaxJsonDepth;
  const absl::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);

  absl::StatusOr<google::protobuf::Struct> expected;
  if (absl::Status checked = CheckJsonText(body, max_depth); !checked.ok()) {
    expected = checked;
  } else {
    expected = ParseJsonObject(body);
  }
  JsonDocument document;
  const absl::Status status = document.Parse(body, 0, max_depth);
  HB_CHECK(status == expected.status());
  if (!status.ok()) return 0;
  google::protobuf::Struct parsed;
  document.root().ToStruct(&parsed);
  HB_CHECK(fuzz::Bytes(parsed) == fuzz::Bytes(*expected));

  fuzz::CompareConversions(body);
  std::vector<std::string> objects;
  google::protobuf::Value root;
  *root.mutable_struct_value() = *expected;
  fuzz::NestedObjects(root, &objects);
  for (const std::string& object : objects) fuzz::CompareConversions(object);
  return 0;
}
