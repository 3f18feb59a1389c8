#include "bridge/json.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "hookbridge/ckbox/v1/ckbox.pb.h"
#include "hookbridge/ckeditor/v1/ckeditor.pb.h"
#include "hookbridge/v1/event.pb.h"
#include "hookbridge/v1/service.pb.h"

namespace hookbridge {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

namespace ck = ckeditor::v1;

Struct Json(absl::string_view text) {
  absl::StatusOr<Struct> parsed = ParseJsonObject(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << " in " << text;
  return parsed.ok() ? *parsed : Struct();
}

// Converts `json` into a fresh M, returning the status; the message in `out`.
template <typename M>
absl::Status Convert(absl::string_view json, M* out, absl::string_view path = "payload") {
  return StructToMessage(Json(json), out, path);
}

// ---- ParseJsonObject --------------------------------------------------------

TEST(ParseJsonObjectTest, ParsesAnObject) {
  absl::StatusOr<Struct> parsed = ParseJsonObject(R"({"a": 1, "b": "x", "c": [true, null]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->fields().at("a").number_value(), 1);
  EXPECT_EQ(parsed->fields().at("b").string_value(), "x");
  ASSERT_EQ(parsed->fields().at("c").list_value().values_size(), 2);
  EXPECT_EQ(parsed->fields().at("c").list_value().values(1).kind_case(), Value::kNullValue);
}

TEST(ParseJsonObjectTest, RejectsInvalidJson) {
  // (protobuf's parser is lenient about single quotes and trailing commas;
  // bodies are signed, so that leniency is not tested either way.)
  for (absl::string_view bad :
       {"", "{", "{\"a\":}", "{\"a\" 1}", "[1]", "42", "\"s\"", "{\"a\": 1} trailing"}) {
    absl::StatusOr<Struct> parsed = ParseJsonObject(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_THAT(ParseJsonObject("{").status().message(), HasSubstr("not a JSON object"));
}

TEST(ParseJsonObjectTest, RejectsWhatRfc8259Rejects) {
  for (absl::string_view bad : {"{\"a\":1,}",
                                "{\"a\":[1,]}",
                                "{'a':1}",
                                "{a:1}",
                                "{\"a\":01}",
                                "{\"a\":-01}",
                                "{\"a\":1.}",
                                "{\"a\":.5}",
                                "{\"a\":+1}",
                                "{\"a\":1e}",
                                "{\"a\":-}",
                                "{\"a\":NaN}",
                                "{\"a\":Infinity}",
                                "{\"a\":tru}",
                                "{\"a\":nul}",
                                "{\"a\":\"\\x\"}",
                                "{\"a\":\"\\u12\"}",
                                "{\"a\":1/*c*/}",
                                "{\"a\":[1 2]}",
                                "{\"a\":1}{}",
                                "{,}",
                                "{\"a\":\f1}",
                                "{\"a\":\"x}",
                                "\xef\xbb\xbf{\"a\":1}",
                                "{\"a\":1e400}",
                                "{\"a\":-1e400}"}) {
    absl::StatusOr<Struct> parsed = ParseJsonObject(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(parsed.status().message(), HasSubstr("not a JSON object")) << bad;
  }
}

// Reasons reach the sender, the process log and the console: they say
// where, never what the body holds there.
TEST(ParseJsonObjectTest, ErrorsNeverRepeatTheBody) {
  for (absl::string_view bad :
       {R"({"card-4111111111111111":1,"card-4111111111111111":2})",
        R"({"a":{"card-4111111111111111":1,"card-4111111111111111":2}})",
        R"({"card-4111111111111111" 1})", R"({"card-4111111111111111")",
        R"({"a":"card-4111111111111111)", R"({"a":card-4111111111111111})",
        R"({"a":"card-4111111111111111\x"})", R"({"a":1}card-4111111111111111)"}) {
    absl::StatusOr<Struct> parsed = ParseJsonObject(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_THAT(parsed.status().message(), HasSubstr("(at byte ")) << bad;
    EXPECT_THAT(parsed.status().message(), Not(HasSubstr("4111"))) << bad;
  }
}

TEST(ParseJsonObjectTest, ErrorsSayWhatAndWhere) {
  EXPECT_THAT(ParseJsonObject("{\"a\":1,\"b\":2,\"a\":3}").status().message(),
              HasSubstr("duplicate key (at byte 13)"));
  EXPECT_THAT(ParseJsonObject("{\"a\":01}").status().message(), HasSubstr("leading zeros"));
  EXPECT_THAT(ParseJsonObject("{\"a\":1e999}").status().message(),
              HasSubstr("outside the range of a double (at byte 5)"));
  EXPECT_THAT(ParseJsonObject("{\"a\":1} x").status().message(),
              HasSubstr("unexpected text after the object (at byte 8)"));
  EXPECT_THAT(ParseJsonObject("{\"a\":\"\\q\"}").status().message(),
              HasSubstr("invalid escape in a string (at byte 6)"));
}

TEST(ParseJsonObjectTest, DecodesEscapesAndNumbers) {
  Struct s = Json(
      R"({"e":"\"\\\/\b\f\n\r\t","u":"\u00e9\u20ac\ud83d\ude00\u0000x","n":[0,-0,1.5,-2e3,1E+2,)"
      R"(0.0e0,12345678901234567890,1e-400,9007199254740993],"k":{"":true,"z":false,"y":null}})");
  EXPECT_EQ(s.fields().at("e").string_value(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(s.fields().at("u").string_value(),
            std::string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0x", 11));
  const auto& n = s.fields().at("n").list_value();
  ASSERT_EQ(n.values_size(), 9);
  EXPECT_EQ(n.values(0).number_value(), 0);
  EXPECT_TRUE(std::signbit(n.values(1).number_value()));
  EXPECT_EQ(n.values(2).number_value(), 1.5);
  EXPECT_EQ(n.values(3).number_value(), -2000);
  EXPECT_EQ(n.values(4).number_value(), 100);
  EXPECT_EQ(n.values(5).number_value(), 0);
  EXPECT_EQ(n.values(6).number_value(), 12345678901234567890.0);
  EXPECT_EQ(n.values(7).number_value(), 0);
  EXPECT_EQ(n.values(8).number_value(), 9007199254740992.0);  // nearest double
  const auto& k = s.fields().at("k").struct_value().fields();
  EXPECT_TRUE(k.at("").bool_value());
  EXPECT_FALSE(k.at("z").bool_value());
  EXPECT_EQ(k.at("y").kind_case(), Value::kNullValue);
}

// ParseJsonObject is safe on its own (fuzzers and tests call it without
// CheckJsonText): it refuses what CheckJsonText refuses, with its messages.
TEST(ParseJsonObjectTest, ChecksUtf8AndSurrogatesItself) {
  EXPECT_THAT(ParseJsonObject("{\"a\":\"ok\xc3\"}").status().message(),
              HasSubstr("body is not valid UTF-8 (at byte 8)"));
  EXPECT_THAT(ParseJsonObject("{\"a\":\"\xed\xa0\x80\"}").status().message(),
              HasSubstr("not valid UTF-8"));
  EXPECT_THAT(ParseJsonObject(R"({"a":"\ud800x"})").status().message(),
              HasSubstr("unpaired UTF-16 surrogate escape (at byte 6)"));
  EXPECT_THAT(ParseJsonObject(R"({"a":"\udc00"})").status().message(),
              HasSubstr("unpaired UTF-16 surrogate escape (at byte 6)"));
  EXPECT_THAT(ParseJsonObject(R"({"a":"\ud800\u0041"})").status().message(),
              HasSubstr("unpaired UTF-16 surrogate escape"));
}

TEST(ParseJsonObjectTest, TakesUnescapedControlCharactersInStrings) {
  Struct s = Json("{\"a\":\"x\ny\tz\x01\"}");
  EXPECT_EQ(s.fields().at("a").string_value(), "x\ny\tz\x01");
}

// The parser must build exactly what protobuf's own JSON parser builds for
// valid JSON (it replaced it): compared on the bodies of every golden
// webhook and on hand-picked shapes.
TEST(ParseJsonObjectTest, AgreesWithProtobufsJsonParser) {
  std::vector<std::string> bodies = {
      R"({})",
      R"( { "a" : [ ] , "b" : { } , "c" : [ [ ], { } ] } )",
      R"({"a":{"b":{"c":[1,2,{"d":"e"}]}},"f":-0.5e-3,"g":"\u2028\u00fc"})",
      "{\"a\":1}\r\n",
  };
  for (const auto& entry : std::filesystem::recursive_directory_iterator(HOOKBRIDGE_TESTDATA_DIR)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bodies.push_back(text);
  }
  int compared = 0;
  for (const std::string& body : bodies) {
    Struct expected;
    if (!google::protobuf::util::JsonStringToMessage(body, &expected).ok()) continue;
    absl::StatusOr<Struct> parsed = ParseJsonObject(body);
    ASSERT_TRUE(parsed.ok()) << parsed.status() << " in " << body;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*parsed, expected)) << body;
    ++compared;
  }
  EXPECT_GT(compared, 10);
}

// ---- CheckJsonText and the limits of ParseJsonObject ----------------------

// `depth` levels of objects, {"a":{"a":...{"a":1}...}}.
std::string NestedObjects(int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out.append(depth, '}');
  return out;
}

TEST(CheckJsonTextTest, CountsArraysAndObjectsOutsideStrings) {
  EXPECT_TRUE(CheckJsonText(R"({"a":[{"b":[]}]})", 4).ok());
  EXPECT_FALSE(CheckJsonText(R"({"a":[{"b":[]}]})", 3).ok());
  // Brackets inside strings, escaped quotes included, are text.
  EXPECT_TRUE(CheckJsonText(R"({"a":"[[[{{{\"[[[","b":1})", 1).ok());
  // Siblings do not add up.
  EXPECT_TRUE(CheckJsonText(R"({"a":{},"b":{},"c":[[]]})", 3).ok());
  EXPECT_TRUE(CheckJsonText("", 1).ok());
}

TEST(CheckJsonTextTest, DepthErrorNamesTheLimitAndTheOffset) {
  absl::Status s = CheckJsonText(NestedObjects(5), 4);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("deeper than 4 levels"));
  EXPECT_THAT(s.message(), HasSubstr("at byte 20"));
}

TEST(CheckJsonTextTest, AMillionOpeningBracketsFailFastWithoutRecursion) {
  const std::string deep(1000000, '[');
  absl::Status s = CheckJsonText(deep, kMaxJsonDepth);
  EXPECT_THAT(s.message(), HasSubstr("deeper than"));
  absl::StatusOr<Struct> parsed = ParseJsonObject("{\"a\":" + deep);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.status().message(), HasSubstr("deeper than"));
  // Unbalanced closing brackets are the parser's business, not a crash.
  EXPECT_FALSE(ParseJsonObject(std::string(100000, '}')).ok());
}

TEST(CheckJsonTextTest, RejectsInvalidUtf8Anywhere) {
  const std::string bad[] = {
      "{\"a\":\"\xff\"}",              // never valid
      "{\"a\":\"\xc3\"}",              // truncated sequence
      "{\"a\":\"\xc0\xaf\"}",          // overlong '/'
      "{\"a\":\"\xed\xa0\x80\"}",      // encoded surrogate U+D800
      "{\"a\":\"\xf4\x90\x80\x80\"}",  // above U+10FFFF
      "{\"\xfe\":1}",                  // in a key
      "{\"a\":1}\x80",                 // outside strings
  };
  for (const std::string& json : bad) {
    absl::Status s = CheckJsonText(json, kMaxJsonDepth);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << absl::CHexEscape(json);
    EXPECT_THAT(s.message(), HasSubstr("not valid UTF-8")) << absl::CHexEscape(json);
    EXPECT_FALSE(ParseJsonObject(json).ok()) << absl::CHexEscape(json);
  }
}

TEST(CheckJsonTextTest, AcceptsValidUtf8) {
  // 2, 3 and 4 byte sequences, the edges of the valid ranges.
  const std::string good =
      "{\"\xc3\xa9t\xc3\xa9\":\"\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf "
      "\xf4\x8f\xbf\xbf \xed\x9f\xbf\"}";
  EXPECT_TRUE(CheckJsonText(good, kMaxJsonDepth).ok());
  absl::StatusOr<Struct> parsed = ParseJsonObject(good);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->fields().at("\xc3\xa9t\xc3\xa9").string_value(),
            "\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf \xed\x9f\xbf");
}

TEST(CheckJsonTextTest, RejectsUnpairedSurrogateEscapes) {
  for (const char* json : {R"({"a":"\ud800"})", R"({"a":"\udc00"})", R"({"a":"x\uD83Dy"})",
                           R"({"a":"\ud83d\u0041"})", R"({"\udfff":1})"}) {
    absl::Status s = CheckJsonText(json, kMaxJsonDepth);
    EXPECT_THAT(s.message(), HasSubstr("unpaired UTF-16 surrogate")) << json;
    EXPECT_FALSE(ParseJsonObject(json).ok()) << json;
  }
  // A proper pair, and escaped backslashes before a 'u', are fine.
  absl::StatusOr<Struct> parsed = ParseJsonObject(R"({"a":"\ud83d\ude00","b":"\\ud800"})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->fields().at("a").string_value(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(parsed->fields().at("b").string_value(), "\\ud800");
}

TEST(IsValidUtf8Test, Basics) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_FALSE(
      IsValidUtf8("a\x80"
                  "b"));
}

TEST(ParseJsonObjectTest, AcceptsTheDeepestAllowedNesting) {
  EXPECT_TRUE(ParseJsonObject(NestedObjects(kMaxJsonDepth)).ok());
  absl::StatusOr<Struct> deeper = ParseJsonObject(NestedObjects(kMaxJsonDepth + 1));
  EXPECT_THAT(deeper.status().message(), HasSubstr("deeper than"));
}

// The reason for kMaxJsonDepth: the deepest payload accepted must survive a
// round trip through protobuf's binary format with default parser limits,
// as the bridge (restart warm-up) and subscribers read it.
TEST(ParseJsonObjectTest, DeepestAllowedPayloadParsesBackWithDefaultProtobufLimits) {
  for (const std::string& body :
       {NestedObjects(kMaxJsonDepth), "{\"a\":" + std::string(kMaxJsonDepth - 1, '[') + "1" +
                                          std::string(kMaxJsonDepth - 1, ']') + "}"}) {
    absl::StatusOr<Struct> parsed = ParseJsonObject(body);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    v1::Event event;
    event.set_type("x");
    *event.mutable_untyped() = *parsed;
    v1::Event back;
    ASSERT_TRUE(back.ParseFromString(event.SerializeAsString()));
    EXPECT_EQ(back.untyped().DebugString(), parsed->DebugString());
  }
  // Whereas a little deeper than allowed would not: the limit is not
  // arbitrary.
  Struct deep;
  Struct* level = &deep;
  for (int i = 0; i < kMaxJsonDepth + 2; ++i) {
    level = (*level->mutable_fields())["a"].mutable_struct_value();
  }
  (*level->mutable_fields())["a"].set_number_value(1);
  v1::Event event;
  *event.mutable_untyped() = deep;
  v1::Event back;
  EXPECT_FALSE(back.ParseFromString(event.SerializeAsString()));
}

// ---- StructToMessage: matching keys -----------------------------------------

TEST(StructToMessageTest, FillsNestedMessages) {
  ck::CommentAdded message;
  ASSERT_TRUE(Convert(R"({"document": {"id": "doc-1"},
                          "comment": {"id": "c1", "content": "hi", "thread_id": "t1",
                                      "user": {"id": "u1"}}})",
                      &message)
                  .ok());
  EXPECT_EQ(message.document().id(), "doc-1");
  EXPECT_EQ(message.comment().id(), "c1");
  EXPECT_EQ(message.comment().content(), "hi");
  EXPECT_EQ(message.comment().thread_id(), "t1");
  EXPECT_EQ(message.comment().user().id(), "u1");
}

TEST(StructToMessageTest, IgnoresUnknownKeys) {
  ck::DocumentRef message;
  ASSERT_TRUE(Convert(R"({"id": "d", "unknown": {"deep": [1, 2]}, "other": null})", &message).ok());
  EXPECT_EQ(message.id(), "d");
}

TEST(StructToMessageTest, MatchesJsonNames) {
  ck::StorageDocumentSaveFailed message;
  ASSERT_TRUE(Convert(R"({"editor": {"bundleVersion": "v1"}})", &message).ok());
  EXPECT_EQ(message.editor().bundle_version(), "v1");

  ck::StorageDocumentSaveFailed by_name;
  ASSERT_TRUE(Convert(R"({"editor": {"bundle_version": "v2"}})", &by_name).ok());
  EXPECT_EQ(by_name.editor().bundle_version(), "v2");

  ck::CommentAdded::Comment camel;
  ASSERT_TRUE(Convert(R"({"threadId": "t1"})", &camel).ok());
  EXPECT_EQ(camel.thread_id(), "t1");
}

// ---- null ---------------------------------------------------------------------

TEST(StructToMessageTest, NullLeavesFieldsUnset) {
  ck::SuggestionAdded message;
  ASSERT_TRUE(Convert(R"({"document": null,
                          "suggestion": {"id": "s1", "child_of": null, "created_at": null,
                                         "user": null}})",
                      &message)
                  .ok());
  EXPECT_FALSE(message.has_document());
  EXPECT_EQ(message.suggestion().id(), "s1");
  EXPECT_EQ(message.suggestion().child_of(), "");
  EXPECT_FALSE(message.suggestion().has_created_at());
  EXPECT_FALSE(message.suggestion().has_user());
}

TEST(StructToMessageTest, NullArrayLeavesRepeatedFieldEmpty) {
  ck::CollaborationUserConnected message;
  ASSERT_TRUE(Convert(R"({"connected_users": null})", &message).ok());
  EXPECT_EQ(message.connected_users_size(), 0);
}

TEST(StructToMessageTest, NullInsideAnArrayIsAnErrorNamingTheIndex) {
  ck::CollaborationUserConnected message;
  absl::Status status = Convert(R"({"connected_users": [{"id": "u1"}, null]})", &message);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("payload.connected_users[1]"));
}

// ---- strings --------------------------------------------------------------------

TEST(StructToMessageTest, NumbersAreAcceptedForStrings) {
  ck::DocumentRef message;
  ASSERT_TRUE(Convert(R"({"id": 12345678901})", &message).ok());
  EXPECT_EQ(message.id(), "12345678901");
  ASSERT_TRUE(Convert(R"({"id": -3})", &message).ok());
  EXPECT_EQ(message.id(), "-3");
  ASSERT_TRUE(Convert(R"({"id": 1.5})", &message).ok());
  EXPECT_EQ(message.id(), "1.5");
  ASSERT_TRUE(Convert(R"({"id": 0})", &message).ok());
  EXPECT_EQ(message.id(), "0");
}

TEST(StructToMessageTest, OtherKindsAreRejectedForStrings) {
  for (absl::string_view json : {R"({"id": true})", R"({"id": {"x": 1}})", R"({"id": ["a"]})"}) {
    ck::DocumentRef message;
    absl::Status status = Convert(json, &message);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(status.message(), HasSubstr("payload.id: expected a string")) << json;
  }
}

TEST(StructToMessageTest, FillsRepeatedStrings) {
  ckbox::v1::AssetUploaded::Asset asset;
  ASSERT_TRUE(Convert(R"({"tags": ["a", 2, "c"]})", &asset).ok());
  EXPECT_THAT(asset.tags(), ::testing::ElementsAre("a", "2", "c"));
  ASSERT_TRUE(Convert(R"({"tags": []})", &asset).ok());
}

TEST(StructToMessageTest, RepeatedFieldRequiresAnArray) {
  ckbox::v1::AssetUploaded::Asset asset;
  absl::Status status = Convert(R"({"tags": "a"})", &asset);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("payload.tags: expected an array, got a string"));
}

// ---- integers -------------------------------------------------------------------

TEST(StructToMessageTest, IntegersFromNumbersAndNumericStrings) {
  ck::CollaborationDocumentUpdated::Document document;
  ASSERT_TRUE(Convert(R"({"version": 2000})", &document).ok());
  EXPECT_EQ(document.version(), 2000);
  ASSERT_TRUE(Convert(R"({"version": "2001"})", &document).ok());
  EXPECT_EQ(document.version(), 2001);
  ASSERT_TRUE(Convert(R"({"version": -5})", &document).ok());
  EXPECT_EQ(document.version(), -5);
  ASSERT_TRUE(Convert(R"({"version": 9007199254740992})", &document).ok());
  EXPECT_EQ(document.version(), int64_t{9007199254740992});
  ASSERT_TRUE(Convert(R"({"version": 2.0})", &document).ok());
  EXPECT_EQ(document.version(), 2);
}

TEST(StructToMessageTest, NonIntegersAreRejectedForIntegersWithThePath) {
  const char* const kBad[] = {R"({"document": {"version": 1.5}})",
                              R"({"document": {"version": "ten"}})",
                              R"({"document": {"version": "1.5"}})",
                              R"({"document": {"version": ""}})",
                              R"({"document": {"version": true}})",
                              R"({"document": {"version": {}}})",
                              R"({"document": {"version": 1e300}})",
                              R"({"document": {"version": "99999999999999999999"}})"};
  for (const char* json : kBad) {
    ck::CollaborationDocumentUpdated message;
    absl::Status status = Convert(json, &message);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(status.message(), HasSubstr("payload.document.version: expected an integer"))
        << json;
  }
}

TEST(StructToMessageTest, Int32AndUnsignedRanges) {
  google::protobuf::Int32Value i32;
  ASSERT_TRUE(Convert(R"({"value": -2147483648})", &i32).ok());
  EXPECT_EQ(i32.value(), -2147483648);
  EXPECT_FALSE(Convert(R"({"value": 2147483648})", &i32).ok());
  EXPECT_FALSE(Convert(R"({"value": "2147483648"})", &i32).ok());

  google::protobuf::UInt32Value u32;
  ASSERT_TRUE(Convert(R"({"value": 4294967295})", &u32).ok());
  EXPECT_EQ(u32.value(), 4294967295u);
  EXPECT_FALSE(Convert(R"({"value": 4294967296})", &u32).ok());
  EXPECT_FALSE(Convert(R"({"value": -1})", &u32).ok());
  EXPECT_FALSE(Convert(R"({"value": "-1"})", &u32).ok());

  v1::SubscribeRequest request;
  ASSERT_TRUE(Convert(R"({"after_sequence": "42"})", &request).ok());
  EXPECT_EQ(request.after_sequence(), 42u);
}

// ---- other scalars --------------------------------------------------------------

TEST(StructToMessageTest, BoolsDoublesAndEnums) {
  v1::SubscribeRequest request;
  ASSERT_TRUE(Convert(R"({"include_raw": true, "types": ["comment.*"]})", &request).ok());
  EXPECT_TRUE(request.include_raw());
  EXPECT_THAT(Convert(R"({"include_raw": "true"})", &request).message(),
              HasSubstr("payload.include_raw: expected a boolean, got a string"));

  google::protobuf::DoubleValue d;
  ASSERT_TRUE(Convert(R"({"value": 2.5})", &d).ok());
  EXPECT_EQ(d.value(), 2.5);
  EXPECT_FALSE(Convert(R"({"value": "2.5"})", &d).ok());

  v1::Event event;
  ASSERT_TRUE(Convert(R"({"provider": "PROVIDER_CKBOX"})", &event).ok());
  EXPECT_EQ(event.provider(), v1::PROVIDER_CKBOX);
  EXPECT_THAT(Convert(R"({"provider": "PROVIDER_NOPE"})", &event).message(),
              HasSubstr("payload.provider"));
}

// ---- Timestamps ------------------------------------------------------------------

TEST(StructToMessageTest, ParsesRfc3339Timestamps) {
  ck::CommentAdded::Comment comment;
  ASSERT_TRUE(Convert(R"({"created_at": "2019-05-29T08:17:53.450Z"})", &comment).ok());
  EXPECT_EQ(comment.created_at().seconds(), 1559117873);
  EXPECT_EQ(comment.created_at().nanos(), 450000000);

  ASSERT_TRUE(Convert(R"({"created_at": "2019-05-29T10:17:53+02:00"})", &comment).ok());
  EXPECT_EQ(comment.created_at().seconds(), 1559117873);
  EXPECT_EQ(comment.created_at().nanos(), 0);
}

TEST(StructToMessageTest, RejectsBadTimestampsWithThePath) {
  ck::CommentAdded message;
  absl::Status status = Convert(R"({"comment": {"created_at": "yesterday"}})", &message);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("payload.comment.created_at"));
  EXPECT_THAT(status.message(), HasSubstr("yesterday"));

  status = Convert(R"({"comment": {"created_at": 1559117873450}})", &message);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("payload.comment.created_at: expected an RFC 3339"));
}

// ---- Structs and maps -----------------------------------------------------------

TEST(StructToMessageTest, CopiesFreeFormObjectsIntoStructs) {
  ck::StorageDocumentSaved::Document document;
  ASSERT_TRUE(
      Convert(R"({"attributes": {"foo": "bar", "n": 1, "list": [1, "a"], "o": {"p": null}}})",
              &document)
          .ok());
  const auto& fields = document.attributes().fields();
  EXPECT_EQ(fields.at("foo").string_value(), "bar");
  EXPECT_EQ(fields.at("n").number_value(), 1);
  EXPECT_EQ(fields.at("list").list_value().values_size(), 2);
  EXPECT_EQ(fields.at("o").struct_value().fields().at("p").kind_case(), Value::kNullValue);

  ASSERT_TRUE(Convert(R"({"attributes": {}})", &document).ok());
  EXPECT_TRUE(document.has_attributes());

  EXPECT_THAT(Convert(R"({"attributes": "x"})", &document).message(),
              HasSubstr("payload.attributes: expected an object, got a string"));
}

TEST(StructToMessageTest, FillsStringMaps) {
  ckbox::v1::AssetUploaded::Asset asset;
  ASSERT_TRUE(Convert(R"({"images_urls": {"80": "https://h/80.webp", "160": 160,
                                          "default": "https://h/d", "gone": null}})",
                      &asset)
                  .ok());
  EXPECT_THAT(asset.images_urls(),
              UnorderedElementsAre(Pair("80", "https://h/80.webp"), Pair("160", "160"),
                                   Pair("default", "https://h/d")));
}

TEST(StructToMessageTest, MapErrorsNameTheKey) {
  ckbox::v1::AssetUploaded::Asset asset;
  absl::Status status = Convert(R"({"images_urls": {"80": {"u": 1}}})", &asset);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("payload.images_urls.80: expected a string"));

  EXPECT_THAT(Convert(R"({"images_urls": ["a"]})", &asset).message(),
              HasSubstr("payload.images_urls: expected an object, got an array"));
}

// ---- error paths -------------------------------------------------------------------

TEST(StructToMessageTest, ErrorsNameTheFullJsonPath) {
  ck::CommentThreadAllRemoved message;
  absl::Status status = Convert(R"({"comment_threads": [
      {"id": "t1", "comments": [{"id": "c1"}]},
      {"id": "t2", "comments": [{"id": "c2"}, {"id": "c3", "created_at": false}]}]})",
                                &message, "body.payload");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("body.payload.comment_threads[1].comments[1].created_at"));
}

TEST(StructToMessageTest, NestedMessageRequiresAnObject) {
  ck::CommentAdded message;
  absl::Status status = Convert(R"({"document": "doc-1"})", &message);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("payload.document: expected an object, got a string"));
}

// ---- paths -----------------------------------------------------------------------

TEST(FindValueAtPathTest, FollowsDottedPaths) {
  const Struct object = Json(R"({"document": {"id": "doc-1", "n": 2, "deep": {"x": "y"}},
                                 "id": "top", "list": [1]})");
  ASSERT_NE(FindValueAtPath(object, "document.n"), nullptr);
  EXPECT_EQ(FindValueAtPath(object, "document.n")->number_value(), 2);
  ASSERT_NE(FindValueAtPath(object, "document"), nullptr);
  EXPECT_EQ(FindValueAtPath(object, "document")->kind_case(), Value::kStructValue);
  EXPECT_EQ(FindValueAtPath(object, "document.missing"), nullptr);
  EXPECT_EQ(FindValueAtPath(object, "id.more"), nullptr);
  EXPECT_EQ(FindValueAtPath(object, "list.0"), nullptr);
  EXPECT_EQ(FindValueAtPath(object, ""), nullptr);

  ASSERT_NE(FindStringAtPath(object, "document.id"), nullptr);
  EXPECT_EQ(*FindStringAtPath(object, "document.id"), "doc-1");
  EXPECT_EQ(*FindStringAtPath(object, "document.deep.x"), "y");
  EXPECT_EQ(*FindStringAtPath(object, "id"), "top");
  EXPECT_EQ(FindStringAtPath(object, "document.n"), nullptr);
  EXPECT_EQ(FindStringAtPath(object, "document"), nullptr);
}

}  // namespace
}  // namespace hookbridge
