#include "bridge/providers/hmac/hmac_source.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bridge/providers/timestamp.h"

namespace hookbridge {

const Catalog kHmacCatalog = {v1::PROVIDER_HMAC, "", {}, {}};

GenericScheme HmacScheme(HmacSignatureSpec spec) {
  GenericScheme scheme;
  scheme.name = spec.scheme;
  const std::string timestamp_header = spec.timestamp_header;
  const bool seconds = !spec.timestamp_in_milliseconds;
  scheme.verify = [spec = std::move(spec)](const WebhookRequest& request, absl::string_view path,
                                           const std::vector<std::string>& secrets,
                                           absl::Duration tolerance, Verification* verified) {
    return VerifyHmacSignature(spec, request, path, secrets, tolerance, verified);
  };
  if (!timestamp_header.empty() && seconds) {
    scheme.timestamp = [timestamp_header](const WebhookRequest& request) {
      const absl::string_view* t = request.FindHeader(timestamp_header);
      return t != nullptr ? *t : absl::string_view();
    };
  }
  return scheme;
}

TestSignature SignWithSpec(const HmacSignatureSpec& spec, absl::string_view secret,
                           const WebhookRequest& request) {
  TestSignature out;
  WebhookRequest signed_request = request;
  std::string timestamp;
  if (!spec.timestamp_header.empty()) {
    if (const absl::string_view* sent = request.FindHeader(spec.timestamp_header)) {
      out.used_request_timestamp = true;
      timestamp = std::string(*sent);
    } else {
      timestamp = spec.timestamp_in_milliseconds
                      ? absl::StrCat(absl::ToUnixMillis(request.received_at))
                      : absl::StrCat(absl::ToUnixSeconds(request.received_at));
      signed_request.headers.emplace_back(spec.timestamp_header, timestamp);
      out.headers.emplace_back(spec.timestamp_header, timestamp);
    }
  }
  out.headers.emplace_back(spec.header,
                           HmacSignature(spec, secret, signed_request, request.target));
  return out;
}

absl::StatusOr<HmacSignatureSpec> HmacSpecFromConfig(const HmacConfig& config) {
  auto error = [](absl::string_view key, absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("hmac.", key, ": ", why));
  };
  HmacSignatureSpec spec;
  if (config.header.empty())
    return error("header", "is required: the header holding the signature");
  spec.header = config.header;
  spec.prefix = config.prefix;
  if (config.algorithm == "sha1") {
    spec.algorithm = HashAlgorithm::kSha1;
  } else if (config.algorithm == "sha256") {
    spec.algorithm = HashAlgorithm::kSha256;
  } else if (config.algorithm == "sha512") {
    spec.algorithm = HashAlgorithm::kSha512;
  } else {
    return error("algorithm",
                 absl::StrCat("\"", config.algorithm, "\" is not sha1, sha256 or sha512"));
  }
  spec.scheme = absl::StrCat("hmac-", config.algorithm);
  if (config.encoding == "hex") {
    spec.encoding = HmacSignatureSpec::Encoding::kHex;
  } else if (config.encoding == "base64") {
    spec.encoding = HmacSignatureSpec::Encoding::kBase64;
  } else {
    return error("encoding", absl::StrCat("\"", config.encoding, "\" is not hex or base64"));
  }
  if (config.timestamp_unit != "seconds" && config.timestamp_unit != "milliseconds") {
    return error("timestamp_unit",
                 absl::StrCat("\"", config.timestamp_unit, "\" is not seconds or milliseconds"));
  }
  spec.timestamp_header = config.timestamp_header;
  spec.timestamp_in_milliseconds = config.timestamp_unit == "milliseconds";
  absl::StatusOr<std::vector<SignedPart>> content =
      ParseSignedTemplate(config.signed_content, !config.timestamp_header.empty());
  if (!content.ok()) return error("signed_content", content.status().message());
  spec.signed_content = *std::move(content);
  return spec;
}

absl::Status ValidateHmacSource(const SourceConfig& config) {
  if (!config.hmac.has_value()) {
    return absl::InvalidArgumentError(
        "hmac: provider hmac needs its signature described: give at least hmac.header "
        "(see docs/SECURITY.md)");
  }
  if (config.event_type.empty()) {
    return absl::InvalidArgumentError(
        "event_type: provider hmac does not know where the event type is: give a header or "
        "field");
  }
  return HmacSpecFromConfig(*config.hmac).status();
}

absl::StatusOr<std::unique_ptr<Source>> CreateHmacSource(const SourceConfig& config) {
  if (absl::Status s = CheckSourceConfig("hmac", config); !s.ok()) return s;
  absl::StatusOr<HmacSignatureSpec> spec = HmacSpecFromConfig(*config.hmac);
  if (!spec.ok()) return spec.status();
  return CreateGenericSource("hmac", HmacScheme(*std::move(spec)), config);
}

HmacConfig ExampleHmacConfig() {
  HmacConfig config;
  config.header = "X-Signature";
  config.prefix = "sha256=";
  config.signed_content = "{timestamp}.{body}";
  config.timestamp_header = "X-Timestamp";
  return config;
}

TestSignature SignHmacRequest(absl::string_view secret, const WebhookRequest& request) {
  absl::StatusOr<HmacSignatureSpec> spec = HmacSpecFromConfig(ExampleHmacConfig());
  return SignWithSpec(*spec, secret, request);
}

}  // namespace hookbridge
