#include "bridge/providers/registry.h"

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/config.h"
#include "bridge/providers/cand/cand_source.h"
#include "bridge/providers/ckbox/ckbox_source.h"
#include "bridge/providers/ckeditor/ckeditor_source.h"
#include "bridge/providers/generic/generic_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
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

// ---- New rows: canD and the generic providers ----------------------------------

TEST(RegistryTest, ListsCand) {
  const ProviderInfo* cand = FindProvider("cand");
  ASSERT_NE(cand, nullptr);
  EXPECT_EQ(cand->id, v1::PROVIDER_CAND);
  EXPECT_FALSE(cand->needs_secrets);  // canD does not sign
  EXPECT_TRUE(cand->needs_path_token);
  EXPECT_FALSE(cand->generic);
  EXPECT_EQ(cand->catalog, &kCandCatalog);
  EXPECT_EQ(cand->create, &CreateCandSource);
}

TEST(RegistryTest, ListsTheGenericProviders) {
  const std::pair<const char*, v1::Provider> kGeneric[] = {
      {"standard-webhooks", v1::PROVIDER_STANDARD_WEBHOOKS},
      {"github", v1::PROVIDER_GITHUB},
      {"stripe", v1::PROVIDER_STRIPE},
  };
  const Catalog* const kCatalogs[] = {&kStandardWebhooksCatalog, &kGithubCatalog, &kStripeCatalog};
  for (size_t i = 0; i < std::size(kGeneric); ++i) {
    const auto& [name, id] = kGeneric[i];
    const ProviderInfo* provider = FindProvider(name);
    ASSERT_NE(provider, nullptr) << name;
    EXPECT_EQ(provider->id, id) << name;
    EXPECT_TRUE(provider->needs_secrets) << name;
    EXPECT_FALSE(provider->needs_path_token) << name;
    EXPECT_TRUE(provider->generic) << name;
    EXPECT_EQ(provider->catalog, kCatalogs[i]) << name;
  }
}

TEST(RegistryTest, OnlyGenericProvidersAreGenericAndOnlyCandNeedsAToken) {
  std::set<std::string> generic;
  std::set<std::string> token;
  for (const ProviderInfo& provider : Providers()) {
    if (provider.generic) generic.insert(std::string(provider.name));
    if (provider.needs_path_token) token.insert(std::string(provider.name));
    // A provider is authenticated by a signature, a path token or both.
    EXPECT_TRUE(provider.needs_secrets || provider.needs_path_token) << provider.name;
    // Generic providers deliver everything untyped.
    if (provider.generic) {
      EXPECT_TRUE(provider.catalog->events.empty()) << provider.name;
    }
  }
  EXPECT_EQ(generic, (std::set<std::string>{"bitbucket", "discord", "github", "gitlab", "hmac",
                                            "intercom", "linear", "mailgun", "paddle", "shopify",
                                            "slack", "standard-webhooks", "stripe", "svix",
                                            "twilio", "typeform", "zoom"}));
  EXPECT_EQ(token, (std::set<std::string>{"cand"}));
}

TEST(RegistryTest, NamesAreThoseOfTheProviderEnumComments) {
  // event.proto documents the config name of each Provider value in a
  // comment: `PROVIDER_CKBOX = 2;  // ckbox`. Read them from the file.
  std::ifstream in(std::string(HOOKBRIDGE_PROTO_DIR) + "/hookbridge/v1/event.proto");
  ASSERT_TRUE(in) << "cannot read event.proto";
  std::map<v1::Provider, std::string> documented;
  for (std::string line; std::getline(in, line);) {
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&rest, "PROVIDER_") || absl::StartsWith(rest, "UNSPECIFIED")) continue;
    const std::string value_name = absl::StrCat("PROVIDER_", rest.substr(0, rest.find(' ')));
    const size_t comment = rest.find("//");
    ASSERT_NE(comment, absl::string_view::npos) << value_name << " has no config name comment";
    v1::Provider value;
    ASSERT_TRUE(v1::Provider_Parse(value_name, &value)) << value_name;
    documented[value] = std::string(absl::StripAsciiWhitespace(rest.substr(comment + 2)));
  }
  ASSERT_GE(documented.size(), 7u);
  std::set<v1::Provider> ids;
  for (const ProviderInfo& provider : Providers()) {
    EXPECT_TRUE(ids.insert(provider.id).second) << "two rows for " << provider.id;
    ASSERT_TRUE(documented.count(provider.id)) << provider.name;
    EXPECT_EQ(provider.name, documented.at(provider.id));
  }
  // And every documented provider has a row.
  EXPECT_EQ(ids.size(), documented.size());
}

TEST(RegistryTest, ProviderNamesListsEveryRow) {
  const std::vector<std::string> names = absl::StrSplit(ProviderNames(), ", ");
  ASSERT_EQ(names.size(), Providers().size());
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], Providers()[i].name);
  for (const char* name : {"cand", "standard-webhooks", "github", "stripe"}) {
    EXPECT_THAT(ProviderNames(), HasSubstr(name));
  }
}

TEST(RegistryTest, CreateSourceBuildsTheNewProviders) {
  const std::pair<const char*, const char*> kCases[] = {
      {"standard-webhooks", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
      {"github", "It's a Secret to Everybody"},
      {"stripe", "whsec_test_secret"},
  };
  for (const auto& [provider, secret] : kCases) {
    SourceConfig config;
    config.name = "s";
    config.provider = provider;
    config.secrets = {secret};
    absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
    ASSERT_TRUE(source.ok()) << provider << ": " << source.status();
    EXPECT_NE(*source, nullptr);
  }
  SourceConfig cand;
  cand.name = "community";
  cand.provider = "cand";
  cand.path_token = "0123456789abcdef";
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(cand);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_NE(*source, nullptr);
  cand.path_token.clear();
  EXPECT_EQ(CreateSource(cand).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- DescribeEventTypes (the ListEventTypes RPC) --------------------------------

const v1::ProviderEventTypes* FindDescribed(const v1::ListEventTypesResponse& response,
                                            absl::string_view name) {
  for (const v1::ProviderEventTypes& provider : response.providers()) {
    if (provider.name() == name) return &provider;
  }
  return nullptr;
}

const v1::EventType* FindType(const v1::ProviderEventTypes& provider, absl::string_view type) {
  for (const v1::EventType& t : provider.event_types()) {
    if (t.type() == type) return &t;
  }
  return nullptr;
}

TEST(DescribeEventTypesTest, ListsEveryProviderInTableOrder) {
  const v1::ListEventTypesResponse response = DescribeEventTypes({});
  ASSERT_EQ(static_cast<size_t>(response.providers_size()), Providers().size());
  for (size_t i = 0; i < Providers().size(); ++i) {
    const v1::ProviderEventTypes& described = response.providers(static_cast<int>(i));
    EXPECT_EQ(described.name(), Providers()[i].name);
    EXPECT_EQ(described.provider(), Providers()[i].id);
    EXPECT_TRUE(described.sources().empty()) << described.name();
  }
  for (const char* name :
       {"ckeditor-cloud-services", "ckbox", "cand", "standard-webhooks", "github", "stripe"}) {
    EXPECT_NE(FindDescribed(response, name), nullptr) << name;
  }
}

TEST(DescribeEventTypesTest, CkeditorCommentAdded) {
  const v1::ListEventTypesResponse response = DescribeEventTypes({});
  const v1::ProviderEventTypes* ckeditor = FindDescribed(response, "ckeditor-cloud-services");
  ASSERT_NE(ckeditor, nullptr);
  EXPECT_EQ(ckeditor->provider(), v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  const v1::EventType* added = FindType(*ckeditor, "comment.added");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(added->message(), "hookbridge.ckeditor.v1.CommentAdded");
  EXPECT_EQ(added->field(), "ckeditor.comment_added");

  // A legacy name is listed with its successor's message.
  const v1::EventType* legacy = FindType(*ckeditor, "document.user.connected");
  ASSERT_NE(legacy, nullptr);
  EXPECT_EQ(legacy->message(), "hookbridge.ckeditor.v1.CollaborationUserConnected");
  EXPECT_EQ(legacy->field(), "ckeditor.collaboration_user_connected");
}

TEST(DescribeEventTypesTest, CandTypesIncludeTheModule) {
  const v1::ListEventTypesResponse response = DescribeEventTypes({});
  const v1::ProviderEventTypes* cand = FindDescribed(response, "cand");
  ASSERT_NE(cand, nullptr);
  EXPECT_EQ(cand->provider(), v1::PROVIDER_CAND);
  EXPECT_EQ(static_cast<size_t>(cand->event_types_size()), kCandCatalog.events.size());
  const v1::EventType* voted = FindType(*cand, "MOIM:product.voted");
  ASSERT_NE(voted, nullptr);
  EXPECT_EQ(voted->message(), "hookbridge.cand.v1.ProductVoted");
  EXPECT_EQ(voted->field(), "cand.product_voted");
  const v1::EventType* paid = FindType(*cand, "MOIM:payment.paid");
  ASSERT_NE(paid, nullptr);
  EXPECT_EQ(paid->message(), "hookbridge.cand.v1.PaymentPaid");
  EXPECT_EQ(FindType(*cand, "MOIM:payment.cancelled"), nullptr);  // untyped
}

TEST(DescribeEventTypesTest, GenericProvidersHaveNoTypedTypes) {
  const v1::ListEventTypesResponse response = DescribeEventTypes({});
  for (const char* name : {"standard-webhooks", "github", "stripe"}) {
    const v1::ProviderEventTypes* provider = FindDescribed(response, name);
    ASSERT_NE(provider, nullptr) << name;
    EXPECT_EQ(provider->event_types_size(), 0) << name;
  }
}

TEST(DescribeEventTypesTest, EveryTypeIsItsCatalogRowAndResolves) {
  // The message and field of every row name real descriptors: a client can
  // find the payload with reflection from this answer alone.
  const v1::ListEventTypesResponse response = DescribeEventTypes({});
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (size_t i = 0; i < Providers().size(); ++i) {
    const ProviderInfo& info = Providers()[i];
    const v1::ProviderEventTypes& described = response.providers(static_cast<int>(i));
    ASSERT_EQ(static_cast<size_t>(described.event_types_size()), info.catalog->events.size())
        << info.name;
    for (size_t j = 0; j < info.catalog->events.size(); ++j) {
      const TypedEventSpec& spec = info.catalog->events[j];
      const v1::EventType& type = described.event_types(static_cast<int>(j));
      EXPECT_EQ(type.type(), spec.type) << info.name;
      EXPECT_EQ(type.field(), absl::StrCat(info.catalog->event_field, ".", spec.field));
      const google::protobuf::Descriptor* message = pool->FindMessageTypeByName(type.message());
      ASSERT_NE(message, nullptr) << type.message();
      const std::vector<std::string> path = absl::StrSplit(type.field(), '.');
      ASSERT_EQ(path.size(), 2u) << type.field();
      const google::protobuf::FieldDescriptor* container =
          v1::Event::descriptor()->FindFieldByName(path[0]);
      ASSERT_NE(container, nullptr) << type.field();
      ASSERT_NE(container->message_type(), nullptr) << type.field();
      const google::protobuf::FieldDescriptor* field =
          container->message_type()->FindFieldByName(path[1]);
      ASSERT_NE(field, nullptr) << type.field();
      EXPECT_EQ(field->message_type(), message) << type.type();
    }
  }
}

TEST(DescribeEventTypesTest, GroupsSourcesUnderTheirProvider) {
  const v1::ListEventTypesResponse response = DescribeEventTypes({
      {"docs", "ckeditor-cloud-services"},
      {"community", "cand"},
      {"docs-eu", "ckeditor-cloud-services"},
      {"gh", "github"},
      {"stray", "no-such-provider"},
  });
  const v1::ProviderEventTypes* ckeditor = FindDescribed(response, "ckeditor-cloud-services");
  ASSERT_NE(ckeditor, nullptr);
  EXPECT_THAT(ckeditor->sources(), ElementsAre("docs", "docs-eu"));
  const v1::ProviderEventTypes* cand = FindDescribed(response, "cand");
  ASSERT_NE(cand, nullptr);
  EXPECT_THAT(cand->sources(), ElementsAre("community"));
  const v1::ProviderEventTypes* github = FindDescribed(response, "github");
  ASSERT_NE(github, nullptr);
  EXPECT_THAT(github->sources(), ElementsAre("gh"));
  // A generic provider still lists its sources although it has no types.
  EXPECT_EQ(github->event_types_size(), 0);
  int listed = 0;
  for (const v1::ProviderEventTypes& provider : response.providers()) {
    listed += provider.sources_size();
    for (const std::string& source : provider.sources()) EXPECT_NE(source, "stray");
  }
  EXPECT_EQ(listed, 4);
  EXPECT_EQ(response.providers_size(), static_cast<int>(Providers().size()));
}

}  // namespace
}  // namespace hookbridge
