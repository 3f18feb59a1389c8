#include "bridge/providers/twilio/twilio_source.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bridge/crypto.h"
#include "bridge/providers/form.h"
#include "bridge/providers/generic/generic_source.h"

namespace hookbridge {
namespace {

constexpr char kHeader[] = "X-Twilio-Signature";

// The value of query parameter `name` in `url` ("" when absent).
std::string QueryParameter(absl::string_view url, absl::string_view name) {
  const size_t query = url.find('?');
  if (query == absl::string_view::npos) return "";
  for (absl::string_view pair : absl::StrSplit(url.substr(query + 1), '&')) {
    if (absl::ConsumePrefix(&pair, name) && absl::ConsumePrefix(&pair, "=")) {
      return std::string(pair);
    }
  }
  return "";
}

// `url` with its default port added (https :443, http :80) when it has
// none, or removed when it has it: Twilio's own libraries accept either.
std::string OtherPortForm(absl::string_view url) {
  const bool https = absl::StartsWith(url, "https://");
  const absl::string_view port = https ? ":443" : ":80";
  const size_t host = url.find("://") + 3;
  const size_t end = url.find_first_of("/?", host);
  const absl::string_view authority =
      url.substr(host, end == absl::string_view::npos ? absl::string_view::npos : end - host);
  const absl::string_view rest = end == absl::string_view::npos ? "" : url.substr(end);
  if (absl::EndsWith(authority, port)) {
    return absl::StrCat(url.substr(0, host), authority.substr(0, authority.size() - port.size()),
                        rest);
  }
  if (authority.find(':') != absl::string_view::npos) return std::string(url);  // another port
  return absl::StrCat(url.substr(0, host), authority, port, rest);
}

}  // namespace

namespace {

// What Twilio signs after the URL: a form's fields, each name then value,
// names in byte order and a repeated name's distinct values in order;
// nothing for another body.
std::string SignedParameters(const WebhookRequest& request) {
  std::string out;
  if (!IsFormEncoded(request)) return out;
  absl::StatusOr<FormFields> fields = ParseForm(request.body);
  if (!fields.ok()) return out;
  std::sort(fields->begin(), fields->end());
  fields->erase(std::unique(fields->begin(), fields->end()), fields->end());
  for (const auto& [name, value] : *fields) absl::StrAppend(&out, name, value);
  return out;
}

std::string RawTwilioMac(absl::string_view secret, absl::string_view url,
                         absl::string_view parameters) {
  return Hmac(HashAlgorithm::kSha1, secret, {url, parameters});
}

}  // namespace

std::string TwilioSignature(absl::string_view secret, absl::string_view url,
                            const WebhookRequest& request) {
  return absl::Base64Escape(RawTwilioMac(secret, url, SignedParameters(request)));
}

namespace {

// `public_url`'s scheme and authority, e.g. https://hooks.example.com.
absl::string_view Origin(absl::string_view public_url) {
  const size_t authority = public_url.find("://") + 3;
  const size_t slash = public_url.find('/', authority);
  return slash == absl::string_view::npos ? public_url : public_url.substr(0, slash);
}

// The full URL Twilio requested: the source's public_url with the query
// as received (Twilio appends bodySHA256 to it).
std::string PublicUrl(absl::string_view public_url, absl::string_view target) {
  return absl::StrCat(Origin(public_url), SignedPath(public_url, target));
}

absl::Status VerifyTwilioUrl(const WebhookRequest& request, const std::string& url,
                             const std::vector<std::string>& secrets, Verification* verified);

absl::Status VerifyTwilio(const WebhookRequest& request, absl::string_view public_url,
                          const std::vector<std::string>& secrets, Verification* verified) {
  return VerifyTwilioUrl(request, PublicUrl(public_url, request.target), secrets, verified);
}

absl::Status VerifyTwilioUrl(const WebhookRequest& request, const std::string& url,
                             const std::vector<std::string>& secrets, Verification* verified) {
  absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader(kHeader);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return absl::UnauthenticatedError("missing X-Twilio-Signature header");
  std::string sent;
  if (!absl::Base64Unescape(**found, &sent) || sent.size() != MacSize(HashAlgorithm::kSha1)) {
    return absl::UnauthenticatedError("X-Twilio-Signature is not a base64 HMAC-SHA1");
  }
  const std::string other = OtherPortForm(url);
  // The form is read once, whatever the number of secrets and URL forms.
  const std::string parameters = SignedParameters(request);
  SecretMatch match;
  for (const std::string& secret : secrets) {
    bool matched = false;
    for (const std::string& candidate : {url, other}) {
      matched |= ConstantTimeEquals(sent, RawTwilioMac(secret, candidate, parameters));
    }
    match.Add(matched);
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError(
        absl::StrCat("signature mismatch: no configured auth token signs ", url,
                     IsFormEncoded(request) ? " and the form parameters" : "",
                     " (is public_url what Twilio was given?)"));
  }
  verified->secret_index = match.index();
  if (!IsFormEncoded(request)) {
    // The URL is signed, the body only through its bodySHA256.
    const std::string digest = QueryParameter(url, "bodySHA256");
    Sha256Digest expected{};
    if (!HexDecodeDigest(digest, &expected)) {
      return absl::UnauthenticatedError(
          "a body that is not a form must be signed through the URL's bodySHA256 parameter, "
          "which is missing or not 64 hex digits");
    }
    if (!DigestsEqual(expected, Sha256({request.body}))) {
      return absl::UnauthenticatedError("bodySHA256 does not match the body");
    }
  }
  return absl::OkStatus();
}

}  // namespace

const Catalog kTwilioCatalog = {v1::PROVIDER_TWILIO, "", {}, {}};

absl::StatusOr<std::unique_ptr<Source>> CreateTwilioSource(const SourceConfig& config) {
  GenericScheme scheme;
  scheme.name = "twilio-hmac-sha1";
  const std::string public_url = config.public_url;
  scheme.verify = [public_url](const WebhookRequest& request, absl::string_view,
                               const std::vector<std::string>& secrets, absl::Duration,
                               Verification* verified) {
    return VerifyTwilio(request, public_url, secrets, verified);
  };
  scheme.verifies_with_path = [public_url](const WebhookRequest& request, absl::string_view path,
                                           const std::vector<std::string>& secrets) {
    Verification ignored;
    return VerifyTwilioUrl(request, absl::StrCat(Origin(public_url), path), secrets, &ignored).ok();
  };
  scheme.event_type = {FieldLocation("MessageStatus"), FieldLocation("CallStatus"),
                       FieldLocation("SmsStatus"), FieldLocation("type")};
  // A request without a status (a call's gather, say) is typed by what it
  // is about.
  scheme.type_of = [](const google::protobuf::Struct& body) -> std::optional<std::string> {
    const auto& fields = body.fields();
    for (const char* key : {"MessageStatus", "CallStatus", "SmsStatus", "type"}) {
      auto it = fields.find(key);
      if (it != fields.end() && it->second.has_string_value() &&
          !it->second.string_value().empty()) {
        return it->second.string_value();
      }
    }
    if (fields.contains("CallSid")) return "call";
    if (fields.contains("MessageSid") || fields.contains("SmsSid")) return "message";
    return std::nullopt;
  };
  scheme.subject = {FieldLocation("MessageSid"), FieldLocation("CallSid")};
  return CreateGenericSource("twilio", std::move(scheme), config);
}

absl::Status ValidateTwilioSource(const SourceConfig& config) {
  if (config.public_url.empty()) {
    return absl::InvalidArgumentError(
        "public_url: provider twilio signs the full URL it was given: give that URL "
        "(e.g. https://hooks.example.com/webhooks/<name>)");
  }
  return absl::OkStatus();
}

TestSignature SignTwilioRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  std::string target(request.target);
  if (!IsFormEncoded(request) && QueryParameter(target, "bodySHA256").empty()) {
    // A JSON body is signed through the URL, as Twilio does.
    absl::StrAppend(&target, target.find('?') == std::string::npos ? "?" : "&",
                    "bodySHA256=", HexEncode(Sha256({request.body})));
    out.target = target;
  }
  const std::string url = PublicUrl(kTwilioExampleUrl, target);
  out.headers = {{kHeader, TwilioSignature(secret, url, request)}};
  return out;
}

}  // namespace hookbridge
