#include "bridge/providers/docspace/docspace_source.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bridge/json.h"
#include "bridge/providers/docspace/signature.h"

namespace hookbridge {
namespace {

using google::protobuf::Message;
using google::protobuf::Struct;
using google::protobuf::Value;

// In the order of DocSpace's WebhookTrigger enum (bit 0 to bit 35).
constexpr TypedEventSpec kDocspaceEvents[] = {
    {"user.created", "user", "id"},
    {"user.invited", "user", "id"},
    {"user.updated", "user", "id"},
    {"user.deleted", "user", "id"},
    {"group.created", "group", "id"},
    {"group.updated", "group", "id"},
    {"group.deleted", "group", "id"},
    {"file.created", "file", "id"},
    {"file.uploaded", "file", "id"},
    {"file.updated", "file", "id"},
    {"file.trashed", "file", "id"},
    {"file.deleted", "file", "id"},
    {"file.restored", "file", "id"},
    {"file.copied", "file", "id"},
    {"file.moved", "file", "id"},
    {"folder.created", "folder", "id"},
    {"folder.updated", "folder", "id"},
    {"folder.trashed", "folder", "id"},
    {"folder.deleted", "folder", "id"},
    {"folder.restored", "folder", "id"},
    {"folder.copied", "folder", "id"},
    {"folder.moved", "folder", "id"},
    {"room.created", "room", "id"},
    {"room.updated", "room", "id"},
    {"room.archived", "room", "id"},
    {"room.deleted", "room", "id"},
    {"room.restored", "room", "id"},
    {"room.copied", "room", "id"},
    {"form.submit", "form", "originalForm.id"},
    {"form.filled.out", "form", "id"},
    {"form.stopped", "form", "id"},
    {"agent.created", "agent", "id"},
    {"agent.updated", "agent", "id"},
    {"agent.deleted", "agent", "id"},
    {"file.downloaded", "file", "id"},
    {"folder.downloaded", "folder", "id"},
};

constexpr absl::string_view kDocspaceUntypedSubjects[] = {"id"};

// Fills `message` from `object` one top-level key at a time, in key order:
// a key that does not fit is left out and its error appended to `errors`.
// Metadata must never make an otherwise valid delivery fail, and this keeps
// the result independent of the order StructToMessage visits keys in.
void FillKeyByKey(const Struct& object, Message* message, absl::string_view path,
                  std::vector<std::string>* errors) {
  std::vector<const std::string*> keys;
  for (const auto& [key, value] : object.fields()) keys.push_back(&key);
  std::sort(keys.begin(), keys.end(),
            [](const std::string* a, const std::string* b) { return *a < *b; });
  for (const std::string* key : keys) {
    Struct one;
    (*one.mutable_fields())[*key] = object.fields().at(*key);
    std::unique_ptr<Message> part(message->New());
    if (absl::Status s = StructToMessage(one, part.get(), path); !s.ok()) {
      errors->push_back(std::string(s.message()));
      continue;
    }
    message->MergeFrom(*part);
  }
}

class DocspaceSource : public Source {
 public:
  explicit DocspaceSource(const SourceConfig& config) : secrets_(config.secrets) {}

  absl::Status Verify(const WebhookRequest& request) const override {
    return VerifyDocspaceSignature(request, secrets_);
  }

  absl::Status Decode(const WebhookRequest& request, v1::Event* event) const override {
    absl::StatusOr<Struct> body = ParseJsonObject(request.body);
    if (!body.ok()) return body.status();
    auto& fields = *body->mutable_fields();

    auto info = fields.find("event");
    if (info == fields.end() || info->second.kind_case() != Value::kStructValue) {
      return absl::InvalidArgumentError("envelope: \"event\" must be an object");
    }
    const Struct& delivery = info->second.struct_value();
    const std::string* trigger = FindStringAtPath(delivery, "trigger");
    if (trigger == nullptr || trigger->empty()) {
      return absl::InvalidArgumentError("envelope: \"event.trigger\" must be a non-empty string");
    }
    event->set_type(*trigger);
    if (std::optional<std::string> id = IdAtPath(delivery, "id")) event->set_id(*std::move(id));

    std::vector<std::string> metadata_errors;
    docspace::v1::DocspaceEvent metadata;
    FillKeyByKey(delivery, metadata.mutable_event(), "event", &metadata_errors);
    if (auto webhook = fields.find("webhook"); webhook != fields.end()) {
      if (webhook->second.kind_case() == Value::kStructValue) {
        FillKeyByKey(webhook->second.struct_value(), metadata.mutable_webhook(), "webhook",
                     &metadata_errors);
      } else if (webhook->second.kind_case() != Value::kNullValue) {
        metadata_errors.push_back(
            absl::StrCat("webhook: expected an object, got ", KindName(webhook->second)));
      }
    }

    // The event's creation time, signed with the body and repeated by every
    // retry: DocSpace signs no timestamp, so the ingestor refuses a delivery
    // created longer ago than it remembers ids (a replay).
    if (metadata.event().has_create_on()) *event->mutable_sent_at() = metadata.event().create_on();

    // The delivery metadata is kept whether or not the payload is typed.
    docspace::v1::DocspaceEvent* container = event->mutable_docspace();
    container->mutable_event()->Swap(metadata.mutable_event());
    if (metadata.has_webhook()) container->mutable_webhook()->Swap(metadata.mutable_webhook());

    Struct payload;
    if (auto p = fields.find("payload"); p != fields.end()) {
      if (p->second.kind_case() == Value::kStructValue) {
        payload.Swap(p->second.mutable_struct_value());
      } else if (p->second.kind_case() != Value::kNullValue) {
        metadata_errors.insert(
            metadata_errors.begin(),
            absl::StrCat("payload: expected an object, got ", KindName(p->second)));
        (*event->mutable_untyped()->mutable_fields())["payload"].Swap(&p->second);
        event->set_decode_error(absl::StrJoin(metadata_errors, "; "));
        return absl::OkStatus();
      }
    }
    DecodePayload(kDocspaceCatalog, event->type(), &payload, event);
    if (!metadata_errors.empty()) {
      if (!event->decode_error().empty()) {
        metadata_errors.insert(metadata_errors.begin(), event->decode_error());
      }
      event->set_decode_error(absl::StrJoin(metadata_errors, "; "));
    }
    return absl::OkStatus();
  }

 private:
  const std::vector<std::string> secrets_;
};

}  // namespace

const Catalog kDocspaceCatalog = {
    v1::PROVIDER_ONLYOFFICE_DOCSPACE,
    "docspace",
    kDocspaceEvents,
    kDocspaceUntypedSubjects,
};

absl::StatusOr<std::unique_ptr<Source>> CreateDocspaceSource(const SourceConfig& config) {
  if (absl::Status s = CheckSourceConfig("onlyoffice-docspace", config); !s.ok()) return s;
  return std::make_unique<DocspaceSource>(config);
}

TestSignature SignDocspaceRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  out.headers.emplace_back(kDocspaceSignatureHeader, DocspaceSignature(secret, request.body));
  return out;
}

}  // namespace hookbridge
