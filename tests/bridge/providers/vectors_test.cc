// The providers' own libraries against hookbridge's verifiers: every vector
// of tests/signatures/vectors.json (signed, or checked, by the official npm
// package of each provider: tests/signatures/SCHEMES.md) goes through the
// source a config with its secret makes. A genuine request must verify and
// decode to the type and delivery id the vector names; a tampered one must
// be refused, except where the scheme does not cover what was changed
// (GitLab's token, Mailgun's event-data), and that is asserted too; a
// provider's endpoint check must get exactly the answer its library gives.
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bridge/crypto.h"
#include "bridge/providers/registry.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

Struct ReadVectors() {
  std::ifstream in("tests/signatures/vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  Struct root;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text.str(), &root).ok())
      << "tests/signatures/vectors.json (run from the repository root)";
  return root;
}

const Value* Get(const Struct& s, absl::string_view key) {
  auto it = s.fields().find(std::string(key));
  return it == s.fields().end() ? nullptr : &it->second;
}

std::string Text(const Struct& s, absl::string_view key) {
  const Value* v = Get(s, key);
  return v != nullptr && v->has_string_value() ? v->string_value() : "";
}

const Struct& Object(const Struct& s, absl::string_view key) {
  const Value* v = Get(s, key);
  return v != nullptr && v->has_struct_value() ? v->struct_value() : Struct::default_instance();
}

// The path and query of a full URL.
std::string Target(absl::string_view url) {
  const size_t host = url.find("://") + 3;
  const size_t slash = url.find('/', host);
  return slash == absl::string_view::npos ? "/" : std::string(url.substr(slash));
}

bool JsonEquals(const std::string& a, const std::string& b) {
  Struct x, y;
  if (!google::protobuf::util::JsonStringToMessage(a, &x).ok() ||
      !google::protobuf::util::JsonStringToMessage(b, &y).ok()) {
    return a == b;
  }
  return google::protobuf::util::MessageDifferencer::Equals(x, y);
}

// Vectors of what hookbridge does not do, and why.
std::string Unsupported(const std::string& name) {
  if (absl::StartsWith(name, "sendgrid/")) return "sendgrid: discord is the asymmetric scheme here";
  if (name == "twilio/form-sharedkey-hmac-sha256") return "Twilio's SharedKey variant";
  return "";
}

// Verified, but not decoded into an event: a body hookbridge does not take
// (Event Streams' JSON array), or an endpoint that needs a synchronous
// reply (Discord's interactions).
bool VerifyOnly(const std::string& name) {
  return name == "twilio/json-body-sha256-event-streams" ||
         name == "svix/documented" ||  // the standard's vector: a body without a type

         absl::StartsWith(name, "discord/interaction-");
}

TEST(SignatureVectorsTest, OfficialLibrariesVectorsAreVerifiedDecodedAndAnswered) {
  const Struct root = ReadVectors();
  const Value* vectors = Get(root, "vectors");
  ASSERT_NE(vectors, nullptr);
  ASSERT_TRUE(vectors->has_list_value());
  std::set<std::string> schemes;
  int checked = 0;
  for (const Value& item : vectors->list_value().values()) {
    const Struct& vector = item.struct_value();
    const std::string name = Text(vector, "name");
    const std::string scheme = Text(vector, "scheme");
    SCOPED_TRACE(name);
    if (!Unsupported(name).empty()) continue;
    const Struct& inputs = Object(vector, "inputs");
    const Struct& request_json = Object(vector, "request");
    const Struct& expect = Object(vector, "expect");
    const std::string kind = Text(vector, "kind");

    SourceConfig config;
    config.name = "vector";
    config.provider = scheme;
    config.secrets = {scheme == "discord" ? Text(inputs, "public_key_hex")
                                          : Text(inputs, "secret")};
    const std::string public_url = Text(inputs, "url");
    config.public_url = std::string(public_url.substr(0, public_url.find('?')));
    if (scheme != "twilio") config.public_url.clear();  // the others sign no URL
    absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
    ASSERT_TRUE(source.ok()) << source.status();

    const std::string target = Target(Text(request_json, "url"));
    const std::string body = Text(request_json, "body");
    WebhookRequest request;
    request.method = Text(request_json, "method");
    request.target = target;
    request.body = body;
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [header, value] : Object(request_json, "headers").fields()) {
      headers.emplace_back(header, value.string_value());
    }
    for (const auto& [header, value] : headers) request.headers.emplace_back(header, value);
    const Value* timestamp = Get(inputs, "timestamp");
    const Value* fixed = Get(root, "fixed_time");
    request.received_at = absl::FromUnixSeconds(static_cast<int64_t>(
        timestamp != nullptr ? timestamp->number_value() : fixed->number_value()));

    Verification verified;
    const absl::Status status = (*source)->Verify(request, &verified);
    const Value* valid = Get(expect, "valid");
    ASSERT_NE(valid, nullptr);
    EXPECT_EQ(status.ok(), valid->bool_value()) << status;
    if (!status.ok()) {
      EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
      ++checked;
      continue;
    }
    EXPECT_EQ(verified.secret_index, 0);
    schemes.insert(scheme);
    if (kind == "negative" || VerifyOnly(name)) {
      ++checked;
      continue;
    }

    absl::StatusOr<std::optional<ProviderAnswer>> answer = (*source)->Answer(request, verified);
    ASSERT_TRUE(answer.ok()) << answer.status();
    if (kind == "challenge") {
      ASSERT_TRUE(answer->has_value()) << "the endpoint check was not answered";
      const Struct& response = Object(vector, "response");
      EXPECT_EQ((*answer)->status, static_cast<int>(Get(response, "status")->number_value()));
      EXPECT_TRUE(JsonEquals((*answer)->body, Text(response, "body")))
          << (*answer)->body << " vs " << Text(response, "body");
      const std::string type = Text(Object(response, "headers"), "content-type");
      if (!type.empty()) EXPECT_TRUE(absl::StartsWith(type, (*answer)->content_type)) << type;
      ++checked;
      continue;
    }
    EXPECT_FALSE(answer->has_value()) << "an event answered as a check";

    v1::Event event;
    const absl::Status decoded = (*source)->Decode(request, &event);
    ASSERT_TRUE(decoded.ok()) << decoded;
    // The type: the vector's, except where hookbridge's convention says
    // more (Linear's action; a Slack slash command is its command).
    const std::string type = Text(expect, "event_type");
    if (scheme == "linear") {
      EXPECT_TRUE(absl::StartsWith(event.type(), absl::StrCat(type, "."))) << event.type();
    } else if (type == "slash_command") {
      EXPECT_TRUE(absl::StartsWith(event.type(), "/")) << event.type();
    } else if (!type.empty()) {
      EXPECT_EQ(event.type(), type);
    }
    // The id: the signed delivery id the vector names; none (the ingest
    // path's digest of the body) where it is unsigned or is itself a
    // digest of the body.
    const Value* id_signed = Get(expect, "delivery_id_signed");
    const std::string id = Text(expect, "delivery_id");
    const bool body_digest = id == HexEncode(Sha256({body}));
    // GitLab signs nothing: its Idempotency-Key is as good as its body.
    const bool trusted = (id_signed != nullptr && id_signed->bool_value()) || scheme == "gitlab";
    if (trusted && !id.empty() && !body_digest) {
      EXPECT_EQ(event.id(), id);
    } else {
      EXPECT_EQ(event.id(), "") << "an id from an unsigned header";
    }
    EXPECT_TRUE(event.has_untyped());
    ++checked;
  }
  EXPECT_EQ(schemes, (std::set<std::string>{"shopify", "slack", "twilio", "gitlab", "bitbucket",
                                            "linear", "paddle", "zoom", "mailgun", "typeform",
                                            "intercom", "discord", "svix"}));
  EXPECT_GT(checked, 35);
}

}  // namespace
}  // namespace hookbridge
