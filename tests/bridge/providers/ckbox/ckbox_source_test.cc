#include "bridge/providers/ckbox/ckbox_source.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "bridge/config.h"
#include "bridge/providers/ckeditor/signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/golden.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr absl::string_view kProvider = "ckbox";

SourceConfig Config() {
  SourceConfig config;
  config.name = "assets";
  config.provider = std::string(kProvider);
  config.secrets = {"ckbox-secret"};
  return config;
}

absl::Status Decode(absl::string_view body, v1::Event* event) {
  absl::StatusOr<std::unique_ptr<Source>> source = CreateCkboxSource(Config());
  if (!source.ok()) return source.status();
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/assets";
  request.body = body;
  request.received_at = absl::FromUnixSeconds(1708098345);
  return (*source)->Decode(request, event);
}

// Decoded as golden: ProviderTableTest (provider_table_test.cc), for every row.

TEST(CkboxGoldenFilesTest, AreAllPresent) {
  // asset.uploaded (seed 002), two undocumented events and one mismatch.
  EXPECT_EQ(test_util::GoldenNames("ckbox").size(), 4u);
}

TEST(CreateCkboxSourceTest, RequiresASecret) {
  SourceConfig config = Config();
  config.secrets.clear();
  EXPECT_EQ(CreateCkboxSource(config).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CkboxSourceTest, VerifiesWithTheCkeditorScheme) {
  absl::StatusOr<std::unique_ptr<Source>> source = CreateCkboxSource(Config());
  ASSERT_TRUE(source.ok()) << source.status();
  const std::string body = R"({"event": "asset.uploaded"})";
  const std::string signature =
      CkeditorSignature("ckbox-secret", "POST", "/webhooks/assets", "1708098345190", body);
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/assets";
  request.headers = {{"X-CS-Timestamp", "1708098345190"}, {"X-CS-Signature", signature}};
  request.body = body;
  request.received_at = absl::FromUnixMillis(1708098345190);
  EXPECT_TRUE((*source)->Verify(request).ok());

  const std::string other =
      CkeditorSignature("SECRET", "POST", "/webhooks/assets", "1708098345190", body);
  request.headers = {{"X-CS-Timestamp", "1708098345190"}, {"X-CS-Signature", other}};
  EXPECT_EQ((*source)->Verify(request).code(), absl::StatusCode::kUnauthenticated);
}

TEST(CkboxSourceTest, AssetUploadedIsTyped) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "asset.uploaded", "environment_id": "env",
      "payload": {"workspace_id": "ws", "asset": {"id": "a1", "size_in_bytes": 21104,
                  "images_urls": {"80": "https://h/80.webp", "default": "https://h/d.jpeg"},
                  "tags": ["x", "y"], "metadata": {"custom_attributes": {"k": 1}}},
                  "user": {"id": "u", "role": "User"}},
      "sent_at": "2024-02-16T15:45:45.190Z"})",
                     &event)
                  .ok());
  ASSERT_TRUE(event.ckbox().has_asset_uploaded());
  const auto& uploaded = event.ckbox().asset_uploaded();
  EXPECT_EQ(uploaded.workspace_id(), "ws");
  EXPECT_EQ(uploaded.asset().size_in_bytes(), 21104);
  EXPECT_THAT(
      uploaded.asset().images_urls(),
      UnorderedElementsAre(Pair("80", "https://h/80.webp"), Pair("default", "https://h/d.jpeg")));
  EXPECT_THAT(uploaded.asset().tags(), ::testing::ElementsAre("x", "y"));
  EXPECT_EQ(uploaded.asset().metadata().custom_attributes().fields().at("k").number_value(), 1);
  EXPECT_EQ(uploaded.user().role(), "User");
  EXPECT_EQ(event.subject(), "a1");
  EXPECT_EQ(event.sent_at().seconds(), 1708098345);
  EXPECT_EQ(event.sent_at().nanos(), 190000000);
}

TEST(CkboxSourceTest, CkeditorEventsAreUnknownToCkbox) {
  v1::Event event;
  ASSERT_TRUE(
      Decode(R"({"event": "comment.added", "payload": {"document": {"id": "d"}}})", &event).ok());
  EXPECT_TRUE(event.has_untyped());
}

TEST(CkboxSourceTest, UndocumentedEventsCarryTheirSubject) {
  const std::pair<const char*, const char*> kCases[] = {
      {R"({"event": "asset.deleted", "payload": {"asset": {"id": "a1"}}})", "a1"},
      {R"({"event": "folder.created", "payload": {"folder": {"id": "f1"}}})", "f1"},
      {R"({"event": "category.updated", "payload": {"category": {"id": "c1"}}})", "c1"},
      {R"({"event": "workspace.created", "payload": {"workspace_id": "w1"}})", ""},
  };
  for (const auto& [body, subject] : kCases) {
    v1::Event event;
    ASSERT_TRUE(Decode(body, &event).ok()) << body;
    EXPECT_TRUE(event.has_untyped()) << body;
    EXPECT_EQ(event.subject(), subject) << body;
  }
}

TEST(CkboxSourceTest, MismatchedAssetIsUntypedWithDecodeError) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"event": "asset.uploaded",
                         "payload": {"asset": {"id": "a1", "url": {"href": "https://h"}}}})",
                     &event)
                  .ok());
  EXPECT_TRUE(event.has_untyped());
  EXPECT_THAT(event.decode_error(), HasSubstr("payload.asset.url"));
  EXPECT_EQ(event.subject(), "a1");
}

}  // namespace
}  // namespace hookbridge
