// bench_json_decode: the cost of decoding one webhook body, by step, on the
// body bench/ingest.sh posts (load_gen's ~1 KiB CKEditor comment.added).
//
//   build/bin/bench_json_decode [--iterations N] [--modes a,b,...]
//
// Modes (each decodes the same body N times and prints ns per body):
//   reference   the previous decoding: CheckJsonText, ParseJsonObject into a
//               Struct, StructToMessage (tests/bridge/providers/reference_decode.cc)
//   decode      Source::Decode: JsonDocument::Parse and JsonToMessage
//   check       CheckJsonText alone: one scan for UTF-8 and depth, the least
//               any hand-written decoder must also do
//   parse       JsonDocument::Parse alone, in place (the body padded, as the
//               server's buffer is)
//   parse_copy  JsonDocument::Parse of an unpadded body (simdjson copies it)
//
// For instruction counts, run one mode under callgrind and collect only the
// timed loop (after the warm-up):
//   valgrind --tool=callgrind --toggle-collect='*TimedRun*'
//     build/bin/bench_json_decode --modes decode --iterations 2000
// and divide the total by the iterations.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bridge/check.h"
#include "bridge/json.h"
#include "bridge/json_document.h"
#include "bridge/providers/registry.h"
#include "hookbridge/v1/event.pb.h"
#include "tests/bridge/providers/reference_decode.h"

ABSL_FLAG(int, iterations, 200000, "bodies decoded per mode");
ABSL_FLAG(int, warmup, 1000, "bodies decoded per mode before timing");
ABSL_FLAG(std::string, modes, "reference,decode,check,parse,parse_copy", "modes to run, in order");

namespace {

using hookbridge::WebhookRequest;

constexpr absl::string_view kProvider = "ckeditor-cloud-services";

// load_gen's body (RequestMaker::Body) with its padding to ~1 KiB.
std::string Body() {
  const std::string head =
      "{\"event\":\"comment.added\",\"environment_id\":\"env-bench\","
      "\"sent_at\":\"2019-05-29T08:17:53.457Z\",\"payload\":{\"document\":{\"id\":\""
      "bench-000000001\"},\"comment\":{\"id\":\"c-000000001\",\"content\":\"";
  const std::string tail =
      "\",\"created_at\":\"2019-05-29T08:17:53.450Z\",\"thread_id\":\"t\","
      "\"user\":{\"id\":\"u\"}}}}";
  return head + std::string(1024 - head.size() - tail.size(), 'x') + tail;
}

// Runs `mode` `iterations` times; returns a checksum so nothing is optimised
// away.
__attribute__((noinline)) size_t RunMode(const std::string& mode, int iterations,
                                         const hookbridge::Source& source,
                                         const WebhookRequest& padded,
                                         const WebhookRequest& unpadded) {
  size_t sum = 0;
  for (int i = 0; i < iterations; ++i) {
    if (mode == "reference") {
      hookbridge::v1::Event event;
      HB_CHECK(hookbridge::test_util::ReferenceDecode(kProvider, padded, hookbridge::kMaxJsonDepth,
                                                      &event)
                   .ok());
      sum += event.subject().size();
    } else if (mode == "decode") {
      hookbridge::v1::Event event;
      HB_CHECK(source.Decode(padded, hookbridge::kMaxJsonDepth, &event).ok());
      sum += event.subject().size();
    } else if (mode == "check") {
      HB_CHECK(hookbridge::CheckJsonText(padded.body, hookbridge::kMaxJsonDepth).ok());
      ++sum;
    } else if (mode == "parse" || mode == "parse_copy") {
      const WebhookRequest& request = mode == "parse" ? padded : unpadded;
      hookbridge::JsonDocument document;
      HB_CHECK(document.Parse(request.body, request.body_padding, hookbridge::kMaxJsonDepth).ok());
      sum += document.root().is_object();
    } else {
      std::fprintf(stderr, "bench_json_decode: no mode %s\n", mode.c_str());
      std::exit(2);
    }
  }
  return sum;
}

// The measured runs, apart from the warm-up (for callgrind's --toggle-collect).
__attribute__((noinline)) size_t TimedRun(const std::string& mode, int iterations,
                                          const hookbridge::Source& source,
                                          const WebhookRequest& padded,
                                          const WebhookRequest& unpadded) {
  return RunMode(mode, iterations, source, padded, unpadded);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int iterations = absl::GetFlag(FLAGS_iterations);

  hookbridge::SourceConfig config;
  config.name = "bench";
  config.provider = std::string(kProvider);
  config.secrets = {"bench-secret"};
  absl::StatusOr<std::unique_ptr<hookbridge::Source>> source = hookbridge::CreateSource(config);
  HB_CHECK(source.ok());

  const std::string body = Body();
  std::string padded_buffer;
  padded_buffer.reserve(body.size() + hookbridge::kJsonPadding);
  padded_buffer = body;
  WebhookRequest padded;
  padded.body = padded_buffer;
  padded.body_padding = padded_buffer.capacity() - padded_buffer.size();
  WebhookRequest unpadded;
  unpadded.body = body;

  std::printf("body: %zu bytes, %d iterations per mode\n", body.size(), iterations);
  std::printf("%-12s %10s\n", "mode", "ns/body");
  const std::vector<std::string> modes = absl::StrSplit(absl::GetFlag(FLAGS_modes), ',');
  for (const std::string& mode : modes) {
    RunMode(mode, absl::GetFlag(FLAGS_warmup), **source, padded, unpadded);
    const auto start = std::chrono::steady_clock::now();
    const size_t sum = TimedRun(mode, iterations, **source, padded, unpadded);
    const double ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-12s %10.0f%s\n", mode.c_str(), ns / iterations, sum == 0 ? " (?)" : "");
  }
  return 0;
}
