#include "bridge/providers/registry.h"

#include "absl/status/status.h"
#include "bridge/config.h"
#include "bridge/providers/ckbox/ckbox_source.h"
#include "bridge/providers/ckeditor/ckeditor_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

TEST(RegistryTest, ListsTheImplementedProviders) {
  const ProviderInfo* ckeditor = FindProvider("ckeditor-cloud-services");
  ASSERT_NE(ckeditor, nullptr);
  EXPECT_EQ(ckeditor->id, v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  EXPECT_TRUE(ckeditor->needs_secrets);
  EXPECT_EQ(ckeditor->catalog, &kCkeditorCatalog);

  const ProviderInfo* ckbox = FindProvider("ckbox");
  ASSERT_NE(ckbox, nullptr);
  EXPECT_EQ(ckbox->id, v1::PROVIDER_CKBOX);
  EXPECT_TRUE(ckbox->needs_secrets);
  EXPECT_EQ(ckbox->catalog, &kCkboxCatalog);
}

TEST(RegistryTest, NamesMatchTheProviderEnumComments) {
  // event.proto documents the config name of each Provider value.
  for (const ProviderInfo& provider : Providers()) {
    EXPECT_EQ(FindProvider(provider.name), &provider);
    EXPECT_NE(provider.id, v1::PROVIDER_UNSPECIFIED) << provider.name;
    EXPECT_NE(provider.create, nullptr) << provider.name;
  }
}

TEST(RegistryTest, FindProviderIsExact) {
  EXPECT_EQ(FindProvider("CKBox"), nullptr);
  EXPECT_EQ(FindProvider("ckeditor"), nullptr);
  EXPECT_EQ(FindProvider(""), nullptr);
}

TEST(RegistryTest, ProviderNamesListsEveryProvider) {
  const std::string names = ProviderNames();
  EXPECT_THAT(names, HasSubstr("ckeditor-cloud-services"));
  EXPECT_THAT(names, HasSubstr("ckbox"));
}

TEST(RegistryTest, CreateSourceBuildsAKnownProvider) {
  SourceConfig config;
  config.name = "docs";
  config.provider = "ckeditor-cloud-services";
  config.secrets = {"s"};
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_NE(*source, nullptr);
}

TEST(RegistryTest, CreateSourceRejectsAnUnknownProvider) {
  SourceConfig config;
  config.name = "docs";
  config.provider = "nope";
  config.secrets = {"s"};
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("\"nope\""));
  EXPECT_THAT(source.status().message(), HasSubstr("docs"));
}

TEST(RegistryTest, CreateSourcePassesTheProvidersOwnValidationOn) {
  SourceConfig config;
  config.name = "assets";
  config.provider = "ckbox";
  EXPECT_EQ(CreateSource(config).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hookbridge
