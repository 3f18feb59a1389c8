#include "bridge/providers/form.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bridge/crypto.h"
#include "bridge/json.h"
#include "bridge/json_document.h"
#include "google/protobuf/util/json_util.h"

namespace hookbridge {
namespace {

absl::StatusOr<std::string> Unescape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      const int high = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return absl::InvalidArgumentError(
            "the form-encoded body has a % not followed by two hex digits");
      }
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  if (!IsValidUtf8(out)) {
    return absl::InvalidArgumentError("the form-encoded body decodes to text that is not UTF-8");
  }
  return out;
}

}  // namespace

bool IsFormEncoded(const WebhookRequest& request) {
  const absl::string_view* type = request.FindHeader("Content-Type");
  if (type == nullptr) return false;
  absl::string_view media = type->substr(0, type->find(';'));
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(media),
                                "application/x-www-form-urlencoded");
}

absl::StatusOr<FormFields> ParseForm(absl::string_view body) {
  FormFields fields;
  for (absl::string_view pair : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    absl::StatusOr<std::string> name = Unescape(pair.substr(0, eq));
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value =
        Unescape(eq == absl::string_view::npos ? absl::string_view() : pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    fields.emplace_back(*std::move(name), *std::move(value));
  }
  return fields;
}

void FormToStruct(const FormFields& fields, google::protobuf::Struct* out) {
  std::map<absl::string_view, int> count;
  for (const auto& [name, value] : fields) ++count[name];
  auto& map = *out->mutable_fields();
  for (const auto& [name, value] : fields) {
    google::protobuf::Value& slot = map[name];
    if (count[name] == 1) {
      slot.set_string_value(value);
    } else {
      slot.mutable_list_value()->add_values()->set_string_value(value);
    }
  }
}

absl::Status BodyToStruct(const WebhookRequest& request, int max_depth,
                          google::protobuf::Struct* out) {
  JsonDocument document;
  if (IsFormEncoded(request)) {
    absl::StatusOr<FormFields> fields = ParseForm(request.body);
    if (!fields.ok()) return fields.status();
    if (fields->size() != 1 || (*fields)[0].first != "payload") {
      FormToStruct(*fields, out);
      return absl::OkStatus();
    }
    const std::string& payload = (*fields)[0].second;
    if (absl::Status s = document.Parse(payload, 0, max_depth); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the form field \"payload\" is not a JSON object: ", s.message()));
    }
  } else if (absl::Status s = document.Parse(request.body, request.body_padding, max_depth);
             !s.ok()) {
    return s;
  }
  document.root().ToStruct(out);
  return absl::OkStatus();
}

std::optional<google::protobuf::Struct> ReadJsonBodyToSign(const WebhookRequest& request) {
  google::protobuf::Struct body;
  if (IsFormEncoded(request) || !BodyToStruct(request, kMaxJsonDepth, &body).ok()) {
    return std::nullopt;
  }
  return body;
}

std::optional<std::string> WriteSignedJsonBody(const WebhookRequest& request,
                                               const google::protobuf::Struct& body) {
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(body, &text).ok()) return std::nullopt;
  WebhookRequest as_sent = request;
  as_sent.body = text;
  google::protobuf::Struct check;
  if (!BodyToStruct(as_sent, kMaxJsonDepth, &check).ok()) return std::nullopt;
  return text;
}

}  // namespace hookbridge
