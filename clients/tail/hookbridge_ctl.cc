// hookbridge-ctl: manages durable consumers (docs/CONSUMERS.md) from the
// command line, with the connection flags of hookbridge-tail (--target,
// --ca/--tls, --server-name, --cert-file/--key-file; $HOOKBRIDGE_TARGET,
// $HOOKBRIDGE_TOKEN):
//
//   hookbridge-ctl consumers list
//   hookbridge-ctl consumers get NAME
//   hookbridge-ctl consumers create NAME [--types a,b] [--sources a,b]
//       [--environment-ids a,b] [--subjects a,b]
//       [--start earliest|latest|SEQ|RFC3339] [--ack-deadline 30s]
//       [--max-deliveries N] [--ordering none|per_subject] [--max-outstanding N]
//   hookbridge-ctl consumers delete NAME
//   hookbridge-ctl consumers seek NAME earliest|latest|SEQ|RFC3339
//   hookbridge-ctl dead-letters list NAME [--after N] [--limit N]
//   hookbridge-ctl dead-letters redrive NAME [SEQ...]
//
// stdout: the response as one line of JSON (proto field names); for the
// lists, one line per consumer or dead letter. Errors: `error: CODE:
// message` on stderr and exit status 1; usage errors exit 2.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "cli.h"
#include "hookbridge/client.h"

ABSL_FLAG(std::vector<std::string>, types, {}, "create: event types or patterns, comma-separated");
ABSL_FLAG(std::vector<std::string>, sources, {}, "create: source names, comma-separated");
ABSL_FLAG(std::vector<std::string>, environment_ids, {}, "create: environment ids");
ABSL_FLAG(std::vector<std::string>, subjects, {}, "create: subjects (document, asset... ids)");
ABSL_FLAG(std::string, start, "",
          "create: where the consumer starts: earliest, latest (default), a sequence (the "
          "events after it), or an RFC 3339 time");
ABSL_FLAG(std::string, ack_deadline, "", "create: e.g. 30s (server default: 30s)");
ABSL_FLAG(std::string, max_deliveries, "",
          "create: deliveries before an event becomes a dead letter (0: unlimited; server "
          "default: 5)");
ABSL_FLAG(std::string, ordering, "", "create: none (default) or per_subject");
ABSL_FLAG(std::string, max_outstanding, "",
          "create: unacknowledged events one member holds at most (server default: 1000)");
ABSL_FLAG(std::string, after, "", "dead-letters list: those with a sequence above this one");
ABSL_FLAG(std::string, limit, "", "dead-letters list: at most this many (server default: 100)");

namespace {

namespace hc = hookbridge::client;
namespace cli = hookbridge::cli;
namespace v1 = hookbridge::v1;

constexpr char kProgram[] = "hookbridge-ctl";

int Usage(const std::string& message) { return cli::Usage(kProgram, message); }

void Print(const google::protobuf::Message& message) {
  std::fprintf(stdout, "%s\n", cli::JsonLine(message).c_str());
}

// The result of a call: the response printed, or the error.
int Done(const grpc::Status& status, const google::protobuf::Message& response) {
  if (!status.ok()) {
    cli::PrintError(status);
    return 1;
  }
  Print(response);
  return 0;
}

bool ParseUint(const std::string& text, uint64_t* value) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
         absl::SimpleAtoi(text, value);
}

bool ParseUint32(const std::string& text, uint32_t* value) {
  uint64_t wide = 0;
  if (!ParseUint(text, &wide) || wide > UINT32_MAX) return false;
  *value = static_cast<uint32_t>(wide);
  return true;
}

// A position: earliest, latest, a sequence or an RFC 3339 time, set on
// `message` through the setters it has.
template <typename M>
bool ParsePosition(const std::string& text, M* message) {
  uint64_t sequence = 0;
  absl::Time time;
  std::string error;
  if (text == "earliest") {
    message->set_earliest(true);
  } else if (text == "latest") {
    message->set_latest(true);
  } else if (ParseUint(text, &sequence)) {
    message->set_after_sequence(sequence);
  } else if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    const int64_t nanos = absl::ToUnixNanos(time);
    message->mutable_since()->set_seconds(nanos / 1000000000);
    message->mutable_since()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  } else {
    return false;
  }
  return true;
}

// The flags given that only `allowed` (a subcommand's) may take.
std::string StrayFlag(const std::vector<std::string>& allowed) {
  const std::vector<std::pair<std::string, bool>> given = {
      {"types", !absl::GetFlag(FLAGS_types).empty()},
      {"sources", !absl::GetFlag(FLAGS_sources).empty()},
      {"environment-ids", !absl::GetFlag(FLAGS_environment_ids).empty()},
      {"subjects", !absl::GetFlag(FLAGS_subjects).empty()},
      {"start", !absl::GetFlag(FLAGS_start).empty()},
      {"ack-deadline", !absl::GetFlag(FLAGS_ack_deadline).empty()},
      {"max-deliveries", !absl::GetFlag(FLAGS_max_deliveries).empty()},
      {"ordering", !absl::GetFlag(FLAGS_ordering).empty()},
      {"max-outstanding", !absl::GetFlag(FLAGS_max_outstanding).empty()},
      {"after", !absl::GetFlag(FLAGS_after).empty()},
      {"limit", !absl::GetFlag(FLAGS_limit).empty()},
  };
  for (const auto& [flag, set] : given) {
    if (set && std::find(allowed.begin(), allowed.end(), flag) == allowed.end()) return flag;
  }
  return "";
}

// The CreateConsumerRequest of `consumers create NAME` and its flags;
// false (after the usage line) if a flag is malformed.
bool CreateRequest(const std::string& name, v1::CreateConsumerRequest* request, int* usage) {
  v1::ConsumerConfig* config = request->mutable_config();
  config->set_name(name);
  for (const std::string& t : absl::GetFlag(FLAGS_types)) config->add_types(t);
  for (const std::string& s : absl::GetFlag(FLAGS_sources)) config->add_sources(s);
  for (const std::string& e : absl::GetFlag(FLAGS_environment_ids)) config->add_environment_ids(e);
  for (const std::string& s : absl::GetFlag(FLAGS_subjects)) config->add_subjects(s);
  if (const std::string start = absl::GetFlag(FLAGS_start);
      !start.empty() && !ParsePosition(start, config)) {
    *usage =
        Usage("--start: earliest, latest, a sequence or an RFC 3339 time, not \"" + start + "\"");
    return false;
  }
  if (const std::string text = absl::GetFlag(FLAGS_ack_deadline); !text.empty()) {
    absl::Duration deadline;
    if (!absl::ParseDuration(text, &deadline) || deadline <= absl::ZeroDuration()) {
      *usage = Usage("--ack-deadline: a positive duration such as 30s, not \"" + text + "\"");
      return false;
    }
    const int64_t nanos = absl::ToInt64Nanoseconds(deadline);
    config->mutable_ack_deadline()->set_seconds(nanos / 1000000000);
    config->mutable_ack_deadline()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  }
  if (const std::string text = absl::GetFlag(FLAGS_max_deliveries); !text.empty()) {
    uint32_t n = 0;
    if (!ParseUint32(text, &n)) {
      *usage = Usage("--max-deliveries: a number, not \"" + text + "\"");
      return false;
    }
    config->set_max_deliveries(n);
  }
  if (const std::string text = absl::GetFlag(FLAGS_max_outstanding); !text.empty()) {
    uint32_t n = 0;
    if (!ParseUint32(text, &n)) {
      *usage = Usage("--max-outstanding: a number, not \"" + text + "\"");
      return false;
    }
    config->set_max_outstanding(n);
  }
  if (const std::string text = absl::GetFlag(FLAGS_ordering); !text.empty()) {
    if (text == "none") {
      config->set_ordering(v1::CONSUMER_ORDERING_NONE);
    } else if (text == "per_subject" || text == "per-subject") {
      config->set_ordering(v1::CONSUMER_ORDERING_PER_SUBJECT);
    } else {
      *usage = Usage("--ordering: none or per_subject, not \"" + text + "\"");
      return false;
    }
  }
  return true;
}

int Consumers(hc::Client& client, const std::vector<std::string>& args) {
  const std::string& verb = args[1];
  const std::vector<std::string> operands(args.begin() + 2, args.end());
  const std::vector<std::string> create_flags = {"types",          "sources",  "environment-ids",
                                                 "subjects",       "start",    "ack-deadline",
                                                 "max-deliveries", "ordering", "max-outstanding"};
  if (std::string stray = StrayFlag(verb == "create" ? create_flags : std::vector<std::string>{});
      !stray.empty()) {
    return Usage("--" + stray + " does not go with consumers " + verb);
  }
  if (verb == "list") {
    if (!operands.empty()) return Usage("consumers list takes no argument");
    v1::ListConsumersResponse response;
    grpc::Status status = client.ListConsumers(&response);
    if (!status.ok()) return Done(status, response);
    for (const v1::Consumer& consumer : response.consumers()) Print(consumer);
    return 0;
  }
  if (verb == "seek") {
    if (operands.size() != 2) return Usage("consumers seek NAME earliest|latest|SEQ|RFC3339");
    v1::SeekConsumerRequest request;
    request.set_name(operands[0]);
    if (!ParsePosition(operands[1], &request)) {
      return Usage("seek: earliest, latest, a sequence or an RFC 3339 time, not \"" + operands[1] +
                   "\"");
    }
    v1::SeekConsumerResponse response;
    return Done(client.SeekConsumer(request, &response), response);
  }
  if (operands.size() != 1) return Usage("consumers " + verb + " NAME");
  const std::string& name = operands[0];
  if (verb == "get") {
    v1::GetConsumerRequest request;
    request.set_name(name);
    v1::GetConsumerResponse response;
    return Done(client.GetConsumer(request, &response), response);
  }
  if (verb == "create") {
    v1::CreateConsumerRequest request;
    int usage = 0;
    if (!CreateRequest(name, &request, &usage)) return usage;
    v1::CreateConsumerResponse response;
    return Done(client.CreateConsumer(request, &response), response);
  }
  if (verb == "delete") {
    v1::DeleteConsumerRequest request;
    request.set_name(name);
    return Done(client.DeleteConsumer(request), v1::DeleteConsumerResponse());
  }
  return Usage("unknown command \"consumers " + verb + "\"");
}

int DeadLetters(hc::Client& client, const std::vector<std::string>& args) {
  const std::string& verb = args[1];
  if (std::string stray = StrayFlag(verb == "list" ? std::vector<std::string>{"after", "limit"}
                                                   : std::vector<std::string>{});
      !stray.empty()) {
    return Usage("--" + stray + " does not go with dead-letters " + verb);
  }
  if (args.size() < 3) return Usage("dead-letters " + verb + " NAME");
  const std::string& name = args[2];
  if (verb == "list") {
    if (args.size() != 3) return Usage("dead-letters list NAME [--after N] [--limit N]");
    v1::ListDeadLettersRequest request;
    request.set_consumer(name);
    if (const std::string text = absl::GetFlag(FLAGS_after); !text.empty()) {
      uint64_t after = 0;
      if (!ParseUint(text, &after)) return Usage("--after: a sequence, not \"" + text + "\"");
      request.set_after_sequence(after);
    }
    if (const std::string text = absl::GetFlag(FLAGS_limit); !text.empty()) {
      uint32_t limit = 0;
      if (!ParseUint32(text, &limit) || limit == 0) {
        return Usage("--limit: a positive number, not \"" + text + "\"");
      }
      request.set_page_size(limit);
    }
    v1::ListDeadLettersResponse response;
    grpc::Status status = client.ListDeadLetters(request, &response);
    if (!status.ok()) return Done(status, response);
    for (const v1::DeadLetter& letter : response.dead_letters()) Print(letter);
    return 0;
  }
  if (verb == "redrive") {
    v1::RedriveDeadLettersRequest request;
    request.set_consumer(name);
    for (size_t i = 3; i < args.size(); ++i) {
      uint64_t sequence = 0;
      if (!ParseUint(args[i], &sequence)) {
        return Usage("redrive: a sequence, not \"" + args[i] + "\"");
      }
      request.add_sequences(sequence);
    }
    v1::RedriveDeadLettersResponse response;
    return Done(client.RedriveDeadLetters(request, &response), response);
  }
  return Usage("unknown command \"dead-letters " + verb + "\"");
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "manages hookbridge's durable consumers.\n"
      "  hookbridge-ctl consumers list|get NAME|delete NAME\n"
      "  hookbridge-ctl consumers create NAME [--types a,b] [--sources a,b] "
      "[--environment-ids a,b] [--subjects a,b] [--start earliest|latest|SEQ|RFC3339] "
      "[--ack-deadline 30s] [--max-deliveries N] [--ordering none|per_subject] "
      "[--max-outstanding N]\n"
      "  hookbridge-ctl consumers seek NAME earliest|latest|SEQ|RFC3339\n"
      "  hookbridge-ctl dead-letters list NAME [--after N] [--limit N]\n"
      "  hookbridge-ctl dead-letters redrive NAME [SEQ...]\n"
      "The token comes from $HOOKBRIDGE_TOKEN, the target from --target or "
      "$HOOKBRIDGE_TARGET (default localhost:50051).");
  std::vector<std::string> args;
  if (!cli::ParseFlags(kProgram, argc, argv, &args)) return 2;
  if (args.size() < 2) {
    return Usage("usage: hookbridge-ctl consumers|dead-letters COMMAND ... (--help for more)");
  }
  if (args[0] != "consumers" && args[0] != "dead-letters") {
    return Usage("unknown command \"" + args[0] + "\": consumers or dead-letters");
  }
  std::unique_ptr<hc::Client> client;
  if (grpc::Status created = hc::Client::Create(cli::ConnectionOptions(), &client); !created.ok()) {
    return Usage(created.error_message());
  }
  return args[0] == "consumers" ? Consumers(*client, args) : DeadLetters(*client, args);
}
