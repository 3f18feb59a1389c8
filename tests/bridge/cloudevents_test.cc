#include "bridge/cloudevents.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "hookbridge/ckeditor/v1/ckeditor.pb.h"
#include "hookbridge/docspace/v1/docspace.pb.h"

namespace hookbridge {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::google::protobuf::util::TimeUtil;
using io::cloudevents::v1::CloudEvent;
using ::testing::HasSubstr;

google::protobuf::Timestamp Time(const std::string& rfc3339) {
  google::protobuf::Timestamp t;
  EXPECT_TRUE(TimeUtil::FromString(rfc3339, &t)) << rfc3339;
  return t;
}

// A typed CKEditor comment.added, with every envelope field set.
v1::Event TypedEvent() {
  v1::Event event;
  event.set_id("delivery-1");
  event.set_sequence(42);
  event.set_source("ckeditor");
  event.set_provider(v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  event.set_type("comment.added");
  event.set_environment_id("environment-1");
  event.set_subject("doc-1");
  *event.mutable_sent_at() = Time("2019-05-29T08:17:53.457Z");
  *event.mutable_received_at() = Time("2019-05-29T08:17:54.001Z");
  *event.mutable_entity_time() = Time("2019-05-29T08:17:53.450Z");
  event.set_superseded(true);
  v1::Provenance* provenance = event.mutable_provenance();
  provenance->set_scheme("ckeditor-hmac-sha256");
  provenance->set_secret_index(1);
  provenance->mutable_timestamp_skew()->set_seconds(1);
  provenance->mutable_timestamp_skew()->set_nanos(250000000);
  provenance->set_body_sha256(std::string(32, '\x01'));
  event.mutable_trace_context()->set_traceparent(
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  event.mutable_trace_context()->set_tracestate("vendor=value");
  event.mutable_trace_context()->set_from_request(true);
  ckeditor::v1::CommentAdded* added = event.mutable_ckeditor()->mutable_comment_added();
  added->mutable_document()->set_id("doc-1");
  added->mutable_comment()->set_id("comment-1");
  added->mutable_comment()->set_content("Some comment content.");
  return event;
}

// A generic provider's event: untyped JSON, no sent_at.
v1::Event UntypedEvent() {
  v1::Event event;
  event.set_id("msg_1");
  event.set_sequence(7);
  event.set_source("billing");
  event.set_provider(v1::PROVIDER_STANDARD_WEBHOOKS);
  event.set_type("invoice.paid");
  *event.mutable_received_at() = Time("2024-01-02T03:04:05Z");
  google::protobuf::Struct* untyped = event.mutable_untyped();
  (*untyped->mutable_fields())["amount"].set_number_value(1250);
  (*untyped->mutable_fields())["customer"].set_string_value("cus_1");
  return event;
}

const CloudEvent::CloudEventAttributeValue& Attr(const CloudEvent& ce, const std::string& name) {
  static const CloudEvent::CloudEventAttributeValue kMissing;
  auto it = ce.attributes().find(name);
  EXPECT_NE(it, ce.attributes().end()) << "no attribute " << name;
  return it == ce.attributes().end() ? kMissing : it->second;
}

TEST(CloudEventsTest, RequiredAttributes) {
  CloudEvent ce;
  ToCloudEvent(TypedEvent(), &ce);
  EXPECT_EQ(ce.id(), "delivery-1");
  EXPECT_EQ(ce.source(), "/sources/ckeditor");
  EXPECT_EQ(ce.spec_version(), "1.0");
  EXPECT_EQ(ce.type(), "comment.added");
}

TEST(CloudEventsTest, TypedPayloadIsTheProviderMessageAsProtoData) {
  const v1::Event event = TypedEvent();
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  ASSERT_EQ(ce.data_case(), CloudEvent::kProtoData);
  EXPECT_EQ(ce.proto_data().type_url(), "type.googleapis.com/hookbridge.ckeditor.v1.CkeditorEvent");
  ckeditor::v1::CkeditorEvent unpacked;
  ASSERT_TRUE(ce.proto_data().UnpackTo(&unpacked));
  EXPECT_TRUE(MessageDifferencer::Equals(unpacked, event.ckeditor()));
  EXPECT_EQ(Attr(ce, "datacontenttype").ce_string(), "application/protobuf");
  EXPECT_EQ(Attr(ce, "dataschema").ce_uri(), ce.proto_data().type_url());
  EXPECT_EQ(ce.attributes().count("providermetadata"), 0u);
}

TEST(CloudEventsTest, ContextAndExtensionAttributes) {
  const v1::Event event = TypedEvent();
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  EXPECT_EQ(Attr(ce, "subject").ce_string(), "doc-1");
  // time: the provider's sent_at when it gives one.
  EXPECT_TRUE(MessageDifferencer::Equals(Attr(ce, "time").ce_timestamp(), event.sent_at()));
  EXPECT_EQ(Attr(ce, "sequence").ce_string(), "00000000000000000042");
  EXPECT_EQ(Attr(ce, "provider").ce_string(), "ckeditor-cloud-services");
  EXPECT_EQ(Attr(ce, "superseded").attr_case(), CloudEvent::CloudEventAttributeValue::kCeBoolean);
  EXPECT_TRUE(Attr(ce, "superseded").ce_boolean());
  EXPECT_EQ(Attr(ce, "traceparent").ce_string(), event.trace_context().traceparent());
  EXPECT_EQ(Attr(ce, "tracestate").ce_string(), "vendor=value");
  EXPECT_TRUE(
      MessageDifferencer::Equals(Attr(ce, "receivedat").ce_timestamp(), event.received_at()));
  EXPECT_TRUE(
      MessageDifferencer::Equals(Attr(ce, "entitytime").ce_timestamp(), event.entity_time()));
  EXPECT_EQ(Attr(ce, "environmentid").ce_string(), "environment-1");
  EXPECT_EQ(Attr(ce, "provenancescheme").ce_string(), "ckeditor-hmac-sha256");
  EXPECT_EQ(Attr(ce, "provenancesecret").ce_integer(), 1);
  EXPECT_EQ(Attr(ce, "provenanceskew").ce_string(), "1.250s");
  EXPECT_EQ(Attr(ce, "bodysha256").ce_bytes(), std::string(32, '\x01'));
  // Not set on this event: not there.
  EXPECT_EQ(ce.attributes().count("decodeerror"), 0u);
  EXPECT_EQ(ce.attributes().count("rawbody"), 0u);
}

TEST(CloudEventsTest, NotSupersededIsSaidAndAbsentFieldsAreLeftOut) {
  v1::Event event;
  event.set_id("x");
  event.set_source("s");
  event.set_type("t");
  event.set_sequence(1);
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  EXPECT_FALSE(Attr(ce, "superseded").ce_boolean());
  EXPECT_EQ(Attr(ce, "superseded").attr_case(), CloudEvent::CloudEventAttributeValue::kCeBoolean);
  for (const char* absent :
       {"subject", "time", "traceparent", "tracestate", "receivedat", "environmentid", "entitytime",
        "provenancescheme", "datacontenttype", "dataschema"}) {
    EXPECT_EQ(ce.attributes().count(absent), 0u) << absent;
  }
  EXPECT_EQ(ce.data_case(), CloudEvent::DATA_NOT_SET);
}

TEST(CloudEventsTest, UntypedPayloadIsJsonTextData) {
  const v1::Event event = UntypedEvent();
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  ASSERT_EQ(ce.data_case(), CloudEvent::kTextData);
  EXPECT_EQ(Attr(ce, "datacontenttype").ce_string(), "application/json");
  EXPECT_EQ(ce.attributes().count("dataschema"), 0u);
  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ce.text_data(), &parsed).ok())
      << ce.text_data();
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, event.untyped()));
  EXPECT_EQ(Attr(ce, "provider").ce_string(), "standard-webhooks");
  // No sent_at: time is when hookbridge received it.
  EXPECT_TRUE(MessageDifferencer::Equals(Attr(ce, "time").ce_timestamp(), event.received_at()));
  EXPECT_EQ(Attr(ce, "sequence").ce_string(), "00000000000000000007");
}

TEST(CloudEventsTest, JsonIsTheSameForEveryCopyWithMembersInNameOrder) {
  v1::Event forward = UntypedEvent();
  v1::Event backward = UntypedEvent();
  backward.mutable_untyped()->Clear();
  for (const char* name : {"zeta", "customer", "amount", "beta"}) {
    (*backward.mutable_untyped()->mutable_fields())[name].set_string_value(name);
  }
  for (const char* name : {"amount", "beta", "customer", "zeta"}) {
    (*forward.mutable_untyped()->mutable_fields())[name].set_string_value(name);
  }
  CloudEvent a, b;
  ToCloudEvent(forward, &a);
  ToCloudEvent(backward, &b);
  EXPECT_EQ(a.text_data(),
            R"({"amount":"amount","beta":"beta","customer":"customer","zeta":"zeta"})");
  EXPECT_EQ(b.text_data(), a.text_data());
}

TEST(CloudEventsTest, ProviderMetadataBesideAnUntypedPayloadIsAnExtension) {
  v1::Event event = UntypedEvent();
  event.set_provider(v1::PROVIDER_ONLYOFFICE_DOCSPACE);
  event.set_decode_error("payload.id: expected a number");
  event.mutable_docspace()->mutable_event()->set_create_by("user-1");
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  ASSERT_EQ(ce.data_case(), CloudEvent::kTextData);
  docspace::v1::DocspaceEvent metadata;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Attr(ce, "providermetadata").ce_string(),
                                                          &metadata)
                  .ok());
  EXPECT_EQ(metadata.event().create_by(), "user-1");
  EXPECT_EQ(Attr(ce, "decodeerror").ce_string(), "payload.id: expected a number");
  EXPECT_EQ(Attr(ce, "provider").ce_string(), "onlyoffice-docspace");
}

TEST(CloudEventsTest, MetadataWithoutAJsonFormIsLeftOutAndSaid) {
  v1::Event event = UntypedEvent();
  event.set_provider(v1::PROVIDER_ONLYOFFICE_DOCSPACE);
  event.set_decode_error("payload: unknown");
  // Beyond year 9999: no RFC 3339 form.
  event.mutable_docspace()->mutable_event()->mutable_create_on()->set_seconds(1000000000000000);
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  EXPECT_EQ(ce.data_case(), CloudEvent::kTextData);  // the payload still goes
  EXPECT_EQ(ce.attributes().count("providermetadata"), 0u);
  EXPECT_THAT(Attr(ce, "decodeerror").ce_string(),
              HasSubstr("payload: unknown; the provider metadata has no JSON form"));
}

TEST(CloudEventsTest, RawBodyOnlyWhenTheEventCarriesIt) {
  v1::Event event = UntypedEvent();
  event.set_raw_body("{\"amount\":1250}");
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  EXPECT_EQ(Attr(ce, "rawbody").ce_bytes(), "{\"amount\":1250}");
}

TEST(CloudEventsTest, UnknownProviderValueIsNamedByItsNumber) {
  v1::Event event = UntypedEvent();
  event.set_provider(static_cast<v1::Provider>(9999));
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  EXPECT_EQ(Attr(ce, "provider").ce_string(), "9999");
}

TEST(CloudEventsTest, ExtensionNamesFollowTheSpecification) {
  v1::Event event = TypedEvent();
  event.set_raw_body("body");
  event.set_decode_error("e");
  CloudEvent ce;
  ToCloudEvent(event, &ce);
  for (const auto& [name, value] : ce.attributes()) {
    EXPECT_LE(name.size(), 20u) << name;
    EXPECT_TRUE(std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    })) << name;
    EXPECT_NE(value.attr_case(), CloudEvent::CloudEventAttributeValue::ATTR_NOT_SET) << name;
  }
}

TEST(CloudEventsTest, FormatsOfANewerApiAreRefused) {
  EXPECT_TRUE(CheckEventFormat(v1::EVENT_FORMAT_UNSPECIFIED).ok());
  EXPECT_TRUE(CheckEventFormat(v1::EVENT_FORMAT_HOOKBRIDGE).ok());
  EXPECT_TRUE(CheckEventFormat(v1::EVENT_FORMAT_CLOUDEVENTS).ok());
  const absl::Status refused = CheckEventFormat(7);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("format 7"));
}

TEST(CloudEventsTest, SequenceStringsOrderAsNumbers) {
  EXPECT_EQ(CloudEventSequence(0), "00000000000000000000");
  EXPECT_EQ(CloudEventSequence(1), "00000000000000000001");
  EXPECT_EQ(CloudEventSequence(UINT64_MAX), "18446744073709551615");
  std::vector<uint64_t> numbers = {1,         9, 10, 99, 100, 12345, 1ull << 40, UINT64_MAX - 1,
                                   UINT64_MAX};
  std::vector<std::string> strings;
  for (uint64_t n : numbers) strings.push_back(CloudEventSequence(n));
  EXPECT_TRUE(std::is_sorted(strings.begin(), strings.end()));
  for (uint64_t n : numbers) EXPECT_EQ(ParseCloudEventSequence(CloudEventSequence(n)), n);
  EXPECT_EQ(ParseCloudEventSequence("42"), 42u);  // unpadded is read too
  EXPECT_EQ(ParseCloudEventSequence(""), std::nullopt);
  EXPECT_EQ(ParseCloudEventSequence("-1"), std::nullopt);
  EXPECT_EQ(ParseCloudEventSequence("+1"), std::nullopt);
  EXPECT_EQ(ParseCloudEventSequence("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseCloudEventSequence("000000000000000000001"), std::nullopt);
}

TEST(CloudEventsTest, SourceIsAUriReferenceNamingTheSource) {
  EXPECT_EQ(CloudEventSource("ckeditor"), "/sources/ckeditor");
  EXPECT_EQ(CloudEventSource("my_source-2"), "/sources/my_source-2");
  EXPECT_EQ(CloudEventSource("a b/c"), "/sources/a%20b%2Fc");
}

TEST(CloudEventsTest, RecordBytesCarryTheRawBodyOnlyWhenAsked) {
  v1::Event event = UntypedEvent();
  event.set_sequence(0);
  event.set_raw_body("{\"amount\":1250}");
  const RecordPtr record = MakeRecord(EncodeEvent(event), 7, absl::Now());
  CloudEvent with_raw;
  ASSERT_TRUE(with_raw.ParseFromString(CloudEventBytes(*record, true, 1 << 20)));
  EXPECT_EQ(Attr(with_raw, "rawbody").ce_bytes(), "{\"amount\":1250}");
  EXPECT_EQ(Attr(with_raw, "sequence").ce_string(), "00000000000000000007");
  CloudEvent without;
  ASSERT_TRUE(without.ParseFromString(CloudEventBytes(*record, false, 1 << 20)));
  EXPECT_EQ(without.attributes().count("rawbody"), 0u);
  EXPECT_EQ(without.text_data(), with_raw.text_data());
}

TEST(CloudEventsTest, RecordOverTheLimitLosesPayloadAndRawBodyAndSaysWhy) {
  v1::Event event = UntypedEvent();
  event.set_sequence(0);
  (*event.mutable_untyped()->mutable_fields())["big"].set_string_value(std::string(5000, 'x'));
  event.set_raw_body(std::string(5000, 'y'));
  const RecordPtr record = MakeRecord(EncodeEvent(event), 3, absl::Now());
  const std::string bytes = CloudEventBytes(*record, true, 4096);
  EXPECT_LE(bytes.size(), 4096u);
  CloudEvent ce;
  ASSERT_TRUE(ce.ParseFromString(bytes));
  EXPECT_EQ(ce.data_case(), CloudEvent::DATA_NOT_SET);
  EXPECT_EQ(ce.attributes().count("rawbody"), 0u);
  EXPECT_THAT(Attr(ce, "decodeerror").ce_string(), HasSubstr("grpc.max_event_bytes: 4096"));
  EXPECT_EQ(ce.id(), "msg_1");
  EXPECT_EQ(Attr(ce, "sequence").ce_string(), "00000000000000000003");
}

TEST(CloudEventsTest, UnparsableRecordStillYieldsAnEventFromItsColumns) {
  LogRecord record;
  record.sequence = 5;
  record.id = "id-5";
  record.type = "comment.added";
  record.source = "ckeditor";
  record.subject = "doc-5";
  record.event_bytes = "\xff\xff\xff";
  CloudEvent ce;
  ASSERT_TRUE(ce.ParseFromString(CloudEventBytes(record, false, 1 << 20)));
  EXPECT_EQ(ce.id(), "id-5");
  EXPECT_EQ(ce.type(), "comment.added");
  EXPECT_EQ(ce.source(), "/sources/ckeditor");
  EXPECT_EQ(Attr(ce, "subject").ce_string(), "doc-5");
  EXPECT_EQ(Attr(ce, "sequence").ce_string(), "00000000000000000005");
  EXPECT_THAT(Attr(ce, "decodeerror").ce_string(), HasSubstr("could not be parsed"));
}

}  // namespace
}  // namespace hookbridge
