// Fuzzes the config loader: ParseConfig on any bytes, with a fixed
// environment. A config comes from the operator, not from strangers, but a
// bad one must stop the process with a message naming the key (exit 2),
// never crash it or throw.
//
// Findings besides crashes (HB_CHECK): an error other than InvalidArgument,
// and a listen address that does not read back as itself (the listeners
// are bound, and logged, by their ToString()).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/check.h"
#include "bridge/config.h"
#include "bridge/providers/registry.h"

namespace hookbridge {
namespace {

std::optional<std::string> FixedEnv(absl::string_view name) {
  if (name == "EMPTY") return std::string();
  if (name == "PORT") return std::string("8080");
  if (name.find("SECRET") != absl::string_view::npos) {
    return std::string("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  }
  if (name.find("TOKEN") != absl::string_view::npos) {
    return std::string("fuzz-path-token-0123456789");
  }
  return std::nullopt;
}

void CheckRoundTrip(const ListenAddress& address) {
  absl::StatusOr<ListenAddress> again = ParseListenAddress(address.ToString());
  HB_CHECK(again.ok() && again->host == address.host && again->port == address.port);
}

}  // namespace
}  // namespace hookbridge

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hookbridge;  // NOLINT: the entry point must be global
  const EnvLookup env = FixedEnv;
  absl::StatusOr<Config> config =
      ParseConfig(absl::string_view(reinterpret_cast<const char*>(data), size), env);
  if (!config.ok()) {
    HB_CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  CheckRoundTrip(config->http.listen);
  CheckRoundTrip(config->grpc.listen);
  CheckRoundTrip(config->admin.listen);
  // The Ingestor's next step: may refuse a source (InvalidArgument), must
  // not crash.
  for (const SourceConfig& source : config->sources) {
    absl::StatusOr<std::unique_ptr<Source>> created = CreateSource(source);
    HB_CHECK(created.ok() || created.status().code() == absl::StatusCode::kInvalidArgument);
  }
  return 0;
}
