#include "bridge/log/event_log.h"

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::Event SampleEvent(std::string raw_body) {
  v1::Event event;
  event.set_id("0123456789abcdef");
  event.set_source("docs");
  event.set_provider(v1::PROVIDER_CKEDITOR_CLOUD_SERVICES);
  event.set_type("comment.added");
  event.set_environment_id("environment-1");
  event.set_subject("doc-1");
  event.mutable_sent_at()->set_seconds(1559117873);
  event.mutable_sent_at()->set_nanos(457000000);
  event.mutable_received_at()->set_seconds(1559117874);
  event.mutable_received_at()->set_nanos(5000);
  auto* added = event.mutable_ckeditor()->mutable_comment_added();
  added->mutable_document()->set_id("doc-1");
  added->mutable_comment()->set_id("comment-1");
  added->mutable_comment()->set_content("Some comment content.");
  event.set_raw_body(std::move(raw_body));
  return event;
}

v1::Event Parse(const std::string& bytes) {
  v1::Event event;
  EXPECT_TRUE(event.ParseFromString(bytes));
  return event;
}

void ExpectEqualEvents(const v1::Event& expected, const v1::Event& actual) {
  MessageDifferencer differencer;
  std::string report;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(expected, actual)) << report;
}

TEST(EncodeEventTest, CopiesTheFilterKeys) {
  EncodedEvent encoded = EncodeEvent(SampleEvent("{}"));
  EXPECT_EQ(encoded.id, "0123456789abcdef");
  EXPECT_EQ(encoded.type, "comment.added");
  EXPECT_EQ(encoded.source, "docs");
  EXPECT_EQ(encoded.environment_id, "environment-1");
  EXPECT_EQ(encoded.subject, "doc-1");
  EXPECT_EQ(encoded.received_at, absl::FromUnixSeconds(1559117874) + absl::Nanoseconds(5000));
}

TEST(EncodeEventTest, BodyIsTheEventWithoutRawBodyAndSequence) {
  v1::Event event = SampleEvent(R"({"event":"comment.added"})");
  event.set_sequence(99);
  EncodedEvent encoded = EncodeEvent(event);
  v1::Event expected = event;
  expected.clear_raw_body();
  expected.clear_sequence();
  ExpectEqualEvents(expected, Parse(encoded.body));

  // The raw body is encoded on its own, as a complete field.
  v1::Event raw_only = Parse(encoded.raw_body_field);
  EXPECT_EQ(raw_only.raw_body(), R"({"event":"comment.added"})");
  raw_only.clear_raw_body();
  EXPECT_EQ(raw_only.ByteSizeLong(), 0u);
}

TEST(EncodeEventTest, EmptyRawBodyHasNoRawField) {
  EncodedEvent encoded = EncodeEvent(SampleEvent(""));
  EXPECT_TRUE(encoded.raw_body_field.empty());
}

TEST(MakeRecordTest, BytesParseBackWithTheSequence) {
  const v1::Event original = SampleEvent(R"({"a":1})");
  for (uint64_t sequence :
       {uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{1} << 40, ~uint64_t{0}}) {
    RecordPtr record = MakeRecord(EncodeEvent(original), sequence, absl::FromUnixSeconds(7));
    EXPECT_EQ(record->sequence, sequence);
    EXPECT_EQ(record->appended_at, absl::FromUnixSeconds(7));

    v1::Event expected = original;
    expected.clear_raw_body();
    expected.set_sequence(sequence);
    ExpectEqualEvents(expected, Parse(record->event_bytes));
  }
}

TEST(MakeRecordTest, RawFieldAppendedGivesTheRawBodyBack) {
  const std::string body = R"({"event":"comment.added","payload":{}})";
  const v1::Event original = SampleEvent(body);
  RecordPtr record = MakeRecord(EncodeEvent(original), 42, absl::FromUnixSeconds(1));

  v1::Event expected = original;
  expected.set_sequence(42);
  ExpectEqualEvents(expected, Parse(record->event_bytes + record->raw_body_field));
}

TEST(MakeRecordTest, LargeRawBodyRoundTrips) {
  std::string body(300000, 'x');
  body.front() = '{';
  body.back() = '}';
  const v1::Event original = SampleEvent(body);
  RecordPtr record = MakeRecord(EncodeEvent(original), 3, absl::FromUnixSeconds(1));
  v1::Event parsed = Parse(record->event_bytes + record->raw_body_field);
  EXPECT_EQ(parsed.raw_body(), body);
  EXPECT_EQ(parsed.sequence(), 3u);
  EXPECT_GE(record->ByteSize(), body.size() + record->event_bytes.size());
}

TEST(MakeRecordTest, KeepsTheFilterKeys) {
  RecordPtr record = MakeRecord(EncodeEvent(SampleEvent("")), 5, absl::FromUnixSeconds(1));
  EXPECT_EQ(record->id, "0123456789abcdef");
  EXPECT_EQ(record->type, "comment.added");
  EXPECT_EQ(record->source, "docs");
  EXPECT_EQ(record->environment_id, "environment-1");
  EXPECT_EQ(record->subject, "doc-1");
  EXPECT_TRUE(record->raw_body_field.empty());
}

}  // namespace
}  // namespace hookbridge
