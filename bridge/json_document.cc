#include "bridge/json_document.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "bridge/check.h"
#include "bridge/json.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace hookbridge {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;
namespace dom = simdjson::dom;

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING);

// JsonValue keeps a dom::element in place, so that its header needs no
// simdjson.
struct JsonValueAccess {
  static_assert(sizeof(dom::element) == sizeof(JsonValue::element_));
  static_assert(std::is_trivially_copyable_v<dom::element>);

  static dom::element Element(const JsonValue& value) {
    dom::element element;
    std::memcpy(static_cast<void*>(&element), value.element_, sizeof(element));
    return element;
  }
  static JsonValue Make(dom::element element) {
    JsonValue value;
    std::memcpy(value.element_, static_cast<const void*>(&element), sizeof(element));
    return value;
  }
};

namespace {

dom::element E(const JsonValue& value) { return JsonValueAccess::Element(value); }
JsonValue V(dom::element element) { return JsonValueAccess::Make(element); }

// The array or object that `element` is (its type checked by the caller).
dom::array ArrayOf(dom::element element) {
  dom::array array;
  if (element.get_array().get(array) != simdjson::SUCCESS) return dom::array();
  return array;
}
dom::object ObjectOf(dom::element element) {
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) return dom::object();
  return object;
}

// ---- parsers -----------------------------------------------------------------

// simdjson refuses what nests as deep as its parser's max_depth: one more
// than the deepest body accepted. Deeper limits are checked while walking.
constexpr size_t kParserMaxDepth = kMaxJsonDepth + 1;
// A parser is allocated for this much text at first and grows as needed.
constexpr size_t kInitialCapacity = 16 << 10;
// A parser that grew beyond this (its buffers take ~14 bytes per byte of
// text) is freed after use instead of being kept for the next body.
constexpr size_t kKeptCapacity = 256 << 10;

// The parsers of one thread that no document holds.
struct ParserPool {
  std::vector<std::unique_ptr<dom::parser>> idle;
};
thread_local ParserPool parser_pool;

std::unique_ptr<dom::parser> AcquireParser() {
  if (!parser_pool.idle.empty()) {
    std::unique_ptr<dom::parser> parser = std::move(parser_pool.idle.back());
    parser_pool.idle.pop_back();
    return parser;
  }
  auto parser = std::make_unique<dom::parser>();
  HB_CHECK(parser->allocate(kInitialCapacity, kParserMaxDepth) == simdjson::SUCCESS);
  return parser;
}

void ReleaseParser(std::unique_ptr<dom::parser> parser) {
  if (parser == nullptr || parser->capacity() > kKeptCapacity) return;
  parser_pool.idle.push_back(std::move(parser));
}

// ---- what simdjson reads differently -----------------------------------------

bool IsJsonSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Whether `text` may hold the number -0 written as an integer: simdjson
// reads it as the integer 0 and loses the sign that the Struct parser keeps
// (-0.0). A '-' after ':', ',' or '[' followed by a lone '0'; inside a
// string such a sequence is a false alarm, which costs only the slower
// path.
bool MayHoldIntegerMinusZero(absl::string_view text) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  for (const char* p = begin; p < end;) {
    p = static_cast<const char*>(std::memchr(p, '-', end - p));
    if (p == nullptr) return false;
    const char* next = p + 1;
    if (next < end && *next == '0' &&
        (next + 1 == end ||
         !(absl::ascii_isdigit(next[1]) || next[1] == '.' || next[1] == 'e' || next[1] == 'E'))) {
      const char* before = p;
      while (before > begin && IsJsonSpace(before[-1])) --before;
      if (before > begin && (before[-1] == ':' || before[-1] == ',' || before[-1] == '[')) {
        return true;
      }
    }
    p = next;
  }
  return false;
}

// `text`, which ParseJsonObject accepts, rewritten so that simdjson reads
// the same values from it: control characters in strings escaped (simdjson
// refuses them unescaped), integers beyond 64 bits given a fraction
// (simdjson refuses them as integers; as decimals it rounds them to the
// same double) and the integer -0 written -0.0.
std::string SimdjsonReadableText(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + kJsonPadding);
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      out.push_back(c);
      ++i;
      while (i < text.size()) {
        const unsigned char s = static_cast<unsigned char>(text[i]);
        if (s == '\\') {
          out.append(text.data() + i, std::min<size_t>(2, text.size() - i));
          i += 2;
        } else if (s == '"') {
          out.push_back('"');
          ++i;
          break;
        } else if (s < 0x20) {
          absl::StrAppend(&out, "\\u00", absl::Hex(s, absl::kZeroPad2));
          ++i;
        } else {
          out.push_back(static_cast<char>(s));
          ++i;
        }
      }
      continue;
    }
    if (c == '-' || absl::ascii_isdigit(c)) {
      size_t end = i + 1;
      while (end < text.size() &&
             (absl::ascii_isdigit(text[end]) || text[end] == '.' || text[end] == 'e' ||
              text[end] == 'E' || text[end] == '+' || text[end] == '-')) {
        ++end;
      }
      const absl::string_view number = text.substr(i, end - i);
      out.append(number.data(), number.size());
      if (number.find_first_of(".eE") == absl::string_view::npos) {
        int64_t as_signed = 0;
        uint64_t as_unsigned = 0;
        if (number == "-0" || (number[0] == '-' ? !absl::SimpleAtoi(number, &as_signed)
                                                : !absl::SimpleAtoi(number, &as_unsigned))) {
          out.append(".0");
        }
      }
      i = end;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

// ---- checks simdjson does not make --------------------------------------------

// Whether `keys` (of one object) holds a key twice.
bool HasDuplicates(absl::Span<std::string_view> keys) {
  constexpr size_t kPairwise = 16;
  if (keys.size() <= kPairwise) {
    for (size_t i = 1; i < keys.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (keys[i] == keys[j]) return true;
      }
    }
    return false;
  }
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

// Whether the document `document`, whose root is an object, nests at most
// `max_depth` levels and has no object with a repeated key. One pass over
// simdjson's tape (its documented format, doc/tape.md in simdjson: an entry
// of 64 bits per value, type in the top byte; numbers take a second entry;
// a string's entry points into the string buffer, where a 32-bit length
// precedes the bytes), without recursion.
bool IsWithinLimits(const dom::document& document, int max_depth) {
  constexpr uint64_t kPayload = simdjson::internal::JSON_VALUE_MASK;
  const uint64_t* const tape = document.tape.get();
  const uint8_t* const strings = document.string_buf.get();
  // The open arrays and objects, innermost last: for an object, where its
  // keys start in `keys` and whether its next string is a key. (simdjson
  // refuses deeper nesting than kParserMaxDepth.)
  struct Scope {
    bool object;
    bool expect_key;
    uint32_t first_key;
  };
  Scope scopes[kParserMaxDepth];
  int depth = 0;
  // The keys of the open objects; kept per thread to spare an allocation.
  thread_local std::vector<std::string_view> keys;
  keys.clear();
  const size_t end = tape[0] & kPayload;  // the root's closing entry
  for (size_t i = 1; i < end;) {
    const uint64_t entry = tape[i];
    const char type = static_cast<char>(entry >> 56);
    if (type == '}' || type == ']') {
      --depth;
      if (type == '}') {
        const size_t first = scopes[depth].first_key;
        if (HasDuplicates(absl::MakeSpan(keys).subspan(first))) return false;
        keys.resize(first);
      }
      ++i;
      continue;
    }
    Scope* const open = depth > 0 ? &scopes[depth - 1] : nullptr;
    if (type == '"' && open != nullptr && open->object && open->expect_key) {
      const uint8_t* text = strings + (entry & kPayload);
      uint32_t length;
      std::memcpy(&length, text, sizeof(length));
      keys.emplace_back(reinterpret_cast<const char*>(text + sizeof(length)), length);
      open->expect_key = false;
      ++i;
      continue;
    }
    // A value: in an object, a key comes next.
    if (open != nullptr) open->expect_key = true;
    if (type == '{' || type == '[') {
      if (depth >= max_depth) return false;
      scopes[depth++] = Scope{type == '{', true, static_cast<uint32_t>(keys.size())};
      ++i;
    } else if (type == 'l' || type == 'u' || type == 'd') {
      i += 2;  // numbers take a second entry
    } else {
      ++i;  // strings, true, false, null
    }
  }
  return true;
}

// ---- values ------------------------------------------------------------------

double NumberOf(dom::element element) {
  switch (element.type()) {
    case dom::element_type::INT64:
      return static_cast<double>(element.get_int64().value_unsafe());
    case dom::element_type::UINT64:
      return static_cast<double>(element.get_uint64().value_unsafe());
    default:
      return element.get_double().value_unsafe();
  }
}

JsonValue::Kind KindOf(dom::element element) {
  switch (element.type()) {
    case dom::element_type::OBJECT:
      return JsonValue::Kind::kObject;
    case dom::element_type::ARRAY:
      return JsonValue::Kind::kArray;
    case dom::element_type::STRING:
      return JsonValue::Kind::kString;
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return JsonValue::Kind::kNumber;
    case dom::element_type::BOOL:
      return JsonValue::Kind::kBool;
    case dom::element_type::NULL_VALUE:
      return JsonValue::Kind::kNull;
  }
  return JsonValue::Kind::kNull;
}

// (Debian's Abseil has its own string_view, not std::string_view.)
absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }

absl::string_view StringOf(dom::element element) {
  return ToAbsl(element.get_string().value_unsafe());
}

void BuildValue(dom::element element, Value* out);

void BuildStruct(dom::object object, Struct* out) {
  auto* fields = out->mutable_fields();
  for (dom::key_value_pair member : object) {
    BuildValue(member.value, &(*fields)[std::string(member.key)]);
  }
}

void BuildList(dom::array array, ListValue* out) {
  for (dom::element item : array) BuildValue(item, out->add_values());
}

void BuildValue(dom::element element, Value* out) {
  switch (element.type()) {
    case dom::element_type::OBJECT:
      BuildStruct(ObjectOf(element), out->mutable_struct_value());
      return;
    case dom::element_type::ARRAY:
      BuildList(ArrayOf(element), out->mutable_list_value());
      return;
    case dom::element_type::STRING:
      out->set_string_value(std::string(StringOf(element)));
      return;
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      out->set_number_value(NumberOf(element));
      return;
    case dom::element_type::BOOL:
      out->set_bool_value(element.get_bool().value_unsafe());
      return;
    case dom::element_type::NULL_VALUE:
      out->set_null_value(google::protobuf::NULL_VALUE);
      return;
  }
}

}  // namespace

JsonValue::Kind JsonValue::kind() const { return KindOf(E(*this)); }

absl::string_view JsonValue::string() const { return StringOf(E(*this)); }

double JsonValue::number() const { return NumberOf(E(*this)); }

std::optional<JsonValue> JsonValue::Find(absl::string_view key) const {
  dom::element found;
  if (ObjectOf(E(*this)).at_key(std::string_view(key.data(), key.size())).get(found) !=
      simdjson::SUCCESS) {
    return std::nullopt;
  }
  return V(found);
}

bool JsonValue::boolean() const { return E(*this).get_bool().value_unsafe(); }

std::optional<int64_t> JsonValue::integer() const {
  const dom::element element = E(*this);
  if (element.type() != dom::element_type::INT64) return std::nullopt;
  return element.get_int64().value_unsafe();
}

std::vector<JsonValue> JsonValue::elements() const {
  std::vector<JsonValue> out;
  for (dom::element item : ArrayOf(E(*this))) out.push_back(V(item));
  return out;
}

std::vector<std::pair<absl::string_view, JsonValue>> JsonValue::members() const {
  std::vector<std::pair<absl::string_view, JsonValue>> out;
  for (dom::key_value_pair member : ObjectOf(E(*this))) {
    out.emplace_back(ToAbsl(member.key), V(member.value));
  }
  return out;
}

std::string JsonValue::ToJson() const { return simdjson::minify(E(*this)); }

absl::string_view JsonValue::kind_name() const {
  switch (kind()) {
    case Kind::kNull:
      return "null";
    case Kind::kNumber:
      return "a number";
    case Kind::kString:
      return "a string";
    case Kind::kBool:
      return "a boolean";
    case Kind::kObject:
      return "an object";
    case Kind::kArray:
      return "an array";
  }
  return "nothing";
}

void JsonValue::ToValue(Value* out) const { BuildValue(E(*this), out); }

void JsonValue::ToStruct(Struct* out) const { BuildStruct(ObjectOf(E(*this)), out); }

// ---- JsonDocument --------------------------------------------------------------

JsonDocument::JsonDocument() = default;

JsonDocument::~JsonDocument() { ReleaseParser(std::move(parser_)); }

absl::Status JsonDocument::Parse(absl::string_view text, size_t readable_padding, int max_depth) {
  return Parse(text, readable_padding, max_depth, /*any_root=*/false);
}

absl::Status JsonDocument::ParseAnyRoot(absl::string_view text, size_t readable_padding,
                                        int max_depth) {
  return Parse(text, readable_padding, max_depth, /*any_root=*/true);
}

absl::Status JsonDocument::Parse(absl::string_view text, size_t readable_padding, int max_depth,
                                 bool any_root) {
  // simdjson's limit; far above any http.max_body_bytes an event can be
  // stored with (protobuf messages stop at 2 GiB).
  const auto too_large = [] {
    return absl::InvalidArgumentError(absl::StrCat("body is larger than the JSON decoder takes (",
                                                   simdjson::SIMDJSON_MAXSIZE_BYTES, " bytes)"));
  };
  if (text.size() > simdjson::SIMDJSON_MAXSIZE_BYTES) return too_large();
  if (parser_ == nullptr) parser_ = AcquireParser();
  const int depth_limit = std::min(max_depth, kMaxJsonDepth);
  const auto parsed_within_limits = [&](const char* data, size_t size, bool copy) {
    dom::element root;
    return parser_->parse(data, size, copy).get(root) == simdjson::SUCCESS &&
           (any_root || root.type() == dom::element_type::OBJECT) &&
           IsWithinLimits(parser_->doc, depth_limit);
  };
  // (An empty body, whose data may be null, is refused by the reference
  // below: simdjson would copy from the null pointer.)
  if (!text.empty() && !MayHoldIntegerMinusZero(text) &&
      parsed_within_limits(text.data(), text.size(), readable_padding < kJsonPadding)) {
    return absl::OkStatus();
  }
  // Refused, or read differently from the Struct parser: the reference
  // checks decide, and give their reason.
  if (absl::Status checked = CheckJsonText(text, max_depth); !checked.ok()) return checked;
  if (any_root && absl::StripLeadingAsciiWhitespace(text).substr(0, 1) != "{") {
    // The reference parser takes objects only: the value as an object's
    // member is refused for the same reasons.
    if (absl::Status parsed = ParseJsonObject(absl::StrCat("{\"\":", text, "}")).status();
        !parsed.ok()) {
      return parsed;
    }
  } else if (absl::Status parsed = ParseJsonObject(text).status(); !parsed.ok()) {
    return parsed;
  }
  // Valid: simdjson refused only what it is stricter about, or it would
  // lose a sign.
  const std::string readable = SimdjsonReadableText(text);
  if (readable.size() > simdjson::SIMDJSON_MAXSIZE_BYTES) return too_large();
  HB_CHECK(parsed_within_limits(readable.data(), readable.size(),
                                readable.capacity() - readable.size() < kJsonPadding));
  return absl::OkStatus();
}

JsonValue JsonDocument::root() const { return V(parser_->doc.root()); }

// ---- JSON to a message ------------------------------------------------------------

namespace {

// Where a value is, for error messages; rendered only when one is made.
struct Path {
  const Path* parent = nullptr;
  absl::string_view text;  // the whole path when parent is null; else a key
  int index = -1;          // an array index instead of a key
};

void AppendPath(const Path& path, std::string* out) {
  if (path.parent == nullptr) {
    out->append(path.text.data(), path.text.size());
    return;
  }
  AppendPath(*path.parent, out);
  if (path.index >= 0) {
    absl::StrAppend(out, "[", path.index, "]");
  } else {
    absl::StrAppend(out, ".", path.text);
  }
}

std::string Render(const Path& path) {
  std::string out;
  AppendPath(path, &out);
  return out;
}

// What a field's message type is to the conversion.
enum class MessageKind { kNone, kTimestamp, kValue, kStruct, kListValue, kOther };

struct FieldTable;

struct FieldInfo {
  const FieldDescriptor* field;
  MessageKind message_kind;
  // Fields that share a slot (a oneof's members) cannot both be set
  // without one undoing the other.
  int slot;
  // The table of the field's message type (a map's entry type), once used.
  mutable const FieldTable* message_table = nullptr;
};

// A message type's fields by the keys that name them (name or json_name;
// a name wins over another field's json_name, else the first field's), and
// its reflection: everything the conversion asks of a type, looked up once.
struct FieldTable {
  const Reflection* reflection = nullptr;
  std::vector<FieldInfo> fields;  // in index order
  absl::flat_hash_map<std::string, const FieldInfo*> by_key;
  int slots = 0;
};

MessageKind MessageKindOf(const FieldDescriptor* field) {
  const Descriptor* type = field->message_type();
  if (type == nullptr) return MessageKind::kNone;
  if (type == google::protobuf::Timestamp::descriptor()) return MessageKind::kTimestamp;
  if (type == Value::descriptor()) return MessageKind::kValue;
  if (type == Struct::descriptor()) return MessageKind::kStruct;
  if (type == ListValue::descriptor()) return MessageKind::kListValue;
  return MessageKind::kOther;
}

// The table of a generated message type.
const FieldTable& FieldTableOf(const Descriptor* descriptor) {
  // Per thread: descriptors never change, and no lock is taken per message.
  thread_local absl::flat_hash_map<const Descriptor*, std::unique_ptr<FieldTable>> tables;
  std::unique_ptr<FieldTable>& table = tables[descriptor];
  if (table != nullptr) return *table;
  table = std::make_unique<FieldTable>();
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  HB_CHECK(prototype != nullptr);
  table->reflection = prototype->GetReflection();
  table->fields.reserve(descriptor->field_count());
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const int slot = field->containing_oneof() != nullptr
                         ? descriptor->field_count() + field->containing_oneof()->index()
                         : i;
    table->fields.push_back(FieldInfo{field, MessageKindOf(field), slot});
  }
  table->slots = descriptor->field_count() + descriptor->oneof_decl_count();
  for (const FieldInfo& info : table->fields) table->by_key.emplace(info.field->name(), &info);
  for (const FieldInfo& info : table->fields) {
    table->by_key.emplace(info.field->json_name(), &info);
  }
  return *table;
}

const FieldTable& MessageTableOf(const FieldInfo& info) {
  if (info.message_table == nullptr) info.message_table = &FieldTableOf(info.field->message_type());
  return *info.message_table;
}

// The members of an object in key order.
absl::InlinedVector<dom::key_value_pair, 16> SortedMembers(dom::object object) {
  absl::InlinedVector<dom::key_value_pair, 16> members;
  for (dom::key_value_pair member : object) members.push_back(member);
  std::stable_sort(
      members.begin(), members.end(),
      [](const dom::key_value_pair& a, const dom::key_value_pair& b) { return a.key < b.key; });
  return members;
}

// StructToMessage's conversion over the tape. StructToMessage visits keys
// in key order; the fast mode visits them in the text's order instead,
// which gives the same result unless a member fails or two keys name the
// same field (or the same oneof): the fast mode then stops (order_matters)
// and the caller starts again in key order. Messages are generated ones,
// of the type of the table passed with them.
class Converter {
 public:
  explicit Converter(bool key_order) : key_order_(key_order) {}

  // Whether the last failure was the fast mode giving up rather than an
  // error of the body.
  bool order_matters() const { return order_matters_; }

  absl::Status Object(dom::object object, Message* message, const FieldTable& table,
                      const Path& path) {
    if (key_order_) {
      for (const dom::key_value_pair& member : SortedMembers(object)) {
        if (absl::Status s = Member(table, member.key, member.value, message, path); !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    }
    absl::InlinedVector<uint64_t, 2> set_slots((table.slots + 63) / 64);
    for (dom::key_value_pair member : object) {
      auto it = table.by_key.find(ToAbsl(member.key));
      if (it == table.by_key.end()) continue;
      const int slot = it->second->slot;
      uint64_t& word = set_slots[slot / 64];
      const uint64_t bit = uint64_t{1} << (slot % 64);
      if ((word & bit) != 0) return OrderMatters();
      word |= bit;
      if (absl::Status s = Field(table, *it->second, member.key, member.value, message, path);
          !s.ok()) {
        return OrderMatters();
      }
    }
    return absl::OkStatus();
  }

  // One member of an object whose type's table is `table`.
  absl::Status Member(const FieldTable& table, std::string_view key, dom::element value,
                      Message* message, const Path& path) {
    auto it = table.by_key.find(ToAbsl(key));
    if (it == table.by_key.end()) return absl::OkStatus();
    return Field(table, *it->second, key, value, message, path);
  }

 private:
  absl::Status OrderMatters() {
    order_matters_ = true;
    return absl::AbortedError("the order of keys matters");
  }

  absl::Status Mismatch(const Path& path, absl::string_view expected, dom::element got) {
    return absl::InvalidArgumentError(
        absl::StrCat(Render(path), ": expected ", expected, ", got ", V(got).kind_name()));
  }

  absl::Status Field(const FieldTable& table, const FieldInfo& info, std::string_view key,
                     dom::element value, Message* message, const Path& path) {
    const FieldDescriptor* field = info.field;
    const bool is_null = value.type() == dom::element_type::NULL_VALUE;
    // null leaves a field unset, except a google.protobuf.Value field, where
    // null is a value.
    if (is_null && (field->is_repeated() || info.message_kind != MessageKind::kValue)) {
      return absl::OkStatus();
    }
    const Path field_path{&path, ToAbsl(key)};
    if (field->is_map()) return SetMap(message, table, info, value, field_path);
    if (field->is_repeated()) {
      if (value.type() != dom::element_type::ARRAY) {
        return Mismatch(field_path, "an array", value);
      }
      int i = 0;
      for (dom::element item : ArrayOf(value)) {
        const Path item_path{&field_path, {}, i++};
        if (item.type() == dom::element_type::NULL_VALUE) {
          return absl::InvalidArgumentError(absl::StrCat(Render(item_path), ": unexpected null"));
        }
        if (absl::Status s = SetValue(message, table, info, item, item_path); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    return SetValue(message, table, info, value, field_path);
  }

  // An integer from a JSON number or a numeric string, within [lo, hi].
  absl::Status ToInteger(dom::element v, const Path& path, double lo, double hi,
                         int64_t* out_signed, uint64_t* out_unsigned) {
    if (v.type() == dom::element_type::STRING) {
      const absl::string_view text = StringOf(v);
      bool ok = out_signed != nullptr ? absl::SimpleAtoi(text, out_signed)
                                      : absl::SimpleAtoi(text, out_unsigned);
      if (ok && out_signed != nullptr && (*out_signed < lo || *out_signed > hi)) ok = false;
      if (ok && out_unsigned != nullptr && *out_unsigned > hi) ok = false;
      if (!ok) {
        return absl::InvalidArgumentError(absl::StrCat(Render(path), ": expected an integer"));
      }
      return absl::OkStatus();
    }
    if (KindOf(v) != JsonValue::Kind::kNumber) return Mismatch(path, "an integer", v);
    const double d = NumberOf(v);
    if (std::trunc(d) != d || d < lo || d > hi) {
      return absl::InvalidArgumentError(
          absl::StrCat(Render(path), ": expected an integer in range, got ", d));
    }
    if (out_signed != nullptr) *out_signed = static_cast<int64_t>(d);
    if (out_unsigned != nullptr) *out_unsigned = static_cast<uint64_t>(d);
    return absl::OkStatus();
  }

  // Fills `m`, the message of field `info`, from `v`.
  absl::Status ToMessage(dom::element v, const FieldInfo& info, Message* m, const Path& path) {
    switch (info.message_kind) {
      case MessageKind::kTimestamp: {
        if (v.type() != dom::element_type::STRING) {
          return Mismatch(path, "an RFC 3339 date string", v);
        }
        const std::string text(StringOf(v));
        if (!google::protobuf::util::TimeUtil::FromString(
                text, static_cast<google::protobuf::Timestamp*>(m))) {
          return absl::InvalidArgumentError(
              absl::StrCat(Render(path), ": \"", text, "\" is not an RFC 3339 date"));
        }
        return absl::OkStatus();
      }
      case MessageKind::kValue: {
        Value* value = static_cast<Value*>(m);
        value->Clear();
        BuildValue(v, value);
        return absl::OkStatus();
      }
      case MessageKind::kStruct: {
        if (v.type() != dom::element_type::OBJECT) return Mismatch(path, "an object", v);
        Struct* object = static_cast<Struct*>(m);
        object->Clear();
        BuildStruct(ObjectOf(v), object);
        return absl::OkStatus();
      }
      case MessageKind::kListValue: {
        if (v.type() != dom::element_type::ARRAY) return Mismatch(path, "an array", v);
        ListValue* list = static_cast<ListValue*>(m);
        list->Clear();
        BuildList(ArrayOf(v), list);
        return absl::OkStatus();
      }
      case MessageKind::kNone:
      case MessageKind::kOther:
        break;
    }
    if (v.type() != dom::element_type::OBJECT) return Mismatch(path, "an object", v);
    return Object(ObjectOf(v), m, MessageTableOf(info), path);
  }

  // Sets or appends one value of `info.field` in `m`, whose table is `table`.
  absl::Status SetValue(Message* m, const FieldTable& table, const FieldInfo& info, dom::element v,
                        const Path& path) {
    const FieldDescriptor* field = info.field;
    const Reflection* r = table.reflection;
    const bool repeated = field->is_repeated();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string s;
        if (v.type() == dom::element_type::STRING) {
          s = std::string(StringOf(v));
        } else if (KindOf(v) == JsonValue::Kind::kNumber) {
          const double d = NumberOf(v);
          s = std::trunc(d) == d && std::fabs(d) < 9.007199254740992e15
                  ? absl::StrCat(static_cast<int64_t>(d))
                  : absl::StrCat(d);
        } else {
          return Mismatch(path, "a string", v);
        }
        repeated ? r->AddString(m, field, std::move(s)) : r->SetString(m, field, std::move(s));
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_INT64:
      case FieldDescriptor::CPPTYPE_INT32: {
        const bool is64 = field->cpp_type() == FieldDescriptor::CPPTYPE_INT64;
        const double lo = is64 ? -9.007199254740992e15 : std::numeric_limits<int32_t>::min();
        const double hi = is64 ? 9.007199254740992e15 : std::numeric_limits<int32_t>::max();
        int64_t x = 0;
        if (absl::Status s = ToInteger(v, path, lo, hi, &x, nullptr); !s.ok()) return s;
        if (is64) {
          repeated ? r->AddInt64(m, field, x) : r->SetInt64(m, field, x);
        } else {
          repeated ? r->AddInt32(m, field, static_cast<int32_t>(x))
                   : r->SetInt32(m, field, static_cast<int32_t>(x));
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_UINT64:
      case FieldDescriptor::CPPTYPE_UINT32: {
        const bool is64 = field->cpp_type() == FieldDescriptor::CPPTYPE_UINT64;
        const double hi = is64 ? 9.007199254740992e15 : std::numeric_limits<uint32_t>::max();
        uint64_t x = 0;
        if (absl::Status s = ToInteger(v, path, 0, hi, nullptr, &x); !s.ok()) return s;
        if (is64) {
          repeated ? r->AddUInt64(m, field, x) : r->SetUInt64(m, field, x);
        } else {
          repeated ? r->AddUInt32(m, field, static_cast<uint32_t>(x))
                   : r->SetUInt32(m, field, static_cast<uint32_t>(x));
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        if (KindOf(v) != JsonValue::Kind::kNumber) return Mismatch(path, "a number", v);
        const double d = NumberOf(v);
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          repeated ? r->AddDouble(m, field, d) : r->SetDouble(m, field, d);
        } else {
          const float f = static_cast<float>(d);
          repeated ? r->AddFloat(m, field, f) : r->SetFloat(m, field, f);
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        if (v.type() != dom::element_type::BOOL) return Mismatch(path, "a boolean", v);
        const bool b = v.get_bool().value_unsafe();
        repeated ? r->AddBool(m, field, b) : r->SetBool(m, field, b);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        if (v.type() != dom::element_type::STRING) return Mismatch(path, "a string", v);
        const std::string name(StringOf(v));
        const auto* value = field->enum_type()->FindValueByName(name);
        if (value == nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat(Render(path), ": unknown value \"", name, "\""));
        }
        repeated ? r->AddEnum(m, field, value) : r->SetEnum(m, field, value);
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* child = repeated ? r->AddMessage(m, field) : r->MutableMessage(m, field);
        return ToMessage(v, info, child, path);
      }
    }
    return absl::InternalError(absl::StrCat(Render(path), ": unsupported field type"));
  }

  absl::Status SetMap(Message* m, const FieldTable& table, const FieldInfo& info, dom::element v,
                      const Path& path) {
    if (v.type() != dom::element_type::OBJECT) return Mismatch(path, "an object", v);
    const FieldDescriptor* field = info.field;
    const FieldDescriptor* key_field = field->message_type()->map_key();
    const FieldDescriptor* value_field = field->message_type()->map_value();
    if (key_field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      return absl::InternalError(
          absl::StrCat(Render(path), ": only string-keyed maps are supported"));
    }
    const FieldTable& entry_table = MessageTableOf(info);
    const FieldInfo& value_info = entry_table.fields[value_field->index()];
    const auto entry = [&](std::string_view key, dom::element item) -> absl::Status {
      if (item.type() == dom::element_type::NULL_VALUE) return absl::OkStatus();
      Message* e = table.reflection->AddMessage(m, field);
      entry_table.reflection->SetString(e, key_field, std::string(key));
      const Path item_path{&path, ToAbsl(key)};
      return SetValue(e, entry_table, value_info, item, item_path);
    };
    const dom::object object = ObjectOf(v);
    if (key_order_) {
      for (const dom::key_value_pair& member : SortedMembers(object)) {
        if (absl::Status s = entry(member.key, member.value); !s.ok()) return s;
      }
      return absl::OkStatus();
    }
    for (dom::key_value_pair member : object) {
      if (absl::Status s = entry(member.key, member.value); !s.ok()) return OrderMatters();
    }
    return absl::OkStatus();
  }

  const bool key_order_;
  bool order_matters_ = false;
};

// The table of `message`'s type, which must be a generated one.
const FieldTable& TableOfMessage(const Message& message) {
  const FieldTable& table = FieldTableOf(message.GetDescriptor());
  HB_CHECK(message.GetReflection() == table.reflection);
  return table;
}

}  // namespace

absl::Status JsonToMessage(JsonValue object, Message* message, absl::string_view path) {
  const dom::object members = ObjectOf(E(object));
  const FieldTable& table = TableOfMessage(*message);
  const Path root{nullptr, path};
  Converter fast(/*key_order=*/false);
  absl::Status status = fast.Object(members, message, table, root);
  if (!fast.order_matters()) return status;
  message->Clear();
  return Converter(/*key_order=*/true).Object(members, message, table, root);
}

void JsonToMessageKeyByKey(JsonValue object, Message* message, absl::string_view path,
                           std::vector<std::string>* errors) {
  const dom::object members = ObjectOf(E(object));
  const FieldTable& table = TableOfMessage(*message);
  const Path root{nullptr, path};
  Converter fast(/*key_order=*/false);
  if (fast.Object(members, message, table, root).ok()) return;
  // A member failed (or two named one field): each member on its own, in
  // key order, each kept only if it fits.
  message->Clear();
  for (const dom::key_value_pair& member : SortedMembers(members)) {
    std::unique_ptr<Message> part(message->New());
    absl::Status s =
        Converter(/*key_order=*/true).Member(table, member.key, member.value, part.get(), root);
    if (!s.ok()) {
      errors->push_back(std::string(s.message()));
      continue;
    }
    message->MergeFrom(*part);
  }
}

std::optional<JsonValue> FindJsonAtPath(JsonValue object, absl::string_view path) {
  std::optional<JsonValue> current = object;
  std::optional<JsonValue> value;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (!current.has_value()) return std::nullopt;
    value = current->Find(part);
    if (!value.has_value()) return std::nullopt;
    current = value->is_object() ? value : std::nullopt;
  }
  return value;
}

std::optional<absl::string_view> FindJsonStringAtPath(JsonValue object, absl::string_view path) {
  std::optional<JsonValue> v = FindJsonAtPath(object, path);
  if (!v.has_value() || !v->is_string()) return std::nullopt;
  return v->string();
}

std::optional<std::string> JsonIdAtPath(JsonValue object, absl::string_view path) {
  std::optional<JsonValue> v = FindJsonAtPath(object, path);
  if (!v.has_value()) return std::nullopt;
  if (v->is_string()) return std::string(v->string());
  if (v->kind() == JsonValue::Kind::kNumber) {
    const double d = v->number();
    if (std::trunc(d) == d && std::fabs(d) < 9.007199254740992e15) {
      return absl::StrCat(static_cast<int64_t>(d));
    }
  }
  return std::nullopt;
}

}  // namespace hookbridge
