#include "bridge/providers/ckeditor/ckeditor_source.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bridge/json_document.h"
#include "bridge/providers/ckeditor/signature.h"
#include "google/protobuf/util/time_util.h"

namespace hookbridge {
namespace {

constexpr TypedEventSpec kCkeditorEvents[] = {
    {"collaboration.user.connected", "collaboration_user_connected", "document.id"},
    {"document.user.connected", "collaboration_user_connected", "document.id"},
    {"collaboration.user.disconnected", "collaboration_user_disconnected", "document.id"},
    {"document.user.disconnected", "collaboration_user_disconnected", "document.id"},
    {"collaboration.document.updated",
     "collaboration_document_updated",
     "document.id",
     {"document.updated_at"}},
    {"collaboration.document.update.exported",
     "collaboration_document_update_exported",
     "document.id",
     {"document.updated_at", "document.exported_at"}},
    {"collaboration.document.finished",
     "collaboration_document_finished",
     "document.id",
     {"document.removed_at"}},
    {"collaboration.document.exported",
     "collaboration_document_exported",
     "document.id",
     {"document.removed_at"}},
    {"collaboration.document.export.failed",
     "collaboration_document_export_failed",
     "document.id",
     {"document.removed_at"}},
    {"collaboration.document.recovered",
     "collaboration_document_recovered",
     "document.id",
     {"document.removed_at"}},
    {"collaboration.document.removed",
     "collaboration_document_removed",
     "document.id",
     {"document.removed_at"}},
    {"document.removed", "collaboration_document_removed", "document.id", {"document.removed_at"}},
    {"storage.document.saved", "storage_document_saved", "document.id", {"document.saved_at"}},
    {"storage.document.save.failed",
     "storage_document_save_failed",
     "document.id",
     {"document.failed_at"}},
    {"storage.document.removed",
     "storage_document_removed",
     "document.id",
     {"document.removed_at"}},
    {"comment.added", "comment_added", "document.id"},
    {"comment.updated", "comment_updated", "document.id"},
    {"comment.removed", "comment_removed", "document.id"},
    {"commentthread.added", "comment_thread_added", "document.id"},
    {"commentthread.updated", "comment_thread_updated", "document.id"},
    {"commentthread.resolved", "comment_thread_resolved", "document.id"},
    {"commentthread.reopened", "comment_thread_reopened", "document.id"},
    {"commentthread.removed", "comment_thread_removed", "document.id"},
    {"commentthread.restored", "comment_thread_restored", "document.id"},
    {"commentthread.all.removed", "comment_thread_all_removed", "document.id"},
    {"suggestion.added", "suggestion_added", "document.id"},
    {"suggestion.accepted", "suggestion_accepted", "document.id"},
    {"suggestion.rejected", "suggestion_rejected", "document.id"},
    {"suggestion.removed", "suggestion_removed", "document.id"},
    {"suggestion.restored", "suggestion_restored", "document.id"},
    {"ping", "ping", "id"},
};

constexpr absl::string_view kCkeditorUntypedSubjects[] = {"document.id"};

class CkeditorFamilySource : public Source {
 public:
  CkeditorFamilySource(const SourceConfig& config, const Catalog* catalog)
      : secrets_(config.secrets),
        tolerance_(config.timestamp_tolerance),
        public_url_(config.public_url),
        catalog_(catalog) {}

  absl::Status Verify(const WebhookRequest& request, Verification* verified) const override {
    verified->scheme = "ckeditor-hmac-sha256";
    if (public_url_.empty())
      return VerifyCkeditorSignature(request, secrets_, tolerance_, verified);
    // CKEditor signs the path and query it was told to send to: behind a
    // proxy that rewrites them, the source's public_url.
    const std::string path = SignedPath(public_url_, request.target);
    WebhookRequest as_sent = request;
    as_sent.target = path;
    return VerifyCkeditorSignature(as_sent, secrets_, tolerance_, verified);
  }

  std::string DiagnoseSignature(const WebhookRequest& request) const override {
    WebhookRequest other = request;
    return DiagnoseUrlForms(public_url_, request.target, [&](absl::string_view path) {
      other.target = path;
      const absl::Status s = VerifyCkeditorSignature(other, secrets_, tolerance_);
      return s.ok() || IsStaleTimestamp(s);
    });
  }

  absl::Status Decode(const WebhookRequest& request, int max_json_depth,
                      v1::Event* event) const override {
    JsonDocument body;
    if (absl::Status s = body.Parse(request.body, request.body_padding, max_json_depth); !s.ok()) {
      return s;
    }
    const JsonValue root = body.root();

    const std::optional<JsonValue> name = root.Find("event");
    if (!name.has_value() || !name->is_string() || name->string().empty()) {
      return absl::InvalidArgumentError("envelope: \"event\" must be a non-empty string");
    }
    event->set_type(std::string(name->string()));

    if (const std::optional<JsonValue> env = root.Find("environment_id"); env.has_value()) {
      if (!env->is_string()) {
        return absl::InvalidArgumentError("envelope: \"environment_id\" must be a string");
      }
      event->set_environment_id(std::string(env->string()));
    }

    if (const std::optional<JsonValue> sent = root.Find("sent_at"); sent.has_value()) {
      if (!sent->is_string() || !google::protobuf::util::TimeUtil::FromString(
                                    std::string(sent->string()), event->mutable_sent_at())) {
        return absl::InvalidArgumentError("envelope: \"sent_at\" must be an RFC 3339 date");
      }
    }

    std::optional<JsonValue> payload = root.Find("payload");
    if (payload.has_value() && payload->is_null()) payload.reset();
    if (payload.has_value() && !payload->is_object()) {
      return absl::InvalidArgumentError("envelope: \"payload\" must be an object");
    }
    DecodePayload(*catalog_, event->type(), payload.has_value() ? &*payload : nullptr, event);
    return absl::OkStatus();
  }

 private:
  const std::vector<std::string> secrets_;
  const absl::Duration tolerance_;
  const std::string public_url_;
  const Catalog* const catalog_;
};

}  // namespace

const Catalog kCkeditorCatalog = {
    v1::PROVIDER_CKEDITOR_CLOUD_SERVICES,
    "ckeditor",
    kCkeditorEvents,
    kCkeditorUntypedSubjects,
};

absl::StatusOr<std::unique_ptr<Source>> CreateCkeditorFamilySource(absl::string_view provider,
                                                                   const SourceConfig& config,
                                                                   const Catalog* catalog) {
  if (absl::Status s = CheckSourceConfig(provider, config); !s.ok()) return s;
  return std::make_unique<CkeditorFamilySource>(config, catalog);
}

absl::StatusOr<std::unique_ptr<Source>> CreateCkeditorSource(const SourceConfig& config) {
  return CreateCkeditorFamilySource("ckeditor-cloud-services", config, &kCkeditorCatalog);
}

TestSignature SignCkeditorRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  const absl::string_view* sent = request.FindHeader(kCkeditorTimestampHeader);
  out.used_request_timestamp = sent != nullptr;
  const std::string timestamp =
      sent != nullptr ? std::string(*sent) : absl::StrCat(absl::ToUnixMillis(request.received_at));
  out.headers.emplace_back(kCkeditorTimestampHeader, timestamp);
  out.headers.emplace_back(
      kCkeditorSignatureHeader,
      CkeditorSignature(secret, request.method, request.target, timestamp, request.body));
  return out;
}

}  // namespace hookbridge
