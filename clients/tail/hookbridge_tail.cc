// hookbridge-tail: subscribes to a hookbridge server and prints each event
// as one JSON line on stdout (proto field names, e.g. "environment_id").
// The CLI of the C++ client library (clients/cpp), with the flags and
// output every client library's CLI has (clients/README.md).
//
//   HOOKBRIDGE_TOKEN=... hookbridge-tail --target localhost:50051 --types "comment.*"
//       --cursor comments.cursor --earliest
//
// The subscriber token comes from the HOOKBRIDGE_TOKEN environment variable
// (it stays out of the process list) or --token. --ca (or --tls) turns on
// TLS; --cert_file and --key_file add a client certificate (mutual TLS).
// Flags may be written with dashes or underscores (--server-name).
//
// Reconnects by itself and resumes where it was. Ends after --count events
// or on SIGINT/SIGTERM (exit 0), or when the subscription fails in a way
// retrying cannot fix (exit 1, after an `error:` line on stderr).
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "hookbridge/client.h"

ABSL_FLAG(std::string, target, "",
          "hookbridge gRPC address (default: $HOOKBRIDGE_TARGET or localhost:50051)");
ABSL_FLAG(std::vector<std::string>, types, {},
          "event types or patterns, comma-separated (e.g. 'comment.*,suggestion.added')");
ABSL_FLAG(std::vector<std::string>, sources, {}, "source names, comma-separated");
ABSL_FLAG(std::vector<std::string>, environment_ids, {}, "environment ids, comma-separated");
ABSL_FLAG(std::vector<std::string>, subjects, {}, "subject (document, asset...) ids");
ABSL_FLAG(std::string, cursor, "",
          "file holding the last sequence processed: resume after it, and keep it up to date");
ABSL_FLAG(int64_t, after, -1, "without a stored cursor, start after this sequence");
ABSL_FLAG(std::string, since, "",
          "without a stored cursor, start at events appended at or after this RFC 3339 time");
ABSL_FLAG(bool, earliest, false, "without a stored cursor, start at the oldest retained event");
ABSL_FLAG(bool, include_raw, false, "also print each event's original request body");
ABSL_FLAG(bool, allow_gaps, false,
          "when events were evicted before they could be read, say so and go on");
ABSL_FLAG(int64_t, count, 0, "exit after this many events (0: never)");
ABSL_FLAG(std::string, token, "",
          "subscriber token (default: the HOOKBRIDGE_TOKEN environment variable)");
ABSL_FLAG(bool, tls, false, "connect with TLS, verifying the server against the system's roots");
ABSL_FLAG(std::string, ca, "", "PEM file of the CA that signed the server's certificate (TLS)");
ABSL_FLAG(std::string, ca_file, "", "the same as --ca");
ABSL_FLAG(std::string, server_name, "", "the name the server's certificate must carry");
ABSL_FLAG(std::string, cert_file, "", "client certificate (PEM), for mutual TLS");
ABSL_FLAG(std::string, key_file, "", "the client certificate's private key (PEM)");
ABSL_FLAG(bool, list_types, false,
          "print the typed event types of every provider (ListEventTypes) as JSON and exit");

namespace {

namespace hc = hookbridge::client;

void Error(const grpc::Status& status, std::optional<uint64_t> resume_after = std::nullopt) {
  std::string line = "error: " + hc::CodeName(status.error_code()) + ": " + status.error_message();
  if (resume_after.has_value()) {
    line += " (hookbridge-resume-after: " + std::to_string(*resume_after) + ")";
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "hookbridge-tail: %s\n", message.c_str());
  return 2;
}

int Run(const sigset_t& stop_signals) {
  hc::Options options;
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
  std::unique_ptr<hc::Client> client;
  if (grpc::Status created = hc::Client::Create(options, &client); !created.ok()) {
    return Usage(created.error_message());
  }

  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  if (absl::GetFlag(FLAGS_list_types)) {
    hookbridge::v1::ListEventTypesResponse types;
    if (grpc::Status status = client->ListEventTypes(&types); !status.ok()) {
      Error(status);
      return 1;
    }
    json.add_whitespace = true;
    std::string out;
    google::protobuf::util::MessageToJsonString(types, &out, json);
    std::fprintf(stdout, "%s\n", out.c_str());
    return 0;
  }

  hc::SubscribeOptions subscribe;
  subscribe.types = absl::GetFlag(FLAGS_types);
  subscribe.sources = absl::GetFlag(FLAGS_sources);
  subscribe.environment_ids = absl::GetFlag(FLAGS_environment_ids);
  subscribe.subjects = absl::GetFlag(FLAGS_subjects);
  subscribe.include_raw = absl::GetFlag(FLAGS_include_raw);
  subscribe.allow_gaps = absl::GetFlag(FLAGS_allow_gaps);
  int starts = 0;
  if (absl::GetFlag(FLAGS_after) >= 0) {
    subscribe.after_sequence = static_cast<uint64_t>(absl::GetFlag(FLAGS_after));
    ++starts;
  }
  if (!absl::GetFlag(FLAGS_since).empty()) {
    absl::Time since;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, absl::GetFlag(FLAGS_since), &since, &error)) {
      return Usage("--since: " + error);
    }
    subscribe.since = absl::ToChronoTime(since);
    ++starts;
  }
  if (absl::GetFlag(FLAGS_earliest)) {
    subscribe.earliest = true;
    ++starts;
  }
  if (starts > 1) return Usage("give at most one of --after, --since, --earliest");
  std::unique_ptr<hc::FileCursorStore> cursor;
  if (!absl::GetFlag(FLAGS_cursor).empty()) {
    cursor = std::make_unique<hc::FileCursorStore>(absl::GetFlag(FLAGS_cursor));
    subscribe.cursor_store = cursor.get();
  }
  subscribe.on_status = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  subscribe.on_gap = [](const hookbridge::v1::Gap& gap) {
    std::fprintf(stderr, "gap: sequences %llu..%llu were not retained\n",
                 static_cast<unsigned long long>(gap.first_sequence()),
                 static_cast<unsigned long long>(gap.last_sequence()));
  };
  std::unique_ptr<hc::Subscription> events = client->Subscribe(subscribe);

  // SIGINT / SIGTERM cancel the subscription.
  std::atomic<bool> done{false};
  std::thread signals([&] {
    const timespec tick = {0, 200 * 1000 * 1000};
    while (!done.load()) {
      if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) {
        events->Cancel();
        return;
      }
    }
  });

  const int64_t count = absl::GetFlag(FLAGS_count);
  int64_t printed = 0;
  int exit_code = 0;
  hookbridge::v1::Event event;
  while ((count == 0 || printed < count) && events->Next(&event)) {
    std::string line;
    google::protobuf::util::MessageToJsonString(event, &line, json);
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
    ++printed;
    // Printed: only then is the cursor moved past it.
    if (grpc::Status committed = events->Commit(); !committed.ok()) {
      Error(committed);
      exit_code = 1;
      break;
    }
  }
  if (exit_code == 0 && !events->status().ok()) {
    Error(events->status(), events->resume_after());
    exit_code = 1;
  }
  done = true;
  signals.join();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask and
  // the signals wait for Run's signal thread.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::SetProgramUsageMessage(
      "subscribes to hookbridge and prints each event as a JSON line.\n"
      "  HOOKBRIDGE_TOKEN=<token> hookbridge-tail --target localhost:50051 --types 'comment.*' "
      "--cursor comments.cursor --earliest");
  // Flag names as the other client libraries spell them (--server-name).
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--", 2) != 0) continue;
    for (char* c = argv[i] + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) return Usage(std::string("unexpected argument \"") + rest[1] + "\"");
  return Run(stop_signals);
}
