// Fuzzes the webhook ingress with whatever a client sends on a connection:
// the input is the bytes of one connection (one request, several pipelined,
// or garbage), read by ReadRequests (server/http/request_reader.h), which
// runs the server's own request parsing and checks (Beast's parser as the
// server configures it, the smuggling and size checks, the mapping of parse
// errors to answers) without a socket. What the server would then do with
// each request's attacker-controlled bytes follows:
// - the source lookup with its path token check (Ingestor::Resolve) and,
//   for a POST to a source, the ingest path (Ingestor::Handle: verify,
//   decode, de-duplicate, append to a memory log), once as sent and once
//   signed with the source's secret by the provider row's test signer (as
//   provider_fuzzer.cc does), so the decoders see the bodies HTTP framing
//   produced; one source per row of the provider table, some with path
//   tokens;
// - the console's capture of the request (CaptureRequest, DisplayPath):
//   credential redaction and path token masking, on requests and on the
//   targets of refused ones.
//
// Besides crashes and sanitizer reports, these are findings (HB_CHECK):
// - A request the server would refuse is handed on, or answered with a
//   status other than 400, 413, 431 or 501: a request with more than
//   kMaxHeaderFields fields, no or several Host fields, several
//   Content-Length fields, a body over the limit; more requests than
//   max_requests_per_connection, or a request after a refused one.
// - The ingest path answering a request other than exactly once, or
//   refusing a request signed with the source's secret and a fresh
//   timestamp as badly signed, or as stale unless the provider signs no
//   timestamp and the body's own signed time is older than dedup.window
//   (DocSpace's event.createOn).
// - The console showing what it must not: a value of a credential header
//   or a credential value unredacted, a run of path token characters
//   (kMinPathTokenLength of them) in a displayed path or path-like header,
//   invalid UTF-8, or more than its limits.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "bridge/check.h"
#include "bridge/config_types.h"
#include "bridge/ingest.h"
#include "bridge/log/memory/memory_log.h"
#include "bridge/providers/registry.h"
#include "server/console/delivery.h"
#include "server/http/http_server.h"
#include "server/http/request_reader.h"

namespace hookbridge {
namespace {

constexpr absl::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr absl::string_view kPathToken = "fuzz-path-token-0123456789";
// As in provider_fuzzer.cc: timestamps of the providers' documented
// examples are within the tolerance.
constexpr int64_t kReceivedAtMillis = 1559117876761 + 3000;
// Small limits, so that inputs of a few KiB reach them.
constexpr uint64_t kMaxBodyBytes = 4096;
constexpr uint32_t kMaxHeaderBytes = 2048;
constexpr uint32_t kMaxRequests = 8;
constexpr size_t kPreviewBytes = 64;
constexpr absl::string_view kEllipsis = "\xE2\x80\xA6";  // "…"

struct Fixture {
  HttpListenerOptions options;
  Config config;
  std::vector<SourceInfo> sources;
};

// One source per provider row, named for it ("ckeditor-cloud-services",
// ...); those that must have one, and every other one, have a path token.
const Fixture& TheFixture() {
  static const Fixture* const fixture = [] {
    auto* f = new Fixture;
    f->options.name = "http";
    f->options.max_body_bytes = kMaxBodyBytes;
    f->options.max_header_bytes = kMaxHeaderBytes;
    f->options.max_requests_per_connection = kMaxRequests;
    Config& config = f->config;
    config.http.max_body_bytes = kMaxBodyBytes;
    config.dedup.max_entries = 64;
    bool token = false;
    for (const ProviderInfo& provider : Providers()) {
      SourceConfig source;
      source.name = std::string(provider.name);
      source.provider = std::string(provider.name);
      source.secrets = {std::string(kSecret)};
      if (provider.needs_path_token || token) source.path_token = std::string(kPathToken);
      if (provider.complete_test_config != nullptr) provider.complete_test_config(&source, kSecret);
      token = !token;
      config.sources.push_back(std::move(source));
    }
    MemoryLog log({});
    absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(config, &log);
    HB_CHECK(ingestor.ok());
    f->sources = (*ingestor)->sources();
    return f;
  }();
  return *fixture;
}

// Whether `text` has a run of kMinPathTokenLength characters a path token
// is made of (as the loader checks tokens).
bool HasTokenRun(absl::string_view text) {
  size_t run = 0;
  for (char c : text) {
    run = absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ? run + 1 : 0;
    if (run >= kMinPathTokenLength) return true;
  }
  return false;
}

bool IsUtf8(absl::string_view text) { return SafeUtf8Prefix(text, text.size()) == text; }

// A path as the console shows it: nothing of a path token left. Each
// segment is either (a prefix, when the path was cut, of) a source's name,
// or holds no run of path token characters.
void CheckDisplayPath(absl::string_view shown, const Fixture& fixture) {
  HB_CHECK(!absl::StrContains(absl::AsciiStrToLower(shown), kPathToken));
  for (absl::string_view segment : absl::StrSplit(shown, '/')) {
    absl::ConsumeSuffix(&segment, kEllipsis);
    // The query or fragment, shown as "?…" or "#…".
    if (!absl::ConsumeSuffix(&segment, "?")) absl::ConsumeSuffix(&segment, "#");
    bool source = false;
    for (const SourceInfo& info : fixture.sources) {
      source = source || (!segment.empty() && segment.size() <= info.name.size() &&
                          absl::StartsWithIgnoreCase(info.name, segment));
    }
    HB_CHECK(source || !HasTokenRun(segment));
  }
  HB_CHECK(IsUtf8(shown));
  // 256 bytes, "…" for the cut, "?…" for a query.
  HB_CHECK(shown.size() <= 256 + 3 + 4);
}

// The console's record of `request`, checked.
void CheckCapture(const HttpRequest& request, const Fixture& fixture) {
  Delivery delivery;
  CaptureRequest(request.method, request.target, request.headers, request.body, fixture.sources,
                 kPreviewBytes, &delivery);
  HB_CHECK(delivery.method.size() <= 32 && IsUtf8(delivery.method));
  CheckDisplayPath(delivery.path, fixture);
  HB_CHECK(delivery.headers.size() == request.headers.size());
  for (size_t i = 0; i < request.headers.size(); ++i) {
    const auto& [name, value] = request.headers[i];
    const std::string& shown = delivery.headers[i].second;
    HB_CHECK(IsUtf8(delivery.headers[i].first) && IsUtf8(shown));
    if (IsSensitiveHeader(name) || IsCredentialValue(value)) {
      HB_CHECK(shown == kRedacted);
    } else if (absl::StartsWith(value, "/") || absl::StrContains(value, "://")) {
      CheckDisplayPath(shown, fixture);
    } else {
      HB_CHECK(shown.size() <= 1024 + 3);
    }
  }
  HB_CHECK(delivery.body_bytes == request.body.size());
  HB_CHECK(delivery.body_preview.size() <= kPreviewBytes && IsUtf8(delivery.body_preview));
  if (!delivery.body_truncated) {
    HB_CHECK(delivery.body_preview == SafeUtf8Prefix(request.body, SIZE_MAX));
  }
}

// Runs the ingest path on `request` and checks that it answers once, inline
// (the memory log appends inline).
Outcome Handle(Ingestor& ingestor, const Route& route, const WebhookRequest& request) {
  int answers = 0;
  Outcome outcome = Outcome::kAccepted;
  ingestor.Handle(route, request, [&](IngestResult result) {
    ++answers;
    outcome = result.outcome;
  });
  HB_CHECK(answers == 1);
  return outcome;
}

// What WebhookHandler::Handle does with a request the HTTP layer read.
void Deliver(const HttpRequest& request, Ingestor& ingestor) {
  const Route route = ingestor.Resolve(request.target);
  if (route.source == nullptr || request.method != "POST") return;
  HB_CHECK(!route.bad_token);
  WebhookRequest webhook;
  webhook.method = request.method;
  webhook.target = request.target;
  for (const auto& [name, value] : request.headers) webhook.headers.emplace_back(name, value);
  webhook.body = request.body;
  webhook.received_at = absl::FromUnixMillis(kReceivedAtMillis);
  webhook.received_monotonic = webhook.received_at;
  Handle(ingestor, route, webhook);

  // As the provider sends it: its signature headers replace the input's
  // headers of the same names.
  const TestSignature signature = route.source->provider->sign(kSecret, webhook);
  const bool signed_anything = !signature.headers.empty() || signature.body.has_value() ||
                               !route.source->provider->needs_secrets;
  WebhookRequest signed_request = webhook;
  signature.ApplyTo(&signed_request);
  const Outcome outcome = Handle(ingestor, route, signed_request);
  if (!signature.used_request_timestamp && signed_anything) {
    HB_CHECK(outcome != Outcome::kBadSignature);
    // Stale only by a time the signed body itself carries (DocSpace's
    // event.createOn older than dedup.window), for providers that sign no
    // timestamp of their own.
    HB_CHECK(outcome != Outcome::kStaleTimestamp || !route.source->provider->signs_timestamp);
  }
}

}  // namespace
}  // namespace hookbridge

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hookbridge;  // NOLINT: the entry point must be global
  const Fixture& fixture = TheFixture();
  const std::vector<ReadRequest> reads =
      ReadRequests(absl::string_view(reinterpret_cast<const char*>(data), size), fixture.options);
  HB_CHECK(reads.size() <= kMaxRequests);
  // A fresh log and Ingestor for each input, so that what one input
  // appends (de-duplication, ordering) does not change what the next does.
  MemoryLog log({.max_events = 64, .max_bytes = 1 << 20});
  absl::StatusOr<std::unique_ptr<Ingestor>> ingestor = Ingestor::Create(fixture.config, &log);
  HB_CHECK(ingestor.ok());
  size_t body_bytes = 0;
  for (size_t i = 0; i < reads.size(); ++i) {
    const ReadRequest& read = reads[i];
    if (read.error.has_value()) {
      HB_CHECK(i + 1 == reads.size());
      const int status = HttpErrorStatus(*read.error);
      HB_CHECK(status == 400 || status == 413 || status == 431 || status == 501);
      // What the console shows of a refused request.
      CheckDisplayPath(DisplayPath(read.request.target, fixture.sources), fixture);
      continue;
    }
    const HttpRequest& request = read.request;
    HB_CHECK(!request.method.empty());
    HB_CHECK(request.headers.size() <= kMaxHeaderFields);
    HB_CHECK(request.body.size() <= kMaxBodyBytes);
    body_bytes += request.body.size();
    int hosts = 0;
    int lengths = 0;
    for (const auto& [name, value] : request.headers) {
      if (absl::EqualsIgnoreCase(name, "host")) ++hosts;
      if (absl::EqualsIgnoreCase(name, "content-length")) ++lengths;
    }
    HB_CHECK(hosts == 1 && lengths <= 1);
    CheckCapture(request, fixture);
    Deliver(request, **ingestor);
  }
  HB_CHECK(body_bytes <= size);
  return 0;
}
