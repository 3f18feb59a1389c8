#include "bridge/providers/registry.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bridge/check.h"
#include "bridge/config_types.h"
#include "bridge/providers/bitbucket/bitbucket_source.h"
#include "bridge/providers/cand/cand_source.h"
#include "bridge/providers/ckbox/ckbox_source.h"
#include "bridge/providers/ckeditor/ckeditor_source.h"
#include "bridge/providers/cloudevents/cloudevents_source.h"
#include "bridge/providers/discord/discord_source.h"
#include "bridge/providers/docspace/docspace_source.h"
#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/gitlab/gitlab_source.h"
#include "bridge/providers/hmac/hmac_source.h"
#include "bridge/providers/intercom/intercom_source.h"
#include "bridge/providers/linear/linear_source.h"
#include "bridge/providers/mailgun/mailgun_source.h"
#include "bridge/providers/paddle/paddle_source.h"
#include "bridge/providers/shopify/shopify_source.h"
#include "bridge/providers/slack/slack_source.h"
#include "bridge/providers/svix/svix_source.h"
#include "bridge/providers/twilio/twilio_source.h"
#include "bridge/providers/typeform/typeform_source.h"
#include "bridge/providers/zoom/zoom_source.h"

namespace hookbridge {
namespace {

// name, id, needs_secrets, needs_path_token, generic, catalog, create, validate, sign,
// testdata, example_subject_field, signs_timestamp[, complete_test_config]
const ProviderInfo kProviders[] = {
    {"ckeditor-cloud-services", v1::PROVIDER_CKEDITOR_CLOUD_SERVICES, true, false, false,
     &kCkeditorCatalog, &CreateCkeditorSource, nullptr, &SignCkeditorRequest, "ckeditor", "", true},
    {"ckbox", v1::PROVIDER_CKBOX, true, false, false, &kCkboxCatalog, &CreateCkboxSource, nullptr,
     &SignCkeditorRequest, "ckbox", "", true},
    {"onlyoffice-docspace", v1::PROVIDER_ONLYOFFICE_DOCSPACE, true, false, false, &kDocspaceCatalog,
     &CreateDocspaceSource, nullptr, &SignDocspaceRequest, "docspace", "", false},
    {"cand", v1::PROVIDER_CAND, false, true, false, &kCandCatalog, &CreateCandSource, nullptr,
     &SignCandRequest, "cand", "", false},
    {"standard-webhooks", v1::PROVIDER_STANDARD_WEBHOOKS, true, false, true,
     &kStandardWebhooksCatalog, &CreateStandardWebhooksSource, &ValidateStandardWebhooksSource,
     &SignStandardWebhooksRequest, "", "data.id", true},
    {"github", v1::PROVIDER_GITHUB, true, false, true, &kGithubCatalog, &CreateGithubSource,
     nullptr, &SignGithubRequest, "", "repository.full_name", false},
    {"stripe", v1::PROVIDER_STRIPE, true, false, true, &kStripeCatalog, &CreateStripeSource,
     nullptr, &SignStripeRequest, "", "", true},
    {"shopify", v1::PROVIDER_SHOPIFY, true, false, true, &kShopifyCatalog, &CreateShopifySource,
     nullptr, &SignShopifyRequest, "", "", false},
    {"slack", v1::PROVIDER_SLACK, true, false, true, &kSlackCatalog, &CreateSlackSource, nullptr,
     &SignSlackRequest, "", "", true},
    {"twilio", v1::PROVIDER_TWILIO, true, false, true, &kTwilioCatalog, &CreateTwilioSource,
     &ValidateTwilioSource, &SignTwilioRequest, "", "", false,
     [](SourceConfig* config, absl::string_view) { config->public_url = kTwilioExampleUrl; }},
    {"gitlab", v1::PROVIDER_GITLAB, true, false, true, &kGitlabCatalog, &CreateGitlabSource,
     nullptr, &SignGitlabRequest, "", "", false},
    {"bitbucket", v1::PROVIDER_BITBUCKET, true, false, true, &kBitbucketCatalog,
     &CreateBitbucketSource, nullptr, &SignBitbucketRequest, "", "", false},
    {"linear", v1::PROVIDER_LINEAR, true, false, true, &kLinearCatalog, &CreateLinearSource,
     nullptr, &SignLinearRequest, "", "", true},
    {"paddle", v1::PROVIDER_PADDLE, true, false, true, &kPaddleCatalog, &CreatePaddleSource,
     nullptr, &SignPaddleRequest, "", "", true},
    {"zoom", v1::PROVIDER_ZOOM, true, false, true, &kZoomCatalog, &CreateZoomSource, nullptr,
     &SignZoomRequest, "", "", true},
    {"mailgun", v1::PROVIDER_MAILGUN, true, false, true, &kMailgunCatalog, &CreateMailgunSource,
     nullptr, &SignMailgunRequest, "", "", true},
    {"typeform", v1::PROVIDER_TYPEFORM, true, false, true, &kTypeformCatalog, &CreateTypeformSource,
     nullptr, &SignTypeformRequest, "", "", false},
    {"intercom", v1::PROVIDER_INTERCOM, true, false, true, &kIntercomCatalog, &CreateIntercomSource,
     nullptr, &SignIntercomRequest, "", "", false},
    {"discord", v1::PROVIDER_DISCORD, true, false, true, &kDiscordCatalog, &CreateDiscordSource,
     &ValidateDiscordSource, &SignDiscordRequest, "", "", true,
     [](SourceConfig* config, absl::string_view secret) {
       config->secrets = {DiscordTestPublicKey(secret)};
     }},
    {"svix", v1::PROVIDER_SVIX, true, false, true, &kSvixCatalog, &CreateSvixSource,
     &ValidateStandardWebhooksSource, &SignSvixRequest, "", "", true},
    {"hmac", v1::PROVIDER_HMAC, true, false, true, &kHmacCatalog, &CreateHmacSource,
     &ValidateHmacSource, &SignHmacRequest, "", "", false,
     [](SourceConfig* config, absl::string_view) {
       config->hmac = ExampleHmacConfig();
       if (config->event_type.empty()) config->event_type = FieldLocation("type");
     }},
    {"cloudevents", v1::PROVIDER_CLOUDEVENTS, true, false, false, &kCloudEventsCatalog,
     &CreateCloudEventsSource, &ValidateCloudEventsSource, &SignCloudEventsRequest, "", "", false},
};

}  // namespace

void TestSignature::ApplyTo(WebhookRequest* request) const {
  auto& kept = request->headers;
  kept.erase(std::remove_if(kept.begin(), kept.end(),
                            [this](const auto& header) {
                              for (const auto& [name, value] : headers) {
                                if (absl::EqualsIgnoreCase(header.first, name)) return true;
                              }
                              return false;
                            }),
             kept.end());
  for (const auto& [name, value] : headers) kept.emplace_back(name, value);
  if (body.has_value()) request->body = *body;
  if (target.has_value()) request->target = *target;
}

absl::Span<const ProviderInfo> Providers() { return kProviders; }

const ProviderInfo* FindProvider(absl::string_view name) {
  for (const ProviderInfo& p : kProviders) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

absl::Status CheckSourceConfig(const ProviderInfo& provider, const SourceConfig& config) {
  if (provider.needs_secrets && config.secrets.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "secrets: provider ", provider.name, " signs its webhooks: give at least one secret"));
  }
  if (provider.needs_path_token && config.path_token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("path_token: provider ", provider.name,
                     " does not sign its webhooks: give a secret path token "
                     "(e.g. the output of `openssl rand -hex 24`)"));
  }
  if (config.hmac.has_value() && provider.name != "hmac") {
    return absl::InvalidArgumentError(absl::StrCat("hmac: only the hmac provider takes this; ",
                                                   provider.name, " knows how it signs"));
  }
  if (config.cloudevents.has_value() && provider.name != "cloudevents") {
    return absl::InvalidArgumentError(
        absl::StrCat("cloudevents: only the cloudevents provider takes this; ", provider.name,
                     " knows how it signs"));
  }
  if (!provider.generic) {
    for (const auto& [key, location] :
         {std::pair<const char*, const ValueLocation*>{"event_type", &config.event_type},
          {"subject", &config.subject},
          {"delivery_id", &config.delivery_id}}) {
      if (location->empty()) continue;
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": only generic providers (", GenericProviderNames(), ") take this; ",
                       provider.name, " knows where its ", key, " is"));
    }
  }
  if (provider.validate != nullptr) return provider.validate(config);
  return absl::OkStatus();
}

absl::Status CheckSourceConfig(absl::string_view provider, const SourceConfig& config) {
  const ProviderInfo* row = FindProvider(provider);
  HB_CHECK(row != nullptr);
  absl::Status s = CheckSourceConfig(*row, config);
  if (s.ok()) return s;
  return absl::InvalidArgumentError(absl::StrCat("source ", config.name, ": ", s.message()));
}

std::string GenericProviderNames() {
  std::vector<absl::string_view> names;
  for (const ProviderInfo& p : kProviders) {
    if (p.generic) names.push_back(p.name);
  }
  return absl::StrJoin(names, ", ");
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
