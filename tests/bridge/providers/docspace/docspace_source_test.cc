#include "bridge/providers/docspace/docspace_source.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bridge/config.h"
#include "bridge/providers/docspace/signature.h"
#include "bridge/providers/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/golden.h"

namespace hookbridge {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr absl::string_view kProvider = "onlyoffice-docspace";

SourceConfig Config() {
  SourceConfig config;
  config.name = "portal";
  config.provider = std::string(kProvider);
  config.secrets = {"testSecretKey"};
  return config;
}

absl::Status Decode(absl::string_view body, v1::Event* event) {
  absl::StatusOr<std::unique_ptr<Source>> source = CreateDocspaceSource(Config());
  if (!source.ok()) return source.status();
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/portal";
  request.body = body;
  request.received_at = absl::FromUnixSeconds(1741079730);
  return (*source)->Decode(request, event);
}

// ---- Golden files ----------------------------------------------------------

// Decoded as golden: ProviderTableTest (provider_table_test.cc), for every row.

TEST(DocspaceGoldenFilesTest, AreAllPresent) {
  // The providers.md vector, one delivery per catalog trigger (36), one
  // unknown trigger and one mismatched payload.
  EXPECT_EQ(test_util::GoldenNames("docspace").size(), 39u);
}

// ---- Creation and verification ---------------------------------------------

TEST(CreateDocspaceSourceTest, RequiresASecret) {
  SourceConfig config = Config();
  config.secrets.clear();
  absl::StatusOr<std::unique_ptr<Source>> source = CreateDocspaceSource(config);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("portal"));
  EXPECT_THAT(source.status().message(), HasSubstr("secret"));
}

TEST(CreateDocspaceSourceTest, IsRegistered) {
  const ProviderInfo* provider = FindProvider(kProvider);
  ASSERT_NE(provider, nullptr);
  EXPECT_EQ(provider->id, v1::PROVIDER_ONLYOFFICE_DOCSPACE);
  EXPECT_TRUE(provider->needs_secrets);
  EXPECT_FALSE(provider->needs_path_token);
  EXPECT_FALSE(provider->generic);
  EXPECT_EQ(provider->catalog, &kDocspaceCatalog);
  EXPECT_EQ(provider->create, &CreateDocspaceSource);
}

TEST(DocspaceSourceTest, VerifiesWithItsSecrets) {
  SourceConfig config = Config();
  config.secrets = {"old-secret", "testSecretKey"};
  absl::StatusOr<std::unique_ptr<Source>> source = CreateDocspaceSource(config);
  ASSERT_TRUE(source.ok()) << source.status();
  const std::string body =
      R"({"event":{"id":1,"createOn":"2025-01-01T00:00:00Z","trigger":"file.created",)"
      R"("triggerId":128},"payload":{"id":42}})";
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/portal";
  request.headers = {{"x-docspace-signature-256",
                      "sha256=A88442C36EE595490A3D1D703E210A97850B9F5C02DF01FB1C64156A2220E2AB"}};
  request.body = body;
  // No timestamp is signed: any receive time is accepted.
  request.received_at = absl::FromUnixSeconds(1735689600) + absl::Hours(24 * 365);
  EXPECT_TRUE((*source)->Verify(request).ok());

  const std::string forged = DocspaceSignature("attacker", body);
  request.headers = {{"x-docspace-signature-256", forged}};
  absl::Status status = (*source)->Verify(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(IsStaleTimestamp(status));
}

// ---- Decoding ----------------------------------------------------------------

TEST(DocspaceSourceTest, DecodesTheEnvelope) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({
      "event": {"id": 5012, "createOn": "2025-03-04T09:15:30Z",
                "createBy": "66faa6e4-f133-11ea-b126-00ffeec8b4ef",
                "trigger": "file.uploaded", "triggerId": 256},
      "payload": {"id": 7731, "title": "Q1 report.docx", "parentId": 7702, "version": 3,
                  "contentLength": 48213, "createdBy": {"id": "u-1", "displayName": "Ann"}},
      "webhook": {"id": 12, "name": "sync", "url": "https://hooks.example.com/docspace",
                  "triggers": ["file.uploaded", "file.updated"],
                  "target": {"id": 7731, "type": "file"}}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.type(), "file.uploaded");
  EXPECT_EQ(event.id(), "5012");
  EXPECT_EQ(event.subject(), "7731");
  EXPECT_EQ(event.decode_error(), "");
  EXPECT_EQ(event.environment_id(), "");
  // createOn is signed with the body: the ingestor refuses old ones.
  EXPECT_EQ(event.sent_at().seconds(), 1741079730);
  ASSERT_EQ(event.payload_case(), v1::Event::kDocspace);
  const docspace::v1::DocspaceEvent& docspace = event.docspace();

  EXPECT_EQ(docspace.event().id(), 5012);
  EXPECT_EQ(docspace.event().create_on().seconds(), 1741079730);
  EXPECT_EQ(docspace.event().create_by(), "66faa6e4-f133-11ea-b126-00ffeec8b4ef");
  EXPECT_EQ(docspace.event().trigger(), "file.uploaded");
  EXPECT_EQ(docspace.event().trigger_id(), 256);

  EXPECT_EQ(docspace.webhook().id(), 12);
  EXPECT_EQ(docspace.webhook().name(), "sync");
  EXPECT_EQ(docspace.webhook().url(), "https://hooks.example.com/docspace");
  EXPECT_THAT(docspace.webhook().triggers(), ElementsAre("file.uploaded", "file.updated"));
  EXPECT_EQ(docspace.webhook().target().id(), "7731");
  EXPECT_EQ(docspace.webhook().target().type(), "file");
  EXPECT_EQ(docspace.webhook().retry_count(), 0);

  ASSERT_TRUE(docspace.has_file());
  EXPECT_EQ(docspace.file().id(), "7731");
  EXPECT_EQ(docspace.file().title(), "Q1 report.docx");
  EXPECT_EQ(docspace.file().parent_id(), "7702");
  EXPECT_EQ(docspace.file().version(), 3);
  EXPECT_EQ(docspace.file().content_length(), 48213);
  EXPECT_EQ(docspace.file().created_by().display_name(), "Ann");
}

TEST(DocspaceSourceTest, DecodeLeavesIngestorFieldsUnset) {
  v1::Event event;
  ASSERT_TRUE(
      Decode(R"({"event": {"id": 3, "trigger": "room.created"}, "payload": {"id": 9}})", &event)
          .ok());
  EXPECT_EQ(event.sequence(), 0u);
  EXPECT_EQ(event.source(), "");
  EXPECT_EQ(event.provider(), v1::PROVIDER_UNSPECIFIED);
  EXPECT_FALSE(event.has_received_at());
  EXPECT_EQ(event.raw_body(), "");
}

TEST(DocspaceSourceTest, RetriesOfOneDeliveryShareTheId) {
  // A retry changes the body (retryCount, retryOn...) but not event.id.
  v1::Event first;
  v1::Event retry;
  ASSERT_TRUE(Decode(R"({"event": {"id": 77, "createOn": "2025-03-04T09:15:30Z",
                                   "trigger": "user.updated", "triggerId": 4},
                         "payload": {"id": "u-1"}, "webhook": {"id": 2}})",
                     &first)
                  .ok());
  ASSERT_TRUE(Decode(R"({"event": {"id": 77, "createOn": "2025-03-04T09:15:30Z",
                                   "trigger": "user.updated", "triggerId": 4},
                         "payload": {"id": "u-1"},
                         "webhook": {"id": 2, "lastFailureOn": "2025-03-04T09:15:30Z",
                                     "lastFailureContent": "503 Service Unavailable",
                                     "retryCount": 2, "retryOn": "2025-03-04T09:15:33Z"}})",
                     &retry)
                  .ok());
  EXPECT_EQ(first.id(), "77");
  EXPECT_EQ(retry.id(), first.id());
  EXPECT_EQ(retry.docspace().webhook().retry_count(), 2);
  EXPECT_EQ(retry.docspace().webhook().retry_on().seconds(), 1741079733);
  EXPECT_EQ(retry.docspace().webhook().last_failure_content(), "503 Service Unavailable");
  EXPECT_EQ(retry.decode_error(), "");
}

TEST(DocspaceSourceTest, IdIsTakenFromEventIdOnly) {
  v1::Event event;
  ASSERT_TRUE(
      Decode(R"({"event": {"id": "88", "trigger": "file.created"}, "payload": {"id": 1}})", &event)
          .ok());
  EXPECT_EQ(event.id(), "88");

  // No event.id: left empty, so the Ingestor falls back to a content hash.
  v1::Event no_id;
  ASSERT_TRUE(
      Decode(R"({"event": {"trigger": "file.created"}, "payload": {"id": 1}})", &no_id).ok());
  EXPECT_EQ(no_id.id(), "");
  EXPECT_EQ(no_id.subject(), "1");
}

TEST(DocspaceSourceTest, AcceptsDocspaceDateForms) {
  // UTC as the webhook sends it, and the REST API's 7-digit fraction with an
  // offset.
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 1, "trigger": "file.updated",
                                   "createOn": "2025-01-01T10:20:30.0000000+03:00"},
                         "payload": {"id": 1, "updated": "2025-01-01T07:20:30.1234567Z"}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.decode_error(), "");
  EXPECT_EQ(event.docspace().event().create_on().seconds(), 1735716030);
  EXPECT_EQ(event.docspace().file().updated().seconds(), 1735716030);
  EXPECT_EQ(event.docspace().file().updated().nanos(), 123456700);
}

TEST(DocspaceSourceTest, MetadataThatDoesNotFitIsReportedButKeepsTheEvent) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 9, "trigger": "folder.created", "triggerId": 32768,
                                   "createOn": "yesterday"},
                         "payload": {"id": 40, "title": "Invoices"},
                         "webhook": {"id": 3, "name": "n", "lastSuccessOn": "2025-01-01T10:20:30",
                                     "triggers": "folder.created"}})",
                     &event)
                  .ok());
  ASSERT_EQ(event.payload_case(), v1::Event::kDocspace);
  EXPECT_EQ(event.id(), "9");
  EXPECT_EQ(event.subject(), "40");
  EXPECT_EQ(event.docspace().folder().title(), "Invoices");
  // The keys that fit are kept; each one that does not is named.
  EXPECT_EQ(event.docspace().event().trigger(), "folder.created");
  EXPECT_EQ(event.docspace().event().trigger_id(), 32768);
  EXPECT_FALSE(event.docspace().event().has_create_on());
  EXPECT_EQ(event.docspace().webhook().id(), 3);
  EXPECT_EQ(event.docspace().webhook().name(), "n");
  EXPECT_FALSE(event.docspace().webhook().has_last_success_on());
  EXPECT_THAT(event.docspace().webhook().triggers(), IsEmpty());
  EXPECT_THAT(event.decode_error(), HasSubstr("event.createOn"));
  EXPECT_THAT(event.decode_error(), HasSubstr("webhook.lastSuccessOn"));
  EXPECT_THAT(event.decode_error(), HasSubstr("webhook.triggers"));
}

TEST(DocspaceSourceTest, WebhookThatIsNotAnObjectIsReported) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 9, "trigger": "group.deleted"},
                         "payload": {"id": "g-1"}, "webhook": [1]})",
                     &event)
                  .ok());
  EXPECT_TRUE(event.docspace().has_group());
  EXPECT_FALSE(event.docspace().has_webhook());
  EXPECT_THAT(event.decode_error(), HasSubstr("webhook: expected an object, got an array"));
}

TEST(DocspaceSourceTest, MissingPayloadIsAnEmptyPayload) {
  for (const char* body : {R"({"event": {"id": 1, "trigger": "user.deleted"}})",
                           R"({"event": {"id": 1, "trigger": "user.deleted"}, "payload": null})"}) {
    v1::Event event;
    ASSERT_TRUE(Decode(body, &event).ok()) << body;
    ASSERT_TRUE(event.docspace().has_user()) << body;
    EXPECT_EQ(event.docspace().user().ByteSizeLong(), 0u) << body;
    EXPECT_EQ(event.subject(), "") << body;
  }
}

TEST(DocspaceSourceTest, ThirdPartyEntryIdsAreText) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 1, "trigger": "file.moved"},
                         "payload": {"id": "sbox-3-|Reports|q1.xlsx", "parentId": "sbox-3-|Reports",
                                     "providerItem": true, "providerKey": "Box",
                                     "providerId": 3}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.decode_error(), "");
  EXPECT_EQ(event.subject(), "sbox-3-|Reports|q1.xlsx");
  EXPECT_EQ(event.docspace().file().parent_id(), "sbox-3-|Reports");
  EXPECT_EQ(event.docspace().file().provider_key(), "Box");
}

TEST(DocspaceSourceTest, EveryGroupDecodesIntoItsMessage) {
  const std::pair<const char*, docspace::v1::DocspaceEvent::PayloadCase> kCases[] = {
      {"user.invited", docspace::v1::DocspaceEvent::kUser},
      {"group.updated", docspace::v1::DocspaceEvent::kGroup},
      {"file.downloaded", docspace::v1::DocspaceEvent::kFile},
      {"folder.downloaded", docspace::v1::DocspaceEvent::kFolder},
      {"room.archived", docspace::v1::DocspaceEvent::kRoom},
      {"form.stopped", docspace::v1::DocspaceEvent::kForm},
      {"agent.deleted", docspace::v1::DocspaceEvent::kAgent},
  };
  for (const auto& [trigger, expected] : kCases) {
    v1::Event event;
    ASSERT_TRUE(Decode(absl::StrCat(R"({"event": {"id": 1, "trigger": ")", trigger,
                                    R"("}, "payload": {"id": 6, "title": "t"}})"),
                       &event)
                    .ok())
        << trigger;
    ASSERT_EQ(event.payload_case(), v1::Event::kDocspace) << trigger;
    EXPECT_EQ(event.docspace().payload_case(), expected) << trigger;
    EXPECT_EQ(event.subject(), "6") << trigger;
    EXPECT_EQ(event.decode_error(), "") << trigger;
  }
}

TEST(DocspaceSourceTest, FormSubmitCarriesBothFormsAndTheOriginalAsSubject) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 4, "trigger": "form.submit", "triggerId": 268435456},
                         "payload": {"originalForm": {"id": 310, "title": "Leave request.pdf"},
                                     "submittedForm": {"id": 355, "title": "Leave request - Ann.pdf",
                                                       "parentId": 352}},
                         "webhook": {"id": 8, "target": {"id": 310, "type": "form"}}})",
                     &event)
                  .ok());
  ASSERT_TRUE(event.docspace().has_form());
  const docspace::v1::Form& form = event.docspace().form();
  EXPECT_EQ(form.original_form().id(), "310");
  EXPECT_EQ(form.submitted_form().id(), "355");
  EXPECT_EQ(form.submitted_form().parent_id(), "352");
  EXPECT_EQ(form.id(), "");
  EXPECT_EQ(event.subject(), "310");
  EXPECT_EQ(event.docspace().webhook().target().id(), event.subject());
}

TEST(DocspaceSourceTest, UnknownTriggerIsDeliveredUntypedWithSubject) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 61, "trigger": "file.brand.new", "triggerId": 68719476736},
                         "payload": {"id": 7731, "n": 3}, "webhook": {"id": 1}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.type(), "file.brand.new");
  EXPECT_EQ(event.id(), "61");
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.subject(), "7731");
  EXPECT_EQ(event.untyped().fields().at("n").number_value(), 3);
  EXPECT_EQ(event.untyped().fields().count("webhook"), 0u);
  EXPECT_EQ(event.decode_error(), "");
  // The delivery metadata is still typed.
  EXPECT_EQ(event.docspace().event().id(), 61);
}

TEST(DocspaceSourceTest, MismatchedPayloadIsDeliveredUntypedWithDecodeError) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 62, "trigger": "file.updated", "createOn": "bad"},
                         "payload": {"id": 7731, "version": "three"}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.id(), "62");
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.subject(), "7731");
  // Both problems are reported; the metadata stays typed beside the untyped
  // payload (minus the key that did not fit), the typed file is gone.
  EXPECT_THAT(event.decode_error(), HasSubstr("payload.version"));
  EXPECT_THAT(event.decode_error(), HasSubstr("event.createOn"));
  EXPECT_EQ(event.untyped().fields().at("version").string_value(), "three");
  ASSERT_TRUE(event.has_docspace());
  EXPECT_EQ(event.docspace().event().id(), 62);
  EXPECT_EQ(event.docspace().event().trigger(), "file.updated");
  EXPECT_FALSE(event.docspace().event().has_create_on());
  EXPECT_FALSE(event.docspace().has_file());
}

TEST(DocspaceSourceTest, OlderUserPayloadIsUntypedWithDecodeError) {
  // DocSpace versions before the webhook DTOs sent the internal UserInfo,
  // whose createdBy is a GUID rather than a user object.
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 63, "trigger": "user.invited"},
                         "payload": {"id": "u-2", "userName": "ann",
                                     "createdBy": "66faa6e4-f133-11ea-b126-00ffeec8b4ef"}})",
                     &event)
                  .ok());
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.subject(), "u-2");
  EXPECT_THAT(event.decode_error(), HasSubstr("payload.createdBy"));
}

TEST(DocspaceSourceTest, OlderEntryPayloadKeepsAuthorAndDates) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 64, "trigger": "folder.deleted"},
                         "payload": {"id": 90, "title": "Old", "rootId": 5,
                                     "createBy": "66faa6e4-f133-11ea-b126-00ffeec8b4ef",
                                     "createOn": "2024-11-02T08:00:00Z",
                                     "modifiedOn": "2024-11-03T08:00:00Z",
                                     "fileEntryType": 1, "shared": false}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.decode_error(), "");
  const docspace::v1::Folder& folder = event.docspace().folder();
  EXPECT_EQ(folder.root_id(), "5");
  EXPECT_EQ(folder.create_by(), "66faa6e4-f133-11ea-b126-00ffeec8b4ef");
  EXPECT_EQ(folder.create_on().seconds(), 1730534400);
  EXPECT_EQ(folder.modified_on().seconds(), 1730620800);
}

TEST(DocspaceSourceTest, NonObjectPayloadIsDeliveredUntyped) {
  // DocSpace re-sends deliveries recorded by older versions with trigger "*"
  // and the old body as a JSON string.
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": {"id": 65, "createOn": "2025-03-04T09:15:30Z", "trigger": "*"},
                         "payload": "{\"response\":{\"id\":1}}", "webhook": {"id": 1}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.type(), "*");
  EXPECT_EQ(event.id(), "65");
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.untyped().fields().at("payload").string_value(), R"({"response":{"id":1}})");
  EXPECT_EQ(event.subject(), "");
  EXPECT_EQ(event.decode_error(), "payload: expected an object, got a string");

  v1::Event known;
  ASSERT_TRUE(
      Decode(R"({"event": {"id": 66, "trigger": "file.created"}, "payload": [1]})", &known).ok());
  ASSERT_TRUE(known.has_untyped());
  EXPECT_EQ(known.decode_error(), "payload: expected an object, got an array");
}

class DocspaceMalformedBodyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(DocspaceMalformedBodyTest, IsInvalidArgument) {
  v1::Event event;
  absl::Status status = Decode(GetParam(), &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, DocspaceMalformedBodyTest,
    ::testing::Values("", "not json", "{", "[]", "null", R"("file.created")",
                      R"({})",                                            // no event
                      R"({"payload": {"id": 1}})",                        // no event
                      R"({"event": null})",                               // event null
                      R"({"event": "file.created"})",                     // event not an object
                      R"({"event": ["file.created"]})",                   // event not an object
                      R"({"event": {}})",                                 // no trigger
                      R"({"event": {"id": 1, "triggerId": 128}})",        // no trigger
                      R"({"event": {"trigger": ""}})",                    // empty trigger
                      R"({"event": {"trigger": 128}})",                   // trigger not a string
                      R"({"event": {"trigger": null}})",                  // trigger null
                      R"({"trigger": "file.created", "payload": {}})"));  // trigger outside event

TEST(DocspaceSourceTest, EnvelopeErrorsNameTheKey) {
  v1::Event event;
  absl::Status missing_event = Decode(R"({"payload": {}})", &event);
  EXPECT_THAT(missing_event.message(), HasSubstr("envelope: \"event\""));
  absl::Status missing_trigger = Decode(R"({"event": {"id": 1}})", &event);
  EXPECT_THAT(missing_trigger.message(), HasSubstr("envelope: \"event.trigger\""));
}

// ---- Catalog and schema ------------------------------------------------------

// The triggers of providers.md §3, in bit order (trigger n has bit 1 << n).
constexpr const char* kTriggers[] = {
    "user.created",      "user.invited",   "user.updated",   "user.deleted",   "group.created",
    "group.updated",     "group.deleted",  "file.created",   "file.uploaded",  "file.updated",
    "file.trashed",      "file.deleted",   "file.restored",  "file.copied",    "file.moved",
    "folder.created",    "folder.updated", "folder.trashed", "folder.deleted", "folder.restored",
    "folder.copied",     "folder.moved",   "room.created",   "room.updated",   "room.archived",
    "room.deleted",      "room.restored",  "room.copied",    "form.submit",    "form.filled.out",
    "form.stopped",      "agent.created",  "agent.updated",  "agent.deleted",  "file.downloaded",
    "folder.downloaded",
};

TEST(DocspaceCatalogTest, HasEveryTriggerInItsGroup) {
  ASSERT_EQ(std::size(kTriggers), 36u);
  EXPECT_EQ(kDocspaceCatalog.events.size(), std::size(kTriggers));
  for (const char* trigger : kTriggers) {
    const TypedEventSpec* spec = kDocspaceCatalog.Find(trigger);
    ASSERT_NE(spec, nullptr) << trigger;
    const absl::string_view name(trigger);
    EXPECT_EQ(spec->field, name.substr(0, name.find('.'))) << trigger;
    EXPECT_EQ(spec->subject_path, name == "form.submit" ? "originalForm.id" : "id") << trigger;
  }
  EXPECT_EQ(kDocspaceCatalog.Find("*"), nullptr);
  EXPECT_EQ(kDocspaceCatalog.Find("file"), nullptr);
  EXPECT_EQ(kDocspaceCatalog.Find("FILE.CREATED"), nullptr);
}

TEST(DocspaceCatalogTest, BelongsToTheDocspaceContainer) {
  EXPECT_EQ(kDocspaceCatalog.provider, v1::PROVIDER_ONLYOFFICE_DOCSPACE);
  const FieldDescriptor* container =
      v1::Event::descriptor()->FindFieldByName(std::string(kDocspaceCatalog.event_field));
  ASSERT_NE(container, nullptr);
  EXPECT_EQ(container->message_type(), docspace::v1::DocspaceEvent::descriptor());
  ASSERT_EQ(kDocspaceCatalog.untyped_subject_paths.size(), 1u);
  EXPECT_EQ(kDocspaceCatalog.untyped_subject_paths[0], "id");
}

TEST(DocspaceCatalogTest, RowsAndPayloadFieldsMatchOneToOne) {
  const Descriptor* container = docspace::v1::DocspaceEvent::descriptor();
  const google::protobuf::OneofDescriptor* payload = container->FindOneofByName("payload");
  ASSERT_NE(payload, nullptr);
  std::set<std::string> used;
  for (const TypedEventSpec& spec : kDocspaceCatalog.events) {
    const FieldDescriptor* field = container->FindFieldByName(std::string(spec.field));
    ASSERT_NE(field, nullptr) << spec.type;
    EXPECT_EQ(field->containing_oneof(), payload) << spec.type;
    used.insert(field->name());
  }
  for (int i = 0; i < payload->field_count(); ++i) {
    EXPECT_TRUE(used.count(payload->field(i)->name()))
        << payload->field(i)->name() << " is not decoded by any catalog row";
  }
  EXPECT_EQ(used.size(), 7u);
}

TEST(DocspaceCatalogTest, SubjectPathsNameStringFields) {
  const Descriptor* container = docspace::v1::DocspaceEvent::descriptor();
  for (const TypedEventSpec& spec : kDocspaceCatalog.events) {
    const Descriptor* message = container->FindFieldByName(std::string(spec.field))->message_type();
    const FieldDescriptor* leaf = nullptr;
    for (absl::string_view part : absl::StrSplit(spec.subject_path, '.')) {
      ASSERT_NE(message, nullptr) << spec.type << ": " << spec.subject_path;
      leaf = nullptr;
      for (int i = 0; i < message->field_count(); ++i) {
        if (message->field(i)->json_name() == part) leaf = message->field(i);
      }
      ASSERT_NE(leaf, nullptr) << spec.type << ": " << spec.subject_path;
      message = leaf->message_type();
    }
    ASSERT_NE(leaf, nullptr) << spec.type;
    EXPECT_EQ(leaf->cpp_type(), FieldDescriptor::CPPTYPE_STRING) << spec.type;
  }
}

// Form repeats File: same names, numbers, types and
// JSON names, so the pairs cannot drift apart.
void ExpectRepeats(const Descriptor* copy, const Descriptor* original) {
  for (int i = 0; i < original->field_count(); ++i) {
    const FieldDescriptor* want = original->field(i);
    const FieldDescriptor* got = copy->FindFieldByNumber(want->number());
    ASSERT_NE(got, nullptr) << copy->full_name() << " lacks " << want->name();
    EXPECT_EQ(got->name(), want->name());
    EXPECT_EQ(got->json_name(), want->json_name()) << want->name();
    EXPECT_EQ(got->type(), want->type()) << want->name();
    EXPECT_EQ(got->is_repeated(), want->is_repeated()) << want->name();
    EXPECT_EQ(got->message_type(), want->message_type()) << want->name();
  }
}

TEST(DocspaceSchemaTest, FormRepeatsFileAndAddsTheSubmittedPair) {
  const Descriptor* form = docspace::v1::Form::descriptor();
  const Descriptor* file = docspace::v1::File::descriptor();
  ExpectRepeats(form, file);
  EXPECT_EQ(form->field_count(), file->field_count() + 2);
  EXPECT_EQ(form->FindFieldByName("original_form")->message_type(), file);
  EXPECT_EQ(form->FindFieldByName("submitted_form")->message_type(), file);
}

TEST(DocspaceSchemaTest, EntriesShareTheirCommonFields) {
  // Fields 1-19 and 80-84 are the same in every entry message.
  const Descriptor* file = docspace::v1::File::descriptor();
  for (const Descriptor* entry :
       {docspace::v1::Folder::descriptor(), docspace::v1::Room::descriptor()}) {
    for (int i = 0; i < file->field_count(); ++i) {
      const FieldDescriptor* want = file->field(i);
      if (want->number() >= 30 && want->number() < 80) continue;
      const FieldDescriptor* got = entry->FindFieldByNumber(want->number());
      ASSERT_NE(got, nullptr) << entry->full_name() << " lacks " << want->name();
      EXPECT_EQ(got->name(), want->name()) << entry->full_name();
      EXPECT_EQ(got->json_name(), want->json_name()) << entry->full_name();
      EXPECT_EQ(got->type(), want->type()) << entry->full_name() << "." << want->name();
    }
  }
}

}  // namespace
}  // namespace hookbridge
