// Besides crashes and sanitizer reports, these are findings (HB_CHECK):
// - Verify fails only with Unauthenticated, Decode only with InvalidArgument.
// - Decode runs whether or not Verify passed: a decoder bug that needs a
//   valid signature is still a bug, and any sender with the secret (or, for
//   canD, the URL) can reach it.
// - A decoded event has a type, and encodes into bytes that parse back into
//   the same event: the file log re-reads them at start and every
//   subscriber parses them, so an event that cannot be parsed back would be
//   acknowledged and then lost.
#include "fuzz/provider_fuzzer.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bridge/check.h"
#include "bridge/config.h"
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
    // A valid Standard Webhooks secret is a fine secret for every scheme.
    config.secrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};
    config.path_token = "fuzz-path-token-0123456789";
    if (config.provider == "standard-webhooks") {
      config.subject = {ValueLocation::Kind::kField, "data.id"};
    } else if (config.provider == "github") {
      config.subject = {ValueLocation::Kind::kField, "repository.full_name"};
    }
    auto* f = new Fixture{config.provider, FindProvider(config.provider), nullptr};
    HB_CHECK(f->provider != nullptr);
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

  const absl::Status verified = fixture.source->Verify(request);
  HB_CHECK(verified.ok() || verified.code() == absl::StatusCode::kUnauthenticated);

  // As the Ingestor prepares it.
  v1::Event event;
  event.set_source("fuzz");
  event.set_provider(fixture.provider->id);
  event.mutable_received_at()->set_seconds(kReceivedAtMillis / 1000);
  event.mutable_received_at()->set_nanos(kReceivedAtMillis % 1000 * 1000000);
  const absl::Status decoded = fixture.source->Decode(request, &event);
  if (!decoded.ok()) {
    HB_CHECK(decoded.code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  HB_CHECK(!event.type().empty());
  if (event.id().empty()) event.set_id("content-hash");
  event.set_raw_body(std::string(request.body));

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
