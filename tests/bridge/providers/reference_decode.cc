#include "tests/bridge/providers/reference_decode.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bridge/json.h"
#include "bridge/providers/cand/cand_source.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/ckbox/ckbox_source.h"
#include "bridge/providers/ckeditor/ckeditor_source.h"
#include "bridge/providers/docspace/docspace_source.h"
#include "google/protobuf/util/time_util.h"

namespace hookbridge::test_util {
namespace {

using google::protobuf::Message;
using google::protobuf::Struct;
using google::protobuf::Value;

absl::Status DecodeCkeditorFamily(const Catalog& catalog, const WebhookRequest& request,
                                  v1::Event* event) {
  absl::StatusOr<Struct> body = ParseJsonObject(request.body);
  if (!body.ok()) return body.status();
  auto& fields = *body->mutable_fields();

  auto name = fields.find("event");
  if (name == fields.end() || name->second.kind_case() != Value::kStringValue ||
      name->second.string_value().empty()) {
    return absl::InvalidArgumentError("envelope: \"event\" must be a non-empty string");
  }
  event->set_type(name->second.string_value());

  if (auto env = fields.find("environment_id"); env != fields.end()) {
    if (env->second.kind_case() != Value::kStringValue) {
      return absl::InvalidArgumentError("envelope: \"environment_id\" must be a string");
    }
    event->set_environment_id(env->second.string_value());
  }

  if (auto sent = fields.find("sent_at"); sent != fields.end()) {
    if (sent->second.kind_case() != Value::kStringValue ||
        !google::protobuf::util::TimeUtil::FromString(sent->second.string_value(),
                                                      event->mutable_sent_at())) {
      return absl::InvalidArgumentError("envelope: \"sent_at\" must be an RFC 3339 date");
    }
  }

  Struct payload;
  if (absl::Status s = TakeObjectField(&fields, "payload", &payload); !s.ok()) return s;
  DecodePayload(catalog, event->type(), &payload, event);
  return absl::OkStatus();
}

const std::string* NonEmptyString(const google::protobuf::Map<std::string, Value>& fields,
                                  const std::string& key) {
  auto it = fields.find(key);
  if (it == fields.end() || it->second.kind_case() != Value::kStringValue ||
      it->second.string_value().empty()) {
    return nullptr;
  }
  return &it->second.string_value();
}

absl::Status DecodeCand(const WebhookRequest& request, v1::Event* event) {
  absl::StatusOr<Struct> body = ParseJsonObject(request.body);
  if (!body.ok()) return body.status();
  auto& fields = *body->mutable_fields();
  const std::string* module = NonEmptyString(fields, "module");
  const std::string* type = NonEmptyString(fields, "type");
  if (module == nullptr) {
    return absl::InvalidArgumentError("envelope: \"module\" must be a non-empty string");
  }
  if (type == nullptr) {
    return absl::InvalidArgumentError("envelope: \"type\" must be a non-empty string");
  }
  event->set_type(absl::StrCat(*module, ":", *type));

  std::string context_error;
  if (auto context = fields.find("context"); context != fields.end()) {
    if (context->second.kind_case() != Value::kStructValue) {
      return absl::InvalidArgumentError("envelope: \"context\" must be an object");
    }
    const Struct& context_object = context->second.struct_value();
    if (std::optional<std::string> community = IdAtPath(context_object, "communityId")) {
      event->set_environment_id(*std::move(community));
    }
    absl::Status s =
        StructToMessage(context_object, event->mutable_cand()->mutable_context(), "context");
    if (!s.ok()) context_error = std::string(s.message());
  }

  Struct payload;
  if (absl::Status s = TakeObjectField(&fields, "payload", &payload); !s.ok()) return s;
  DecodePayload(kCandCatalog, event->type(), &payload, event);
  if (!context_error.empty()) {
    event->set_decode_error(event->decode_error().empty()
                                ? context_error
                                : absl::StrCat(event->decode_error(), "; ", context_error));
  }
  return absl::OkStatus();
}

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

absl::Status DecodeDocspace(const WebhookRequest& request, v1::Event* event) {
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
  if (metadata.event().has_create_on()) *event->mutable_sent_at() = metadata.event().create_on();

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

}  // namespace

bool HasReferenceDecoder(absl::string_view provider) {
  return provider == "ckeditor-cloud-services" || provider == "ckbox" || provider == "cand" ||
         provider == "onlyoffice-docspace";
}

absl::Status ReferenceDecode(absl::string_view provider, const WebhookRequest& request,
                             int max_json_depth, v1::Event* event) {
  if (absl::Status checked = CheckJsonText(request.body, max_json_depth); !checked.ok()) {
    return checked;
  }
  if (provider == "ckeditor-cloud-services") {
    return DecodeCkeditorFamily(kCkeditorCatalog, request, event);
  }
  if (provider == "ckbox") return DecodeCkeditorFamily(kCkboxCatalog, request, event);
  if (provider == "cand") return DecodeCand(request, event);
  if (provider == "onlyoffice-docspace") return DecodeDocspace(request, event);
  return absl::InvalidArgumentError(absl::StrCat("no reference decoder for ", provider));
}

}  // namespace hookbridge::test_util
