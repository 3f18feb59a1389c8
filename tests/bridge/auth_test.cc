#include "bridge/auth.h"

#include <string>

#include "absl/strings/match.h"
#include "bridge/crypto.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

TokenConfig Token(std::string name, const std::string& token, std::vector<std::string> sources,
                  std::vector<std::string> types) {
  return TokenConfig{std::move(name), HexEncode(Sha256({token})), std::move(sources),
                     std::move(types)};
}

v1::SubscribeRequest Request(std::vector<std::string> sources, std::vector<std::string> types) {
  v1::SubscribeRequest request;
  for (const std::string& s : sources) request.add_sources(s);
  for (const std::string& t : types) request.add_types(t);
  return request;
}

std::unique_ptr<Authorizer> MakeAuthorizer(std::vector<TokenConfig> tokens, bool enabled = true) {
  AuthConfig config;
  config.enabled = enabled;
  config.tokens = std::move(tokens);
  absl::StatusOr<std::unique_ptr<Authorizer>> authorizer = Authorizer::Create(config);
  EXPECT_TRUE(authorizer.ok()) << authorizer.status();
  return authorizer.ok() ? *std::move(authorizer) : nullptr;
}

std::string Bearer(const std::string& token) { return "Bearer " + token; }

TEST(AuthenticateTest, KnownTokenGetsItsGrant) {
  auto authorizer = MakeAuthorizer(
      {Token("reader", "secret-a", {"*"}, {"*"}), Token("docs", "secret-b", {"docs"}, {"*"})});
  const std::string header = Bearer("secret-b");
  absl::StatusOr<const Grant*> grant = authorizer->Authenticate(&header);
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ((*grant)->name, "docs");
  EXPECT_EQ((*grant)->sources, std::vector<std::string>{"docs"});
}

TEST(AuthenticateTest, SchemeIsCaseInsensitiveAndSpacesAroundTheTokenAreIgnored) {
  auto authorizer = MakeAuthorizer({Token("reader", "secret-a", {"*"}, {"*"})});
  for (const char* raw : {"bearer secret-a", "BEARER secret-a", "Bearer  secret-a "}) {
    const std::string header = raw;
    EXPECT_TRUE(authorizer->Authenticate(&header).ok()) << header;
  }
}

TEST(AuthenticateTest, MissingMalformedAndUnknownAreUnauthenticated) {
  auto authorizer = MakeAuthorizer({Token("reader", "secret-a", {"*"}, {"*"})});
  absl::StatusOr<const Grant*> missing = authorizer->Authenticate(nullptr);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "missing"));
  for (const char* raw : {"", "secret-a", "Basic secret-a", "Bearer", "Bearer ", "Bearer secret-b",
                          "Bearer SECRET-A", "Bearer secret-a2"}) {
    const std::string header = raw;
    absl::StatusOr<const Grant*> grant = authorizer->Authenticate(&header);
    EXPECT_EQ(grant.status().code(), absl::StatusCode::kUnauthenticated) << header;
  }
}

TEST(AuthenticateTest, TheHashNotTheTokenIsMatched) {
  // A config that holds the token itself instead of its hash grants nothing.
  AuthConfig config;
  config.tokens.push_back(TokenConfig{"wrong", std::string(64, 'a'), {"*"}, {"*"}});
  auto authorizer = *Authorizer::Create(config);
  const std::string header = Bearer(std::string(64, 'a'));
  EXPECT_FALSE(authorizer->Authenticate(&header).ok());
}

TEST(AuthenticateTest, DisabledGrantsEverythingWithoutAToken) {
  auto authorizer = MakeAuthorizer({}, /*enabled=*/false);
  absl::StatusOr<const Grant*> grant = authorizer->Authenticate(nullptr);
  ASSERT_TRUE(grant.ok());
  EXPECT_TRUE(Authorizer::Authorize(**grant, Request({}, {})).ok());
}

TEST(AuthorizerCreateTest, DuplicateNamesAndHashesAndBadPatternsAreRefused) {
  AuthConfig config;
  config.tokens = {Token("a", "x", {"*"}, {"*"}), Token("a", "y", {"*"}, {"*"})};
  absl::StatusOr<std::unique_ptr<Authorizer>> dup_name = Authorizer::Create(config);
  ASSERT_FALSE(dup_name.ok());
  EXPECT_TRUE(absl::StrContains(dup_name.status().message(), "auth.tokens[1].name"));

  config.tokens = {Token("a", "x", {"*"}, {"*"}), Token("b", "x", {"*"}, {"*"})};
  absl::StatusOr<std::unique_ptr<Authorizer>> dup_hash = Authorizer::Create(config);
  ASSERT_FALSE(dup_hash.ok());
  EXPECT_TRUE(absl::StrContains(dup_hash.status().message(), "auth.tokens[1].sha256"));

  config.tokens = {Token("a", "x", {"*"}, {"comment .added"})};
  absl::StatusOr<std::unique_ptr<Authorizer>> bad = Authorizer::Create(config);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "auth.tokens[0].types[0]"));
}

TEST(AuthorizerCreateTest, TokenNamesAreSorted) {
  auto authorizer =
      MakeAuthorizer({Token("zeta", "1", {"*"}, {"*"}), Token("alpha", "2", {"*"}, {"*"})});
  EXPECT_EQ(authorizer->TokenNames(), (std::vector<std::string>{"alpha", "zeta"}));
}

TEST(AuthorizeTest, FullGrantAllowsAnyRequest) {
  Grant grant{"all", {"*"}, {"*"}};
  EXPECT_TRUE(Authorizer::Authorize(grant, Request({}, {})).ok());
  EXPECT_TRUE(Authorizer::Authorize(grant, Request({"a", "b"}, {"*", "x.*"})).ok());
}

TEST(AuthorizeTest, SourceGrant) {
  Grant grant{"docs", {"docs", "assets"}, {"*"}};
  EXPECT_TRUE(Authorizer::Authorize(grant, Request({"docs"}, {})).ok());
  EXPECT_TRUE(Authorizer::Authorize(grant, Request({"assets", "docs"}, {"comment.*"})).ok());
  // Outside the grant: refused and named, never narrowed.
  absl::Status other = Authorizer::Authorize(grant, Request({"docs", "billing"}, {}));
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(other.message(), "\"billing\"")) << other;
  // No source list means every source, which is more than the grant.
  absl::Status all = Authorizer::Authorize(grant, Request({}, {}));
  EXPECT_EQ(all.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(all.message(), "may only read sources [docs, assets]")) << all;
}

TEST(AuthorizeTest, TypeGrantCoversExactNamesPatternsAndNarrowerPrefixes) {
  Grant grant{"comments", {"*"}, {"comment.*", "document.removed", "*.deleted"}};
  const char* allowed[] = {"comment.added", "comment.*", "comment.thread.*", "document.removed",
                           "file.deleted"};
  for (const char* type : allowed) {
    EXPECT_TRUE(Authorizer::Authorize(grant, Request({}, {type})).ok()) << type;
  }
  // Wider than, or beside, the grant. "*.deleted" does not cover the pattern
  // "file.*" (which also matches file.created), and a pattern is never
  // assumed to be covered by a suffix pattern.
  const char* denied[] = {"*", "comm*", "document.*", "document.added", "file.*", "x*.deleted"};
  for (const char* type : denied) {
    absl::Status status = Authorizer::Authorize(grant, Request({}, {type}));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << type;
  }
  EXPECT_EQ(Authorizer::Authorize(grant, Request({}, {})).code(),
            absl::StatusCode::kPermissionDenied);
  // One type outside the grant refuses the whole request.
  EXPECT_EQ(Authorizer::Authorize(grant, Request({}, {"comment.added", "user.created"})).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(MintTokenTest, TokensAreRandomUrlSafeAndHashed) {
  MintedToken a = MintToken();
  MintedToken b = MintToken();
  EXPECT_NE(a.token, b.token);
  EXPECT_GE(a.token.size(), 43u);  // 256 bits
  EXPECT_EQ(
      a.token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(a.sha256, HexEncode(Sha256({a.token})));
  // What --mint-token prints is what Authenticate accepts.
  auto authorizer = MakeAuthorizer({TokenConfig{"minted", a.sha256, {"*"}, {"*"}}});
  const std::string header = Bearer(a.token);
  EXPECT_TRUE(authorizer->Authenticate(&header).ok());
}

}  // namespace
}  // namespace hookbridge
