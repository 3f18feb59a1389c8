// Each input is tried twice, as a stranger and as the provider:
// - as sent: Verify may refuse it (canD's does not: it does not sign);
// - signed: the provider's signature headers, computed with the fuzz secret
//   over the input's method, target, timestamp and body, replace the
//   input's headers of the same names. Verify must then accept it, except that a
//   timestamp taken from the input may be unparseable or out of tolerance
//   (Unauthenticated). Decode runs on this request, as the Ingestor runs it
//   on a verified one, so the decoders see every body the fuzzer makes.
//
// Besides crashes and sanitizer reports, these are findings (HB_CHECK):
// - Verify fails only with Unauthenticated, Decode only with InvalidArgument.
// - A request signed with the source's secret and a fresh timestamp
//   verifies.
// - A decoded event has a type, and encodes into bytes that parse back into
//   the same event: the file log re-reads them at start and every
//   subscriber parses them, so an event that cannot be parsed back would be
//   acknowledged and then lost.
#include "fuzz/provider_fuzzer.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bridge/check.h"
#include "bridge/config_types.h"
#include "bridge/log/event_log.h"
#include "bridge/providers/registry.h"
#include "fuzz/fuzz_input.h"
#include "google/protobuf/util/message_differencer.h"
#include "hookbridge/v1/event.pb.h"

namespace hookbridge::fuzz {
namespace {

// Three seconds after the timestamp of CKEditor's documented example, so
// that timestamps in the seeds are within the tolerance.
constexpr int64_t kReceivedAtMillis = 1559117876761 + 3000;

// The one secret of the fuzzed source. A valid Standard Webhooks secret is a
// fine secret for every scheme.
constexpr absl::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Fixture {
  std::string name;
  const ProviderInfo* provider;
  std::unique_ptr<Source> source;
};

// A source of `provider`, made on the first call; a process fuzzes one.
const Fixture& TheFixture(const char* provider) {
  static const Fixture* const fixture = [provider] {
    SourceConfig config;
    config.name = "fuzz";
    config.provider = provider;
    config.secrets = {std::string(kSecret)};
    config.path_token = "fuzz-path-token-0123456789";
    auto* f = new Fixture{config.provider, FindProvider(config.provider), nullptr};
    HB_CHECK(f->provider != nullptr);
    if (!f->provider->example_subject_field.empty()) {
      config.subject = {ValueLocation::Kind::kField,
                        std::string(f->provider->example_subject_field)};
    }
    if (f->provider->complete_test_config != nullptr) {
      f->provider->complete_test_config(&config, kSecret);
    }
    absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
    HB_CHECK(source.ok());
    f->source = *std::move(source);
    return f;
  }();
  HB_CHECK(fixture->name == provider);
  return *fixture;
}

}  // namespace

int FuzzProvider(const char* provider, const uint8_t* data, size_t size) {
  const Fixture& fixture = TheFixture(provider);
  SplitRequest split =
      SplitHeadersAndBody(absl::string_view(reinterpret_cast<const char*>(data), size));
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/fuzz";
  request.headers = std::move(split.headers);
  request.body = split.body;
  request.received_at = absl::FromUnixMillis(kReceivedAtMillis);

  // As a stranger sends it.
  const absl::Status as_sent = fixture.source->Verify(request);
  HB_CHECK(as_sent.ok() || as_sent.code() == absl::StatusCode::kUnauthenticated);

  // As the provider sends it: its signature headers replace every header
  // of the input with one of their names (a repeated signature header is
  // refused, rightly).
  // The row's test signer: a timestamp (or Standard Webhooks message id)
  // the input carries is signed as it is, so that the fuzzer reaches the
  // timestamp checks behind the signature; otherwise the receive time is
  // used.
  const TestSignature signature = fixture.provider->sign(kSecret, request);
  // A signer that could not sign this input (Mailgun and Linear sign in a
  // JSON body) returns nothing.
  const bool signed_anything =
      !signature.headers.empty() || signature.body.has_value() || !fixture.provider->needs_secrets;
  const bool own_timestamp = !signature.used_request_timestamp && signed_anything;
  WebhookRequest signed_request = request;
  signature.ApplyTo(&signed_request);
  const absl::Status verified = fixture.source->Verify(signed_request);
  if (own_timestamp) {
    HB_CHECK(verified.ok());
  } else {
    HB_CHECK(verified.ok() || verified.code() == absl::StatusCode::kUnauthenticated);
  }

  // As the Ingestor prepares it.
  v1::Event event;
  event.set_source("fuzz");
  event.set_provider(fixture.provider->id);
  event.mutable_received_at()->set_seconds(kReceivedAtMillis / 1000);
  event.mutable_received_at()->set_nanos(kReceivedAtMillis % 1000 * 1000000);
  const absl::Status decoded = fixture.source->Decode(signed_request, &event);
  if (!decoded.ok()) {
    HB_CHECK(decoded.code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  HB_CHECK(!event.type().empty());
  if (event.id().empty()) event.set_id("content-hash");
  event.set_raw_body(std::string(signed_request.body));

  const v1::Event expected = event;
  const EncodedEvent encoded = EncodeEvent(std::move(event));
  HB_CHECK(encoded.type == expected.type() && encoded.subject == expected.subject());
  // What a subscriber with include_raw receives (the sequence aside).
  v1::Event parsed;
  HB_CHECK(parsed.ParseFromString(encoded.body + encoded.raw_body_field));
  HB_CHECK(google::protobuf::util::MessageDifferencer::Equals(parsed, expected));
  return 0;
}

}  // namespace hookbridge::fuzz
