#include "bridge/providers/hmac/hmac_signature.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bridge/providers/timestamp.h"

namespace hookbridge {
namespace {

absl::string_view EncodingName(HmacSignatureSpec::Encoding encoding) {
  return encoding == HmacSignatureSpec::Encoding::kHex ? "hex" : "base64";
}

// The signed content's pieces for `request`, in order.
std::vector<absl::string_view> Pieces(const HmacSignatureSpec& spec, const WebhookRequest& request,
                                      absl::string_view path, absl::string_view timestamp) {
  std::vector<absl::string_view> pieces;
  pieces.reserve(spec.signed_content.size());
  for (const SignedPart& part : spec.signed_content) {
    switch (part.kind) {
      case SignedPart::Kind::kLiteral:
        pieces.push_back(part.text);
        break;
      case SignedPart::Kind::kMethod:
        pieces.push_back(request.method);
        break;
      case SignedPart::Kind::kPath:
        pieces.push_back(path);
        break;
      case SignedPart::Kind::kTimestamp:
        pieces.push_back(timestamp);
        break;
      case SignedPart::Kind::kBody:
        pieces.push_back(request.body);
        break;
    }
  }
  return pieces;
}

std::string Mac(const HmacSignatureSpec& spec, absl::string_view secret,
                const std::vector<absl::string_view>& pieces) {
  // Hmac takes an initializer list: templates have few pieces, so they are
  // joined first only when there are more than four.
  switch (pieces.size()) {
    case 1:
      return Hmac(spec.algorithm, secret, {pieces[0]});
    case 2:
      return Hmac(spec.algorithm, secret, {pieces[0], pieces[1]});
    case 3:
      return Hmac(spec.algorithm, secret, {pieces[0], pieces[1], pieces[2]});
    case 4:
      return Hmac(spec.algorithm, secret, {pieces[0], pieces[1], pieces[2], pieces[3]});
    default: {
      std::string joined;
      for (absl::string_view piece : pieces) joined.append(piece.data(), piece.size());
      return Hmac(spec.algorithm, secret, {joined});
    }
  }
}

}  // namespace

absl::StatusOr<std::vector<SignedPart>> ParseSignedTemplate(absl::string_view text,
                                                            bool has_timestamp) {
  std::vector<SignedPart> parts;
  bool body = false;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) parts.push_back({SignedPart::Kind::kLiteral, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') {
      return absl::InvalidArgumentError(
          absl::StrCat("a \"}\" at position ", i, " closes no placeholder"));
    }
    if (text[i] != '{') {
      literal.push_back(text[i]);
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("the \"{\" at position ", i, " is not closed"));
    }
    const absl::string_view name = text.substr(i + 1, close - i - 1);
    SignedPart::Kind kind;
    if (name == "method") {
      kind = SignedPart::Kind::kMethod;
    } else if (name == "path") {
      kind = SignedPart::Kind::kPath;
    } else if (name == "timestamp") {
      if (!has_timestamp) {
        return absl::InvalidArgumentError("{timestamp} needs a timestamp_header");
      }
      kind = SignedPart::Kind::kTimestamp;
    } else if (name == "body") {
      kind = SignedPart::Kind::kBody;
      body = true;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown placeholder {", name, "} (expected {method}, {path}, {timestamp} or {body})"));
    }
    flush();
    parts.push_back({kind, ""});
    i = close;
  }
  flush();
  if (!body) {
    return absl::InvalidArgumentError(
        "the signed content must include {body}: a signature that does not cover the body lets "
        "anyone change it");
  }
  return parts;
}

std::string HmacSignature(const HmacSignatureSpec& spec, absl::string_view secret,
                          const WebhookRequest& request, absl::string_view path) {
  absl::string_view timestamp;
  if (!spec.timestamp_header.empty()) {
    if (const absl::string_view* t = request.FindHeader(spec.timestamp_header)) timestamp = *t;
  }
  const std::string mac = Mac(spec, secret, Pieces(spec, request, path, timestamp));
  return absl::StrCat(spec.prefix, spec.encoding == HmacSignatureSpec::Encoding::kHex
                                       ? HexEncodeBytes(mac)
                                       : absl::Base64Escape(mac));
}

absl::Status VerifyHmacSignature(const HmacSignatureSpec& spec, const WebhookRequest& request,
                                 absl::string_view path, const std::vector<std::string>& secrets,
                                 absl::Duration tolerance, Verification* verified) {
  verified->scheme = spec.scheme;
  absl::StatusOr<const absl::string_view*> found = request.FindUniqueHeader(spec.header);
  if (!found.ok()) return found.status();
  if (*found == nullptr) {
    return absl::UnauthenticatedError(absl::StrCat("missing ", spec.header, " header"));
  }
  absl::string_view encoded = **found;
  if (!absl::ConsumePrefix(&encoded, spec.prefix)) {
    return absl::UnauthenticatedError(
        absl::StrCat(spec.header, " does not start with \"", spec.prefix, "\""));
  }
  std::string sent;
  const bool decoded = spec.encoding == HmacSignatureSpec::Encoding::kHex
                           ? HexDecode(encoded, &sent)
                           : absl::Base64Unescape(encoded, &sent);
  if (!decoded || sent.size() != MacSize(spec.algorithm)) {
    return absl::UnauthenticatedError(
        absl::StrCat(spec.header, " is not ", spec.prefix.empty() ? "" : "\"", spec.prefix,
                     spec.prefix.empty() ? "" : "\" and ", "the ", EncodingName(spec.encoding),
                     " of a ", MacSize(spec.algorithm), "-byte HMAC"));
  }
  absl::string_view timestamp;
  if (!spec.timestamp_header.empty()) {
    absl::StatusOr<const absl::string_view*> t = request.FindUniqueHeader(spec.timestamp_header);
    if (!t.ok()) return t.status();
    if (*t == nullptr) {
      return absl::UnauthenticatedError(absl::StrCat("missing ", spec.timestamp_header, " header"));
    }
    timestamp = **t;
  }
  const std::vector<absl::string_view> pieces = Pieces(spec, request, path, timestamp);
  SecretMatch match;
  for (const std::string& secret : secrets) {
    match.Add(ConstantTimeEquals(sent, Mac(spec, secret, pieces)));
  }
  if (!match.matched()) {
    return absl::UnauthenticatedError("signature mismatch: no configured secret matches");
  }
  verified->secret_index = match.index();
  if (!spec.timestamp_header.empty()) {
    // Checked once the signature is known good: a forged request learns
    // nothing about the tolerance.
    absl::StatusOr<absl::Time> signed_at = spec.timestamp_in_milliseconds
                                               ? ParseUnixMillis(timestamp, spec.timestamp_header)
                                               : ParseUnixSeconds(timestamp, spec.timestamp_header);
    if (!signed_at.ok()) return signed_at.status();
    verified->signed_at = *signed_at;
    return CheckTimestampTolerance(*signed_at, request.received_at, tolerance);
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
