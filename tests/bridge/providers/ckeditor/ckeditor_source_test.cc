#include "bridge/providers/ckeditor/ckeditor_source.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bridge/config.h"
#include "bridge/providers/ckeditor/signature.h"
#include "bridge/providers/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/golden.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

constexpr absl::string_view kProvider = "ckeditor-cloud-services";

SourceConfig Config() {
  SourceConfig config;
  config.name = "docs";
  config.provider = std::string(kProvider);
  config.secrets = {"SECRET"};
  return config;
}

std::unique_ptr<Source> MakeSource() {
  absl::StatusOr<std::unique_ptr<Source>> source = CreateCkeditorSource(Config());
  EXPECT_TRUE(source.ok()) << source.status();
  return source.ok() ? *std::move(source) : nullptr;
}

absl::Status Decode(absl::string_view body, v1::Event* event) {
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/docs";
  request.body = body;
  request.received_at = absl::FromUnixSeconds(1559117876);
  return MakeSource()->Decode(request, event);
}

// ---- Golden files: every example of the provider's documentation ----------

// Decoded as golden: ProviderTableTest (provider_table_test.cc), for every row.

TEST(CkeditorGoldenFilesTest, AreAllPresent) {
  // 27 examples of seed 001, 1 of seed 000, 3 legacy names, ping, one
  // unknown event and one mismatched payload.
  EXPECT_EQ(test_util::GoldenNames("ckeditor").size(), 34u);
}

// ---- Creation and verification -------------------------------------------

TEST(CreateCkeditorSourceTest, RequiresASecret) {
  SourceConfig config = Config();
  config.secrets.clear();
  absl::StatusOr<std::unique_ptr<Source>> source = CreateCkeditorSource(config);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("docs"));
  EXPECT_THAT(source.status().message(), HasSubstr("secret"));
}

TEST(CkeditorSourceTest, VerifiesWithItsSecretsAndTolerance) {
  SourceConfig config = Config();
  config.secrets = {"OLD", "SECRET"};
  config.timestamp_tolerance = absl::Seconds(30);
  absl::StatusOr<std::unique_ptr<Source>> source = CreateCkeditorSource(config);
  ASSERT_TRUE(source.ok()) << source.status();

  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhook?a=1";
  request.headers = {
      {"X-CS-Timestamp", "1563276169752"},
      {"X-CS-Signature", "56ac656c7f932c5b775be28949e90af9a2356eae2826539f10ab6526a0eec762"}};
  request.body = R"({"a":1})";
  request.received_at = absl::FromUnixMillis(1563276169752) + absl::Seconds(30);
  EXPECT_TRUE((*source)->Verify(request).ok());

  request.received_at += absl::Seconds(1);
  absl::Status stale = (*source)->Verify(request);
  EXPECT_EQ(stale.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(IsStaleTimestamp(stale));

  request.received_at = absl::FromUnixMillis(1563276169752);
  request.body = R"({"a":2})";
  absl::Status forged = (*source)->Verify(request);
  EXPECT_EQ(forged.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_FALSE(IsStaleTimestamp(forged));
}

// ---- Decoding --------------------------------------------------------------

TEST(CkeditorSourceTest, DecodesTheEnvelope) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "collaboration.document.updated",
                         "environment_id": "env-1",
                         "payload": {"document": {"id": "doc-1", "version": 2000}},
                         "sent_at": "2019-05-29T08:17:56.761Z"})",
                     &event)
                  .ok());
  EXPECT_EQ(event.type(), "collaboration.document.updated");
  EXPECT_EQ(event.environment_id(), "env-1");
  EXPECT_EQ(event.subject(), "doc-1");
  EXPECT_EQ(event.sent_at().seconds(), 1559117876);
  EXPECT_EQ(event.sent_at().nanos(), 761000000);
  ASSERT_TRUE(event.ckeditor().has_collaboration_document_updated());
  EXPECT_EQ(event.ckeditor().collaboration_document_updated().document().version(), 2000);
  EXPECT_EQ(event.decode_error(), "");
}

TEST(CkeditorSourceTest, DecodeLeavesIngestorFieldsUnset) {
  v1::Event event;
  ASSERT_TRUE(
      Decode(R"({"event": "ping", "payload": {"id": "w", "url": "https://x"}})", &event).ok());
  EXPECT_EQ(event.id(), "");
  EXPECT_EQ(event.sequence(), 0u);
  EXPECT_EQ(event.source(), "");
  EXPECT_FALSE(event.has_received_at());
  EXPECT_EQ(event.raw_body(), "");
}

TEST(CkeditorSourceTest, EnvelopeFieldsOtherThanEventAreOptional) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "comment.removed"})", &event).ok());
  EXPECT_EQ(event.type(), "comment.removed");
  EXPECT_EQ(event.environment_id(), "");
  EXPECT_FALSE(event.has_sent_at());
  EXPECT_TRUE(event.ckeditor().has_comment_removed());
}

TEST(CkeditorSourceTest, NullPayloadIsAnEmptyPayload) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "comment.removed", "payload": null})", &event).ok());
  EXPECT_TRUE(event.ckeditor().has_comment_removed());
}

TEST(CkeditorSourceTest, LegacyNameIsKeptAndTypedAsItsSuccessor) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "document.user.connected",
                         "payload": {"user": {"id": "u1"}, "document": {"id": "d1"},
                                     "connected_users": [{"id": "u2"}]}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.type(), "document.user.connected");
  ASSERT_TRUE(event.ckeditor().has_collaboration_user_connected());
  const auto& connected = event.ckeditor().collaboration_user_connected();
  EXPECT_EQ(connected.user().id(), "u1");
  ASSERT_EQ(connected.connected_users_size(), 1);
  EXPECT_EQ(connected.connected_users(0).id(), "u2");
  EXPECT_EQ(event.subject(), "d1");
}

TEST(CkeditorSourceTest, PingIsTypedWithTheWebhookIdAsSubject) {
  v1::Event event;
  ASSERT_TRUE(
      Decode(R"({"event": "ping", "payload": {"id": "wh-1", "url": "https://h/x"}})", &event).ok());
  ASSERT_TRUE(event.ckeditor().has_ping());
  EXPECT_EQ(event.ckeditor().ping().id(), "wh-1");
  EXPECT_EQ(event.ckeditor().ping().url(), "https://h/x");
  EXPECT_EQ(event.subject(), "wh-1");
}

TEST(CkeditorSourceTest, UnknownEventIsDeliveredUntypedWithSubject) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "collaboration.document.brand.new",
                         "environment_id": "env-1",
                         "payload": {"document": {"id": "document-1"}, "n": 3}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.type(), "collaboration.document.brand.new");
  ASSERT_TRUE(event.has_untyped());
  EXPECT_EQ(event.subject(), "document-1");
  EXPECT_EQ(event.untyped().fields().at("n").number_value(), 3);
  EXPECT_EQ(event.decode_error(), "");
}

TEST(CkeditorSourceTest, MismatchedPayloadIsDeliveredUntypedWithDecodeError) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "collaboration.document.updated",
                         "payload": {"document": {"id": "document-1", "version": "ten"}}})",
                     &event)
                  .ok());
  ASSERT_TRUE(event.has_untyped());
  EXPECT_THAT(event.decode_error(), HasSubstr("payload.document.version"));
  EXPECT_EQ(event.subject(), "document-1");
  EXPECT_EQ(
      event.untyped().fields().at("document").struct_value().fields().at("version").string_value(),
      "ten");
}

class MalformedBodyTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MalformedBodyTest, IsInvalidArgument) {
  v1::Event event;
  absl::Status status = Decode(GetParam(), &event);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, MalformedBodyTest,
    ::testing::Values("", "not json", "{", "[]", R"(["event"])", "null", R"("comment.added")",
                      R"({})",                                      // no event
                      R"({"payload": {}})",                         // no event
                      R"({"event": ""})",                           // empty event
                      R"({"event": 5})",                            // event not a string
                      R"({"event": null})",                         // event null
                      R"({"event": ["comment.added"]})",            // event not a string
                      R"({"event": "ping", "environment_id": 1})",  // env not a string
                      R"({"event": "ping", "sent_at": "yesterday"})",
                      R"({"event": "ping", "sent_at": 1559117876761})",
                      R"({"event": "ping", "payload": []})", R"({"event": "ping", "payload": "x"})",
                      R"({"event": "ping", "payload": 1})"));

TEST(CkeditorSourceTest, MissingEventIsNamedInTheError) {
  v1::Event event;
  absl::Status status = Decode(R"({"payload": {}})", &event);
  EXPECT_THAT(status.message(), HasSubstr("\"event\""));
}

}  // namespace
}  // namespace hookbridge
