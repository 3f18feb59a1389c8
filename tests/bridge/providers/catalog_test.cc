#include "bridge/providers/catalog.h"

#include <filesystem>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "bridge/json.h"
#include "bridge/providers/ckbox/ckbox_source.h"
#include "bridge/providers/ckeditor/ckeditor_source.h"
#include "bridge/providers/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/golden.h"

namespace hookbridge {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Struct;
using ::testing::HasSubstr;

Struct Json(absl::string_view text) {
  absl::StatusOr<Struct> parsed = ParseJsonObject(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : Struct();
}

// The message type of the provider's container (e.g. CkeditorEvent), or
// nullptr when `catalog.event_field` is not a message field of Event.
const Descriptor* ContainerOf(const Catalog& catalog) {
  const FieldDescriptor* field =
      v1::Event::descriptor()->FindFieldByName(std::string(catalog.event_field));
  if (field == nullptr || field->message_type() == nullptr) return nullptr;
  return field->message_type();
}

struct NamedCatalog {
  const char* name;  // the provider's testdata directory
  const Catalog* catalog;
};

const NamedCatalog kCatalogs[] = {{"ckeditor", &kCkeditorCatalog}, {"ckbox", &kCkboxCatalog}};

TEST(CatalogTest, FindReturnsTheRowOfAKnownType) {
  const TypedEventSpec* spec = kCkeditorCatalog.Find("comment.added");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->field, "comment_added");
  EXPECT_EQ(spec->subject_path, "document.id");
}

TEST(CatalogTest, FindMapsLegacyNamesOntoTheCurrentMessage) {
  const std::pair<const char*, const char*> kLegacy[] = {
      {"document.user.connected", "collaboration.user.connected"},
      {"document.user.disconnected", "collaboration.user.disconnected"},
      {"document.removed", "collaboration.document.removed"},
  };
  for (const auto& [legacy, current] : kLegacy) {
    const TypedEventSpec* old_spec = kCkeditorCatalog.Find(legacy);
    const TypedEventSpec* new_spec = kCkeditorCatalog.Find(current);
    ASSERT_NE(old_spec, nullptr) << legacy;
    ASSERT_NE(new_spec, nullptr) << current;
    EXPECT_EQ(old_spec->field, new_spec->field) << legacy;
  }
}

TEST(CatalogTest, FindReturnsNullForUnknownTypes) {
  EXPECT_EQ(kCkeditorCatalog.Find("comment.added.extra"), nullptr);
  EXPECT_EQ(kCkeditorCatalog.Find("comment"), nullptr);
  EXPECT_EQ(kCkeditorCatalog.Find(""), nullptr);
  EXPECT_EQ(kCkeditorCatalog.Find("COMMENT.ADDED"), nullptr);
  EXPECT_EQ(kCkboxCatalog.Find("comment.added"), nullptr);
}

TEST(CatalogTest, CkeditorCatalogHasEveryDocumentedEvent) {
  // providers.md §1 and seed 001, including deprecated, legacy and ping.
  const char* const kDocumented[] = {
      "collaboration.user.connected",
      "collaboration.user.disconnected",
      "collaboration.document.updated",
      "collaboration.document.update.exported",
      "collaboration.document.finished",
      "collaboration.document.exported",
      "collaboration.document.export.failed",
      "collaboration.document.recovered",
      "storage.document.saved",
      "storage.document.save.failed",
      "storage.document.removed",
      "comment.added",
      "comment.updated",
      "comment.removed",
      "commentthread.added",
      "commentthread.updated",
      "commentthread.resolved",
      "commentthread.reopened",
      "commentthread.removed",
      "commentthread.restored",
      "commentthread.all.removed",
      "suggestion.added",
      "suggestion.accepted",
      "suggestion.rejected",
      "suggestion.removed",
      "suggestion.restored",
      "collaboration.document.removed",
      "document.user.connected",
      "document.user.disconnected",
      "document.removed",
      "ping",
  };
  for (const char* type : kDocumented) {
    EXPECT_NE(kCkeditorCatalog.Find(type), nullptr) << type;
  }
  EXPECT_EQ(kCkeditorCatalog.events.size(), std::size(kDocumented));
}

TEST(CatalogTest, CatalogsBelongToTheirProviders) {
  EXPECT_EQ(kCkeditorCatalog.provider, v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  EXPECT_EQ(kCkboxCatalog.provider, v1::PROVIDER_CKBOX);
  for (const ProviderInfo& provider : Providers()) {
    ASSERT_NE(provider.catalog, nullptr) << provider.name;
    EXPECT_EQ(provider.catalog->provider, provider.id) << provider.name;
  }
}

// The table and the schema cannot drift: every catalog row names an existing
// field of the container, and every field of the container is reachable.
TEST(CatalogTest, EveryRowNamesAFieldOfTheContainer) {
  for (const NamedCatalog& named : kCatalogs) {
    const Catalog& catalog = *named.catalog;
    const Descriptor* container = ContainerOf(catalog);
    ASSERT_NE(container, nullptr) << named.name << ": no Event field " << catalog.event_field;
    const FieldDescriptor* event_field =
        v1::Event::descriptor()->FindFieldByName(std::string(catalog.event_field));
    ASSERT_NE(event_field->containing_oneof(), nullptr);
    EXPECT_EQ(event_field->containing_oneof()->name(), "payload");
    std::set<absl::string_view> types;
    for (const TypedEventSpec& spec : catalog.events) {
      EXPECT_TRUE(types.insert(spec.type).second) << "duplicate row " << spec.type;
      const FieldDescriptor* field = container->FindFieldByName(std::string(spec.field));
      ASSERT_NE(field, nullptr) << spec.type << ": " << container->full_name() << " has no field "
                                << spec.field;
      EXPECT_EQ(field->type(), FieldDescriptor::TYPE_MESSAGE) << spec.type;
      EXPECT_FALSE(field->is_repeated()) << spec.type;
      EXPECT_NE(field->containing_oneof(), nullptr) << spec.type;
      EXPECT_FALSE(spec.subject_path.empty()) << spec.type;
    }
  }
}

TEST(CatalogTest, EveryFieldOfTheContainerIsInTheCatalog) {
  for (const NamedCatalog& named : kCatalogs) {
    const Descriptor* container = ContainerOf(*named.catalog);
    ASSERT_NE(container, nullptr) << named.name;
    std::set<absl::string_view> used;
    for (const TypedEventSpec& spec : named.catalog->events) used.insert(spec.field);
    for (int i = 0; i < container->field_count(); ++i) {
      EXPECT_TRUE(used.count(container->field(i)->name()))
          << container->full_name() << "." << container->field(i)->name()
          << " is not decoded by any catalog row";
    }
  }
}

TEST(CatalogTest, SubjectPathsNameStringFieldsOfTheMessage) {
  // subject_path is a JSON path; it must exist as a string field in the
  // typed message, or typed events would lose their subject.
  for (const NamedCatalog& named : kCatalogs) {
    const Descriptor* container = ContainerOf(*named.catalog);
    ASSERT_NE(container, nullptr);
    for (const TypedEventSpec& spec : named.catalog->events) {
      const FieldDescriptor* field = container->FindFieldByName(std::string(spec.field));
      ASSERT_NE(field, nullptr) << spec.type;
      const Descriptor* message = field->message_type();
      const FieldDescriptor* leaf = nullptr;
      std::string path(spec.subject_path);
      size_t start = 0;
      while (message != nullptr) {
        size_t dot = path.find('.', start);
        leaf = message->FindFieldByName(path.substr(start, dot - start));
        if (leaf == nullptr || dot == std::string::npos) break;
        message = leaf->message_type();
        start = dot + 1;
      }
      ASSERT_NE(leaf, nullptr) << spec.type << ": " << spec.subject_path;
      EXPECT_EQ(leaf->cpp_type(), FieldDescriptor::CPPTYPE_STRING) << spec.type;
    }
  }
}

TEST(CatalogTest, EveryCatalogEventHasAGoldenFile) {
  for (const NamedCatalog& named : kCatalogs) {
    const std::string dir = test_util::TestdataPath(named.name);
    for (const TypedEventSpec& spec : named.catalog->events) {
      for (const char* ext : {".json", ".textproto"}) {
        const std::string path = absl::StrCat(dir, "/", spec.type, ext);
        EXPECT_TRUE(std::filesystem::is_regular_file(path)) << "no golden file " << path;
      }
    }
  }
}

TEST(DecodePayloadTest, KnownTypeIsTyped) {
  Struct payload = Json(R"({"document": {"id": "doc-1", "version": 7}})");
  v1::Event event;
  DecodePayload(kCkeditorCatalog, "collaboration.document.updated", &payload, &event);
  ASSERT_EQ(event.payload_case(), v1::Event::kCkeditor);
  ASSERT_TRUE(event.ckeditor().has_collaboration_document_updated());
  EXPECT_EQ(event.ckeditor().collaboration_document_updated().document().id(), "doc-1");
  EXPECT_EQ(event.ckeditor().collaboration_document_updated().document().version(), 7);
  EXPECT_EQ(event.subject(), "doc-1");
  EXPECT_EQ(event.decode_error(), "");
}

TEST(DecodePayloadTest, KnownTypeWithEmptyPayloadIsTypedAndEmpty) {
  Struct payload;
  v1::Event event;
  DecodePayload(kCkeditorCatalog, "comment.removed", &payload, &event);
  ASSERT_TRUE(event.ckeditor().has_comment_removed());
  EXPECT_EQ(event.ckeditor().comment_removed().ByteSizeLong(), 0u);
  EXPECT_EQ(event.subject(), "");
}

TEST(DecodePayloadTest, UnknownTypeIsUntypedWithSubject) {
  Struct payload = Json(R"({"document": {"id": "doc-9"}, "extra": [1, 2]})");
  const Struct original = payload;
  v1::Event event;
  DecodePayload(kCkeditorCatalog, "collaboration.document.brand.new", &payload, &event);
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.untyped().DebugString(), original.DebugString());
  EXPECT_EQ(event.subject(), "doc-9");
  EXPECT_EQ(event.decode_error(), "");
}

TEST(DecodePayloadTest, UnknownTypeWithoutSubjectLeavesItEmpty) {
  Struct payload = Json(R"({"thing": {"id": "x"}, "document": {"id": {"nested": 1}}})");
  v1::Event event;
  DecodePayload(kCkeditorCatalog, "brand.new", &payload, &event);
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.subject(), "");
}

TEST(DecodePayloadTest, IntegralNumericIdsBecomeDecimalSubjects) {
  Struct payload = Json(R"({"document": {"id": 5}})");
  v1::Event event;
  DecodePayload(kCkeditorCatalog, "brand.new", &payload, &event);
  EXPECT_EQ(event.subject(), "5");
  Struct fractional = Json(R"({"document": {"id": 5.5}})");
  v1::Event other;
  DecodePayload(kCkeditorCatalog, "brand.new", &fractional, &other);
  EXPECT_EQ(other.subject(), "");
}

TEST(DecodePayloadTest, UntypedSubjectPathsAreTriedInOrder) {
  // CKBox looks for asset.id, then folder.id, then category.id.
  Struct payload = Json(R"({"category": {"id": "cat-1"}, "folder": {"id": "folder-1"}})");
  v1::Event event;
  DecodePayload(kCkboxCatalog, "folder.moved", &payload, &event);
  EXPECT_EQ(event.subject(), "folder-1");

  payload = Json(R"({"category": {"id": "cat-1"}, "asset": {"id": "asset-1"}})");
  event.Clear();
  DecodePayload(kCkboxCatalog, "asset.changed", &payload, &event);
  EXPECT_EQ(event.subject(), "asset-1");

  payload = Json(R"({"category": {"id": "cat-1"}})");
  event.Clear();
  DecodePayload(kCkboxCatalog, "category.updated", &payload, &event);
  EXPECT_EQ(event.subject(), "cat-1");
}

TEST(DecodePayloadTest, MismatchedPayloadIsUntypedWithDecodeError) {
  Struct payload = Json(R"({"document": {"id": "doc-1", "version": "ten"}})");
  const Struct original = payload;
  v1::Event event;
  DecodePayload(kCkeditorCatalog, "collaboration.document.updated", &payload, &event);
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.untyped().DebugString(), original.DebugString());
  EXPECT_THAT(event.decode_error(), HasSubstr("payload.document.version"));
  EXPECT_EQ(event.subject(), "doc-1");
  EXPECT_FALSE(event.has_ckeditor());
}

}  // namespace
}  // namespace hookbridge
