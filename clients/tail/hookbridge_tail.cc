// hookbridge-tail: subscribes to a hookbridge server and prints each event
// as one JSON line on stdout (proto field names, e.g. "environment_id").
//
//   HOOKBRIDGE_TOKEN=... hookbridge-tail --target localhost:50051 --types 'comment.*' --earliest
//
// The subscriber token comes from --token or, better (it stays out of the
// process list), the HOOKBRIDGE_TOKEN environment variable. --ca_file turns
// on TLS; --cert_file and --key_file add a client certificate (mutual TLS).
//
// Ends when the server ends the stream, after --count events, or on Ctrl-C.
// When the stream ends with an error, prints the status and the position to
// resume from (--after N) on stderr and exits 1.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "hookbridge/v1/service.grpc.pb.h"

ABSL_FLAG(std::string, target, "localhost:50051", "hookbridge gRPC address (host:port)");
ABSL_FLAG(std::vector<std::string>, types, {},
          "event types or patterns, comma-separated (e.g. 'comment.*,suggestion.added')");
ABSL_FLAG(std::vector<std::string>, sources, {}, "source names, comma-separated");
ABSL_FLAG(std::vector<std::string>, environment_ids, {}, "environment ids, comma-separated");
ABSL_FLAG(std::vector<std::string>, subjects, {}, "subject (document, asset...) ids");
ABSL_FLAG(int64_t, after, -1, "start after this sequence (the last one you processed)");
ABSL_FLAG(std::string, since, "", "start at events appended at or after this RFC 3339 time");
ABSL_FLAG(bool, earliest, false, "start at the oldest retained event");
ABSL_FLAG(bool, include_raw, false, "also print each event's original request body");
ABSL_FLAG(int64_t, count, 0, "exit after this many events (0: never)");
ABSL_FLAG(std::string, token, "",
          "subscriber token (default: the HOOKBRIDGE_TOKEN environment variable)");
ABSL_FLAG(std::string, ca_file, "",
          "PEM file of the CA that signed the server's certificate: connect with TLS");
ABSL_FLAG(std::string, cert_file, "", "client certificate (PEM), for mutual TLS");
ABSL_FLAG(std::string, key_file, "", "the client certificate's private key (PEM)");
ABSL_FLAG(bool, list_types, false,
          "print the typed event types of every provider (ListEventTypes) as JSON and exit");

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream contents;
  contents << in.rdbuf();
  *out = contents.str();
  return true;
}

// Plaintext, or TLS when --ca_file is given. Null (after a message) when a
// file cannot be read.
std::shared_ptr<grpc::ChannelCredentials> Credentials() {
  const std::string ca_file = absl::GetFlag(FLAGS_ca_file);
  const std::string cert_file = absl::GetFlag(FLAGS_cert_file);
  const std::string key_file = absl::GetFlag(FLAGS_key_file);
  if (ca_file.empty()) {
    if (!cert_file.empty() || !key_file.empty()) {
      std::fprintf(stderr, "hookbridge-tail: --cert_file and --key_file need --ca_file\n");
      return nullptr;
    }
    return grpc::InsecureChannelCredentials();
  }
  if (cert_file.empty() != key_file.empty()) {
    std::fprintf(stderr, "hookbridge-tail: give both --cert_file and --key_file, or neither\n");
    return nullptr;
  }
  grpc::SslCredentialsOptions options;
  for (auto [path, out] : {std::pair{&ca_file, &options.pem_root_certs},
                           std::pair{&cert_file, &options.pem_cert_chain},
                           std::pair{&key_file, &options.pem_private_key}}) {
    if (!path->empty() && !ReadFile(*path, out)) {
      std::fprintf(stderr, "hookbridge-tail: cannot read %s\n", path->c_str());
      return nullptr;
    }
  }
  return grpc::SslCredentials(options);
}

// `authorization: Bearer <token>` on every call, when a token is given.
void Authorize(grpc::ClientContext* context) {
  std::string token = absl::GetFlag(FLAGS_token);
  if (token.empty()) {
    if (const char* env = std::getenv("HOOKBRIDGE_TOKEN")) token = env;
  }
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
}

int Run() {
  hookbridge::v1::SubscribeRequest request;
  for (const auto& t : absl::GetFlag(FLAGS_types)) request.add_types(t);
  for (const auto& s : absl::GetFlag(FLAGS_sources)) request.add_sources(s);
  for (const auto& e : absl::GetFlag(FLAGS_environment_ids)) request.add_environment_ids(e);
  for (const auto& s : absl::GetFlag(FLAGS_subjects)) request.add_subjects(s);
  int starts = 0;
  if (absl::GetFlag(FLAGS_after) >= 0) {
    request.set_after_sequence(static_cast<uint64_t>(absl::GetFlag(FLAGS_after)));
    ++starts;
  }
  if (!absl::GetFlag(FLAGS_since).empty()) {
    absl::Time since;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_since), &since, &error)) {
      std::fprintf(stderr, "hookbridge-tail: --since: %s\n", error.c_str());
      return 2;
    }
    const int64_t nanos = absl::ToUnixNanos(since);
    request.mutable_since()->set_seconds(nanos / 1000000000);
    request.mutable_since()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
    ++starts;
  }
  if (absl::GetFlag(FLAGS_earliest)) {
    request.set_earliest(true);
    ++starts;
  }
  if (starts > 1) {
    std::fprintf(stderr, "hookbridge-tail: give at most one of --after, --since, --earliest\n");
    return 2;
  }
  request.set_include_raw(absl::GetFlag(FLAGS_include_raw));

  std::shared_ptr<grpc::ChannelCredentials> credentials = Credentials();
  if (credentials == nullptr) return 2;
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_target), credentials);
  auto stub = hookbridge::v1::EventBridgeService::NewStub(channel);
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;

  if (absl::GetFlag(FLAGS_list_types)) {
    grpc::ClientContext list_context;
    Authorize(&list_context);
    hookbridge::v1::ListEventTypesResponse types;
    grpc::Status status =
        stub->ListEventTypes(&list_context, hookbridge::v1::ListEventTypesRequest(), &types);
    if (!status.ok()) {
      std::fprintf(stderr, "hookbridge-tail: ListEventTypes: %s\n", status.error_message().c_str());
      return 1;
    }
    options.add_whitespace = true;
    std::string json;
    google::protobuf::util::MessageToJsonString(types, &json, options);
    std::fprintf(stdout, "%s\n", json.c_str());
    return 0;
  }

  grpc::ClientContext context;
  Authorize(&context);
  std::unique_ptr<grpc::ClientReader<hookbridge::v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);

  const int64_t count = absl::GetFlag(FLAGS_count);
  int64_t printed = 0;
  uint64_t last = 0;
  hookbridge::v1::SubscribeResponse response;
  bool done = false;
  while (!done && reader->Read(&response)) {
    for (const hookbridge::v1::Event& event : response.events()) {
      std::string line;
      google::protobuf::util::MessageToJsonString(event, &line, options);
      std::fprintf(stdout, "%s\n", line.c_str());
      std::fflush(stdout);
      last = event.sequence();
      if (count > 0 && ++printed >= count) {
        context.TryCancel();
        done = true;
        break;
      }
    }
  }
  grpc::Status status = reader->Finish();
  if (count > 0 && printed >= count) return 0;
  if (!status.ok()) {
    std::string resume = std::to_string(last);
    const auto& trailers = context.GetServerTrailingMetadata();
    if (auto it = trailers.find("hookbridge-resume-after"); it != trailers.end()) {
      resume = std::string(it->second.data(), it->second.size());
    }
    std::fprintf(stderr, "hookbridge-tail: stream ended: %s (code %d); resume with --after %s\n",
                 status.error_message().c_str(), static_cast<int>(status.error_code()),
                 resume.c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "subscribes to hookbridge and prints each event as a JSON line.\n"
      "  HOOKBRIDGE_TOKEN=<token> hookbridge-tail --target localhost:50051 --types 'comment.*' "
      "--earliest");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    std::fprintf(stderr, "hookbridge-tail: unexpected argument \"%s\"\n", rest[1]);
    return 2;
  }
  return Run();
}
