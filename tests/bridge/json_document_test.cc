#include "bridge/json_document.h"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bridge/json.h"
#include "bridge/providers/registry.h"
#include "fuzz/fuzz_input.h"
#include "gmock/gmock.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "hookbridge/ckbox/v1/ckbox.pb.h"
#include "hookbridge/ckeditor/v1/ckeditor.pb.h"
#include "hookbridge/docspace/v1/docspace.pb.h"
#include "hookbridge/v1/event.pb.h"
#include "hookbridge/v1/service.pb.h"
#include "tests/bridge/providers/reference_decode.h"

namespace hookbridge {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::Message;
using google::protobuf::Struct;
using google::protobuf::Value;
using ::testing::HasSubstr;
using ::testing::Not;

namespace ck = ckeditor::v1;

// Serialized with map entries in key order: equal bytes, equal messages
// (doubles compared bit for bit, -0.0 included).
std::string Bytes(const Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

// A body in a buffer of its own: with kJsonPadding bytes of spare capacity
// after it or with none, so that both ways of parsing are exercised.
struct Buffer {
  Buffer(absl::string_view body, bool padded) {
    text.reserve(body.size() + (padded ? kJsonPadding : 0));
    text.assign(body.data(), body.size());
  }
  size_t padding() const { return text.capacity() - text.size(); }
  std::string text;
};

// ---- what simdjson does by itself ------------------------------------------
//
// The DOM parser's own behaviour on each tolerance of bridge/json.h, pinned
// down: JsonDocument makes up for every difference (a newer simdjson that
// changes one of these must be looked at again).

simdjson::error_code SimdjsonParse(const std::string& text, simdjson::dom::element* root) {
  static simdjson::dom::parser* parser = new simdjson::dom::parser;
  return parser->parse(text).get(*root);
}

TEST(SimdjsonTest, AcceptsDuplicateKeys) {
  simdjson::dom::element root;
  EXPECT_EQ(SimdjsonParse(R"({"a":1,"a":2})", &root), simdjson::SUCCESS);
}

TEST(SimdjsonTest, RefusesUnescapedControlCharacters) {
  simdjson::dom::element root;
  EXPECT_EQ(SimdjsonParse("{\"a\":\"x\ty\x01\"}", &root), simdjson::UNESCAPED_CHARS);
}

TEST(SimdjsonTest, RefusesIntegersBeyond64Bits) {
  simdjson::dom::element root;
  EXPECT_EQ(SimdjsonParse(R"({"a":18446744073709551616})", &root), simdjson::NUMBER_ERROR);
  EXPECT_EQ(SimdjsonParse(R"({"a":-9223372036854775809})", &root), simdjson::NUMBER_ERROR);
  ASSERT_EQ(SimdjsonParse(R"({"a":18446744073709551615})", &root), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::element(root["a"]).type(), simdjson::dom::element_type::UINT64);
}

// simdjson keeps integers up to 2^64 exact; a Struct holds the nearest
// double, and so does JsonValue::number().
TEST(SimdjsonTest, KeepsIntegersBeyond2To53Exact) {
  simdjson::dom::element root;
  ASSERT_EQ(SimdjsonParse(R"({"a":9007199254740993})", &root), simdjson::SUCCESS);
  EXPECT_EQ(int64_t(root["a"]), int64_t{9007199254740993});
  JsonDocument document;
  ASSERT_TRUE(document.Parse(R"({"a":9007199254740993})", 0, kMaxJsonDepth).ok());
  EXPECT_EQ(document.root().Find("a")->number(), 9007199254740992.0);
}

TEST(SimdjsonTest, ReadsTheIntegerMinusZeroWithoutItsSign) {
  simdjson::dom::element root;
  ASSERT_EQ(SimdjsonParse(R"({"a":-0,"b":-0.0})", &root), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::element(root["a"]).type(), simdjson::dom::element_type::INT64);
  EXPECT_EQ(int64_t(root["a"]), 0);
  EXPECT_TRUE(std::signbit(double(root["b"])));
}

TEST(SimdjsonTest, RefusesUnpairedSurrogatesAndInvalidUtf8) {
  simdjson::dom::element root;
  for (const std::string text :
       {R"({"a":"\ud800"})", R"({"a":"\udc00"})", R"({"a":"\ud800\u0041"})"}) {
    EXPECT_EQ(SimdjsonParse(text, &root), simdjson::STRING_ERROR) << text;
  }
  EXPECT_EQ(SimdjsonParse("{\"a\":\"\xed\xa0\x80\"}", &root), simdjson::UTF8_ERROR);
  EXPECT_EQ(SimdjsonParse("{\"a\":1}\x80", &root), simdjson::UTF8_ERROR);
}

TEST(SimdjsonTest, AcceptsADocumentThatIsNotAnObject) {
  simdjson::dom::element root;
  EXPECT_EQ(SimdjsonParse("[1]", &root), simdjson::SUCCESS);
  EXPECT_EQ(SimdjsonParse("42", &root), simdjson::SUCCESS);
  EXPECT_EQ(SimdjsonParse(R"("s")", &root), simdjson::SUCCESS);
}

TEST(SimdjsonTest, RefusesNestingAsDeepAsItsMaxDepth) {
  simdjson::dom::parser parser;
  ASSERT_EQ(parser.allocate(1 << 10, 3), simdjson::SUCCESS);
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(std::string(R"({"a":{"b":1}})")).get(root), simdjson::SUCCESS);
  EXPECT_EQ(parser.parse(std::string(R"({"a":{"b":[1]}})")).get(root), simdjson::DEPTH_ERROR);
}

// ---- JsonDocument::Parse against CheckJsonText and ParseJsonObject ------------

// What the reference functions make of `body` at `max_depth`: the status, and
// the Struct when OK.
absl::StatusOr<Struct> ReferenceParse(absl::string_view body, int max_depth) {
  if (absl::Status checked = CheckJsonText(body, max_depth); !checked.ok()) return checked;
  return ParseJsonObject(body);
}

// Parses `body` both ways and expects the same outcome: the same status
// (reason included) and, when OK, the same values.
void ExpectParsesAsReference(absl::string_view body, int max_depth) {
  const absl::StatusOr<Struct> expected = ReferenceParse(body, max_depth);
  for (bool padded : {false, true}) {
    const Buffer buffer(body, padded);
    JsonDocument document;
    const absl::Status status = document.Parse(buffer.text, buffer.padding(), max_depth);
    EXPECT_EQ(status, expected.status())
        << absl::CHexEscape(body.substr(0, 300)) << " at depth " << max_depth;
    if (!status.ok() || !expected.ok()) continue;
    Struct parsed;
    document.root().ToStruct(&parsed);
    EXPECT_EQ(Bytes(parsed), Bytes(*expected)) << absl::CHexEscape(body.substr(0, 300));
  }
}

std::string NestedObjects(int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += "{\"a\":";
  out += "1";
  out.append(depth, '}');
  return out;
}

// Bodies that reach every difference between simdjson and the reference
// parser, and every refusal.
std::vector<std::string> HandPickedBodies() {
  std::vector<std::string> bodies = {
      "",
      "{",
      "}",
      "{}",
      " {} ",
      "{\"a\":1}\r\n",
      "[1]",
      "42",
      "\"s\"",
      "null",
      "{\"a\":}",
      "{\"a\" 1}",
      "{\"a\": 1} trailing",
      "{\"a\":1,}",
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
      "{\"a\":truex}",
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
      "{\"a\":-1e400}",
      "{\"a\":1e-400}",
      "{\"a\":-1e-400}",
      // duplicate keys, at the top and deeper, and in an ignored member
      R"({"a":1,"b":2,"a":3})",
      R"({"x":{"a":1,"a":2}})",
      R"({"x":[{"k":1,"k":1}]})",
      R"({"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,)"
      R"("n":14,"o":15,"p":16,"q":17,"r":18,"a":19})",
      // control characters, unescaped (accepted) and escaped
      "{\"a\":\"x\ny\tz\x01\"}",
      "{\"a\x1f\":1}",
      "{\"a\":\"\\u0000\\u001f\\n\"}",
      "{\"a\":[\"\x7f\",\"\x01\\\"\x02\"]}",
      // numbers: beyond 64 bits, -0 in its forms, the edges of doubles
      R"({"a":12345678901234567890,"b":123456789012345678901234,"c":-9223372036854775809})",
      R"({"a":18446744073709551615,"b":18446744073709551616,"c":-9223372036854775808})",
      R"({"a":-0,"b":[-0,0,-0.0,-0e1],"c":{"d": -0 },"e":"x:-0,","f":-0.5})",
      R"({"a":9007199254740993,"b":4.9406564584124654e-324,"c":1.7976931348623157e308})",
      R"({"a":2.2250738585072011e-308,"b":0.1,"c":1E+2,"d":-2e-3,"e":1e23})",
      // strings
      R"({"e":"\"\\\/\b\f\n\r\t","u":"\u00e9\u20ac\ud83d\ude00\u0000x","k":{"":true}})",
      R"({"a":"\ud800"})",
      R"({"a":"\udc00"})",
      R"({"a":"x\uD83Dy"})",
      R"({"a":"\ud83d\u0041"})",
      R"({"\udfff":1})",
      R"({"a":"\\ud800"})",
      // UTF-8
      "{\"a\":\"ok\xc3\"}",
      "{\"a\":\"\xed\xa0\x80\"}",
      "{\"a\":\"\xff\"}",
      "{\"a\":\"\xc0\xaf\"}",
      "{\"a\":\"\xf4\x90\x80\x80\"}",
      "{\"\xfe\":1}",
      "{\"a\":1}\x80",
      "{\"a\":1,\x80}",
      "{\"\xc3\xa9t\xc3\xa9\":\"\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"}",
      // both a syntax error and something CheckJsonText refuses
      "{\"a\":01,\"b\":\"\xff\"}",
      "{\"a\":01,\"b\":[[[[[[[[[[1]]]]]]]]]]}",
      // nesting
      NestedObjects(3),
      NestedObjects(kMaxJsonDepth),
      NestedObjects(kMaxJsonDepth + 1),
      "{\"a\":" + std::string(kMaxJsonDepth - 1, '[') + "1" + std::string(kMaxJsonDepth - 1, ']') +
          "}",
      "{\"a\":" + std::string(kMaxJsonDepth, '[') + "1" + std::string(kMaxJsonDepth, ']') + "}",
      "{\"a\":" + std::string(100000, '['),
      std::string(10000, '}'),
      R"({"a":"[[[{{{\"[[[","b":1})",
  };
  return bodies;
}

TEST(JsonDocumentTest, ParsesAsTheReferenceOnHandPickedBodies) {
  for (const std::string& body : HandPickedBodies()) {
    for (int depth : {1, 2, 3, 4, kMaxJsonDepth}) ExpectParsesAsReference(body, depth);
  }
}

// An empty body may come as a view without data (a null pointer), which
// must not reach simdjson (it would copy from it: undefined behaviour, a
// finding in the sanitizer builds).
TEST(JsonDocumentTest, RefusesAnEmptyBodyWithoutData) {
  JsonDocument document;
  EXPECT_EQ(document.Parse(absl::string_view(), 0, kMaxJsonDepth),
            ReferenceParse(absl::string_view(), kMaxJsonDepth).status());
}

TEST(JsonDocumentTest, AnyRootTakesArraysWithTheSameLimitsAndReasons) {
  JsonDocument document;
  EXPECT_FALSE(document.Parse("[1]", 0, kMaxJsonDepth).ok()) << "Parse takes objects only";
  ASSERT_TRUE(document.ParseAnyRoot(R"([{"a":1}, "x", true, -0, 1.5])", 0, kMaxJsonDepth).ok());
  const std::vector<JsonValue> elements = document.root().elements();
  ASSERT_EQ(elements.size(), 5u);
  EXPECT_EQ(elements[0].members().size(), 1u);
  EXPECT_EQ(elements[0].members()[0].first, "a");
  EXPECT_EQ(elements[0].members()[0].second.integer(), 1);
  EXPECT_EQ(elements[0].ToJson(), R"({"a":1})");
  EXPECT_TRUE(elements[2].boolean());
  EXPECT_EQ(elements[4].integer(), std::nullopt) << "1.5 is no integer";
  EXPECT_EQ(elements[4].ToJson(), "1.5");
  // Inside an array as inside an object: duplicate keys, nesting beyond the
  // limit and invalid UTF-8 are refused, with the reference's reasons.
  const absl::Status duplicate = document.ParseAnyRoot(R"([{"a":1,"a":2}])", 0, kMaxJsonDepth);
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(duplicate, ReferenceParse(R"({"":[{"a":1,"a":2}]})", kMaxJsonDepth).status());
  EXPECT_EQ(document.ParseAnyRoot("[[[1]]]", 0, 2).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(document.ParseAnyRoot("[[1]]", 0, 2).ok());
  EXPECT_EQ(document.ParseAnyRoot("[\"\xff\"]", 0, kMaxJsonDepth).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(document.ParseAnyRoot("[1,]", 0, kMaxJsonDepth).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(JsonDocumentTest, KeepsTheSignOfTheIntegerMinusZero) {
  JsonDocument document;
  ASSERT_TRUE(document.Parse(R"({"a":-0,"b":0,"c":[-0]})", 0, kMaxJsonDepth).ok());
  EXPECT_TRUE(std::signbit(document.root().Find("a")->number()));
  EXPECT_FALSE(std::signbit(document.root().Find("b")->number()));
  Struct parsed;
  document.root().ToStruct(&parsed);
  EXPECT_TRUE(std::signbit(parsed.fields().at("c").list_value().values(0).number_value()));
}

TEST(JsonDocumentTest, TakesControlCharactersAndHugeIntegersAsTheReferenceDoes) {
  JsonDocument document;
  ASSERT_TRUE(document.Parse("{\"a\":\"x\ty\",\"n\":123456789012345678901234}", 0, 4).ok());
  EXPECT_EQ(document.root().Find("a")->string(), "x\ty");
  EXPECT_EQ(document.root().Find("n")->number(), 123456789012345678901234.0);
}

TEST(JsonDocumentTest, ErrorsGiveTheReferenceReasonsWithOffsets) {
  JsonDocument document;
  EXPECT_THAT(document.Parse(R"({"a":1,"b":2,"a":3})", 0, kMaxJsonDepth).message(),
              HasSubstr("duplicate key (at byte 13)"));
  EXPECT_THAT(document.Parse(NestedObjects(5), 0, 4).message(),
              HasSubstr("deeper than 4 levels of arrays and objects (at byte 20)"));
  EXPECT_THAT(document.Parse("[1]", 0, kMaxJsonDepth).message(), HasSubstr("expected an object"));
  EXPECT_THAT(
      document.Parse(R"({"card-4111111111111111":1,"card-4111111111111111":2})", 0, kMaxJsonDepth)
          .message(),
      Not(HasSubstr("4111")));
}

// A document can be parsed again, and several can be alive on one thread.
TEST(JsonDocumentTest, DocumentsAreIndependent) {
  JsonDocument first, second;
  ASSERT_TRUE(first.Parse(R"({"a":"one"})", 0, kMaxJsonDepth).ok());
  ASSERT_TRUE(second.Parse(R"({"a":"two"})", 0, kMaxJsonDepth).ok());
  EXPECT_EQ(first.root().Find("a")->string(), "one");
  EXPECT_EQ(second.root().Find("a")->string(), "two");
  ASSERT_TRUE(first.Parse(R"({"a":"three"})", 0, kMaxJsonDepth).ok());
  EXPECT_EQ(first.root().Find("a")->string(), "three");
  // A large body, then a small one, on the same thread.
  const std::string large = absl::StrCat(R"({"a":")", std::string(1 << 20, 'x'), R"("})");
  {
    JsonDocument document;
    ASSERT_TRUE(document.Parse(large, 0, kMaxJsonDepth).ok());
    EXPECT_EQ(document.root().Find("a")->string().size(), size_t{1} << 20);
  }
  JsonDocument after;
  ASSERT_TRUE(after.Parse(R"({"a":"small"})", 0, kMaxJsonDepth).ok());
  EXPECT_EQ(after.root().Find("a")->string(), "small");
}

// ---- the corpus: golden bodies and fuzz seeds -------------------------------

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct CorpusEntry {
  std::string provider;  // a registry name
  std::string name;      // where it comes from
  std::string input;     // the fuzz input, headers and body, or the body alone
  absl::string_view body;
  std::vector<std::pair<absl::string_view, absl::string_view>> headers;
};

// Every golden webhook body (tests/testdata) and every seed and kept crash
// input of a provider fuzzer (fuzz/corpus, fuzz/regressions), each with its
// provider.
std::vector<std::unique_ptr<CorpusEntry>> Corpus() {
  std::vector<std::unique_ptr<CorpusEntry>> corpus;
  for (const ProviderInfo& provider : Providers()) {
    const auto add = [&](const std::filesystem::path& path, bool fuzz_input) {
      auto entry = std::make_unique<CorpusEntry>();
      entry->provider = std::string(provider.name);
      entry->name = path.string();
      entry->input = ReadAll(path);
      if (fuzz_input) {
        fuzz::SplitRequest split = fuzz::SplitHeadersAndBody(entry->input);
        entry->body = split.body;
        entry->headers = std::move(split.headers);
      } else {
        entry->body = entry->input;
      }
      corpus.push_back(std::move(entry));
    };
    std::error_code ec;
    if (!provider.testdata.empty()) {
      for (const auto& file : std::filesystem::directory_iterator(
               absl::StrCat(HOOKBRIDGE_TESTDATA_DIR, "/", provider.testdata), ec)) {
        if (file.path().extension() == ".json") add(file.path(), false);
      }
    }
    const std::string target =
        absl::StrCat(absl::StrReplaceAll(provider.name, {{"-", "_"}}), "_fuzzer");
    for (const std::string& dir :
         {absl::StrCat(HOOKBRIDGE_FUZZ_CORPUS_DIR, "/", target),
          absl::StrCat(HOOKBRIDGE_FUZZ_CORPUS_DIR, "/../regressions/", target)}) {
      for (const auto& file : std::filesystem::directory_iterator(dir, ec)) add(file.path(), true);
    }
  }
  return corpus;
}

// Variants of a body that reach the decoder's rarer paths: a raw control
// character in its first string, a duplicated first key, its first number
// as the integer -0 and as an integer beyond 64 bits.
std::vector<std::string> Variants(absl::string_view body) {
  std::vector<std::string> out;
  if (size_t quote = body.find(":\""); quote != absl::string_view::npos) {
    out.push_back(absl::StrCat(body.substr(0, quote + 2), "\t", body.substr(quote + 2)));
  }
  if (size_t open = body.find('{'); open != absl::string_view::npos) {
    const size_t key_end = body.find("\":", open);
    const size_t key_start = body.find('"', open);
    if (key_start < key_end && key_end != absl::string_view::npos) {
      out.push_back(absl::StrCat(body.substr(0, open + 1),
                                 body.substr(key_start, key_end + 2 - key_start), "1,",
                                 body.substr(open + 1)));
    }
  }
  for (size_t i = 0; i + 1 < body.size(); ++i) {
    if (body[i] == ':' && (absl::ascii_isdigit(body[i + 1]) || body[i + 1] == ' ')) {
      size_t start = i + 1;
      while (start < body.size() && body[start] == ' ') ++start;
      size_t end = start;
      while (end < body.size() && (absl::ascii_isdigit(body[end]) || body[end] == '.')) ++end;
      if (end == start) continue;
      for (absl::string_view number : {"-0", "-123456789012345678901234", "-0.0", "1e400"}) {
        out.push_back(absl::StrCat(body.substr(0, start), number, body.substr(end)));
      }
      break;
    }
  }
  return out;
}

TEST(JsonDocumentTest, ParsesAsTheReferenceOnTheCorpus) {
  const auto corpus = Corpus();
  ASSERT_GT(corpus.size(), 100u);
  for (const auto& entry : corpus) {
    SCOPED_TRACE(entry->name);
    ExpectParsesAsReference(entry->body, kMaxJsonDepth);
    ExpectParsesAsReference(entry->body, 3);
    for (const std::string& variant : Variants(entry->body)) {
      ExpectParsesAsReference(variant, kMaxJsonDepth);
    }
  }
}

// ---- JsonToMessage against StructToMessage ------------------------------------

// Every message a typed event decodes into, their containers, and a few
// messages with other field types (enums, bools, unsigned and 32-bit
// integers, doubles, oneofs, wrappers).
std::vector<const Message*> TypedMessages() {
  absl::flat_hash_set<const Descriptor*> seen;
  std::vector<const Message*> out;
  const auto add = [&](const Descriptor* descriptor) {
    if (descriptor != nullptr && seen.insert(descriptor).second) {
      out.push_back(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor));
    }
  };
  for (const ProviderInfo& provider : Providers()) {
    const Catalog& catalog = *provider.catalog;
    if (catalog.event_field.empty()) continue;
    const Descriptor* container =
        v1::Event::descriptor()->FindFieldByName(std::string(catalog.event_field))->message_type();
    add(container);
    for (const TypedEventSpec& spec : catalog.events) {
      add(container->FindFieldByName(std::string(spec.field))->message_type());
    }
  }
  for (const Descriptor* d :
       {v1::Event::descriptor(), v1::SubscribeRequest::descriptor(),
        google::protobuf::Int32Value::descriptor(), google::protobuf::UInt32Value::descriptor(),
        google::protobuf::DoubleValue::descriptor(), google::protobuf::FloatValue::descriptor(),
        ck::CommentAdded::Comment::descriptor(), ckbox::v1::AssetUploaded::Asset::descriptor()}) {
    add(d);
  }
  return out;
}

// Converts `body` (an object) into a fresh `prototype` both ways and expects
// the same status and the same message, whatever was filled before an error.
void ExpectConvertsAsReference(absl::string_view body, const Message& prototype) {
  const absl::StatusOr<Struct> object = ParseJsonObject(body);
  ASSERT_TRUE(object.ok()) << object.status();
  JsonDocument document;
  ASSERT_TRUE(document.Parse(body, 0, kMaxJsonDepth).ok()) << body;
  std::unique_ptr<Message> expected(prototype.New());
  std::unique_ptr<Message> actual(prototype.New());
  const absl::Status expected_status = StructToMessage(*object, expected.get(), "payload");
  const absl::Status status = JsonToMessage(document.root(), actual.get(), "payload");
  EXPECT_EQ(status, expected_status) << prototype.GetTypeName() << " from " << body;
  EXPECT_EQ(Bytes(*actual), Bytes(*expected)) << prototype.GetTypeName() << " from " << body;

  std::vector<std::string> expected_errors, errors;
  std::unique_ptr<Message> expected_keyed(prototype.New());
  std::unique_ptr<Message> keyed(prototype.New());
  // StructToMessage one member at a time, in key order, as DocSpace's
  // metadata was decoded.
  std::vector<std::string> keys;
  for (const auto& [key, value] : object->fields()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    Struct one;
    (*one.mutable_fields())[key] = object->fields().at(key);
    std::unique_ptr<Message> part(prototype.New());
    if (absl::Status s = StructToMessage(one, part.get(), "event"); !s.ok()) {
      expected_errors.push_back(std::string(s.message()));
      continue;
    }
    expected_keyed->MergeFrom(*part);
  }
  JsonToMessageKeyByKey(document.root(), keyed.get(), "event", &errors);
  EXPECT_EQ(errors, expected_errors) << prototype.GetTypeName() << " from " << body;
  EXPECT_EQ(Bytes(*keyed), Bytes(*expected_keyed)) << prototype.GetTypeName() << " from " << body;
}

// Every object in `value`, as JSON text (protobuf's printer).
void CollectObjects(const Value& value, std::vector<std::string>* out) {
  if (value.kind_case() == Value::kStructValue) {
    std::string text;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(value.struct_value(), &text).ok());
    out->push_back(text);
    for (const auto& [key, member] : value.struct_value().fields()) CollectObjects(member, out);
  } else if (value.kind_case() == Value::kListValue) {
    for (const Value& item : value.list_value().values()) CollectObjects(item, out);
  }
}

TEST(JsonToMessageTest, ConvertsAsStructToMessageOnTheCorpus) {
  const std::vector<const Message*> messages = TypedMessages();
  ASSERT_GT(messages.size(), 50u);
  int compared = 0;
  for (const auto& entry : Corpus()) {
    SCOPED_TRACE(entry->name);
    std::vector<std::string> bodies = Variants(entry->body);
    bodies.emplace_back(entry->body);
    for (const std::string& body : bodies) {
      absl::StatusOr<Struct> parsed = ParseJsonObject(body);
      if (!parsed.ok()) continue;
      std::vector<std::string> objects = {body};
      Value root;
      *root.mutable_struct_value() = *parsed;
      CollectObjects(root, &objects);
      for (const std::string& object : objects) {
        for (const Message* message : messages) {
          ExpectConvertsAsReference(object, *message);
          ++compared;
        }
      }
    }
  }
  EXPECT_GT(compared, 10000);
}

TEST(JsonToMessageTest, ConvertsAsStructToMessageOnHandPickedObjects) {
  const char* const kObjects[] = {
      // a name and a json_name of one field: applied in key order
      R"({"thread_id":"b","threadId":"a"})",
      R"({"threadId":"a","thread_id":"b"})",
      R"({"comment":{"thread_id":"b","threadId":"a","user":{"id":"u"}},"document":{"id":"d"}})",
      // several errors: the first in key order is reported
      R"({"document":{"id":true},"comment":{"created_at":1}})",
      R"({"z":1,"document":{"id":[1]},"comment":{"id":{}}})",
      // what is filled before an error
      R"({"comment":{"id":"c","content":"x","created_at":"yesterday","user":{"id":"u"}}})",
      R"({"asset":{"tags":["a",2,true],"images_urls":{"a":"x","b":{},"c":"y"}}})",
      R"({"asset":{"images_urls":{"z":"x","a":1,"m":null,"b":[]}}})",
      // numbers into every kind of field
      R"({"value":-0,"include_raw":true,"after_sequence":"42","types":["x",1.5,-0]})",
      R"({"value":123456789012345678901234,"provider":"PROVIDER_CKBOX"})",
      R"({"value":9007199254740993,"after_sequence":9007199254740992})",
      R"({"value":-2147483649,"after_sequence":-1})",
      R"({"value":1e300,"used_space":-0,"usedSpace":1.5})",
      // null
      R"({"document":null,"comment":{"id":null,"user":null},"value":null})",
      R"({"connected_users":[{"id":"u1"},null]})",
      // free-form JSON
      R"({"attributes":{"a":-0,"b":[1,"x",null,{"c":true}],"d":"x\ty"},"context":[]})",
      // oneof members (Event's payload)
      R"({"ckeditor":{"comment_added":{}},"ckbox":{"asset_uploaded":{}}})",
      R"({"untyped":{"a":1},"cand":{},"sent_at":"2019-05-29T08:17:53Z","sentAt":"x"})",
  };
  const std::vector<const Message*> messages = TypedMessages();
  for (const char* object : kObjects) {
    for (const Message* message : messages) ExpectConvertsAsReference(object, *message);
  }
}

TEST(JsonToMessageTest, AppliesKeysNamingOneFieldInKeyOrder) {
  for (const char* body :
       {R"({"threadId":"a","thread_id":"b"})", R"({"thread_id":"b","threadId":"a"})"}) {
    JsonDocument document;
    ASSERT_TRUE(document.Parse(body, 0, kMaxJsonDepth).ok());
    ck::CommentAdded::Comment comment;
    ASSERT_TRUE(JsonToMessage(document.root(), &comment, "payload").ok());
    EXPECT_EQ(comment.thread_id(), "b") << body;  // "threadId" < "thread_id"
  }
}

TEST(JsonToMessageTest, ReportsTheFirstErrorInKeyOrder) {
  for (const char* body : {R"({"document":{"id":true},"comment":{"created_at":1}})",
                           R"({"comment":{"created_at":1},"document":{"id":true}})"}) {
    JsonDocument document;
    ASSERT_TRUE(document.Parse(body, 0, kMaxJsonDepth).ok());
    ck::CommentAdded message;
    EXPECT_THAT(JsonToMessage(document.root(), &message, "payload").message(),
                HasSubstr("payload.comment.created_at: expected an RFC 3339 date string"))
        << body;
  }
}

TEST(JsonToMessageTest, ErrorsNameTheFullJsonPath) {
  JsonDocument document;
  ASSERT_TRUE(document
                  .Parse(R"({"comment_threads": [
      {"id": "t1", "comments": [{"id": "c1"}]},
      {"id": "t2", "comments": [{"id": "c2"}, {"id": "c3", "created_at": false}]}]})",
                         0, kMaxJsonDepth)
                  .ok());
  ck::CommentThreadAllRemoved message;
  EXPECT_THAT(JsonToMessage(document.root(), &message, "body.payload").message(),
              HasSubstr("body.payload.comment_threads[1].comments[1].created_at"));
}

TEST(JsonToMessageTest, KeyByKeyLeavesOutOnlyWhatDoesNotFit) {
  JsonDocument document;
  ASSERT_TRUE(document
                  .Parse(R"({"id":1,"trigger":"file.created","createOn":"nope","triggerId":2})", 0,
                         kMaxJsonDepth)
                  .ok());
  docspace::v1::Delivery delivery;
  std::vector<std::string> errors;
  JsonToMessageKeyByKey(document.root(), &delivery, "event", &errors);
  EXPECT_THAT(errors, ::testing::ElementsAre(HasSubstr("event.createOn")));
  EXPECT_EQ(delivery.trigger(), "file.created");
  EXPECT_FALSE(delivery.has_create_on());
}

// ---- the providers: Source::Decode against the reference decoders ------------

struct Decoded {
  absl::Status status;
  std::string event;  // Bytes() of the event, when decoded
};

Decoded DecodeWith(const Source& source, const CorpusEntry& entry, absl::string_view body,
                   int max_depth, bool padded) {
  const Buffer buffer(body, padded);
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/differential";
  request.headers = entry.headers;
  request.body = buffer.text;
  request.body_padding = buffer.padding();
  v1::Event event;
  Decoded out;
  out.status = source.Decode(request, max_depth, &event);
  if (out.status.ok()) out.event = Bytes(event);
  return out;
}

Decoded ReferenceDecodeOf(const CorpusEntry& entry, absl::string_view body, int max_depth) {
  WebhookRequest request;
  request.headers = entry.headers;
  request.body = body;
  v1::Event event;
  Decoded out;
  out.status = test_util::ReferenceDecode(entry.provider, request, max_depth, &event);
  if (out.status.ok()) out.event = Bytes(event);
  return out;
}

TEST(DifferentialTest, ProvidersDecodeAsTheReferenceDecoders) {
  int compared = 0, decoded = 0;
  for (const auto& entry : Corpus()) {
    if (!test_util::HasReferenceDecoder(entry->provider)) continue;
    SCOPED_TRACE(entry->name);
    SourceConfig config;
    config.name = "differential";
    config.provider = entry->provider;
    config.secrets = {"differential-secret"};
    config.path_token = "differential-path-token-0123456789";
    absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
    ASSERT_TRUE(source.ok()) << source.status();
    std::vector<std::string> bodies = Variants(entry->body);
    bodies.emplace_back(entry->body);
    for (const std::string& body : bodies) {
      for (int depth : {kMaxJsonDepth, 3}) {
        const Decoded expected = ReferenceDecodeOf(*entry, body, depth);
        for (bool padded : {false, true}) {
          const Decoded actual = DecodeWith(**source, *entry, body, depth, padded);
          EXPECT_EQ(actual.status, expected.status) << absl::CHexEscape(body);
          EXPECT_EQ(actual.event, expected.event) << absl::CHexEscape(body);
          ++compared;
          decoded += actual.status.ok();
        }
      }
    }
  }
  EXPECT_GT(compared, 500);
  EXPECT_GT(decoded, 200);
}

}  // namespace
}  // namespace hookbridge
