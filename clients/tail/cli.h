// What hookbridge-tail and hookbridge-ctl share: the connection flags
// (--target, --token, --tls, --ca, --server-name, --cert-file, --key-file,
// with $HOOKBRIDGE_TARGET and $HOOKBRIDGE_TOKEN), parsing with dashes or
// underscores and usage errors as exit status 2, the `error:` line, JSON
// with the proto field names.
#ifndef HOOKBRIDGE_CLIENTS_TAIL_CLI_H_
#define HOOKBRIDGE_CLIENTS_TAIL_CLI_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "hookbridge/client.h"

namespace hookbridge::cli {

// Parses the command line with Abseil's flags, after turning dashes in
// flag names into underscores (--server-name is --server_name). An
// unknown flag is a usage error: false, after a line on stderr. Otherwise
// `positional` gets the arguments that are not flags (without argv[0]).
bool ParseFlags(const char* program, int argc, char** argv, std::vector<std::string>* positional);

// The connection from the flags and the environment.
client::Options ConnectionOptions();

// Prints "PROGRAM: message" on stderr and returns 2 (a usage error).
int Usage(const char* program, const std::string& message);

// Prints "error: CODE: message (hookbridge-resume-after: N)" on stderr
// (the parenthesis only with `resume_after`).
void PrintError(const grpc::Status& status, std::optional<uint64_t> resume_after = std::nullopt);

// `message` as one line of JSON, the protobuf JSON mapping with the proto
// field names.
std::string JsonLine(const google::protobuf::Message& message);

}  // namespace hookbridge::cli

#endif  // HOOKBRIDGE_CLIENTS_TAIL_CLI_H_
