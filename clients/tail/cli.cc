#include "cli.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "google/protobuf/util/json_util.h"

ABSL_FLAG(std::string, target, "",
          "hookbridge gRPC address (default: $HOOKBRIDGE_TARGET or localhost:50051)");
ABSL_FLAG(std::string, token, "",
          "bearer token (default: the HOOKBRIDGE_TOKEN environment variable)");
ABSL_FLAG(bool, tls, false, "connect with TLS, verifying the server against the system's roots");
ABSL_FLAG(std::string, ca, "", "PEM file of the CA that signed the server's certificate (TLS)");
ABSL_FLAG(std::string, ca_file, "", "the same as --ca");
ABSL_FLAG(std::string, server_name, "", "the name the server's certificate must carry");
ABSL_FLAG(std::string, cert_file, "", "client certificate (PEM), for mutual TLS");
ABSL_FLAG(std::string, key_file, "", "the client certificate's private key (PEM)");

namespace hookbridge::cli {

bool ParseFlags(const char* program, int argc, char** argv, std::vector<std::string>* positional) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--") == 0) break;
    if (argv[i][0] != '-' || argv[i][1] == '\0') continue;
    char* name = argv[i] + (argv[i][1] == '-' ? 2 : 1);
    char* end = name;
    for (; *end != '\0' && *end != '='; ++end) {
      if (*end == '-') *end = '_';
    }
    const std::string flag(name, end);
    // A flag Abseil does not know would make it exit with status 1.
    if (absl::FindCommandLineFlag(flag) == nullptr &&
        !(absl::StartsWith(flag, "no") && absl::FindCommandLineFlag(flag.substr(2)) != nullptr)) {
      Usage(program, "unknown flag --" + flag);
      return false;
    }
  }
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  positional->assign(rest.begin() + 1, rest.end());
  return true;
}

client::Options ConnectionOptions() {
  client::Options options;
  options.target = absl::GetFlag(FLAGS_target);
  if (options.target.empty()) {
    const char* env = std::getenv("HOOKBRIDGE_TARGET");
    options.target = env != nullptr && *env != '\0' ? env : "localhost:50051";
  }
  options.token = absl::GetFlag(FLAGS_token);
  if (options.token.empty()) {
    if (const char* env = std::getenv("HOOKBRIDGE_TOKEN")) options.token = env;
  }
  options.tls = absl::GetFlag(FLAGS_tls);
  options.ca_file =
      absl::GetFlag(FLAGS_ca).empty() ? absl::GetFlag(FLAGS_ca_file) : absl::GetFlag(FLAGS_ca);
  options.server_name = absl::GetFlag(FLAGS_server_name);
  options.cert_file = absl::GetFlag(FLAGS_cert_file);
  options.key_file = absl::GetFlag(FLAGS_key_file);
  return options;
}

int Usage(const char* program, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", program, message.c_str());
  return 2;
}

void PrintError(const grpc::Status& status, std::optional<uint64_t> resume_after) {
  std::string line =
      "error: " + client::CodeName(status.error_code()) + ": " + status.error_message();
  if (resume_after.has_value()) {
    line += " (hookbridge-resume-after: " + std::to_string(*resume_after) + ")";
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

std::string JsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  std::string line;
  google::protobuf::util::MessageToJsonString(message, &line, json);
  return line;
}

}  // namespace hookbridge::cli
