// CloudEvents out on the real binary: a Subscribe stream and a consumer
// member that ask for EVENT_FORMAT_CLOUDEVENTS, read by a client that knows
// only the CloudEvents protobuf schema. Each CloudEvent's bytes are parsed
// with a parser made at run time from proto/io/cloudevents/v1/cloudevents.proto
// alone: protoc compiles a copy of that one file, in a directory of its own,
// into a descriptor set, which becomes a DescriptorPool of its own (that
// file and the well-known types it imports), read through dynamic
// messages, never through hookbridge's generated classes. The typed payload
// is then unpacked by the type URL its `proto_data` names.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bridge/providers/standard_webhooks/signature.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hookbridge/ckeditor/v1/ckeditor.pb.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;

constexpr char kCkeditorSecret[] = "cloudevents-secret";
constexpr char kStandardSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kIngressToken[] = "ingress-bearer-token";
constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// A CloudEvent as a CloudEvents-only client sees it.
struct Decoded {
  std::string id, source, spec_version, type;
  // Attributes by their CloudEvents type: String, URI and URI-reference as
  // strings; Boolean; Integer; Binary; Timestamp (seconds, nanos).
  std::map<std::string, std::string> strings;
  std::map<std::string, bool> booleans;
  std::map<std::string, int> integers;
  std::map<std::string, std::string> binaries;
  std::map<std::string, std::pair<int64_t, int32_t>> timestamps;
  // Which of the data oneof is set ("" for none), and its content.
  std::string data_kind;
  std::string text_data;
  std::string any_type_url, any_value;

  std::string Str(const std::string& name) const {
    auto it = strings.find(name);
    return it == strings.end() ? "<absent>" : it->second;
  }
};

// The parser made from cloudevents.proto alone.
class CloudEventsSchema {
 public:
  CloudEventsSchema() {
    // The vendored file alone in a fresh directory: nothing of hookbridge's
    // proto/ is on protoc's path (the well-known types it imports are
    // protoc's own).
    char dir[] = "/tmp/hookbridge-cloudevents-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    const std::filesystem::path root(dir);
    std::filesystem::create_directories(root / "io/cloudevents/v1");
    std::filesystem::copy_file(
        std::string(HOOKBRIDGE_SOURCE_DIR) + "/proto/io/cloudevents/v1/cloudevents.proto",
        root / "io/cloudevents/v1/cloudevents.proto");
    const std::string descriptors = (root / "cloudevents.binpb").string();
    const CommandResult protoc =
        RunCommand({HOOKBRIDGE_PROTOC, "-I", root.string(), "-I", "/usr/include",
                    "--include_imports", "--descriptor_set_out=" + descriptors,
                    (root / "io/cloudevents/v1/cloudevents.proto").string()});
    EXPECT_EQ(protoc.exit_code, 0) << protoc.err;
    std::ifstream in(descriptors, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    std::filesystem::remove_all(root);
    google::protobuf::FileDescriptorSet set;
    if (!set.ParseFromString(bytes.str())) {
      ADD_FAILURE() << "protoc wrote no descriptor set";
      return;
    }
    // --include_imports lists each file after the files it imports.
    for (const google::protobuf::FileDescriptorProto& file : set.file()) {
      EXPECT_TRUE(file.name() == "io/cloudevents/v1/cloudevents.proto" ||
                  file.name().rfind("google/protobuf/", 0) == 0)
          << file.name();
      EXPECT_NE(pool_.BuildFile(file), nullptr) << file.name();
    }
    cloud_event_ = pool_.FindMessageTypeByName("io.cloudevents.v1.CloudEvent");
    EXPECT_NE(cloud_event_, nullptr);
  }

  // Parses `bytes` as an io.cloudevents.v1.CloudEvent (a test failure if
  // they are not one).
  Decoded Decode(const std::string& bytes) {
    Decoded out;
    if (cloud_event_ == nullptr) {
      ADD_FAILURE() << "no CloudEvent schema";
      return out;
    }
    std::unique_ptr<Message> message(factory_.GetPrototype(cloud_event_)->New());
    if (!message->ParseFromString(bytes)) {
      ADD_FAILURE() << "not a CloudEvent";
      return out;
    }
    const Reflection* r = message->GetReflection();
    auto field = [this](const char* name) { return cloud_event_->FindFieldByName(name); };
    out.id = r->GetString(*message, field("id"));
    out.source = r->GetString(*message, field("source"));
    out.spec_version = r->GetString(*message, field("spec_version"));
    out.type = r->GetString(*message, field("type"));
    const FieldDescriptor* attributes = field("attributes");
    for (int i = 0; i < r->FieldSize(*message, attributes); ++i) {
      const Message& entry = r->GetRepeatedMessage(*message, attributes, i);
      const Descriptor* entry_type = entry.GetDescriptor();
      const std::string key =
          entry.GetReflection()->GetString(entry, entry_type->FindFieldByName("key"));
      const Message& value =
          entry.GetReflection()->GetMessage(entry, entry_type->FindFieldByName("value"));
      const Reflection* vr = value.GetReflection();
      const FieldDescriptor* set =
          vr->GetOneofFieldDescriptor(value, value.GetDescriptor()->FindOneofByName("attr"));
      if (set == nullptr) {
        ADD_FAILURE() << "attribute " << key << " has no value";
        continue;
      }
      const std::string& kind = set->name();
      if (kind == "ce_string" || kind == "ce_uri" || kind == "ce_uri_ref") {
        out.strings[key] = vr->GetString(value, set);
      } else if (kind == "ce_boolean") {
        out.booleans[key] = vr->GetBool(value, set);
      } else if (kind == "ce_integer") {
        out.integers[key] = vr->GetInt32(value, set);
      } else if (kind == "ce_bytes") {
        out.binaries[key] = vr->GetString(value, set);
      } else if (kind == "ce_timestamp") {
        const Message& t = vr->GetMessage(value, set);
        const Descriptor* td = t.GetDescriptor();
        out.timestamps[key] = {t.GetReflection()->GetInt64(t, td->FindFieldByName("seconds")),
                               t.GetReflection()->GetInt32(t, td->FindFieldByName("nanos"))};
      }
    }
    const FieldDescriptor* data =
        r->GetOneofFieldDescriptor(*message, cloud_event_->FindOneofByName("data"));
    if (data != nullptr) {
      out.data_kind = data->name();
      if (data->name() == "text_data") out.text_data = r->GetString(*message, data);
      if (data->name() == "proto_data") {
        const Message& any = r->GetMessage(*message, data);
        const Descriptor* ad = any.GetDescriptor();
        out.any_type_url = any.GetReflection()->GetString(any, ad->FindFieldByName("type_url"));
        out.any_value = any.GetReflection()->GetString(any, ad->FindFieldByName("value"));
      }
    }
    return out;
  }

 private:
  google::protobuf::DescriptorPool pool_;  // not the generated pool
  google::protobuf::DynamicMessageFactory factory_;
  const Descriptor* cloud_event_ = nullptr;
};

// The payload a `proto_data` carries, as the message its type URL names
// (among the messages this client was built with: hookbridge's provider
// messages), or nullptr.
std::unique_ptr<Message> Unpack(const Decoded& event) {
  const std::string prefix = "type.googleapis.com/";
  if (event.any_type_url.rfind(prefix, 0) != 0) return nullptr;
  const Descriptor* type =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          event.any_type_url.substr(prefix.size()));
  if (type == nullptr) return nullptr;
  std::unique_ptr<Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!message->ParseFromString(event.any_value)) return nullptr;
  return message;
}

std::string Config(const std::string& extra = "") {
  return LoopbackListeners() + absl::StrCat(R"(sources:
  - name: ckeditor
    provider: ckeditor-cloud-services
    secrets: [")",
                                            kCkeditorSecret, R"("]
  - name: billing
    provider: standard-webhooks
    secrets: [")",
                                            kStandardSecret, R"("]
  - name: ingress
    provider: cloudevents
    secrets: [")",
                                            kIngressToken, R"("]
    cloudevents:
      allowed_origins: [eventemitter.example.com]
)",
                                            extra);
}

class CloudEventsTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start(const std::string& extra = "") {
    process_ = HookbridgeProcess::Start(Config(extra));
    ASSERT_NE(process_, nullptr);
    http_ = std::make_unique<HttpClient>(process_->http_port());
  }

  // A CKEditor comment.added about `doc`, with a traceparent.
  void PostComment(const std::string& doc, const std::string& content) {
    const std::string body = CommentAddedBody(doc, content);
    auto headers = HttpClient::CkeditorHeaders("/webhooks/ckeditor", body, kCkeditorSecret);
    headers.emplace_back("traceparent", kTraceparent);
    ASSERT_EQ(http_->Send("POST", "/webhooks/ckeditor", body, headers).status, 200);
  }

  // A Standard Webhooks delivery `id` (untyped: a generic provider) sent at
  // `timestamp` (Unix seconds).
  void PostInvoice(const std::string& id, const std::string& timestamp) {
    const std::string body = R"({"type":"invoice.paid","data":{"id":"inv_1","amount":1250}})";
    ASSERT_EQ(http_
                  ->Send("POST", "/webhooks/billing", body,
                         {{"webhook-id", id},
                          {"webhook-timestamp", timestamp},
                          {"webhook-signature",
                           StandardWebhooksSignature(kStandardSecret, id, timestamp, body)}})
                  .status,
              200);
  }

  // Reads `n` CloudEvents from `subscriber`, checking that no response
  // carries hookbridge Events.
  std::vector<std::string> ReadCloudEvents(Subscriber& subscriber, int n) {
    std::vector<std::string> out;
    v1::SubscribeResponse response;
    while (static_cast<int>(out.size()) < n && subscriber.ReadResponse(&response)) {
      EXPECT_EQ(response.events_size(), 0);
      // Each CloudEvent's own bytes: what a CloudEvents-only client parses.
      for (const auto& cloud_event : response.cloud_events()) {
        out.push_back(cloud_event.SerializeAsString());
      }
    }
    EXPECT_EQ(static_cast<int>(out.size()), n);
    return out;
  }

  std::unique_ptr<HookbridgeProcess> process_;
  std::unique_ptr<HttpClient> http_;
  CloudEventsSchema schema_;
};

v1::SubscribeRequest CloudEventsFromStart() {
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  request.set_format(v1::EVENT_FORMAT_CLOUDEVENTS);
  return request;
}

TEST_F(CloudEventsTest, TypedAndUntypedEventsDecodeWithTheCloudEventsSchemaAlone) {
  PostComment("doc-1", "Hello");
  const std::string sent = std::to_string(absl::ToUnixSeconds(absl::Now()));
  PostInvoice("msg_1", sent);
  Subscriber subscriber(process_->grpc_target(), CloudEventsFromStart());
  const std::vector<std::string> bytes = ReadCloudEvents(subscriber, 2);
  ASSERT_EQ(bytes.size(), 2u);

  // Typed: the provider message in proto_data.
  const Decoded typed = schema_.Decode(bytes[0]);
  EXPECT_FALSE(typed.id.empty());
  EXPECT_EQ(typed.source, "/sources/ckeditor");
  EXPECT_EQ(typed.spec_version, "1.0");
  EXPECT_EQ(typed.type, "comment.added");
  EXPECT_EQ(typed.Str("subject"), "doc-1");
  EXPECT_EQ(typed.Str("sequence"), "00000000000000000001");
  EXPECT_EQ(typed.Str("provider"), "ckeditor-cloud-services");
  EXPECT_EQ(typed.booleans.at("superseded"), false);
  EXPECT_EQ(typed.Str("traceparent"), kTraceparent);
  EXPECT_EQ(typed.Str("provenancescheme"), "ckeditor-hmac-sha256");
  EXPECT_EQ(typed.integers.count("provenancesecret"), 1u);
  EXPECT_EQ(typed.binaries.at("bodysha256").size(), 32u);
  EXPECT_EQ(typed.timestamps.count("time"), 1u);
  EXPECT_EQ(typed.timestamps.count("receivedat"), 1u);
  EXPECT_EQ(typed.binaries.count("rawbody"), 0u);  // not asked for
  EXPECT_EQ(typed.Str("datacontenttype"), "application/protobuf");
  ASSERT_EQ(typed.data_kind, "proto_data");
  EXPECT_EQ(typed.any_type_url, "type.googleapis.com/hookbridge.ckeditor.v1.CkeditorEvent");
  EXPECT_EQ(typed.Str("dataschema"), typed.any_type_url);
  std::unique_ptr<Message> payload = Unpack(typed);
  ASSERT_NE(payload, nullptr) << typed.any_type_url;
  const auto* ckeditor = dynamic_cast<const ckeditor::v1::CkeditorEvent*>(payload.get());
  ASSERT_NE(ckeditor, nullptr);
  EXPECT_EQ(ckeditor->comment_added().document().id(), "doc-1");
  EXPECT_EQ(ckeditor->comment_added().comment().content(), "Hello");

  // Untyped (a generic provider): the JSON payload as text_data.
  const Decoded untyped = schema_.Decode(bytes[1]);
  EXPECT_EQ(untyped.id, "msg_1");
  EXPECT_EQ(untyped.source, "/sources/billing");
  EXPECT_EQ(untyped.type, "invoice.paid");
  EXPECT_EQ(untyped.Str("sequence"), "00000000000000000002");
  EXPECT_EQ(untyped.Str("provider"), "standard-webhooks");
  EXPECT_EQ(untyped.Str("provenancescheme"), "standard-webhooks-v1");
  // time: the signed webhook-timestamp, the provider's sent_at.
  EXPECT_EQ(untyped.timestamps.at("time").first, std::stoll(sent));
  EXPECT_EQ(untyped.Str("datacontenttype"), "application/json");
  EXPECT_EQ(untyped.strings.count("dataschema"), 0u);
  ASSERT_EQ(untyped.data_kind, "text_data");
  google::protobuf::Struct json;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(untyped.text_data, &json).ok())
      << untyped.text_data;
  EXPECT_EQ(json.fields().at("data").struct_value().fields().at("id").string_value(), "inv_1");
  EXPECT_EQ(json.fields().at("data").struct_value().fields().at("amount").number_value(), 1250);
}

TEST_F(CloudEventsTest, FiltersStartPositionsAndRawBodiesApply) {
  for (int i = 0; i < 6; ++i) {
    PostComment(i % 2 == 0 ? "wanted" : "other", "n" + std::to_string(i));
  }
  PostInvoice("msg_1", std::to_string(absl::ToUnixSeconds(absl::Now())));
  v1::SubscribeRequest request = CloudEventsFromStart();
  request.set_after_sequence(1);
  request.add_subjects("wanted");
  request.add_types("comment.*");
  request.set_include_raw(true);
  Subscriber subscriber(process_->grpc_target(), request);
  const std::vector<std::string> bytes = ReadCloudEvents(subscriber, 2);
  ASSERT_EQ(bytes.size(), 2u);
  std::vector<std::string> sequences;
  for (const std::string& b : bytes) {
    const Decoded event = schema_.Decode(b);
    EXPECT_EQ(event.Str("subject"), "wanted");
    EXPECT_EQ(event.type, "comment.added");
    sequences.push_back(event.Str("sequence"));
    ASSERT_EQ(event.binaries.count("rawbody"), 1u);
    EXPECT_THAT(event.binaries.at("rawbody"), ::testing::HasSubstr("\"wanted\""));
  }
  EXPECT_THAT(sequences, ::testing::ElementsAre("00000000000000000003", "00000000000000000005"));

  // Live: a new matching event arrives as a CloudEvent too; others do not.
  PostComment("other", "late");
  PostComment("wanted", "late");
  const std::vector<std::string> live = ReadCloudEvents(subscriber, 1);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(schema_.Decode(live[0]).Str("sequence"), "00000000000000000009");
}

TEST_F(CloudEventsTest, DefaultFormatIsStillHookbridgeEvents) {
  PostComment("doc-1", "Hello");
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  Subscriber subscriber(process_->grpc_target(), request);
  v1::SubscribeResponse response;
  ASSERT_TRUE(subscriber.ReadResponse(&response));
  EXPECT_EQ(response.events_size(), 1);
  EXPECT_EQ(response.cloud_events_size(), 0);
}

// An untyped payload of control characters is stored as a Struct (a byte
// each) but sent as JSON (`\u0001`, six bytes each): five events that
// fit one response as stored would not as CloudEvents (over gRPC's default
// 4 MiB receive limit). Responses are bounded by what is sent: one
// CloudEvent each, on a Subscribe stream and on a Consume stream alike.
TEST_F(CloudEventsTest, BatchesAreBoundedByTheCloudEventsSize) {
  process_.reset();
  Start("consumers:\n  - { name: blobs, start: earliest }\n");
  std::string escaped;
  for (int i = 0; i < 200000; ++i) escaped += "\\u0001";
  const std::string body = R"({"type":"blob.made","data":")" + escaped + R"("})";
  constexpr int kEvents = 5;
  for (int i = 0; i < kEvents; ++i) {
    const std::string id = "blob_" + std::to_string(i);
    const std::string timestamp = std::to_string(absl::ToUnixSeconds(absl::Now()));
    ASSERT_EQ(http_
                  ->Send("POST", "/webhooks/billing", body,
                         {{"webhook-id", id},
                          {"webhook-timestamp", timestamp},
                          {"webhook-signature",
                           StandardWebhooksSignature(kStandardSecret, id, timestamp, body)}})
                  .status,
              200);
  }

  Subscriber subscriber(process_->grpc_target(), CloudEventsFromStart());
  v1::SubscribeResponse response;
  int received = 0;
  while (received < kEvents && subscriber.ReadResponse(&response)) {
    ASSERT_EQ(response.cloud_events_size(), 1);
    const Decoded event = schema_.Decode(response.cloud_events(0).SerializeAsString());
    EXPECT_EQ(event.id, "blob_" + std::to_string(received));
    EXPECT_GT(event.text_data.size(), 1200000u);
    ++received;
  }
  EXPECT_EQ(received, kEvents);

  auto stub = v1::EventBridgeService::NewStub(
      grpc::CreateChannel(process_->grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  AddBearer(&context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto stream = stub->Consume(&context);
  v1::ConsumeRequest start;
  start.mutable_start()->set_consumer("blobs");
  start.mutable_start()->set_format(v1::EVENT_FORMAT_CLOUDEVENTS);
  ASSERT_TRUE(stream->Write(start));
  std::vector<std::string> ids;
  v1::ConsumeResponse consumed;
  while (ids.size() < kEvents && stream->Read(&consumed)) {
    ASSERT_EQ(consumed.events_size(), 1) << "a response of " << consumed.ByteSizeLong() << " bytes";
    ids.push_back(schema_.Decode(consumed.events(0).cloud_event().SerializeAsString()).id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kEvents));
  context.TryCancel();
  stream->Finish();
}

// hookbridge-tail --cloudevents prints CloudEvents and keeps its cursor by
// their sequence attribute.
TEST_F(CloudEventsTest, TailPrintsCloudEventsAndResumesAfterTheirSequence) {
  PostComment("doc-1", "one");
  PostInvoice("msg_1", std::to_string(absl::ToUnixSeconds(absl::Now())));
  PostComment("doc-3", "three");
  char dir[] = "/tmp/hookbridge-cloudevents-tail-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string cursor = std::string(dir) + "/cursor";
  const std::map<std::string, std::string> env = {{"HOOKBRIDGE_TARGET", process_->grpc_target()},
                                                  {"HOOKBRIDGE_TOKEN", kTestToken}};
  auto tail = [&](const std::string& count) {
    return RunCommand({"/usr/bin/timeout", "60", BinaryPath("hookbridge-tail"), "--cloudevents",
                       "--earliest", "--cursor", cursor, "--count", count},
                      env);
  };
  const CommandResult first = tail("2");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::vector<std::string> lines = absl::StrSplit(first.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << first.out;
  EXPECT_THAT(lines[0], ::testing::HasSubstr(R"("spec_version":"1.0")"));
  EXPECT_THAT(lines[0], ::testing::HasSubstr(R"("source":"/sources/ckeditor")"));
  EXPECT_THAT(lines[0], ::testing::HasSubstr(R"("ce_string":"00000000000000000001")"));
  EXPECT_THAT(lines[0], ::testing::HasSubstr("hookbridge.ckeditor.v1.CkeditorEvent"));
  EXPECT_THAT(lines[1], ::testing::HasSubstr(R"("id":"msg_1")"));
  EXPECT_THAT(lines[1], ::testing::HasSubstr(R"("text_data")"));
  EXPECT_EQ(ReadText(cursor), "2\n");
  // Resumed from the cursor: the third event only.
  const CommandResult second = tail("1");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, ::testing::HasSubstr(R"("ce_string":"00000000000000000003")"));
  EXPECT_THAT(second.out, ::testing::HasSubstr("doc-3"));
  std::filesystem::remove_all(dir);

  const CommandResult refused =
      RunCommand({BinaryPath("hookbridge-tail"), "--cloudevents", "--consumer", "invoices"}, env);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, ::testing::HasSubstr("--cloudevents does not go with --consumer"));
}

TEST_F(CloudEventsTest, AFormatThisServerDoesNotKnowIsRefused) {
  v1::SubscribeRequest request = CloudEventsFromStart();
  request.set_format(static_cast<v1::EventFormat>(42));
  Subscriber subscriber(process_->grpc_target(), request);
  v1::SubscribeResponse response;
  EXPECT_FALSE(subscriber.ReadResponse(&response));
  const grpc::Status status = subscriber.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("format 42"));
}

// A durable consumer's member that asks for CloudEvents acknowledges by
// the `sequence` attribute, read as the sequence extension defines it.
TEST_F(CloudEventsTest, ConsumerMemberAcknowledgesBySequenceAttribute) {
  process_.reset();
  Start("consumers:\n  - { name: invoices, start: earliest, types: [\"invoice.*\"] }\n");
  PostComment("doc-1", "not for the consumer");
  PostInvoice("msg_1", std::to_string(absl::ToUnixSeconds(absl::Now())));
  PostInvoice("msg_2", std::to_string(absl::ToUnixSeconds(absl::Now())));

  auto stub = v1::EventBridgeService::NewStub(
      grpc::CreateChannel(process_->grpc_target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  AddBearer(&context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto stream = stub->Consume(&context);
  v1::ConsumeRequest start;
  start.mutable_start()->set_consumer("invoices");
  start.mutable_start()->set_format(v1::EVENT_FORMAT_CLOUDEVENTS);
  ASSERT_TRUE(stream->Write(start));

  std::vector<uint64_t> acked;
  std::vector<std::string> ids;
  v1::ConsumeResponse response;
  while (ids.size() < 2 && stream->Read(&response)) {
    for (const v1::ConsumedEvent& consumed : response.events()) {
      EXPECT_FALSE(consumed.has_event());
      ASSERT_TRUE(consumed.has_cloud_event());
      EXPECT_EQ(consumed.delivery_attempt(), 1u);
      const Decoded event = schema_.Decode(consumed.cloud_event().SerializeAsString());
      ids.push_back(event.id);
      EXPECT_EQ(event.type, "invoice.paid");
      EXPECT_EQ(event.data_kind, "text_data");
      const std::string sequence = event.Str("sequence");
      ASSERT_EQ(sequence.size(), 20u) << sequence;
      acked.push_back(std::stoull(sequence));
    }
  }
  EXPECT_THAT(ids, ::testing::ElementsAre("msg_1", "msg_2"));
  EXPECT_THAT(acked, ::testing::ElementsAre(2u, 3u));
  v1::ConsumeRequest ack;
  for (uint64_t s : acked) ack.mutable_ack()->add_sequences(s);
  ASSERT_TRUE(stream->Write(ack));
  // The acknowledgements are confirmed, none rejected.
  std::vector<uint64_t> confirmed;
  while (confirmed.size() < acked.size() && stream->Read(&response)) {
    EXPECT_FALSE(response.has_rejected()) << response.ShortDebugString();
    for (uint64_t s : response.acknowledged().sequences()) confirmed.push_back(s);
  }
  EXPECT_THAT(confirmed, ::testing::UnorderedElementsAre(2u, 3u));
  EXPECT_EQ(GetConsumer(process_->grpc_target(), "invoices").ack_floor(), 3u);
  stream->WritesDone();
  context.TryCancel();
  stream->Finish();

  // A format this server does not know is refused, as for Subscribe.
  grpc::ClientContext refused_context;
  AddBearer(&refused_context);
  refused_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto refused = stub->Consume(&refused_context);
  start.mutable_start()->set_format(static_cast<v1::EventFormat>(42));
  refused->Write(start);
  EXPECT_FALSE(refused->Read(&response));
  const grpc::Status status = refused->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("format 42"));
}

// ---- CloudEvents in -------------------------------------------------------------

// The same batch as one might retry it: two events of one source, the
// second with binary data.
constexpr char kBatch[] =
    R"([{"specversion":"1.0","type":"com.example.order.created","source":"/shop/eu",)"
    R"("id":"order-7","subject":"order/7","priority":3,"data":{"total": 12.5}},)"
    R"({"specversion":"1.0","type":"com.example.receipt","source":"/shop/eu","id":"receipt-7",)"
    R"("datacontenttype":"application/pdf","data_base64":"JVBERi0xLjQK"}])";

TEST_F(CloudEventsTest, StructuredBinaryAndBatchedEventsComeInAndGoOutAsTheyCame) {
  const std::string auth = absl::StrCat("Bearer ", kIngressToken);
  // Structured: one event, its extension typed.
  const std::string structured =
      R"({"specversion":"1.0","type":"com.example.order.created","source":"/shop/us",)"
      R"("id":"order-7","time":"2026-12-08T10:00:00Z","urgent":true,"data":{"total":3}})";
  HttpResponse r =
      http_->Send("POST", "/webhooks/ingress", structured,
                  {{"Content-Type", "application/cloudevents+json"}, {"Authorization", auth}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, ::testing::HasSubstr(R"("outcome":"accepted","id":"order-7")"));

  // Binary: attributes in headers, the body is the data as sent.
  const std::string data = "{ \"line\": \"caf\u00e9\" }";
  r = http_->Send("POST", "/webhooks/ingress", data,
                  {{"ce-specversion", "1.0"},
                   {"ce-id", "evt-1"},
                   {"ce-source", "urn:example:sensor"},
                   {"ce-type", "com.example.reading"},
                   {"ce-subject", "room%2042"},
                   {"ce-traceparent", kTraceparent},
                   {"Content-Type", "application/json"},
                   {"Authorization", auth}});
  ASSERT_EQ(r.status, 200) << r.body;

  // Batched: two events; the same id as the structured one, another source.
  r = http_->Send(
      "POST", "/webhooks/ingress", kBatch,
      {{"Content-Type", "application/cloudevents-batch+json"}, {"Authorization", auth}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, ::testing::HasSubstr(R"("outcome":"accepted","events":2,"duplicates":0)"));
  // The sender's retry of the batch: nothing stored twice.
  r = http_->Send(
      "POST", "/webhooks/ingress", kBatch,
      {{"Content-Type", "application/cloudevents-batch+json"}, {"Authorization", auth}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, ::testing::HasSubstr(R"("outcome":"duplicate","events":2,"duplicates":2)"));

  // Refused: no token, a wrong one, not a CloudEvent, a bad event in a batch.
  EXPECT_EQ(http_
                ->Send("POST", "/webhooks/ingress", structured,
                       {{"Content-Type", "application/cloudevents+json"}})
                .status,
            401);
  EXPECT_EQ(http_
                ->Send("POST", "/webhooks/ingress", structured,
                       {{"Content-Type", "application/cloudevents+json"},
                        {"Authorization", "Bearer guess"}})
                .status,
            401);
  r = http_->Send("POST", "/webhooks/ingress", R"({"a":1})",
                  {{"Content-Type", "application/json"}, {"Authorization", auth}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, ::testing::HasSubstr("not a CloudEvent"));
  r = http_->Send(
      "POST", "/webhooks/ingress",
      R"([{"specversion":"1.0","type":"t","source":"/s","id":"new"},{"id":"x"}])",
      {{"Content-Type", "application/cloudevents-batch+json"}, {"Authorization", auth}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, ::testing::HasSubstr("event 2 of the batch"));

  // Out as CloudEvents, read with the CloudEvents schema alone: exactly the
  // four events, each as it came in.
  Subscriber subscriber(process_->grpc_target(), CloudEventsFromStart());
  const std::vector<std::string> bytes = ReadCloudEvents(subscriber, 4);
  ASSERT_EQ(bytes.size(), 4u);
  const Decoded first = schema_.Decode(bytes[0]);
  EXPECT_EQ(first.id, "order-7");
  EXPECT_EQ(first.source, "/shop/us") << "the sender's source, never re-wrapped";
  EXPECT_EQ(first.type, "com.example.order.created");
  EXPECT_EQ(first.spec_version, "1.0");
  EXPECT_EQ(first.booleans.at("urgent"), true);
  EXPECT_EQ(first.timestamps.at("time").first, 1796724000);
  EXPECT_EQ(first.text_data, R"({"total":3})");
  EXPECT_EQ(first.Str("datacontenttype"), "application/json");
  EXPECT_EQ(first.Str("sequence"), "00000000000000000001");
  EXPECT_EQ(first.Str("provider"), "cloudevents");
  EXPECT_EQ(first.Str("provenancescheme"), "cloudevents-bearer");
  EXPECT_EQ(first.booleans.count("superseded"), 0u);

  const Decoded binary = schema_.Decode(bytes[1]);
  EXPECT_EQ(binary.id, "evt-1");
  EXPECT_EQ(binary.source, "urn:example:sensor");
  EXPECT_EQ(binary.Str("subject"), "room 42");
  EXPECT_EQ(binary.text_data, data) << "the body byte for byte";
  EXPECT_EQ(binary.Str("traceparent"), kTraceparent);

  const Decoded order = schema_.Decode(bytes[2]);
  EXPECT_EQ(order.id, "order-7");
  EXPECT_EQ(order.source, "/shop/eu");
  EXPECT_EQ(order.integers.at("priority"), 3);
  EXPECT_EQ(order.Str("subject"), "order/7");
  const Decoded receipt = schema_.Decode(bytes[3]);
  EXPECT_EQ(receipt.id, "receipt-7");
  EXPECT_EQ(receipt.data_kind, "binary_data");
  EXPECT_EQ(receipt.Str("datacontenttype"), "application/pdf");
  subscriber.Cancel();

  // In hookbridge's format: the envelope repeats what filters need, the
  // CloudEvent is the payload; an environment filter picks a CloudEvent
  // source.
  v1::SubscribeRequest by_source;
  by_source.set_after_sequence(0);
  by_source.add_environment_ids("/shop/eu");
  Subscriber native(process_->grpc_target(), by_source);
  const std::vector<v1::Event> events = native.ReadN(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id(), "order-7");
  EXPECT_EQ(events[0].type(), "com.example.order.created");
  EXPECT_EQ(events[0].environment_id(), "/shop/eu");
  EXPECT_EQ(events[0].subject(), "order/7");
  EXPECT_EQ(events[0].cloudevents().source(), "/shop/eu");
  EXPECT_EQ(events[1].id(), "receipt-7");
  EXPECT_EQ(events[1].cloudevents().binary_data(), "%PDF-1.4\n");
  native.Cancel();
}

TEST_F(CloudEventsTest, TheWebhookHandshakeIsAnsweredForAllowedOriginsOnly) {
  HttpResponse r = http_->Send(
      "OPTIONS", "/webhooks/ingress", "",
      {{"WebHook-Request-Origin", "eventemitter.example.com"}, {"WebHook-Request-Rate", "120"}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["webhook-allowed-origin"], "eventemitter.example.com");
  // http.rate_limit's default: 1000 requests a second.
  EXPECT_EQ(r.headers["webhook-allowed-rate"], "60000");
  EXPECT_EQ(r.headers["allow"], "POST, OPTIONS");

  r = http_->Send("OPTIONS", "/webhooks/ingress", "",
                  {{"WebHook-Request-Origin", "attacker.example.org"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.headers.count("webhook-allowed-origin"), 0u);
  EXPECT_THAT(r.body, ::testing::HasSubstr("allowed_origins"));
  EXPECT_EQ(http_->Send("OPTIONS", "/webhooks/ingress", "").status, 400);
  // A source that offers no handshake.
  EXPECT_EQ(http_
                ->Send("OPTIONS", "/webhooks/ckeditor", "",
                       {{"WebHook-Request-Origin", "eventemitter.example.com"}})
                .status,
            405);

  // Handshakes store nothing, and are counted as answered.
  v1::SubscribeRequest request;
  request.set_after_sequence(0);
  Subscriber subscriber(process_->grpc_target(), request);
  PostComment("doc-1", "after the handshakes");
  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sequence(), 1u);
  subscriber.Cancel();
  EXPECT_EQ(
      MetricValue(process_->admin_port(),
                  R"(hookbridge_webhooks_received_total{outcome="answered",source="ingress"})"),
      3);
}

}  // namespace
}  // namespace hookbridge::testing
