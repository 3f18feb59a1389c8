// JSON for webhook bodies: parsing into google.protobuf.Struct, and a
// tolerant, reflection-driven conversion from a Struct into a typed message.
// The sources decode bodies with bridge/json_document.h instead, in one pass
// and without a Struct; these functions define what it must do (its tests
// and json_fuzzer compare the two) and build Structs where one is wanted.
//
// The conversion follows the provider's JSON, not proto3's canonical JSON
// mapping, because providers are loosely specified: keys match a field's name
// or json_name; unknown keys are ignored; null leaves a field unset (but is
// kept in a google.protobuf.Value field); numbers
// are accepted for string fields and numeric strings for integer fields;
// Timestamps are RFC 3339 strings. Anything else that does not fit is an
// error naming the JSON path. Integers are exact up to 2^53 (Struct numbers
// are doubles).
#ifndef HOOKBRIDGE_BRIDGE_JSON_H_
#define HOOKBRIDGE_BRIDGE_JSON_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"

namespace hookbridge {

// The deepest nesting of arrays and objects ParseJsonObject accepts (the
// body's outer object is level 1). Each level becomes up to three levels of
// nested protobuf messages (Value, Struct, map entry), and protobuf parsers
// refuse messages nested deeper than 100 by default: beyond this, a stored
// event could not be read back by the bridge or by its subscribers.
inline constexpr int kMaxJsonDepth = 32;

// Checks the text of a JSON document before it is parsed, in one pass and
// without recursion: that it is valid UTF-8 (strings included; \u escapes
// must not leave a surrogate unpaired) and that arrays and objects nest at
// most `max_depth` levels. InvalidArgument with the reason and byte offset
// otherwise. Other syntax errors are left to the parser.
absl::Status CheckJsonText(absl::string_view json, int max_depth);

// Whether `text` is well-formed UTF-8 (shortest forms, no surrogates, at
// most U+10FFFF), as protobuf string fields require.
bool IsValidUtf8(absl::string_view text);

// Parses `json`, which must be one JSON object (RFC 8259) nested at most
// kMaxJsonDepth levels, with strings of valid UTF-8 and paired \u
// surrogates. InvalidArgument otherwise, with the reason and byte offset
// (never bytes of `json`: the message reaches the sender, the process log
// and the console). One pass, straight into the Struct; duplicate keys are
// refused; numbers become doubles; unescaped control characters in strings
// are accepted.
absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view json);

// Fills `message` from `object`, visiting its keys in key order (so that
// the result never depends on the order of protobuf's map). `path` names
// `object` in error messages (e.g. "payload"); the error is the first in key
// order. On error `message` holds what was filled before it.
absl::Status StructToMessage(const google::protobuf::Struct& object,
                             google::protobuf::Message* message, absl::string_view path);

// The value at a dotted path such as "document.id", or nullptr.
const google::protobuf::Value* FindValueAtPath(const google::protobuf::Struct& object,
                                               absl::string_view path);

// The string at a dotted path, or nullptr if absent or not a string.
const std::string* FindStringAtPath(const google::protobuf::Struct& object, absl::string_view path);

// "a string", "an object", "null"...: the JSON kind of `value`, for errors.
absl::string_view KindName(const google::protobuf::Value& value);

// Moves the object `fields[key]` into `*out`. OK (with `*out` left empty)
// when the key is absent or null; InvalidArgument "envelope: "<key>" must be
// an object" when it holds anything else.
absl::Status TakeObjectField(google::protobuf::Map<std::string, google::protobuf::Value>* fields,
                             const std::string& key, google::protobuf::Struct* out);

// An id at a dotted path as text: a string as is, an integral number in
// decimal (providers such as DocSpace use numeric ids). nullopt otherwise.
std::optional<std::string> IdAtPath(const google::protobuf::Struct& object, absl::string_view path);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_JSON_H_
