#include "bridge/providers/discord/discord_source.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bridge/crypto.h"
#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/timestamp.h"

namespace hookbridge {
namespace {

constexpr char kSignature[] = "X-Signature-Ed25519";
constexpr char kTimestamp[] = "X-Signature-Timestamp";

absl::Status VerifyDiscord(const WebhookRequest& request, absl::string_view,
                           const std::vector<std::string>& secrets, absl::Duration tolerance,
                           Verification* verified) {
  const absl::string_view* signature = nullptr;
  const absl::string_view* timestamp = nullptr;
  {
    absl::StatusOr<const absl::string_view*> s = request.FindUniqueHeader(kSignature);
    if (!s.ok()) return s.status();
    absl::StatusOr<const absl::string_view*> t = request.FindUniqueHeader(kTimestamp);
    if (!t.ok()) return t.status();
    signature = *s;
    timestamp = *t;
  }
  if (signature == nullptr) return absl::UnauthenticatedError("missing X-Signature-Ed25519 header");
  if (timestamp == nullptr) {
    return absl::UnauthenticatedError("missing X-Signature-Timestamp header");
  }
  std::string sent;
  if (!HexDecode(*signature, &sent) || sent.size() != 64) {
    return absl::UnauthenticatedError(
        "X-Signature-Ed25519 is not the 128-digit hex of an Ed25519 signature");
  }
  SecretMatch match;
  for (const std::string& key : secrets) {
    std::string public_key;
    match.Add(HexDecode(key, &public_key) &&
              VerifyEd25519(public_key, sent, {*timestamp, request.body}));
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured public key verifies it");
  }
  verified->secret_index = match.index();
  absl::StatusOr<absl::Time> signed_at = ParseUnixSeconds(*timestamp, kTimestamp);
  if (!signed_at.ok()) return signed_at.status();
  verified->signed_at = *signed_at;
  return CheckTimestampTolerance(*signed_at, request.received_at, tolerance);
}

std::string TestSeed(absl::string_view secret) {
  const Sha256Digest seed = Sha256({"discord test key ", secret});
  return std::string(reinterpret_cast<const char*>(seed.data()), seed.size());
}

}  // namespace

const Catalog kDiscordCatalog = {v1::PROVIDER_DISCORD, "", {}, {}};

absl::Status ValidateDiscordSource(const SourceConfig& config) {
  for (size_t i = 0; i < config.secrets.size(); ++i) {
    std::string key;
    if (!HexDecode(config.secrets[i], &key) || key.size() != 32) {
      return absl::InvalidArgumentError(absl::StrCat(
          "secrets[", i,
          "]: a Discord source's secrets are the application's public key: 64 hex digits"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Source>> CreateDiscordSource(const SourceConfig& config) {
  GenericScheme scheme;
  scheme.name = "discord-ed25519";
  scheme.verify = &VerifyDiscord;
  scheme.timestamp = [](const WebhookRequest& request) {
    const absl::string_view* t = request.FindHeader(kTimestamp);
    return t != nullptr ? *t : absl::string_view();
  };
  scheme.event_type = {FieldLocation("event.type")};
  scheme.subject = {FieldLocation("application_id")};
  scheme.may_be_check = [](const WebhookRequest& request) {
    return !absl::StrContains(request.body, "\"event\"");
  };
  scheme.answer = [](const WebhookRequest&, const google::protobuf::Struct& body,
                     const std::vector<std::string>&,
                     const Verification&) -> absl::StatusOr<std::optional<ProviderAnswer>> {
    auto type = body.fields().find("type");
    if (type != body.fields().end() && type->second.has_number_value() &&
        type->second.number_value() == 0) {
      // A PING: Discord checks the URL with it when it is saved.
      return ProviderAnswer{204, "", "", "discord PING"};
    }
    return std::nullopt;
  };
  return CreateGenericSource("discord", std::move(scheme), config);
}

std::string DiscordTestPublicKey(absl::string_view secret) {
  return HexEncodeBytes(Ed25519PublicKey(TestSeed(secret)));
}

TestSignature SignDiscordRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  std::string timestamp;
  if (const absl::string_view* sent = request.FindHeader(kTimestamp)) {
    out.used_request_timestamp = true;
    timestamp = std::string(*sent);
  } else {
    timestamp = absl::StrCat(absl::ToUnixSeconds(request.received_at));
    out.headers.emplace_back(kTimestamp, timestamp);
  }
  out.headers.emplace_back(
      kSignature,
      HexEncodeBytes(SignEd25519(TestSeed(secret), absl::StrCat(timestamp, request.body))));
  return out;
}

}  // namespace hookbridge
