#include "bridge/providers/registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bridge/check.h"
#include "bridge/config.h"
#include "bridge/providers/cand/cand_source.h"
#include "bridge/providers/ckbox/ckbox_source.h"
#include "bridge/providers/ckeditor/ckeditor_source.h"
#include "bridge/providers/docspace/docspace_source.h"
#include "bridge/providers/generic/generic_source.h"

namespace hookbridge {
namespace {

const ProviderInfo kProviders[] = {
    // name, id, needs_secrets, needs_path_token, generic, catalog, create
    {"ckeditor-cloud-services", v1::PROVIDER_CKEDITOR_CLOUD_SERVICES, true, false, false,
     &kCkeditorCatalog, &CreateCkeditorSource},
    {"ckbox", v1::PROVIDER_CKBOX, true, false, false, &kCkboxCatalog, &CreateCkboxSource},
    {"onlyoffice-docspace", v1::PROVIDER_ONLYOFFICE_DOCSPACE, /*needs_secrets=*/true,
     /*needs_path_token=*/false, /*generic=*/false, &kDocspaceCatalog, &CreateDocspaceSource},
    {"cand", v1::PROVIDER_CAND, false, true, false, &kCandCatalog, &CreateCandSource},
    {"standard-webhooks", v1::PROVIDER_STANDARD_WEBHOOKS, true, false, true,
     &kStandardWebhooksCatalog, &CreateStandardWebhooksSource},
    {"github", v1::PROVIDER_GITHUB, true, false, true, &kGithubCatalog, &CreateGithubSource},
    {"stripe", v1::PROVIDER_STRIPE, true, false, true, &kStripeCatalog, &CreateStripeSource},
};

}  // namespace

absl::Span<const ProviderInfo> Providers() { return kProviders; }

const ProviderInfo* FindProvider(absl::string_view name) {
  for (const ProviderInfo& p : kProviders) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string ProviderNames() {
  return absl::StrJoin(kProviders, ", ", [](std::string* out, const ProviderInfo& p) {
    absl::StrAppend(out, p.name);
  });
}

v1::ListEventTypesResponse DescribeEventTypes(
    const std::vector<std::pair<std::string, std::string>>& sources) {
  v1::ListEventTypesResponse response;
  for (const ProviderInfo& provider : kProviders) {
    v1::ProviderEventTypes* out = response.add_providers();
    out->set_provider(provider.id);
    out->set_name(std::string(provider.name));
    for (const auto& [source, provider_name] : sources) {
      if (provider_name == provider.name) out->add_sources(source);
    }
    const Catalog& catalog = *provider.catalog;
    if (catalog.events.empty()) continue;
    const google::protobuf::FieldDescriptor* container =
        v1::Event::descriptor()->FindFieldByName(std::string(catalog.event_field));
    HB_CHECK(container != nullptr);
    for (const TypedEventSpec& spec : catalog.events) {
      const google::protobuf::FieldDescriptor* field =
          container->message_type()->FindFieldByName(std::string(spec.field));
      HB_CHECK(field != nullptr);
      v1::EventType* type = out->add_event_types();
      type->set_type(std::string(spec.type));
      type->set_message(field->message_type()->full_name());
      type->set_field(absl::StrCat(catalog.event_field, ".", spec.field));
    }
  }
  return response;
}

absl::StatusOr<std::unique_ptr<Source>> CreateSource(const SourceConfig& config) {
  const ProviderInfo* provider = FindProvider(config.provider);
  if (provider == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("source ", config.name, ": unknown provider \"", config.provider, "\""));
  }
  return provider->create(config);
}

}  // namespace hookbridge
