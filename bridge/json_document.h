// Webhook bodies decoded in one pass over their text: a JsonDocument parses
// a body once (simdjson's DOM: its SIMD kernels, chosen for the CPU at run
// time, index the text, check its UTF-8 and build a tape of its values), and
// the functions below read typed messages, ids and times straight from that
// tape, with no google.protobuf.Struct in between. Struct is built only
// where the event carries free-form JSON (google.protobuf.Value, Struct and
// ListValue fields, untyped payloads).
//
// Everything here keeps the tolerances and the errors of bridge/json.h
// exactly: a body is accepted if and only if CheckJsonText and
// ParseJsonObject accept it, with the same values (numbers are the nearest
// double, as in a Struct), and refused with the same reason; JsonToMessage
// fills a message exactly as StructToMessage fills it from the same body's
// Struct. tests/bridge/json_document_test.cc checks both against those
// functions on every golden body and fuzz seed.
#ifndef HOOKBRIDGE_BRIDGE_JSON_DOCUMENT_H_
#define HOOKBRIDGE_BRIDGE_JSON_DOCUMENT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace hookbridge {

// How many bytes after the end of a body a JsonDocument reads (never writes)
// when it parses the body where it is. A caller whose buffer has that many
// more bytes allocated (e.g. a std::string's spare capacity) says so, and
// the body is not copied; otherwise the parser copies it first.
inline constexpr size_t kJsonPadding = 64;

class JsonDocument;

// One value of a parsed JsonDocument: a small handle, valid as long as the
// document lives and is not parsed again. Cheap to copy.
class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kObject, kArray };

  Kind kind() const;
  bool is_object() const { return kind() == Kind::kObject; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_null() const { return kind() == Kind::kNull; }

  // The decoded text of a string (kString only).
  absl::string_view string() const;
  // A number as the nearest double, as a Struct holds it (kNumber only).
  double number() const;

  // The member `key` of an object (kObject only), or nullopt.
  std::optional<JsonValue> Find(absl::string_view key) const;

  // A boolean's value (kBool only).
  bool boolean() const;
  // A number written as an integer (no fraction, no exponent) that fits
  // an int64: its value; nullopt for any other value.
  std::optional<int64_t> integer() const;
  // The elements of an array (kArray only), in order.
  std::vector<JsonValue> elements() const;
  // The members of an object (kObject only), in the text's order.
  std::vector<std::pair<absl::string_view, JsonValue>> members() const;
  // The value as compact JSON text (insignificant whitespace removed;
  // strings and numbers written by the parser's printer).
  std::string ToJson() const;

  // "a string", "an object", "null"...: as KindName() names the same value
  // in a Struct.
  absl::string_view kind_name() const;

  // The value as google.protobuf.Value / Struct (ToStruct: kObject only),
  // as ParseJsonObject builds it.
  void ToValue(google::protobuf::Value* out) const;
  void ToStruct(google::protobuf::Struct* out) const;

 private:
  friend class JsonDocument;
  friend struct JsonValueAccess;
  JsonValue() = default;

  // A simdjson::dom::element (a document and an index into its tape).
  alignas(8) unsigned char element_[16];
};

// A body parsed into simdjson's DOM. Parsers (and their buffers, which grow
// to the largest body parsed) are kept per thread and reused; a document
// holds one while it lives. Not thread-safe; one thread at a time.
class JsonDocument {
 public:
  JsonDocument();
  ~JsonDocument();
  JsonDocument(const JsonDocument&) = delete;
  JsonDocument& operator=(const JsonDocument&) = delete;

  // Parses `text`, which must be one JSON object nested at most `max_depth`
  // levels (at most kMaxJsonDepth), as CheckJsonText(text, max_depth) and
  // then ParseJsonObject(text) require: InvalidArgument with their reason
  // otherwise (and for a body over 4 GiB, simdjson's limit, far beyond any
  // event protobuf can hold). `readable_padding`: how many bytes after
  // `text` may be read (kJsonPadding or more parses `text` where it is).
  absl::Status Parse(absl::string_view text, size_t readable_padding, int max_depth);

  // The same for a text whose root may be any JSON value (a CloudEvents
  // batch is an array); the limits and refusals are the same.
  absl::Status ParseAnyRoot(absl::string_view text, size_t readable_padding, int max_depth);

  // The body's object, once Parse has returned OK.
  JsonValue root() const;

 private:
  absl::Status Parse(absl::string_view text, size_t readable_padding, int max_depth, bool any_root);

  std::unique_ptr<simdjson::dom::parser> parser_;
};

// Fills `message`, which must be empty, from `object` (kObject) as
// StructToMessage fills it from the same object's Struct: same tolerances,
// same result, same error (the first in key order, naming its path; the
// path of `object` is `path`). On error `message` holds what StructToMessage
// would have filled before failing.
absl::Status JsonToMessage(JsonValue object, google::protobuf::Message* message,
                           absl::string_view path);

// Fills `message`, which must be empty, from `object` (kObject) one member
// at a time, in key order: a member that does not fit is left out and its
// error appended to `errors`. For metadata, which must never make a
// delivery fail.
void JsonToMessageKeyByKey(JsonValue object, google::protobuf::Message* message,
                           absl::string_view path, std::vector<std::string>* errors);

// The value at a dotted path such as "document.id" in `object`, or nullopt
// (FindValueAtPath).
std::optional<JsonValue> FindJsonAtPath(JsonValue object, absl::string_view path);

// The string at a dotted path, or nullopt if absent or not a string.
std::optional<absl::string_view> FindJsonStringAtPath(JsonValue object, absl::string_view path);

// An id at a dotted path as text, as IdAtPath reads it from a Struct: a
// string as is, an integral number in decimal, nullopt otherwise.
std::optional<std::string> JsonIdAtPath(JsonValue object, absl::string_view path);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_JSON_DOCUMENT_H_
