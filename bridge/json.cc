#include "bridge/json.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

namespace {

// The length of the UTF-8 sequence starting at json[i] if it is well formed
// (shortest form, no surrogates, at most U+10FFFF), else 0.
size_t Utf8SequenceLength(absl::string_view json, size_t i) {
  const auto byte = [&json](size_t k) { return static_cast<unsigned char>(json[k]); };
  const unsigned char b0 = byte(i);
  size_t length = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // range of the second byte
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) lo = 0xa0;  // no overlong forms
    if (b0 == 0xed) hi = 0x9f;  // no UTF-16 surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) lo = 0x90;  // no overlong forms
    if (b0 == 0xf4) hi = 0x8f;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (json.size() - i < length) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return length;
}

// The value of the 4 hex digits at json[i], or -1.
int HexQuad(absl::string_view json, size_t i) {
  if (json.size() - i < 4) return -1;
  int value = 0;
  for (size_t k = i; k < i + 4; ++k) {
    const char c = json[k];
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

// Bytes that need no attention while scanning, inside strings and outside:
// ASCII other than what starts or ends a string, an escape, an array or an
// object. Scanning runs of them with a table lookup keeps the checks at a
// few instructions per byte.
struct PlainBytes {
  bool in_string[256] = {};
  bool outside[256] = {};
  constexpr PlainBytes() {
    for (int c = 0; c < 0x80; ++c) {
      in_string[c] = c != '"' && c != '\\';
      outside[c] = c != '"' && c != '[' && c != ']' && c != '{' && c != '}';
    }
  }
};
constexpr PlainBytes kPlain;

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

absl::Status CheckJsonText(absl::string_view json, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size();) {
    const bool* plain = in_string ? kPlain.in_string : kPlain.outside;
    while (i < json.size() && plain[static_cast<unsigned char>(json[i])]) ++i;
    if (i == json.size()) break;
    const unsigned char c = static_cast<unsigned char>(json[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(json, i);
      if (length == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("body is not valid UTF-8 (at byte ", i, ")"));
      }
      i += length;
      continue;
    }
    if (in_string) {
      if (c == '"') {
        in_string = false;
      } else if (c == '\\' && i + 1 < json.size()) {
        if (json[i + 1] == 'u') {
          // A high surrogate must be followed by an escaped low one, and a
          // low one must not stand alone: either would decode to bytes that
          // are not UTF-8.
          const int unit = HexQuad(json, i + 2);
          if (unit >= 0xdc00 && unit <= 0xdfff) {
            return absl::InvalidArgumentError(absl::StrCat(
                "JSON string has an unpaired UTF-16 surrogate escape (at byte ", i, ")"));
          }
          if (unit >= 0xd800 && unit <= 0xdbff) {
            const int next = i + 7 < json.size() && json[i + 6] == '\\' && json[i + 7] == 'u'
                                 ? HexQuad(json, i + 8)
                                 : -1;
            if (next < 0xdc00 || next > 0xdfff) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "JSON string has an unpaired UTF-16 surrogate escape (at byte ", i, ")"));
            }
            i += 12;
            continue;
          }
          if (unit >= 0) {
            i += 6;
            continue;
          }
        }
        i += 2;
        continue;
      }
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return absl::InvalidArgumentError(absl::StrCat("JSON nests deeper than ", max_depth,
                                                       " levels of arrays and objects (at byte ", i,
                                                       ")"));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    ++i;
  }
  return absl::OkStatus();
}

namespace {

// A single-pass JSON parser (RFC 8259) that builds the Struct directly. It
// enforces what CheckJsonText checks (valid UTF-8, paired \u surrogates,
// at most kMaxJsonDepth levels, which also bounds its recursion) with the
// same messages, so it is safe on any input without a separate pass. One
// deliberate leniency: control characters inside strings are taken as
// they are rather than refused, as generators that forget to escape a tab
// or a newline exist and the meaning is unambiguous.
class JsonParser {
 public:
  explicit JsonParser(absl::string_view text) : text_(text) {}

  absl::Status ParseObjectDocument(Struct* out) {
    SkipSpace();
    if (!Consume('{')) return Error("expected an object");
    depth_ = 1;
    if (absl::Status s = ParseObjectBody(out); !s.ok()) return s;
    SkipSpace();
    if (pos_ != text_.size()) return Error("unexpected text after the object");
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("body is not a JSON object: ", what, " (at byte ", pos_, ")"));
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++pos_;
    }
  }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  // After the '{'.
  absl::Status ParseObjectBody(Struct* out) {
    auto* fields = out->mutable_fields();
    SkipSpace();
    if (Consume('}')) return absl::OkStatus();
    std::string key;
    while (true) {
      SkipSpace();
      const size_t key_at = pos_;
      if (!Consume('"')) return Error("expected a string key");
      key.clear();
      if (absl::Status s = ParseStringBody(&key); !s.ok()) return s;
      SkipSpace();
      if (!Consume(':')) return Error("expected ':' after an object key");
      if (fields->find(key) != fields->end()) {
        pos_ = key_at;
        // Where, not which: a reason never repeats what the body holds.
        return Error("duplicate key");
      }
      if (absl::Status s = ParseValue(&(*fields)[key]); !s.ok()) return s;
      SkipSpace();
      if (Consume('}')) return absl::OkStatus();
      if (!Consume(',')) return Error("expected ',' or '}' in an object");
    }
  }

  // After the '['.
  absl::Status ParseArrayBody(ListValue* out) {
    SkipSpace();
    if (Consume(']')) return absl::OkStatus();
    while (true) {
      if (absl::Status s = ParseValue(out->add_values()); !s.ok()) return s;
      SkipSpace();
      if (Consume(']')) return absl::OkStatus();
      if (!Consume(',')) return Error("expected ',' or ']' in an array");
    }
  }

  absl::Status ParseValue(Value* out) {
    SkipSpace();
    if (pos_ == text_.size()) return Error("expected a value, got the end of the body");
    switch (text_[pos_]) {
      case '{':
      case '[': {
        if (depth_ == kMaxJsonDepth) {
          return absl::InvalidArgumentError(absl::StrCat("JSON nests deeper than ", kMaxJsonDepth,
                                                         " levels of arrays and objects (at byte ",
                                                         pos_, ")"));
        }
        ++depth_;
        const bool object = text_[pos_++] == '{';
        absl::Status s = object ? ParseObjectBody(out->mutable_struct_value())
                                : ParseArrayBody(out->mutable_list_value());
        --depth_;
        return s;
      }
      case '"':
        ++pos_;
        return ParseStringBody(out->mutable_string_value());
      case 't':
        return ParseLiteral("true", [out] { out->set_bool_value(true); });
      case 'f':
        return ParseLiteral("false", [out] { out->set_bool_value(false); });
      case 'n':
        return ParseLiteral("null", [out] { out->set_null_value(google::protobuf::NULL_VALUE); });
      default:
        return ParseNumber(out);
    }
  }

  template <typename Set>
  absl::Status ParseLiteral(absl::string_view literal, Set set) {
    if (text_.substr(pos_, literal.size()) != literal) return Error("expected a value");
    pos_ += literal.size();
    set();
    return absl::OkStatus();
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  absl::Status ParseNumber(Value* out) {
    const size_t start = pos_;
    Consume('-');
    if (pos_ == text_.size() || !IsDigit(text_[pos_])) return Error("expected a value");
    if (Consume('0')) {
      if (pos_ < text_.size() && IsDigit(text_[pos_])) {
        return Error("numbers must not have leading zeros");
      }
    } else {
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (Consume('.')) {
      if (pos_ == text_.size() || !IsDigit(text_[pos_])) return Error("expected a digit after '.'");
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (Consume('e') || Consume('E')) {
      if (!Consume('+')) Consume('-');
      if (pos_ == text_.size() || !IsDigit(text_[pos_])) {
        return Error("expected a digit in the exponent");
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    const absl::string_view number = text_.substr(start, pos_ - start);
    double value = 0;
    if (!absl::SimpleAtod(number, &value) || std::isinf(value)) {
      pos_ = start;
      return Error("number is outside the range of a double");
    }
    out->set_number_value(value);
    return absl::OkStatus();
  }

  // After the opening quote; appends the decoded text to `out`.
  absl::Status ParseStringBody(std::string* out) {
    while (true) {
      // The run of plain bytes up to the next quote or backslash, checking
      // that multi-byte sequences are well-formed UTF-8.
      size_t special = pos_;
      while (special < text_.size()) {
        while (special < text_.size() &&
               kPlain.in_string[static_cast<unsigned char>(text_[special])]) {
          ++special;
        }
        if (special == text_.size()) break;
        const unsigned char c = static_cast<unsigned char>(text_[special]);
        if (c == '"' || c == '\\') break;
        const size_t length = Utf8SequenceLength(text_, special);
        if (length == 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("body is not valid UTF-8 (at byte ", special, ")"));
        }
        special += length;
      }
      if (special == text_.size()) {
        pos_ = text_.size();
        return Error("unterminated string");
      }
      out->append(text_.data() + pos_, special - pos_);
      pos_ = special + 1;
      if (text_[special] == '"') return absl::OkStatus();
      if (pos_ == text_.size()) return Error("unterminated string");
      const char escape = text_[pos_++];
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out->push_back(escape);
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          const size_t escape_at = pos_ - 2;
          const int unit = HexQuad(text_, pos_);
          if (unit < 0) {
            pos_ = escape_at;
            return Error("\\u must be followed by four hex digits");
          }
          pos_ += 4;
          uint32_t code_point = static_cast<uint32_t>(unit);
          const auto unpaired = [escape_at] {
            return absl::InvalidArgumentError(absl::StrCat(
                "JSON string has an unpaired UTF-16 surrogate escape (at byte ", escape_at, ")"));
          };
          if (unit >= 0xd800 && unit <= 0xdbff) {
            const int low = text_.substr(pos_, 2) == "\\u" ? HexQuad(text_, pos_ + 2) : -1;
            if (low < 0xdc00 || low > 0xdfff) return unpaired();
            pos_ += 6;
            code_point = 0x10000 + ((code_point - 0xd800) << 10) + (low - 0xdc00);
          } else if (unit >= 0xdc00 && unit <= 0xdfff) {
            return unpaired();
          }
          AppendUtf8(code_point, out);
          break;
        }
        default:
          pos_ -= 2;
          return Error("invalid escape in a string");
      }
    }
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  const absl::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;  // of the array or object being parsed; the body's is 1
};

}  // namespace

absl::StatusOr<Struct> ParseJsonObject(absl::string_view json) {
  Struct out;
  if (absl::Status parsed = JsonParser(json).ParseObjectDocument(&out); !parsed.ok()) {
    return parsed;
  }
  return out;
}

absl::string_view KindName(const Value& v) {
  switch (v.kind_case()) {
    case Value::kNullValue:
      return "null";
    case Value::kNumberValue:
      return "a number";
    case Value::kStringValue:
      return "a string";
    case Value::kBoolValue:
      return "a boolean";
    case Value::kStructValue:
      return "an object";
    case Value::kListValue:
      return "an array";
    default:
      return "nothing";
  }
}

absl::Status TakeObjectField(google::protobuf::Map<std::string, Value>* fields,
                             const std::string& key, Struct* out) {
  auto it = fields->find(key);
  if (it == fields->end() || it->second.kind_case() == Value::kNullValue) return absl::OkStatus();
  if (it->second.kind_case() != Value::kStructValue) {
    return absl::InvalidArgumentError(absl::StrCat("envelope: \"", key, "\" must be an object"));
  }
  out->Swap(it->second.mutable_struct_value());
  return absl::OkStatus();
}

namespace {

absl::Status Mismatch(absl::string_view path, absl::string_view expected, const Value& got) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": expected ", expected, ", got ", KindName(got)));
}

// An integer from a JSON number or a numeric string, within [lo, hi].
absl::Status ToInteger(const Value& v, absl::string_view path, double lo, double hi,
                       int64_t* out_signed, uint64_t* out_unsigned) {
  if (v.kind_case() == Value::kStringValue) {
    bool ok = out_signed != nullptr ? absl::SimpleAtoi(v.string_value(), out_signed)
                                    : absl::SimpleAtoi(v.string_value(), out_unsigned);
    if (ok && out_signed != nullptr && (*out_signed < lo || *out_signed > hi)) ok = false;
    if (ok && out_unsigned != nullptr && *out_unsigned > hi) ok = false;
    if (!ok) return absl::InvalidArgumentError(absl::StrCat(path, ": expected an integer"));
    return absl::OkStatus();
  }
  if (v.kind_case() != Value::kNumberValue) return Mismatch(path, "an integer", v);
  double d = v.number_value();
  if (std::trunc(d) != d || d < lo || d > hi) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected an integer in range, got ", d));
  }
  if (out_signed != nullptr) *out_signed = static_cast<int64_t>(d);
  if (out_unsigned != nullptr) *out_unsigned = static_cast<uint64_t>(d);
  return absl::OkStatus();
}

absl::Status ToMessage(const Value& v, Message* m, absl::string_view path) {
  const Descriptor* d = m->GetDescriptor();
  if (d == google::protobuf::Timestamp::descriptor()) {
    if (v.kind_case() != Value::kStringValue) return Mismatch(path, "an RFC 3339 date string", v);
    if (!google::protobuf::util::TimeUtil::FromString(
            v.string_value(), static_cast<google::protobuf::Timestamp*>(m))) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": \"", v.string_value(), "\" is not an RFC 3339 date"));
    }
    return absl::OkStatus();
  }
  if (d == Value::descriptor()) {
    m->CopyFrom(v);
    return absl::OkStatus();
  }
  if (d == Struct::descriptor()) {
    if (v.kind_case() != Value::kStructValue) return Mismatch(path, "an object", v);
    m->CopyFrom(v.struct_value());
    return absl::OkStatus();
  }
  if (d == ListValue::descriptor()) {
    if (v.kind_case() != Value::kListValue) return Mismatch(path, "an array", v);
    m->CopyFrom(v.list_value());
    return absl::OkStatus();
  }
  if (v.kind_case() != Value::kStructValue) return Mismatch(path, "an object", v);
  return StructToMessage(v.struct_value(), m, path);
}

// Sets (index < 0) or appends one value of `field` in `m`.
absl::Status SetValue(Message* m, const FieldDescriptor* field, const Value& v,
                      absl::string_view path) {
  const Reflection* r = m->GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s;
      if (v.kind_case() == Value::kStringValue) {
        s = v.string_value();
      } else if (v.kind_case() == Value::kNumberValue) {
        double d = v.number_value();
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
      absl::Status s = ToInteger(v, path, lo, hi, &x, nullptr);
      if (!s.ok()) return s;
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
      absl::Status s = ToInteger(v, path, 0, hi, nullptr, &x);
      if (!s.ok()) return s;
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
      if (v.kind_case() != Value::kNumberValue) return Mismatch(path, "a number", v);
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        repeated ? r->AddDouble(m, field, v.number_value())
                 : r->SetDouble(m, field, v.number_value());
      } else {
        float f = static_cast<float>(v.number_value());
        repeated ? r->AddFloat(m, field, f) : r->SetFloat(m, field, f);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (v.kind_case() != Value::kBoolValue) return Mismatch(path, "a boolean", v);
      repeated ? r->AddBool(m, field, v.bool_value()) : r->SetBool(m, field, v.bool_value());
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      if (v.kind_case() != Value::kStringValue) return Mismatch(path, "a string", v);
      const auto* value = field->enum_type()->FindValueByName(v.string_value());
      if (value == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": unknown value \"", v.string_value(), "\""));
      }
      repeated ? r->AddEnum(m, field, value) : r->SetEnum(m, field, value);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* child = repeated ? r->AddMessage(m, field) : r->MutableMessage(m, field);
      return ToMessage(v, child, path);
    }
  }
  return absl::InternalError(absl::StrCat(path, ": unsupported field type"));
}

// The members of `object` in key order: a Struct's map has no order of its
// own (protobuf's differs from one map to the next), and the first member
// that fails, and what was filled before it, must not depend on it.
std::vector<const google::protobuf::MapPair<std::string, Value>*> SortedFields(
    const Struct& object) {
  std::vector<const google::protobuf::MapPair<std::string, Value>*> members;
  members.reserve(object.fields().size());
  for (const auto& member : object.fields()) members.push_back(&member);
  std::sort(members.begin(), members.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  return members;
}

absl::Status SetMap(Message* m, const FieldDescriptor* field, const Value& v,
                    absl::string_view path) {
  if (v.kind_case() != Value::kStructValue) return Mismatch(path, "an object", v);
  const FieldDescriptor* key_field = field->message_type()->map_key();
  const FieldDescriptor* value_field = field->message_type()->map_value();
  if (key_field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return absl::InternalError(absl::StrCat(path, ": only string-keyed maps are supported"));
  }
  for (const auto* member : SortedFields(v.struct_value())) {
    const std::string& key = member->first;
    const Value& item = member->second;
    if (item.kind_case() == Value::kNullValue) continue;
    Message* entry = m->GetReflection()->AddMessage(m, field);
    entry->GetReflection()->SetString(entry, key_field, key);
    absl::Status s = SetValue(entry, value_field, item, absl::StrCat(path, ".", key));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// The field whose name or json_name is `key`.
const FieldDescriptor* FindField(const Descriptor* descriptor, const std::string& key) {
  if (const FieldDescriptor* field = descriptor->FindFieldByName(key)) return field;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    if (descriptor->field(i)->json_name() == key) return descriptor->field(i);
  }
  return nullptr;
}

}  // namespace

absl::Status StructToMessage(const Struct& object, Message* message, absl::string_view path) {
  const Descriptor* descriptor = message->GetDescriptor();
  for (const auto* member : SortedFields(object)) {
    const std::string& key = member->first;
    const Value& value = member->second;
    const FieldDescriptor* field = FindField(descriptor, key);
    if (field == nullptr) continue;
    // null leaves a field unset, except a google.protobuf.Value field, where
    // null is a value.
    if (value.kind_case() == Value::kNullValue &&
        (field->is_repeated() || field->message_type() != Value::descriptor())) {
      continue;
    }
    const std::string field_path = absl::StrCat(path, ".", key);
    absl::Status s;
    if (field->is_map()) {
      s = SetMap(message, field, value, field_path);
    } else if (field->is_repeated()) {
      if (value.kind_case() != Value::kListValue) return Mismatch(field_path, "an array", value);
      int i = 0;
      for (const Value& item : value.list_value().values()) {
        const std::string item_path = absl::StrCat(field_path, "[", i++, "]");
        if (item.kind_case() == Value::kNullValue) {
          return absl::InvalidArgumentError(absl::StrCat(item_path, ": unexpected null"));
        }
        s = SetValue(message, field, item, item_path);
        if (!s.ok()) return s;
      }
    } else {
      s = SetValue(message, field, value, field_path);
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

const Value* FindValueAtPath(const Struct& object, absl::string_view path) {
  const Struct* current = &object;
  const Value* value = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (current == nullptr) return nullptr;
    auto it = current->fields().find(std::string(part));
    if (it == current->fields().end()) return nullptr;
    value = &it->second;
    current = value->kind_case() == Value::kStructValue ? &value->struct_value() : nullptr;
  }
  return value;
}

const std::string* FindStringAtPath(const Struct& object, absl::string_view path) {
  const Value* v = FindValueAtPath(object, path);
  if (v == nullptr || v->kind_case() != Value::kStringValue) return nullptr;
  return &v->string_value();
}

std::optional<std::string> IdAtPath(const Struct& object, absl::string_view path) {
  const Value* v = FindValueAtPath(object, path);
  if (v == nullptr) return std::nullopt;
  if (v->kind_case() == Value::kStringValue) return v->string_value();
  if (v->kind_case() == Value::kNumberValue) {
    const double d = v->number_value();
    if (std::trunc(d) == d && std::fabs(d) < 9.007199254740992e15) {
      return absl::StrCat(static_cast<int64_t>(d));
    }
  }
  return std::nullopt;
}

}  // namespace hookbridge
