#include "bridge/providers/standard_webhooks/signature.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/crypto.h"
#include "bridge/providers/timestamp.h"
#include "bridge/status_macros.h"

namespace hookbridge {

absl::StatusOr<std::string> StandardWebhooksKey(absl::string_view secret) {
  absl::ConsumePrefix(&secret, "whsec_");
  std::string key;
  if (secret.empty() || !absl::Base64Unescape(secret, &key) || key.empty()) {
    return absl::InvalidArgumentError(
        "a standard-webhooks secret is \"whsec_\" followed by base64");
  }
  return key;
}

std::string StandardWebhooksSignature(absl::string_view secret, absl::string_view id,
                                      absl::string_view timestamp, absl::string_view body) {
  absl::StatusOr<std::string> key = StandardWebhooksKey(secret);
  if (!key.ok()) return "";
  const Sha256Digest mac = HmacSha256(*key, {id, ".", timestamp, ".", body});
  return absl::StrCat("v1,", absl::Base64Escape(absl::string_view(
                                 reinterpret_cast<const char*>(mac.data()), mac.size())));
}

absl::Status VerifyStandardWebhooksSignature(const WebhookRequest& request,
                                             const std::vector<std::string>& secrets,
                                             absl::Duration tolerance, Verification* verified,
                                             absl::string_view header_prefix) {
  const std::string id_header = absl::StrCat(header_prefix, "-id");
  const std::string timestamp_header = absl::StrCat(header_prefix, "-timestamp");
  const std::string signature_header = absl::StrCat(header_prefix, "-signature");
  const absl::string_view* id = nullptr;
  const absl::string_view* timestamp = nullptr;
  const absl::string_view* signature = nullptr;
  HB_ASSIGN_OR_RETURN(id, request.FindUniqueHeader(id_header));
  HB_ASSIGN_OR_RETURN(timestamp, request.FindUniqueHeader(timestamp_header));
  HB_ASSIGN_OR_RETURN(signature, request.FindUniqueHeader(signature_header));
  if (id == nullptr)
    return absl::UnauthenticatedError(absl::StrCat("missing ", id_header, " header"));
  if (timestamp == nullptr) {
    return absl::UnauthenticatedError(absl::StrCat("missing ", timestamp_header, " header"));
  }
  if (signature == nullptr) {
    return absl::UnauthenticatedError(absl::StrCat("missing ", signature_header, " header"));
  }
  absl::StatusOr<absl::Time> signed_at = ParseUnixSeconds(*timestamp, timestamp_header);
  if (!signed_at.ok()) return signed_at.status();

  std::vector<Sha256Digest> candidates;
  for (absl::string_view entry : absl::StrSplit(*signature, ' ', absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&entry, "v1,")) continue;  // other schemes (e.g. v1a) are not ours
    std::string raw;
    Sha256Digest digest{};
    if (absl::Base64Unescape(entry, &raw) && raw.size() == digest.size()) {
      std::copy(raw.begin(), raw.end(), digest.begin());
      candidates.push_back(digest);
    }
  }
  if (candidates.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat(signature_header, " has no \"v1,<base64 HMAC-SHA256>\" entry"));
  }
  SecretMatch match;
  for (const std::string& secret : secrets) {
    absl::StatusOr<std::string> key = StandardWebhooksKey(secret);
    if (!key.ok()) {  // rejected when the config was loaded
      match.Add(false);
      continue;
    }
    const Sha256Digest expected = HmacSha256(*key, {*id, ".", *timestamp, ".", request.body});
    bool matched = false;
    for (const Sha256Digest& candidate : candidates) matched |= DigestsEqual(candidate, expected);
    match.Add(matched);
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  HB_RETURN_IF_ERROR(CheckTimestampTolerance(*signed_at, request.received_at, tolerance));
  if (verified != nullptr) {
    verified->secret_index = match.index();
    verified->signed_at = *signed_at;
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
