#include "bridge/auth.h"

#include <openssl/rand.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "bridge/check.h"
#include "bridge/filter.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kAll = "*";

bool GrantsAll(const std::vector<std::string>& list) {
  for (const std::string& entry : list) {
    if (entry == kAll) return true;
  }
  return false;
}

// Whether every event type `requested` can match is matched by one of the
// grant's patterns. Decided conservatively: when in doubt, no.
bool Covers(const std::vector<std::string>& grant, absl::string_view requested) {
  const bool requested_is_exact = !absl::StrContains(requested, '*');
  for (const std::string& pattern : grant) {
    if (pattern == kAll || pattern == requested) return true;
    // "prefix*" covers anything, pattern or name, that starts with prefix.
    if (pattern.find('*') == pattern.size() - 1 &&
        absl::StartsWith(requested, absl::string_view(pattern).substr(0, pattern.size() - 1))) {
      return true;
    }
    if (requested_is_exact) {
      absl::StatusOr<TypePattern> glob = TypePattern::Parse(pattern);
      if (glob.ok() && glob->Matches(requested)) return true;
    }
  }
  return false;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::Create(const AuthConfig& config) {
  std::unique_ptr<Authorizer> authorizer(new Authorizer());
  authorizer->enabled_ = config.enabled;
  authorizer->everything_ = Grant{"_auth_disabled",
                                  {std::string(kAll)},
                                  {std::string(kAll)},
                                  {std::string(kAll)},
                                  /*manage_consumers=*/true};
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < config.tokens.size(); ++i) {
    const TokenConfig& token = config.tokens[i];
    const std::string path = absl::StrCat("auth.tokens[", i, "]");
    if (!names.insert(token.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".name: duplicate token name \"", token.name, "\""));
    }
    for (size_t j = 0; j < token.types.size(); ++j) {
      if (absl::StatusOr<TypePattern> p = TypePattern::Parse(token.types[j]); !p.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".types[", j, "]: ", p.status().message()));
      }
    }
    Grant grant{token.name, token.sources, token.types, token.consumers, token.manage_consumers};
    if (!authorizer->grants_.emplace(token.sha256, std::move(grant)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".sha256: the same token is configured twice"));
    }
  }
  return authorizer;
}

absl::Status Authorizer::AuthorizeConsumer(const Grant& grant, const std::string& name,
                                           const v1::SubscribeRequest& filter, bool manage) {
  if (manage && !grant.manage_consumers) {
    return absl::PermissionDeniedError(absl::StrCat(
        "token \"", grant.name, "\" may not manage consumers (auth.tokens[].manage_consumers)"));
  }
  if (!GrantsAll(grant.consumers) &&
      std::find(grant.consumers.begin(), grant.consumers.end(), name) == grant.consumers.end()) {
    return absl::PermissionDeniedError(absl::StrCat("token \"", grant.name,
                                                    "\" may not use consumer \"", name,
                                                    "\" (auth.tokens[].consumers)"));
  }
  if (absl::Status inside = Authorize(grant, filter); !inside.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("consumer \"", name, "\" reads more than the token may: ", inside.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<const Grant*> Authorizer::Authenticate(const std::string* authorization) const {
  if (!enabled_) return &everything_;
  if (authorization == nullptr || authorization->empty()) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <token>\" metadata");
  }
  const std::optional<absl::string_view> token = BearerToken(*authorization);
  if (!token.has_value()) {
    return absl::UnauthenticatedError("authorization metadata is not \"Bearer <token>\"");
  }
  auto it = grants_.find(HexEncode(Sha256({*token})));
  if (token->empty() || it == grants_.end()) return absl::UnauthenticatedError("unknown token");
  return &it->second;
}

std::optional<absl::string_view> BearerToken(absl::string_view authorization) {
  if (!absl::StartsWithIgnoreCase(authorization, "Bearer ")) return std::nullopt;
  authorization.remove_prefix(7);
  return absl::StripAsciiWhitespace(authorization);
}

absl::Status Authorizer::Authorize(const Grant& grant, const v1::SubscribeRequest& request) {
  if (!GrantsAll(grant.sources)) {
    if (request.sources().empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat("token \"", grant.name, "\" may only read sources [",
                       absl::StrJoin(grant.sources, ", "), "]: name them in `sources`"));
    }
    for (const std::string& source : request.sources()) {
      if (std::find(grant.sources.begin(), grant.sources.end(), source) == grant.sources.end()) {
        return absl::PermissionDeniedError(
            absl::StrCat("token \"", grant.name, "\" may not read source \"", source, "\""));
      }
    }
  }
  if (!GrantsAll(grant.types)) {
    if (request.types().empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat("token \"", grant.name, "\" may only read types [",
                       absl::StrJoin(grant.types, ", "), "]: name them in `types`"));
    }
    for (const std::string& type : request.types()) {
      if (!Covers(grant.types, type)) {
        return absl::PermissionDeniedError(
            absl::StrCat("token \"", grant.name, "\" may not read types \"", type, "\""));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> Authorizer::TokenNames() const {
  std::vector<std::string> names;
  for (const auto& [hash, grant] : grants_) names.push_back(grant.name);
  std::sort(names.begin(), names.end());
  return names;
}

MintedToken MintToken() {
  unsigned char bytes[32];
  HB_CHECK(RAND_bytes(bytes, sizeof bytes) == 1);
  MintedToken minted;
  minted.token = absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  minted.sha256 = HexEncode(Sha256({minted.token}));
  return minted;
}

}  // namespace hookbridge
