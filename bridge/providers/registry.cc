#include "bridge/providers/registry.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bridge/config.h"
#include "bridge/providers/ckbox/ckbox_source.h"
#include "bridge/providers/ckeditor/ckeditor_source.h"

namespace hookbridge {
namespace {

const ProviderInfo kProviders[] = {
    // name, id, needs_secrets, needs_path_token, generic, catalog, create
    {"ckeditor-cloud-services", v1::PROVIDER_CKEDITOR_CLOUD_SERVICES, true, false, false,
     &kCkeditorCatalog, &CreateCkeditorSource},
    {"ckbox", v1::PROVIDER_CKBOX, true, false, false, &kCkboxCatalog, &CreateCkboxSource},
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

absl::StatusOr<std::unique_ptr<Source>> CreateSource(const SourceConfig& config) {
  const ProviderInfo* provider = FindProvider(config.provider);
  if (provider == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("source ", config.name, ": unknown provider \"", config.provider, "\""));
  }
  return provider->create(config);
}

}  // namespace hookbridge
