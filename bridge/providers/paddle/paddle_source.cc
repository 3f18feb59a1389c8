#include "bridge/providers/paddle/paddle_source.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/crypto.h"
#include "bridge/providers/generic/generic_source.h"
#include "bridge/providers/timestamp.h"

namespace hookbridge {
namespace {

constexpr char kHeader[] = "Paddle-Signature";

absl::string_view PaddleTimestamp(const WebhookRequest& request) {
  absl::string_view ts;
  if (const absl::string_view* header = request.FindHeader(kHeader)) {
    for (absl::string_view item : absl::StrSplit(*header, ';')) {
      item = absl::StripAsciiWhitespace(item);
      if (absl::ConsumePrefix(&item, "ts=")) ts = item;
    }
  }
  return ts;
}

absl::Status VerifyPaddle(const WebhookRequest& request, absl::string_view,
                          const std::vector<std::string>& secrets, absl::Duration tolerance,
                          Verification* verified) {
  absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader(kHeader);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return absl::UnauthenticatedError("missing Paddle-Signature header");
  absl::string_view ts;
  int timestamps = 0;
  std::vector<Sha256Digest> candidates;
  for (absl::string_view item : absl::StrSplit(**found, ';')) {
    item = absl::StripAsciiWhitespace(item);
    if (absl::ConsumePrefix(&item, "ts=")) {
      ts = item;
      ++timestamps;
    } else if (absl::ConsumePrefix(&item, "h1=")) {
      Sha256Digest digest{};
      if (HexDecodeDigest(item, &digest)) candidates.push_back(digest);
    }
  }
  if (timestamps != 1) {
    return absl::UnauthenticatedError("Paddle-Signature must carry exactly one ts=");
  }
  if (candidates.empty()) {
    return absl::UnauthenticatedError("Paddle-Signature has no h1=<64 hex digits> entry");
  }
  absl::StatusOr<absl::Time> signed_at = ParseUnixSeconds(ts, "Paddle-Signature ts");
  if (!signed_at.ok()) return signed_at.status();
  SecretMatch match;
  for (const std::string& secret : secrets) {
    const Sha256Digest expected = HmacSha256(secret, {ts, ":", request.body});
    bool matched = false;
    for (const Sha256Digest& candidate : candidates) matched |= DigestsEqual(candidate, expected);
    match.Add(matched);
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  verified->secret_index = match.index();
  verified->signed_at = *signed_at;
  return CheckTimestampTolerance(*signed_at, request.received_at, tolerance);
}

}  // namespace

const Catalog kPaddleCatalog = {v1::PROVIDER_PADDLE, "", {}, {}};

absl::StatusOr<std::unique_ptr<Source>> CreatePaddleSource(const SourceConfig& config) {
  GenericScheme scheme;
  scheme.name = "paddle-h1";
  scheme.verify = &VerifyPaddle;
  scheme.timestamp = &PaddleTimestamp;
  scheme.event_type = {FieldLocation("event_type")};
  scheme.delivery_id = {FieldLocation("event_id")};
  scheme.subject = {FieldLocation("data.id")};
  return CreateGenericSource("paddle", std::move(scheme), config);
}

TestSignature SignPaddleRequest(absl::string_view secret, const WebhookRequest& request) {
  TestSignature out;
  std::string ts(PaddleTimestamp(request));
  out.used_request_timestamp = !ts.empty();
  if (ts.empty()) ts = absl::StrCat(absl::ToUnixSeconds(request.received_at));
  out.headers = {{kHeader, absl::StrCat("ts=", ts, ";h1=",
                                        HexEncode(HmacSha256(secret, {ts, ":", request.body})))}};
  return out;
}

}  // namespace hookbridge
