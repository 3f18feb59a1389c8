#include "bridge/providers/docspace/docspace_source.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bridge/json_document.h"
#include "bridge/providers/docspace/signature.h"

namespace hookbridge {
namespace {

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

class DocspaceSource : public Source {
 public:
  explicit DocspaceSource(const SourceConfig& config) : secrets_(config.secrets) {}

  absl::Status Verify(const WebhookRequest& request, Verification* verified) const override {
    verified->scheme = "docspace-hmac-sha256";
    return VerifyDocspaceSignature(request, secrets_, verified);
  }

  absl::Status Decode(const WebhookRequest& request, int max_json_depth,
                      v1::Event* event) const override {
    JsonDocument body;
    if (absl::Status s = body.Parse(request.body, request.body_padding, max_json_depth); !s.ok()) {
      return s;
    }
    const JsonValue root = body.root();

    const std::optional<JsonValue> delivery = root.Find("event");
    if (!delivery.has_value() || !delivery->is_object()) {
      return absl::InvalidArgumentError("envelope: \"event\" must be an object");
    }
    const std::optional<absl::string_view> trigger = FindJsonStringAtPath(*delivery, "trigger");
    if (!trigger.has_value() || trigger->empty()) {
      return absl::InvalidArgumentError("envelope: \"event.trigger\" must be a non-empty string");
    }
    event->set_type(std::string(*trigger));
    if (std::optional<std::string> id = JsonIdAtPath(*delivery, "id")) {
      event->set_id(*std::move(id));
    }

    // Metadata must never make an otherwise valid delivery fail: a member
    // that does not fit is left out (and named in decode_error).
    std::vector<std::string> metadata_errors;
    docspace::v1::DocspaceEvent metadata;
    JsonToMessageKeyByKey(*delivery, metadata.mutable_event(), "event", &metadata_errors);
    if (const std::optional<JsonValue> webhook = root.Find("webhook"); webhook.has_value()) {
      if (webhook->is_object()) {
        JsonToMessageKeyByKey(*webhook, metadata.mutable_webhook(), "webhook", &metadata_errors);
      } else if (!webhook->is_null()) {
        metadata_errors.push_back(
            absl::StrCat("webhook: expected an object, got ", webhook->kind_name()));
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

    std::optional<JsonValue> payload = root.Find("payload");
    if (payload.has_value() && payload->is_null()) payload.reset();
    if (payload.has_value() && !payload->is_object()) {
      metadata_errors.insert(
          metadata_errors.begin(),
          absl::StrCat("payload: expected an object, got ", payload->kind_name()));
      payload->ToValue(&(*event->mutable_untyped()->mutable_fields())["payload"]);
      event->set_decode_error(absl::StrJoin(metadata_errors, "; "));
      return absl::OkStatus();
    }
    DecodePayload(kDocspaceCatalog, event->type(), payload.has_value() ? &*payload : nullptr,
                  event);
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
