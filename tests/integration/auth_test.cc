// Subscriber authentication and authorization on the real binary: tokens
// configured by their SHA-256, each with a grant; no or unknown token is
// UNAUTHENTICATED, a request outside the grant PERMISSION_DENIED (never a
// narrowed stream); every outcome counted per token.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bridge/crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "auth-test-secret";
constexpr char kPath[] = "/webhooks/ckeditor";
constexpr char kCommentsToken[] = "comments-reader-token";
constexpr char kAuditToken[] = "audit-token";

std::string Body(const std::string& type, int n) {
  return absl::StrCat(R"({"event":")", type, R"(","environment_id":"environment-1","payload":{)",
                      R"("document":{"id":"doc-)", n, R"("},"comment":{"id":"c-)", n,
                      R"("},"suggestion":{"id":"s-)", n,
                      R"("}},"sent_at":"2026-11-22T10:00:00Z"})");
}

v1::SubscribeRequest Request(std::vector<std::string> sources, std::vector<std::string> types) {
  v1::SubscribeRequest request;
  request.set_earliest(true);
  for (const std::string& s : sources) request.add_sources(s);
  for (const std::string& t : types) request.add_types(t);
  return request;
}

std::string AuthSeries(const std::string& token, const std::string& outcome) {
  return absl::StrCat("hookbridge_subscriber_auth_total{outcome=\"", outcome, "\",token=\"", token,
                      "\"}");
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The audit token's hash comes from the environment, as a deployment
    // would pass it from a secret.
    const std::string yaml = CkeditorConfig(
        kSecret, AuthSection({{"comments", kCommentsToken, "[ckeditor]", "[\"comment.*\"]"},
                              {"audit", "unused", "[\"*\"]", "[\"*\"]"}}));
    const std::string audit_hash = HexEncode(Sha256({kAuditToken}));
    std::string with_env = yaml;
    const std::string unused_hash = HexEncode(Sha256({"unused"}));
    with_env.replace(with_env.find(unused_hash), unused_hash.size(), "${AUDIT_TOKEN_SHA256}");
    process_ = HookbridgeProcess::Start(with_env, {{"AUDIT_TOKEN_SHA256", audit_hash}});
    ASSERT_NE(process_, nullptr);
    http_ = std::make_unique<HttpClient>(process_->http_port());
    ASSERT_EQ(http_->PostSigned(kPath, Body("suggestion.added", 1), kSecret).status, 200);
    ASSERT_EQ(http_->PostSigned(kPath, Body("comment.added", 2), kSecret).status, 200);
  }

  double Metric(const std::string& series) { return MetricValue(process_->admin_port(), series); }

  // Opens a stream and returns how it ended (it must end: refused).
  grpc::Status Refused(const v1::SubscribeRequest& request, const std::string& token) {
    Subscriber subscriber(process_->grpc_target(), request, grpc::ChannelArguments(), token);
    EXPECT_EQ(subscriber.start_after(), "") << "the stream was established";
    v1::Event event;
    EXPECT_FALSE(subscriber.Read(&event)) << "an event was delivered: " << event.type();
    return subscriber.Finish();
  }

  std::unique_ptr<HookbridgeProcess> process_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(AuthTest, NoTokenIsUnauthenticatedAndCounted) {
  grpc::Status status = Refused(Request({}, {}), /*token=*/"");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), HasSubstr("authorization: Bearer <token>"));
  EXPECT_EQ(Metric(AuthSeries("_none", "missing")), 1);
  EXPECT_EQ(Metric(AuthSeries("_none", "unknown")), 0);
}

TEST_F(AuthTest, UnknownOrMalformedTokenIsUnauthenticated) {
  // The hash itself is not the token, nor is another service's token.
  for (const std::string& token : {std::string("not-a-configured-token"),
                                   HexEncode(Sha256({kAuditToken})), std::string(kTestToken)}) {
    grpc::Status status = Refused(Request({}, {}), token);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
    EXPECT_THAT(status.error_message(), HasSubstr("unknown token"));
  }
  EXPECT_EQ(Metric(AuthSeries("_none", "unknown")), 3);
}

TEST_F(AuthTest, RequestOutsideTheGrantIsDeniedNotNarrowed) {
  struct Case {
    std::vector<std::string> sources;
    std::vector<std::string> types;
    std::string reason;
  };
  const Case cases[] = {
      {{"ckeditor"}, {}, "may only read types [comment.*]"},  // "every type"
      {{"ckeditor"}, {"*"}, "may not read types \"*\""},
      {{"ckeditor"}, {"comment.*", "suggestion.added"}, "\"suggestion.added\""},
      {{}, {"comment.*"}, "may only read sources [ckeditor]"},  // "every source"
      {{"ckeditor", "billing"}, {"comment.*"}, "may not read source \"billing\""},
  };
  for (const Case& c : cases) {
    grpc::Status status = Refused(Request(c.sources, c.types), kCommentsToken);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << c.reason;
    EXPECT_THAT(status.error_message(), HasSubstr(c.reason));
  }
  EXPECT_EQ(Metric(AuthSeries("comments", "denied")), std::size(cases));
  EXPECT_EQ(Metric(AuthSeries("comments", "ok")), 0);
}

TEST_F(AuthTest, RequestInsideTheGrantStreamsOnlyGrantedEvents) {
  Subscriber comments(process_->grpc_target(), Request({"ckeditor"}, {"comment.added"}),
                      grpc::ChannelArguments(), kCommentsToken);
  EXPECT_EQ(comments.start_after(), "0");
  std::vector<v1::Event> events = comments.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), "comment.added");
  EXPECT_EQ(events[0].sequence(), 2u);
  EXPECT_EQ(Metric(AuthSeries("comments", "ok")), 1);

  // A full grant (its hash taken from the environment) may ask for
  // everything.
  Subscriber audit(process_->grpc_target(), Request({}, {}), grpc::ChannelArguments(), kAuditToken);
  std::vector<v1::Event> all = audit.ReadN(2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type(), "suggestion.added");
  EXPECT_EQ(all[1].type(), "comment.added");
  EXPECT_EQ(Metric(AuthSeries("audit", "ok")), 1);
  EXPECT_EQ(Metric("hookbridge_subscribers"), 2);
}

TEST_F(AuthTest, ListEventTypesNeedsAToken) {
  auto stub = v1::EventBridgeService::NewStub(
      grpc::CreateChannel(process_->grpc_target(), grpc::InsecureChannelCredentials()));
  v1::ListEventTypesResponse response;
  grpc::ClientContext anonymous;
  EXPECT_EQ(stub->ListEventTypes(&anonymous, v1::ListEventTypesRequest(), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext authorized;
  AddBearer(&authorized, kCommentsToken);
  EXPECT_TRUE(stub->ListEventTypes(&authorized, v1::ListEventTypesRequest(), &response).ok());
  EXPECT_GT(response.providers_size(), 0);
}

TEST(AuthDisabledTest, AnyoneMaySubscribeAndTheStartIsLogged) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret, "auth: { enabled: false }\n"));
  ASSERT_NE(process, nullptr);
  EXPECT_THAT(process->Stderr(), HasSubstr("subscriber authentication is disabled"));
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, Body("comment.added", 1), kSecret).status, 200);
  Subscriber anonymous(process->grpc_target(), Request({}, {}), grpc::ChannelArguments(), "");
  EXPECT_EQ(anonymous.ReadN(1).size(), 1u);
}

TEST(AuthNoTokensTest, EverySubscribeIsRefusedAndTheStartWarns) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret, "auth: { tokens: [] }\n"));
  ASSERT_NE(process, nullptr);
  EXPECT_THAT(process->Stderr(), HasSubstr("no tokens are configured"));
  Subscriber subscriber(process->grpc_target(), Request({}, {}));
  v1::Event event;
  EXPECT_FALSE(subscriber.Read(&event));
  EXPECT_EQ(subscriber.Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(MintTokenTest, PrintsATokenThatTheConfigEntryAccepts) {
  CommandResult minted = RunCommand({BinaryPath("hookbridge"), "--mint-token", "indexer"});
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  // The token is on the line after "token ...:", indented.
  const size_t at = minted.out.find(":\n  ");
  ASSERT_NE(at, std::string::npos) << minted.out;
  const std::string token = minted.out.substr(at + 4, minted.out.find('\n', at + 4) - at - 4);
  ASSERT_GE(token.size(), 43u) << minted.out;
  const size_t entry = minted.out.find("  - name: indexer\n");
  ASSERT_NE(entry, std::string::npos) << minted.out;
  EXPECT_THAT(minted.out, HasSubstr(HexEncode(Sha256({token}))));

  // The printed entry, pasted into a config, accepts the printed token.
  std::string entry_yaml = minted.out.substr(entry);
  auto process =
      HookbridgeProcess::Start(CkeditorConfig(kSecret, "auth:\n  tokens:\n" + entry_yaml));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, Body("comment.added", 1), kSecret).status, 200);
  Subscriber subscriber(process->grpc_target(), Request({}, {}), grpc::ChannelArguments(), token);
  EXPECT_EQ(subscriber.ReadN(1).size(), 1u);
}

}  // namespace
}  // namespace hookbridge::testing
