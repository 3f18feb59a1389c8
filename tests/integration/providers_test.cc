// Every provider through the real binary: real signed requests in, typed
// (or untyped, for generic providers) events out over gRPC.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bridge/crypto.h"
#include "bridge/providers/ckeditor/signature.h"
#include "bridge/providers/github/signature.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "bridge/providers/stripe/signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kCkeditorSecret[] = "ckeditor-secret";
constexpr char kDocspaceOldSecret[] = "docspace-rotated-out";
constexpr char kDocspaceSecret[] = "docspace-secret";
constexpr char kCandToken[] = "cand-token-0123456789abcdef";
constexpr char kStandardSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kGithubOldSecret[] = "github-old";
constexpr char kGithubSecret[] = "github-new";
constexpr char kStripeSecret[] = "whsec_test_secret";

std::string Config() {
  return LoopbackListeners() + absl::StrCat(R"(sources:
  - name: ckeditor
    provider: ckeditor-cloud-services
    secrets: [")",
                                            kCkeditorSecret, R"("]
  - name: docspace
    provider: onlyoffice-docspace
    secrets: [")",
                                            kDocspaceSecret, R"("]
  - name: cand
    provider: cand
    path_token: ")",
                                            kCandToken, R"("
  - name: svix
    provider: standard-webhooks
    secrets: [")",
                                            kStandardSecret, R"("]
  - name: gh
    provider: github
    secrets: [")",
                                            kGithubOldSecret, R"(", ")", kGithubSecret, R"("]
    subject: { field: repository.full_name }
  - name: stripe
    provider: stripe
    secrets: [")",
                                            kStripeSecret, R"("]
)");
}

// A DocSpace delivery of `trigger` about entity `id`, attempt `retry`,
// created `age` ago (older than dedup.window is refused as a replay).
std::string DocspaceBody(const std::string& trigger, int event_id, int id, int retry = 0,
                         absl::Duration age = absl::Minutes(1)) {
  return absl::StrCat(
      R"({"event":{"id":)", event_id, R"(,"createOn":")",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() - age, absl::UTCTimeZone()),
      R"(","createBy":"f0a1c3de-1111-2222-3333-444455556666","trigger":")", trigger,
      R"(","triggerId":128},"payload":{"id":)", id,
      R"(,"title":"Report.docx","folderId":7,"version":1},"webhook":{"id":3,"name":"hb","url":"https://hooks.example.com/webhooks/docspace","retryCount":)",
      retry, "}}");
}

std::string CandBody(const std::string& type, const std::string& id) {
  return absl::StrCat(
      R"({"module":"MOIM","type":")", type,
      R"(","context":{"originCommunityId":"origin-1","userId":"user-1","communityId":"community-1","profileId":"profile-1"},"payload":{"id":")",
      id, R"("}})");
}

std::string CkeditorBody(const std::string& type, int n) {
  return absl::StrCat(
      R"({"event":")", type,
      R"(","environment_id":"env-1","payload":{"document":{"id":"doc-1"},"comment":{"id":"c-)", n,
      R"("}},"sent_at":"2019-05-29T08:17:53.457Z"})");
}

class ProvidersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    process_ = HookbridgeProcess::Start(Config());
    ASSERT_NE(process_, nullptr);
    http_ = std::make_unique<HttpClient>(process_->http_port());
  }

  HttpResponse PostDocspace(const std::string& body, const std::string& secret = kDocspaceSecret) {
    // DocSpace sends the hex in uppercase.
    return http_->Send(
        "POST", "/webhooks/docspace", body,
        {{"Content-Type", "application/json"},
         {"x-docspace-signature-256",
          "sha256=" + absl::AsciiStrToUpper(HexEncode(HmacSha256(secret, {body})))}});
  }

  HttpResponse PostCand(const std::string& body, const std::string& token = kCandToken) {
    return http_->Send("POST", "/webhooks/cand/" + token, body,
                       {{"Content-Type", "application/json"}});
  }

  HttpResponse PostGithub(const std::string& event, const std::string& delivery,
                          const std::string& body, const std::string& secret = kGithubSecret) {
    return http_->Send("POST", "/webhooks/gh", body,
                       {{"Content-Type", "application/json"},
                        {"X-GitHub-Event", event},
                        {"X-GitHub-Delivery", delivery},
                        {"X-Hub-Signature-256", GithubSignature(secret, body)}});
  }

  double Metric(const std::string& series) { return MetricValue(process_->admin_port(), series); }

  std::vector<v1::Event> ReadAll(const std::string& source, int n) {
    v1::SubscribeRequest request;
    request.set_earliest(true);
    request.add_sources(source);
    Subscriber subscriber(process_->grpc_target(), request);
    return subscriber.ReadN(n);
  }

  std::unique_ptr<HookbridgeProcess> process_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(ProvidersTest, DocspaceHeadCheckSignatureRotationAndRedelivery) {
  // DocSpace checks the URL with HEAD before it saves a webhook.
  EXPECT_EQ(http_->Send("HEAD", "/webhooks/docspace").status, 200);

  HttpResponse first = PostDocspace(DocspaceBody("file.created", 101, 42));
  ASSERT_EQ(first.status, 200) << first.body;
  // A retry changes retryCount, so the body and signature differ, but the
  // delivery log id is the same: stored once.
  HttpResponse retry = PostDocspace(DocspaceBody("file.created", 101, 42, 1));
  EXPECT_EQ(retry.status, 200);
  EXPECT_THAT(retry.body, HasSubstr("\"outcome\":\"duplicate\""));
  // A secret rotated out of the config no longer verifies.
  HttpResponse old = PostDocspace(DocspaceBody("file.updated", 102, 42), kDocspaceOldSecret);
  EXPECT_EQ(old.status, 401);
  EXPECT_THAT(old.body, HasSubstr("no configured secret matches"));
  // An unknown trigger still arrives.
  ASSERT_EQ(PostDocspace(DocspaceBody("file.exploded", 103, 43)).status, 200);
  // DocSpace signs no timestamp: a delivery created longer ago than the
  // de-duplication window (7 days) could be a replay nothing recognises.
  HttpResponse replayed = PostDocspace(DocspaceBody("file.created", 104, 42, 0, absl::Hours(200)));
  EXPECT_EQ(replayed.status, 401);
  EXPECT_THAT(replayed.body, HasSubstr("\"outcome\":\"stale_timestamp\""));
  EXPECT_THAT(replayed.body, HasSubstr("8 days ago"));

  std::vector<v1::Event> events = ReadAll("docspace", 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id(), "101");
  EXPECT_EQ(events[0].type(), "file.created");
  EXPECT_EQ(events[0].subject(), "42");
  EXPECT_EQ(events[0].provider(), v1::PROVIDER_ONLYOFFICE_DOCSPACE);
  ASSERT_TRUE(events[0].has_docspace());
  EXPECT_TRUE(events[0].docspace().has_file());
  EXPECT_EQ(events[0].docspace().event().trigger(), "file.created");
  EXPECT_EQ(events[1].type(), "file.exploded");
  EXPECT_EQ(events[1].subject(), "43");
  EXPECT_TRUE(events[1].has_untyped());
  // The delivery metadata stays typed even when the payload is not.
  EXPECT_EQ(events[1].docspace().event().id(), 103);
  EXPECT_EQ(events[1].docspace().event().trigger(), "file.exploded");
  EXPECT_EQ(Metric("hookbridge_events_appended_total{source=\"docspace\",type=\"file.exploded\"}"),
            1);
}

TEST_F(ProvidersTest, CandPathTokenIsTheCredential) {
  HttpResponse unknown = http_->Send("POST", "/webhooks/nope/x", CandBody("product.created", "p"));
  HttpResponse wrong = PostCand(CandBody("product.created", "p-1"), "wrong-token-0123456789abcd");
  HttpResponse missing =
      http_->Send("POST", "/webhooks/cand", CandBody("product.created", "p-1"), {});
  HttpResponse head_wrong = http_->Send("HEAD", "/webhooks/cand/nope");
  EXPECT_EQ(wrong.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(head_wrong.status, 404);
  // Exactly the unknown-source answer: nothing tells that "cand" exists.
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(missing.body, unknown.body);
  EXPECT_EQ(Metric("hookbridge_webhooks_received_total{outcome=\"bad_token\",source=\"cand\"}"), 3);

  EXPECT_EQ(http_->Send("HEAD", std::string("/webhooks/cand/") + kCandToken).status, 200);
  ASSERT_EQ(PostCand(CandBody("product.created", "p-1")).status, 200);
  ASSERT_EQ(PostCand(CandBody("content.created", "c-9")).status, 200);
  std::vector<v1::Event> events = ReadAll("cand", 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type(), "MOIM:product.created");
  EXPECT_EQ(events[0].subject(), "p-1");
  EXPECT_EQ(events[0].environment_id(), "community-1");
  ASSERT_TRUE(events[0].has_cand());
  EXPECT_EQ(events[0].cand().product_created().id(), "p-1");
  EXPECT_EQ(events[0].cand().context().origin_community_id(), "origin-1");
  EXPECT_EQ(events[1].type(), "MOIM:content.created");
  EXPECT_TRUE(events[1].has_untyped());
  EXPECT_EQ(events[1].cand().context().profile_id(), "profile-1");
}

TEST_F(ProvidersTest, StandardWebhooksVerifiesAndTakesTheDeliveryId) {
  const std::string body = R"({"type":"invoice.paid","data":{"id":"inv_1"}})";
  const std::string ts = std::to_string(absl::ToUnixSeconds(absl::Now()));
  auto post = [&](const std::string& id, const std::string& timestamp) {
    return http_->Send(
        "POST", "/webhooks/svix", body,
        {{"webhook-id", id},
         {"webhook-timestamp", timestamp},
         {"webhook-signature",
          "v1,bm90IGl0 " + StandardWebhooksSignature(kStandardSecret, id, timestamp, body)}});
  };
  ASSERT_EQ(post("msg_1", ts).status, 200);
  HttpResponse stale = post("msg_2", std::to_string(absl::ToUnixSeconds(absl::Now()) - 3600));
  EXPECT_EQ(stale.status, 401);
  EXPECT_THAT(stale.body, HasSubstr("stale_timestamp"));
  std::vector<v1::Event> events = ReadAll("svix", 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id(), "msg_1");
  EXPECT_EQ(events[0].type(), "invoice.paid");
  EXPECT_EQ(events[0].sent_at().seconds(), std::stoll(ts));
  ASSERT_TRUE(events[0].has_untyped());
  EXPECT_EQ(events[0].untyped().fields().at("data").struct_value().fields().at("id").string_value(),
            "inv_1");
}

TEST_F(ProvidersTest, GithubTypeFromHeaderRotationAndDuplicates) {
  const std::string body = R"({"ref":"refs/heads/main","repository":{"full_name":"acme/app"}})";
  ASSERT_EQ(PostGithub("push", "d-1", body).status, 200);
  // The previous secret is still configured: both verify during rotation.
  ASSERT_EQ(PostGithub("ping", "d-2", R"({"zen":"x"})", kGithubOldSecret).status, 200);
  EXPECT_EQ(PostGithub("push", "d-3", body, "not-configured").status, 401);
  // A redelivery is stored once; so is the signed body replayed with fresh
  // X-GitHub-Delivery values or other X-GitHub-Event names, which GitHub
  // does not sign.
  HttpResponse again = PostGithub("push", "d-1", body);
  EXPECT_THAT(again.body, HasSubstr("duplicate"));
  for (int i = 0; i < 110; ++i) {
    HttpResponse replay =
        PostGithub(i < 6 ? "push" : absl::StrCat("event_", i), absl::StrCat("fresh-", i), body);
    EXPECT_EQ(replay.status, 200) << i;
    EXPECT_THAT(replay.body, HasSubstr("duplicate")) << i;
  }
  EXPECT_EQ(Metric("hookbridge_events_appended_total{source=\"gh\",type=\"push\"}"), 1);
  EXPECT_EQ(Metric("hookbridge_events_appended_total{source=\"gh\",type=\"event_7\"}"), -1);
  std::vector<v1::Event> events = ReadAll("gh", 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type(), "push");
  // The hash of the signed content, not the unsigned delivery header.
  EXPECT_EQ(events[0].id().size(), 32u);
  EXPECT_EQ(events[0].subject(), "acme/app");
  EXPECT_EQ(events[0].provider(), v1::PROVIDER_GITHUB);
  EXPECT_EQ(events[1].type(), "ping");
}

TEST_F(ProvidersTest, StripeSignatureAndDefaults) {
  const std::string body =
      R"({"id":"evt_1","type":"customer.created","data":{"object":{"id":"cus_9"}}})";
  const std::string t = std::to_string(absl::ToUnixSeconds(absl::Now()));
  HttpResponse ok = http_->Send("POST", "/webhooks/stripe", body,
                                {{"Stripe-Signature", StripeSignature(kStripeSecret, t, body)}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  HttpResponse tampered =
      http_->Send("POST", "/webhooks/stripe", body + " ",
                  {{"Stripe-Signature", StripeSignature(kStripeSecret, t, body)}});
  EXPECT_EQ(tampered.status, 401);
  std::vector<v1::Event> events = ReadAll("stripe", 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id(), "evt_1");
  EXPECT_EQ(events[0].type(), "customer.created");
  EXPECT_EQ(events[0].subject(), "cus_9");
}

TEST_F(ProvidersTest, OneSubscriberFiltersAcrossProvidersAndGetsExactlyTheMatches) {
  v1::SubscribeRequest request;
  request.add_types("file.*");
  request.add_types("MOIM:*");
  request.add_types("comment.*");
  request.add_sources("docspace");
  request.add_sources("cand");
  request.add_sources("ckeditor");
  Subscriber subscriber(process_->grpc_target(), request);

  auto ckeditor = [this](const std::string& type, int n) {
    return http_->PostSigned("/webhooks/ckeditor", CkeditorBody(type, n), kCkeditorSecret);
  };
  // Interleaved: matching (+) and not matching (-).
  ASSERT_EQ(PostDocspace(DocspaceBody("folder.created", 1, 5)).status, 200);  // -
  ASSERT_EQ(PostDocspace(DocspaceBody("file.uploaded", 2, 6)).status, 200);   // +
  ASSERT_EQ(ckeditor("suggestion.added", 1).status, 200);                     // -
  ASSERT_EQ(PostCand(CandBody("member.joined", "m-1")).status, 200);          // +
  ASSERT_EQ(PostGithub("push", "g-1", R"({"repository":{}})").status, 200);   // -
  ASSERT_EQ(ckeditor("comment.added", 2).status, 200);                        // +
  ASSERT_EQ(PostDocspace(DocspaceBody("room.created", 3, 7)).status, 200);    // -
  ASSERT_EQ(PostDocspace(DocspaceBody("file.deleted", 4, 6)).status, 200);    // +
  ASSERT_EQ(PostCand(CandBody("payment.paid", "pay-1")).status, 200);         // +
  ASSERT_EQ(ckeditor("comment.removed", 3).status, 200);                      // +

  std::vector<v1::Event> events = subscriber.ReadN(6);
  std::vector<std::string> types;
  for (const v1::Event& e : events) types.push_back(e.type());
  EXPECT_EQ(types,
            (std::vector<std::string>{"file.uploaded", "MOIM:member.joined", "comment.added",
                                      "file.deleted", "MOIM:payment.paid", "comment.removed"}));
  for (const v1::Event& e : events) {
    EXPECT_FALSE(e.has_untyped()) << e.type() << " arrived untyped";
  }
  ASSERT_EQ(events.size(), 6u);
  EXPECT_TRUE(events[0].docspace().has_file());
  EXPECT_TRUE(events[1].cand().has_member_joined());
  EXPECT_TRUE(events[2].ckeditor().has_comment_added());
  EXPECT_TRUE(events[4].cand().has_payment_paid());
  EXPECT_TRUE(events[5].ckeditor().has_comment_removed());
  // Nothing else is queued: the next event it gets is the next match.
  ASSERT_EQ(PostDocspace(DocspaceBody("folder.deleted", 5, 5)).status, 200);
  ASSERT_EQ(PostDocspace(DocspaceBody("file.restored", 6, 6)).status, 200);
  std::vector<v1::Event> next = subscriber.ReadN(1);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].type(), "file.restored");
}

TEST_F(ProvidersTest, ListEventTypesDescribesEveryProvider) {
  auto stub = v1::EventBridgeService::NewStub(
      grpc::CreateChannel(process_->grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  AddBearer(&context);
  v1::ListEventTypesResponse response;
  ASSERT_TRUE(stub->ListEventTypes(&context, v1::ListEventTypesRequest(), &response).ok());
  auto find = [&](v1::Provider id) -> const v1::ProviderEventTypes* {
    for (const auto& p : response.providers()) {
      if (p.provider() == id) return &p;
    }
    return nullptr;
  };
  auto message_of = [](const v1::ProviderEventTypes& p, const std::string& type) {
    for (const auto& t : p.event_types()) {
      if (t.type() == type) return t.message();
    }
    return std::string();
  };
  const v1::ProviderEventTypes* ckeditor = find(v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  ASSERT_NE(ckeditor, nullptr);
  EXPECT_EQ(message_of(*ckeditor, "comment.added"), "hookbridge.ckeditor.v1.CommentAdded");
  EXPECT_EQ(message_of(*ckeditor, "document.removed"),
            "hookbridge.ckeditor.v1.CollaborationDocumentRemoved");
  EXPECT_THAT(ckeditor->sources(), ::testing::ElementsAre("ckeditor"));
  const v1::ProviderEventTypes* docspace = find(v1::PROVIDER_ONLYOFFICE_DOCSPACE);
  ASSERT_NE(docspace, nullptr);
  EXPECT_EQ(message_of(*docspace, "file.created"), "hookbridge.docspace.v1.File");
  EXPECT_EQ(docspace->event_types_size(), 36);
  const v1::ProviderEventTypes* cand = find(v1::PROVIDER_CAND);
  ASSERT_NE(cand, nullptr);
  EXPECT_EQ(message_of(*cand, "MOIM:payment.paid"), "hookbridge.cand.v1.PaymentPaid");
  const v1::ProviderEventTypes* github = find(v1::PROVIDER_GITHUB);
  ASSERT_NE(github, nullptr);
  EXPECT_EQ(github->event_types_size(), 0);
  EXPECT_THAT(github->sources(), ::testing::ElementsAre("gh"));
}

}  // namespace
}  // namespace hookbridge::testing
