// hookbridge-tail: subscribes to a hookbridge server and prints each event
// as one JSON line on stdout (proto field names, e.g. "environment_id"); or,
// with --consumer, consumes a durable consumer's events as one member of
// its group, printing and acknowledging each. The CLI of the C++ client
// library (clients/cpp), with the flags and output every client library's
// CLI has (clients/README.md).
//
//   HOOKBRIDGE_TOKEN=... hookbridge-tail --target localhost:50051 --types "comment.*"
//       --cursor comments.cursor --earliest
//   HOOKBRIDGE_TOKEN=... hookbridge-tail --consumer indexer --member pod-1 --count 10
//
// The token comes from the HOOKBRIDGE_TOKEN environment variable
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
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "cli.h"
#include "google/protobuf/util/json_util.h"
#include "hookbridge/client.h"

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
ABSL_FLAG(bool, cloudevents, false,
          "receive and print events as CloudEvents (io.cloudevents.v1.CloudEvent, "
          "docs/CLOUDEVENTS.md)");
ABSL_FLAG(int64_t, count, 0,
          "exit after this many events (0: never); with --consumer, once their "
          "acknowledgements are confirmed");
ABSL_FLAG(bool, list_types, false,
          "print the typed event types of every provider (ListEventTypes) as JSON and exit");
ABSL_FLAG(std::string, consumer, "",
          "consume the durable consumer NAME as a member of its group (instead of subscribing)");
ABSL_FLAG(std::string, member, "", "with --consumer: the member id (default: the server chooses)");
ABSL_FLAG(bool, nack, false, "with --consumer: negatively acknowledge each event instead");
ABSL_FLAG(std::string, nack_delay, "", "with --nack: deliver it again after this many ms");
ABSL_FLAG(bool, no_ack, false,
          "with --consumer: leave each event unacknowledged until its deadline");

namespace {

namespace hc = hookbridge::client;
namespace cli = hookbridge::cli;

int Usage(const std::string& message) { return cli::Usage("hookbridge-tail", message); }
void Error(const grpc::Status& status, std::optional<uint64_t> resume_after = std::nullopt) {
  cli::PrintError(status, resume_after);
}

// Calls `cancel` once SIGINT or SIGTERM arrives, until destroyed.
class StopOnSignal {
 public:
  StopOnSignal(const sigset_t& signals, std::function<void()> cancel)
      : thread_([this, signals, cancel = std::move(cancel)] {
          const timespec tick = {0, 200 * 1000 * 1000};
          while (!done_.load()) {
            if (sigtimedwait(&signals, nullptr, &tick) > 0) {
              cancel();
              return;
            }
          }
        }) {}
  ~StopOnSignal() {
    done_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// The --consumer mode: print each event, then settle it.
int Consume(hc::Client& client, const sigset_t& stop_signals) {
  hc::ConsumeOptions consume;
  consume.consumer = absl::GetFlag(FLAGS_consumer);
  consume.member_id = absl::GetFlag(FLAGS_member);
  consume.on_status = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  consume.on_rejected = [](const std::vector<uint64_t>& sequences, const std::string& reason) {
    std::fprintf(stderr, "rejected: %zu sequences: %s\n", sequences.size(), reason.c_str());
  };
  consume.on_gap = [](const hookbridge::v1::Gap& gap) {
    std::fprintf(stderr, "gap: sequences %llu..%llu were not retained\n",
                 static_cast<unsigned long long>(gap.first_sequence()),
                 static_cast<unsigned long long>(gap.last_sequence()));
  };
  int64_t nack_delay_ms = 0;
  if (!absl::GetFlag(FLAGS_nack_delay).empty() &&
      (!absl::SimpleAtoi(absl::GetFlag(FLAGS_nack_delay), &nack_delay_ms) || nack_delay_ms < 0)) {
    return Usage("--nack-delay: not a number of milliseconds");
  }
  const bool nack = absl::GetFlag(FLAGS_nack);
  const bool no_ack = absl::GetFlag(FLAGS_no_ack);
  std::unique_ptr<hc::Consumer> consumer = client.Consume(consume);
  StopOnSignal stop(stop_signals, [&] { consumer->Cancel(); });

  const int64_t count = absl::GetFlag(FLAGS_count);
  int64_t printed = 0;
  uint64_t acked = 0;
  hc::Message message;
  while ((count == 0 || printed < count) && consumer->Next(&message)) {
    hookbridge::v1::ConsumedEvent consumed;
    *consumed.mutable_event() = message.event();
    consumed.set_delivery_attempt(message.delivery_attempt());
    std::fprintf(stdout, "%s\n", cli::JsonLine(consumed).c_str());
    std::fflush(stdout);
    ++printed;
    if (no_ack) continue;
    if (nack) {
      message.Nack(std::chrono::milliseconds(nack_delay_ms), "hookbridge-tail --nack");
    } else {
      message.Ack();
      ++acked;
    }
  }
  if (count > 0 && printed >= count) {
    // Until confirmed, or cancelled (the consumer is then over).
    while (!consumer->Flush(std::chrono::seconds(1))) {
    }
    if (consumer->confirmed() < acked) {
      std::fprintf(stderr,
                   "error: %llu of %llu acknowledgements were not confirmed (rejected, or their "
                   "stream ended: those events are delivered again)\n",
                   static_cast<unsigned long long>(acked - consumer->confirmed()),
                   static_cast<unsigned long long>(acked));
      return 1;
    }
    return 0;
  }
  if (!consumer->status().ok()) {
    Error(consumer->status());
    return 1;
  }
  return 0;  // cancelled: SIGINT or SIGTERM
}

// Flags that do not go with --consumer (the consumer has its own filter and
// position), or only with it.
std::string ModeConflict() {
  const bool consumer = !absl::GetFlag(FLAGS_consumer).empty();
  if (consumer) {
    const std::vector<std::pair<const char*, bool>> subscription_only = {
        {"--types", !absl::GetFlag(FLAGS_types).empty()},
        {"--sources", !absl::GetFlag(FLAGS_sources).empty()},
        {"--environment-ids", !absl::GetFlag(FLAGS_environment_ids).empty()},
        {"--subjects", !absl::GetFlag(FLAGS_subjects).empty()},
        {"--cursor", !absl::GetFlag(FLAGS_cursor).empty()},
        {"--after", absl::GetFlag(FLAGS_after) >= 0},
        {"--since", !absl::GetFlag(FLAGS_since).empty()},
        {"--earliest", absl::GetFlag(FLAGS_earliest)},
        {"--include-raw", absl::GetFlag(FLAGS_include_raw)},
        {"--allow-gaps", absl::GetFlag(FLAGS_allow_gaps)},
        {"--cloudevents", absl::GetFlag(FLAGS_cloudevents)},
        {"--list-types", absl::GetFlag(FLAGS_list_types)},
    };
    for (const auto& [flag, set] : subscription_only) {
      if (set) return std::string(flag) + " does not go with --consumer";
    }
    if (absl::GetFlag(FLAGS_nack) && absl::GetFlag(FLAGS_no_ack)) {
      return "--nack and --no-ack exclude each other";
    }
    if (!absl::GetFlag(FLAGS_nack_delay).empty() && !absl::GetFlag(FLAGS_nack)) {
      return "--nack-delay needs --nack";
    }
    return "";
  }
  if (!absl::GetFlag(FLAGS_member).empty() || absl::GetFlag(FLAGS_nack) ||
      absl::GetFlag(FLAGS_no_ack) || !absl::GetFlag(FLAGS_nack_delay).empty()) {
    return "--member, --nack, --nack-delay and --no-ack need --consumer";
  }
  return "";
}

int Run(const sigset_t& stop_signals) {
  if (std::string conflict = ModeConflict(); !conflict.empty()) return Usage(conflict);
  std::unique_ptr<hc::Client> client;
  if (grpc::Status created = hc::Client::Create(cli::ConnectionOptions(), &client); !created.ok()) {
    return Usage(created.error_message());
  }
  if (!absl::GetFlag(FLAGS_consumer).empty()) return Consume(*client, stop_signals);

  if (absl::GetFlag(FLAGS_list_types)) {
    hookbridge::v1::ListEventTypesResponse types;
    if (grpc::Status status = client->ListEventTypes(&types); !status.ok()) {
      Error(status);
      return 1;
    }
    google::protobuf::util::JsonPrintOptions json;
    json.preserve_proto_field_names = true;
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
  subscribe.cloud_events = absl::GetFlag(FLAGS_cloudevents);
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
  StopOnSignal stop(stop_signals, [&] { events->Cancel(); });

  const int64_t count = absl::GetFlag(FLAGS_count);
  int64_t printed = 0;
  int exit_code = 0;
  // Prints events of type T (Event, or CloudEvent with --cloudevents).
  const auto print = [&](auto event) {
    while ((count == 0 || printed < count) && events->Next(&event)) {
      std::fprintf(stdout, "%s\n", cli::JsonLine(event).c_str());
      std::fflush(stdout);
      ++printed;
      // Printed: only then is the cursor moved past it.
      if (grpc::Status committed = events->Commit(); !committed.ok()) {
        Error(committed);
        exit_code = 1;
        break;
      }
    }
  };
  if (subscribe.cloud_events) {
    print(io::cloudevents::v1::CloudEvent());
  } else {
    print(hookbridge::v1::Event());
  }
  if (exit_code == 0 && !events->status().ok()) {
    Error(events->status(), events->resume_after());
    exit_code = 1;
  }
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
      "--cursor comments.cursor --earliest\n"
      "  HOOKBRIDGE_TOKEN=<token> hookbridge-tail --consumer NAME [--member ID] [--nack] "
      "[--nack-delay MS] [--no-ack] [--count N]");
  // Flag names as the other client libraries spell them (--server-name).
  std::vector<std::string> rest;
  if (!hookbridge::cli::ParseFlags("hookbridge-tail", argc, argv, &rest)) return 2;
  if (!rest.empty()) return Usage("unexpected argument \"" + rest[0] + "\"");
  return Run(stop_signals);
}
