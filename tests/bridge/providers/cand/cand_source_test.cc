#include "bridge/providers/cand/cand_source.h"

#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/config.h"
#include "bridge/json.h"
#include "bridge/providers/registry.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/golden.h"

namespace hookbridge {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;
using google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

constexpr absl::string_view kProvider = "cand";
constexpr absl::string_view kToken = "c4nd-T0ken_0123456789abcdef";

constexpr absl::string_view kContext = R"({"originCommunityId": "G0IZUDWCL",
    "userId": "U0ORIG7KX", "communityId": "G1MNBS5TQ", "profileId": "U1C7XRY3M"})";

SourceConfig Config() {
  SourceConfig config;
  config.name = "community";
  config.provider = std::string(kProvider);
  config.path_token = std::string(kToken);
  return config;
}

std::unique_ptr<Source> MakeSource() {
  absl::StatusOr<std::unique_ptr<Source>> source = CreateCandSource(Config());
  EXPECT_TRUE(source.ok()) << source.status();
  return source.ok() ? *std::move(source) : nullptr;
}

WebhookRequest Request(absl::string_view body) {
  WebhookRequest request;
  request.method = "POST";
  request.target = absl::StrCat("/webhooks/community/", kToken);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = body;
  request.received_at = absl::FromUnixSeconds(1700000000);
  return request;
}

absl::Status Decode(absl::string_view body, v1::Event* event) {
  std::unique_ptr<Source> source = MakeSource();
  if (source == nullptr) return absl::InternalError("no source");
  return source->Decode(Request(body), event);
}

// A MOIM webhook body of `type` with `payload` (JSON text) and the usual
// context.
std::string Body(absl::string_view type, absl::string_view payload) {
  return absl::StrCat(R"({"module": "MOIM", "type": ")", type, R"(", "context": )", kContext,
                      R"(, "payload": )", payload, "}");
}

// Decodes a MOIM event and expects it typed, with the usual context.
v1::Event DecodeTyped(absl::string_view type, absl::string_view payload) {
  v1::Event event;
  const absl::Status status = Decode(Body(type, payload), &event);
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(event.type(), absl::StrCat("MOIM:", type));
  EXPECT_EQ(event.payload_case(), v1::Event::kCand) << type;
  EXPECT_FALSE(event.has_untyped()) << type;
  EXPECT_EQ(event.decode_error(), "") << type;
  EXPECT_EQ(event.environment_id(), "G1MNBS5TQ") << type;
  EXPECT_EQ(event.cand().context().community_id(), "G1MNBS5TQ") << type;
  return event;
}

// Fails for every field of `message` (recursively, through repeated
// messages) that is not set: the test body must exercise every field.
void ExpectEveryFieldSet(const Message& message, const std::string& path) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string field_path = absl::StrCat(path, ".", field->name());
    if (field->is_repeated()) {
      EXPECT_GT(reflection->FieldSize(message, field), 0) << field_path << " is empty";
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          ExpectEveryFieldSet(reflection->GetRepeatedMessage(message, field, j),
                              absl::StrCat(field_path, "[", j, "]"));
        }
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      EXPECT_TRUE(reflection->HasField(message, field)) << field_path << " is unset";
    } else {
      EXPECT_TRUE(reflection->HasField(message, field)) << field_path << " is unset or default";
    }
  }
}

// ---- Golden files -------------------------------------------------------------

// Decoded as golden: ProviderTableTest (provider_table_test.cc), for every row.

TEST(CandGoldenFilesTest, AreAllPresent) {
  // The 10 typed MOIM events, payment.cancelled (untyped) and one payload
  // that does not fit its message.
  EXPECT_EQ(test_util::GoldenNames("cand").size(), 12u);
}

// ---- Catalog --------------------------------------------------------------------

TEST(CandCatalogTest, BelongsToCand) {
  EXPECT_EQ(kCandCatalog.provider, v1::PROVIDER_CAND);
  EXPECT_EQ(kCandCatalog.event_field, "cand");
  const FieldDescriptor* field = v1::Event::descriptor()->FindFieldByName("cand");
  ASSERT_NE(field, nullptr);
  EXPECT_EQ(field->message_type(), cand::v1::CandEvent::descriptor());
}

TEST(CandCatalogTest, HasEveryDocumentedTypedEvent) {
  // providers.md §4: the MOIM events with a documented payload.
  const std::pair<const char*, const char*> kDocumented[] = {
      {"MOIM:member.joined", "member_joined"},
      {"MOIM:member.updated", "member_updated"},
      {"MOIM:member.activated", "member_activated"},
      {"MOIM:product.created", "product_created"},
      {"MOIM:product.updated", "product_updated"},
      {"MOIM:product.voted", "product_voted"},
      {"MOIM:payment.paid", "payment_paid"},
      {"MOIM:subscription.subscribed", "subscription_subscribed"},
      {"MOIM:subscription.expired", "subscription_expired"},
      {"MOIM:message.created", "message_created"},
  };
  for (const auto& [type, field] : kDocumented) {
    const TypedEventSpec* spec = kCandCatalog.Find(type);
    ASSERT_NE(spec, nullptr) << type;
    EXPECT_EQ(spec->field, field) << type;
    EXPECT_EQ(spec->subject_path, "id") << type;
  }
  EXPECT_EQ(kCandCatalog.events.size(), std::size(kDocumented));
  // Documented without a payload shape: untyped.
  EXPECT_EQ(kCandCatalog.Find("MOIM:payment.cancelled"), nullptr);
  EXPECT_EQ(kCandCatalog.Find("MOIM:payment.purchaseItemConfirmed"), nullptr);
  EXPECT_EQ(kCandCatalog.Find("MOIM:content.created"), nullptr);
  // The module is part of the name.
  EXPECT_EQ(kCandCatalog.Find("product.created"), nullptr);
  EXPECT_EQ(kCandCatalog.Find("OTHER:product.created"), nullptr);
}

TEST(CandCatalogTest, EveryRowNamesAPayloadFieldOfCandEvent) {
  const Descriptor* container = cand::v1::CandEvent::descriptor();
  std::set<absl::string_view> types;
  for (const TypedEventSpec& spec : kCandCatalog.events) {
    EXPECT_TRUE(types.insert(spec.type).second) << "duplicate row " << spec.type;
    const FieldDescriptor* field = container->FindFieldByName(std::string(spec.field));
    ASSERT_NE(field, nullptr) << spec.type << ": CandEvent has no field " << spec.field;
    EXPECT_EQ(field->type(), FieldDescriptor::TYPE_MESSAGE) << spec.type;
    EXPECT_FALSE(field->is_repeated()) << spec.type;
    ASSERT_NE(field->containing_oneof(), nullptr) << spec.type;
    EXPECT_EQ(field->containing_oneof()->name(), "payload") << spec.type;
    // The subject path names a string field of the message.
    const FieldDescriptor* subject =
        field->message_type()->FindFieldByName(std::string(spec.subject_path));
    ASSERT_NE(subject, nullptr) << spec.type << ": " << spec.subject_path;
    EXPECT_EQ(subject->cpp_type(), FieldDescriptor::CPPTYPE_STRING) << spec.type;
  }
}

TEST(CandCatalogTest, CoversEveryPayloadFieldOfCandEvent) {
  const google::protobuf::OneofDescriptor* payload =
      cand::v1::CandEvent::descriptor()->FindOneofByName("payload");
  ASSERT_NE(payload, nullptr);
  std::set<absl::string_view> used;
  for (const TypedEventSpec& spec : kCandCatalog.events) used.insert(spec.field);
  for (int i = 0; i < payload->field_count(); ++i) {
    EXPECT_TRUE(used.count(payload->field(i)->name()))
        << "CandEvent." << payload->field(i)->name() << " is not decoded by any catalog row";
  }
  EXPECT_EQ(static_cast<size_t>(payload->field_count()), used.size());
  EXPECT_EQ(kCandCatalog.untyped_subject_paths.size(), 1u);
}

// ---- Creation and verification ------------------------------------------------

TEST(CreateCandSourceTest, RequiresAPathToken) {
  SourceConfig config = Config();
  config.path_token.clear();
  absl::StatusOr<std::unique_ptr<Source>> source = CreateCandSource(config);
  EXPECT_EQ(source.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(source.status().message(), HasSubstr("community"));
  EXPECT_THAT(source.status().message(), HasSubstr("path_token"));
  // Through the registry too.
  EXPECT_EQ(CreateSource(config).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CreateCandSourceTest, NeedsNoSecret) {
  SourceConfig config = Config();
  ASSERT_TRUE(config.secrets.empty());
  EXPECT_TRUE(CreateCandSource(config).ok());
  EXPECT_TRUE(CreateSource(config).ok());
}

TEST(CandSourceTest, VerifyAcceptsEveryRequest) {
  // canD does not sign: the path token, checked by Ingestor::Resolve, is the
  // credential.
  std::unique_ptr<Source> source = MakeSource();
  ASSERT_NE(source, nullptr);
  EXPECT_TRUE(source->Verify(Request(Body("product.created", R"({"id": "P1"})"))).ok());
  EXPECT_TRUE(source->Verify(Request("")).ok());
  EXPECT_TRUE(source->Verify(Request("not json")).ok());
  WebhookRequest no_headers = Request("{}");
  no_headers.headers.clear();
  no_headers.received_at = absl::UnixEpoch();
  EXPECT_TRUE(source->Verify(no_headers).ok());
}

// ---- Envelope ---------------------------------------------------------------------

TEST(CandSourceTest, TypeIsModuleColonType) {
  v1::Event event;
  ASSERT_TRUE(Decode(Body("product.created", R"({"id": "P0H3K5LZA"})"), &event).ok());
  EXPECT_EQ(event.type(), "MOIM:product.created");
  EXPECT_EQ(event.subject(), "P0H3K5LZA");
  // canD sends no send time and no delivery id.
  EXPECT_FALSE(event.has_sent_at());
  EXPECT_EQ(event.id(), "");
}

TEST(CandSourceTest, ContextIsTypedAndNamesTheEnvironment) {
  v1::Event event = DecodeTyped("product.created", R"({"id": "P0H3K5LZA"})");
  const cand::v1::Context& context = event.cand().context();
  EXPECT_EQ(context.origin_community_id(), "G0IZUDWCL");
  EXPECT_EQ(context.user_id(), "U0ORIG7KX");
  EXPECT_EQ(context.community_id(), "G1MNBS5TQ");
  EXPECT_EQ(context.profile_id(), "U1C7XRY3M");
  ExpectEveryFieldSet(context, "context");
  EXPECT_EQ(event.environment_id(), "G1MNBS5TQ");
}

TEST(CandSourceTest, MissingContextLeavesTheEnvironmentEmpty) {
  v1::Event event;
  ASSERT_TRUE(
      Decode(R"({"module": "MOIM", "type": "product.created", "payload": {"id": "P1"}})", &event)
          .ok());
  EXPECT_EQ(event.environment_id(), "");
  EXPECT_EQ(event.cand().product_created().id(), "P1");
  EXPECT_FALSE(event.cand().has_context());
}

TEST(CandSourceTest, NumericCommunityIdBecomesDecimalText) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"module": "MOIM", "type": "product.created",
                         "context": {"communityId": 1234567}, "payload": {"id": 42}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.environment_id(), "1234567");
  EXPECT_EQ(event.cand().context().community_id(), "1234567");
  EXPECT_EQ(event.subject(), "42");
  EXPECT_EQ(event.cand().product_created().id(), "42");
}

TEST(CandSourceTest, MismatchedContextIsReported) {
  v1::Event event;
  ASSERT_TRUE(Decode(R"({"module": "MOIM", "type": "product.created",
                         "context": {"communityId": "G1", "userId": {"id": "U1"}},
                         "payload": {"id": "P1"}})",
                     &event)
                  .ok());
  EXPECT_THAT(event.decode_error(), HasSubstr("context.userId"));
  EXPECT_EQ(event.environment_id(), "G1");
}

// ---- Typed MOIM events: every documented field ------------------------------------

TEST(CandSourceTest, MemberJoined) {
  v1::Event event = DecodeTyped("member.joined", R"({"id": "U1QW2ER8T"})");
  ASSERT_TRUE(event.cand().has_member_joined());
  EXPECT_EQ(event.cand().member_joined().id(), "U1QW2ER8T");
  EXPECT_EQ(event.subject(), "U1QW2ER8T");
  ExpectEveryFieldSet(event.cand().member_joined(), "member_joined");
}

TEST(CandSourceTest, MemberUpdated) {
  v1::Event event = DecodeTyped("member.updated", R"({"id": "U1QW2ER8T"})");
  ASSERT_TRUE(event.cand().has_member_updated());
  EXPECT_EQ(event.cand().member_updated().id(), "U1QW2ER8T");
  EXPECT_EQ(event.subject(), "U1QW2ER8T");
  ExpectEveryFieldSet(event.cand().member_updated(), "member_updated");
}

TEST(CandSourceTest, MemberActivated) {
  v1::Event event =
      DecodeTyped("member.activated", R"({"id": "U1QW2ER8T", "inviter": "U1C7XRY3M"})");
  ASSERT_TRUE(event.cand().has_member_activated());
  EXPECT_EQ(event.cand().member_activated().id(), "U1QW2ER8T");
  EXPECT_EQ(event.cand().member_activated().inviter(), "U1C7XRY3M");
  EXPECT_EQ(event.subject(), "U1QW2ER8T");
  ExpectEveryFieldSet(event.cand().member_activated(), "member_activated");
}

TEST(CandSourceTest, ProductCreated) {
  v1::Event event = DecodeTyped("product.created", R"({"id": "P0H3K5LZA"})");
  ASSERT_TRUE(event.cand().has_product_created());
  EXPECT_EQ(event.cand().product_created().id(), "P0H3K5LZA");
  ExpectEveryFieldSet(event.cand().product_created(), "product_created");
}

TEST(CandSourceTest, ProductUpdated) {
  v1::Event event = DecodeTyped("product.updated", R"({"id": "P0H3K5LZA"})");
  ASSERT_TRUE(event.cand().has_product_updated());
  EXPECT_EQ(event.cand().product_updated().id(), "P0H3K5LZA");
  EXPECT_EQ(event.subject(), "P0H3K5LZA");
  ExpectEveryFieldSet(event.cand().product_updated(), "product_updated");
}

TEST(CandSourceTest, ProductVotedKeepsVotedAsSent) {
  // canD does not document the type of `voted`: any JSON value is kept.
  const std::pair<const char*, Value::KindCase> kCases[] = {
      {"true", Value::kBoolValue},          {"false", Value::kBoolValue},
      {"1", Value::kNumberValue},           {"-1", Value::kNumberValue},
      {"0", Value::kNumberValue},           {R"("up")", Value::kStringValue},
      {R"("")", Value::kStringValue},       {R"({"score": 5, "by": "U1"})", Value::kStructValue},
      {R"([1, "two"])", Value::kListValue},
  };
  for (const auto& [json, kind] : kCases) {
    v1::Event event =
        DecodeTyped("product.voted", absl::StrCat(R"({"id": "P0H3K5LZA", "voted": )", json, "}"));
    ASSERT_TRUE(event.cand().has_product_voted()) << json;
    const cand::v1::ProductVoted& voted = event.cand().product_voted();
    EXPECT_EQ(voted.id(), "P0H3K5LZA") << json;
    ASSERT_TRUE(voted.has_voted()) << json;
    EXPECT_EQ(voted.voted().kind_case(), kind) << json;
    absl::StatusOr<Struct> expected = ParseJsonObject(absl::StrCat(R"({"v": )", json, "}"));
    ASSERT_TRUE(expected.ok()) << expected.status();
    EXPECT_TRUE(MessageDifferencer::Equals(voted.voted(), expected->fields().at("v"))) << json;
    EXPECT_EQ(event.subject(), "P0H3K5LZA");
  }
  v1::Event event = DecodeTyped("product.voted", R"({"id": "P1", "voted": true})");
  EXPECT_TRUE(event.cand().product_voted().voted().bool_value());
  ExpectEveryFieldSet(event.cand().product_voted(), "product_voted");
}

TEST(CandSourceTest, ProductVotedKeepsAnExplicitNull) {
  // `null` is a JSON value too: "voted": null (a withdrawn vote?) must stay
  // distinguishable from a body without "voted".
  v1::Event event = DecodeTyped("product.voted", R"({"id": "P0H3K5LZA", "voted": null})");
  ASSERT_TRUE(event.cand().has_product_voted());
  EXPECT_TRUE(event.cand().product_voted().has_voted())
      << "\"voted\": null was dropped: it arrives exactly as a body without \"voted\"";
  EXPECT_EQ(event.cand().product_voted().voted().kind_case(), Value::kNullValue);

  v1::Event absent = DecodeTyped("product.voted", R"({"id": "P0H3K5LZA"})");
  EXPECT_FALSE(absent.cand().product_voted().has_voted());
}

TEST(CandSourceTest, PaymentPaidWithNestedPurchases) {
  v1::Event event = DecodeTyped("payment.paid", R"({"id": "PM0A8XK2B", "purchases": [
      {"id": "PC0G7HQ1N", "purchaseItems": [{"id": "PI0D4RS6V", "productId": "P0H3K5LZA"},
                                            {"id": "PI0D4RS6W", "productId": "P0J8M2NBC"}]},
      {"id": "PC0G7HQ1P", "purchaseItems": [{"id": "PI0E9TU2X", "productId": "P0J8M2NBC"}]}]})");
  ASSERT_TRUE(event.cand().has_payment_paid());
  const cand::v1::PaymentPaid& paid = event.cand().payment_paid();
  EXPECT_EQ(paid.id(), "PM0A8XK2B");
  EXPECT_EQ(event.subject(), "PM0A8XK2B");
  ASSERT_EQ(paid.purchases_size(), 2);
  EXPECT_EQ(paid.purchases(0).id(), "PC0G7HQ1N");
  ASSERT_EQ(paid.purchases(0).purchase_items_size(), 2);
  EXPECT_EQ(paid.purchases(0).purchase_items(0).id(), "PI0D4RS6V");
  EXPECT_EQ(paid.purchases(0).purchase_items(0).product_id(), "P0H3K5LZA");
  EXPECT_EQ(paid.purchases(0).purchase_items(1).id(), "PI0D4RS6W");
  EXPECT_EQ(paid.purchases(0).purchase_items(1).product_id(), "P0J8M2NBC");
  EXPECT_EQ(paid.purchases(1).id(), "PC0G7HQ1P");
  ASSERT_EQ(paid.purchases(1).purchase_items_size(), 1);
  EXPECT_EQ(paid.purchases(1).purchase_items(0).id(), "PI0E9TU2X");
  EXPECT_EQ(paid.purchases(1).purchase_items(0).product_id(), "P0J8M2NBC");
  ExpectEveryFieldSet(paid, "payment_paid");
}

TEST(CandSourceTest, PaymentPaidAcceptsSnakeCaseNamesToo) {
  // Keys match a field's name or its json_name.
  v1::Event event = DecodeTyped(
      "payment.paid",
      R"({"id": "PM1", "purchases": [{"id": "PC1", "purchase_items": [{"id": "PI1", "product_id": "P1"}]}]})");
  ASSERT_EQ(event.cand().payment_paid().purchases_size(), 1);
  ASSERT_EQ(event.cand().payment_paid().purchases(0).purchase_items_size(), 1);
  EXPECT_EQ(event.cand().payment_paid().purchases(0).purchase_items(0).product_id(), "P1");
}

TEST(CandSourceTest, SubscriptionSubscribed) {
  v1::Event event =
      DecodeTyped("subscription.subscribed",
                  R"({"id": "SB0T5YH7U", "productId": "P0J8M2NBC", "isRenewal": true})");
  ASSERT_TRUE(event.cand().has_subscription_subscribed());
  const cand::v1::SubscriptionSubscribed& subscribed = event.cand().subscription_subscribed();
  EXPECT_EQ(subscribed.id(), "SB0T5YH7U");
  EXPECT_EQ(subscribed.product_id(), "P0J8M2NBC");
  EXPECT_TRUE(subscribed.is_renewal());
  EXPECT_EQ(event.subject(), "SB0T5YH7U");
  ExpectEveryFieldSet(subscribed, "subscription_subscribed");

  v1::Event first = DecodeTyped("subscription.subscribed",
                                R"({"id": "SB1", "productId": "P1", "isRenewal": false})");
  ASSERT_TRUE(first.cand().has_subscription_subscribed());
  EXPECT_FALSE(first.cand().subscription_subscribed().is_renewal());
}

TEST(CandSourceTest, SubscriptionExpired) {
  v1::Event event =
      DecodeTyped("subscription.expired", R"({"id": "SB0T5YH7U", "productId": "P0J8M2NBC"})");
  ASSERT_TRUE(event.cand().has_subscription_expired());
  EXPECT_EQ(event.cand().subscription_expired().id(), "SB0T5YH7U");
  EXPECT_EQ(event.cand().subscription_expired().product_id(), "P0J8M2NBC");
  EXPECT_EQ(event.subject(), "SB0T5YH7U");
  ExpectEveryFieldSet(event.cand().subscription_expired(), "subscription_expired");
}

TEST(CandSourceTest, MessageCreated) {
  v1::Event event =
      DecodeTyped("message.created", R"({"id": "M0F2G6J1K", "conversationId": "C0B3N7Q5R"})");
  ASSERT_TRUE(event.cand().has_message_created());
  EXPECT_EQ(event.cand().message_created().id(), "M0F2G6J1K");
  EXPECT_EQ(event.cand().message_created().conversation_id(), "C0B3N7Q5R");
  EXPECT_EQ(event.subject(), "M0F2G6J1K");
  ExpectEveryFieldSet(event.cand().message_created(), "message_created");
}

TEST(CandSourceTest, TypedEventWithoutPayloadIsTypedAndEmpty) {
  for (absl::string_view body :
       {R"({"module": "MOIM", "type": "product.created", "payload": null})",
        R"({"module": "MOIM", "type": "product.created"})"}) {
    v1::Event event;
    ASSERT_TRUE(Decode(body, &event).ok()) << body;
    EXPECT_TRUE(event.cand().has_product_created()) << body;
    EXPECT_EQ(event.subject(), "") << body;
  }
}

TEST(CandSourceTest, MismatchedPayloadIsUntypedWithDecodeError) {
  const std::string body =
      Body("subscription.subscribed", R"({"id": "SB1", "productId": "P1", "isRenewal": "yes"})");
  v1::Event event;
  ASSERT_TRUE(Decode(body, &event).ok());
  EXPECT_EQ(event.type(), "MOIM:subscription.subscribed");
  EXPECT_TRUE(event.has_untyped());
  EXPECT_THAT(event.decode_error(), HasSubstr("payload.isRenewal"));
  EXPECT_EQ(event.subject(), "SB1");
  EXPECT_EQ(event.untyped().fields().at("isRenewal").string_value(), "yes");
}

// ---- Untyped events -----------------------------------------------------------

TEST(CandSourceTest, UndocumentedPayloadsArriveUntypedWithTheirSubject) {
  const std::pair<std::string, std::string> kCases[] = {
      {Body("payment.cancelled", R"({"id": "PM0A8XK2B", "reason": "refund"})"), "PM0A8XK2B"},
      {Body("payment.purchaseItemConfirmed", R"({"id": "PI0D4RS6V"})"), "PI0D4RS6V"},
      {Body("content.created", R"({"id": "CT0X1Y2Z3", "kind": "post"})"), "CT0X1Y2Z3"},
      {Body("brand.new", R"({"id": 77})"), "77"},
      {Body("content.created", R"({"post": {"id": "nested"}})"), ""},
  };
  for (const auto& [body, subject] : kCases) {
    v1::Event event;
    ASSERT_TRUE(Decode(body, &event).ok()) << body;
    EXPECT_TRUE(event.has_untyped()) << body;
    EXPECT_EQ(event.subject(), subject) << body;
    EXPECT_EQ(event.decode_error(), "") << body;
    EXPECT_EQ(event.environment_id(), "G1MNBS5TQ") << body;
  }
  v1::Event event;
  ASSERT_TRUE(
      Decode(Body("payment.cancelled", R"({"id": "PM0A8XK2B", "reason": "refund"})"), &event).ok());
  EXPECT_EQ(event.type(), "MOIM:payment.cancelled");
  EXPECT_EQ(event.untyped().fields().at("reason").string_value(), "refund");
}

TEST(CandSourceTest, AnotherModuleArrivesUntyped) {
  // The typed messages are MOIM's: the same type in another module is not.
  const std::string body = R"({"module": "SHOP", "type": "product.created",
      "context": {"communityId": "G1MNBS5TQ"}, "payload": {"id": "S1", "sku": "x"}})";
  v1::Event event;
  ASSERT_TRUE(Decode(body, &event).ok());
  EXPECT_EQ(event.type(), "SHOP:product.created");
  EXPECT_TRUE(event.has_untyped());
  EXPECT_EQ(event.subject(), "S1");
  EXPECT_EQ(event.untyped().fields().at("sku").string_value(), "x");
  EXPECT_EQ(event.environment_id(), "G1MNBS5TQ");
}

TEST(CandSourceTest, UntypedEventsKeepTheirContext) {
  // The context (who acted, in which community and origin community) is
  // part of every canD body, not of the payload; the Node.js example of
  // seed 004 needs context.originCommunityId for every event, known or not.
  // It must reach subscribers of untyped events too.
  v1::Event event;
  ASSERT_TRUE(Decode(Body("payment.cancelled", R"({"id": "PM0A8XK2B"})"), &event).ok());
  ASSERT_TRUE(event.has_untyped());
  const bool in_cand = event.cand().context().origin_community_id() == "G0IZUDWCL";
  const Value* in_untyped = FindValueAtPath(event.untyped(), "context.originCommunityId");
  EXPECT_TRUE(in_cand || (in_untyped != nullptr && in_untyped->string_value() == "G0IZUDWCL"))
      << "context.originCommunityId, userId and profileId are lost for untyped canD events:\n"
      << event.DebugString();
}

// ---- Malformed envelopes ------------------------------------------------------------

TEST(CandSourceTest, MissingModuleOrTypeIsInvalidArgument) {
  const std::pair<const char*, const char*> kCases[] = {
      {R"({"type": "product.created", "payload": {}})", "\"module\""},
      {R"({"module": "", "type": "product.created"})", "\"module\""},
      {R"({"module": 1, "type": "product.created"})", "\"module\""},
      {R"({"module": null, "type": "product.created"})", "\"module\""},
      {R"({"module": "MOIM", "payload": {}})", "\"type\""},
      {R"({"module": "MOIM", "type": ""})", "\"type\""},
      {R"({"module": "MOIM", "type": ["product.created"]})", "\"type\""},
  };
  for (const auto& [body, names] : kCases) {
    v1::Event event;
    const absl::Status status = Decode(body, &event);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(status.message(), HasSubstr(names)) << body;
  }
}

TEST(CandSourceTest, MalformedEnvelopesAreInvalidArgument) {
  const std::pair<const char*, const char*> kCases[] = {
      {"not json", "JSON"},
      {"", "JSON"},
      {R"([{"module": "MOIM"}])", "JSON"},
      {R"({"module": "MOIM", "type": "product.created", "context": "G1"})", "\"context\""},
      {R"({"module": "MOIM", "type": "product.created", "context": ["G1"]})", "\"context\""},
      {R"({"module": "MOIM", "type": "product.created", "payload": "P1"})", "\"payload\""},
      {R"({"module": "MOIM", "type": "product.created", "payload": [{"id": "P1"}]})",
       "\"payload\""},
  };
  for (const auto& [body, names] : kCases) {
    v1::Event event;
    const absl::Status status = Decode(body, &event);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(status.message(), HasSubstr(names)) << body;
  }
}

}  // namespace
}  // namespace hookbridge
