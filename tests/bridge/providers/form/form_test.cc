#include "bridge/providers/form.h"

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Whether `s` is the JSON object `expected` (a Struct's map has no order).
::testing::AssertionResult IsJson(const google::protobuf::Struct& s, const std::string& expected) {
  google::protobuf::Struct want;
  if (!google::protobuf::util::JsonStringToMessage(expected, &want).ok()) {
    return ::testing::AssertionFailure() << "not JSON: " << expected;
  }
  if (google::protobuf::util::MessageDifferencer::Equals(s, want)) {
    return ::testing::AssertionSuccess();
  }
  std::string got;
  (void)google::protobuf::util::MessageToJsonString(s, &got);
  return ::testing::AssertionFailure() << got << " is not " << expected;
}

WebhookRequest Request(absl::string_view content_type, absl::string_view body) {
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/x";
  request.headers = {{"Content-Type", content_type}};
  request.body = body;
  return request;
}

TEST(FormTest, FieldsAreDecodedInOrder) {
  absl::StatusOr<FormFields> fields =
      ParseForm("To=%2B15558675310&Body=Hello+there%21&&Empty=&Flag&Caf%C3%A9=cr%C3%A8me");
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_THAT(*fields, ElementsAre(Pair("To", "+15558675310"), Pair("Body", "Hello there!"),
                                   Pair("Empty", ""), Pair("Flag", ""),
                                   Pair("Caf\xc3\xa9", "cr\xc3\xa8me")));
}

TEST(FormTest, BadEscapesAndNonUtf8AreRefused) {
  for (absl::string_view body : {"a=%", "a=%4", "a=%zz", "%G1=b"}) {
    absl::StatusOr<FormFields> fields = ParseForm(body);
    EXPECT_EQ(fields.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(fields.status().message(), HasSubstr("two hex digits")) << body;
  }
  absl::StatusOr<FormFields> latin1 = ParseForm("name=Caf%E9");
  EXPECT_THAT(latin1.status().message(), HasSubstr("not UTF-8"));
}

TEST(FormTest, RepeatedNamesBecomeLists) {
  absl::StatusOr<FormFields> fields = ParseForm("a=1&b=2&a=3");
  ASSERT_TRUE(fields.ok());
  google::protobuf::Struct s;
  FormToStruct(*fields, &s);
  EXPECT_TRUE(IsJson(s, R"({"a":["1","3"],"b":"2"})"));
}

TEST(FormTest, ContentTypeIsMatchedWithoutItsParameters) {
  EXPECT_TRUE(IsFormEncoded(Request("application/x-www-form-urlencoded", "")));
  EXPECT_TRUE(IsFormEncoded(Request("Application/X-WWW-Form-Urlencoded; charset=utf-8", "")));
  EXPECT_FALSE(IsFormEncoded(Request("application/json", "")));
  EXPECT_FALSE(IsFormEncoded(Request("multipart/form-data; boundary=x", "")));
}

TEST(FormTest, BodyToStructTakesJsonAPayloadFieldOrTheFields) {
  google::protobuf::Struct s;
  ASSERT_TRUE(BodyToStruct(Request("application/json", R"({"a":[1,{"b":null}]})"), 32, &s).ok());
  EXPECT_TRUE(IsJson(s, R"({"a":[1,{"b":null}]})"));

  // GitHub's "form" content type, Slack's interactivity: one payload field.
  s.Clear();
  ASSERT_TRUE(BodyToStruct(Request("application/x-www-form-urlencoded",
                                   "payload=%7B%22action%22%3A%22opened%22%7D"),
                           32, &s)
                  .ok());
  EXPECT_TRUE(IsJson(s, R"({"action":"opened"})"));

  // Twilio, Slack's slash commands: the fields.
  s.Clear();
  ASSERT_TRUE(
      BodyToStruct(
          Request("application/x-www-form-urlencoded", "MessageSid=SM1&MessageStatus=sent"), 32, &s)
          .ok());
  EXPECT_TRUE(IsJson(s, R"({"MessageSid":"SM1","MessageStatus":"sent"})"));

  absl::Status bad =
      BodyToStruct(Request("application/x-www-form-urlencoded", "payload=%5B1%5D"), 32, &s);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("the form field \"payload\" is not a JSON object"));

  // The payload's nesting is bounded like any body's.
  absl::Status deep = BodyToStruct(
      Request("application/x-www-form-urlencoded", "payload=%7B%22a%22%3A%5B%5B%5B1%5D%5D%5D%7D"),
      2, &s);
  EXPECT_EQ(deep.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hookbridge
