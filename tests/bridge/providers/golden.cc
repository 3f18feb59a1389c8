#include "tests/bridge/providers/golden.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "bridge/config_types.h"
#include "bridge/providers/registry.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"

namespace hookbridge::test_util {
namespace {

constexpr absl::string_view kSecret = "golden-secret";
constexpr absl::string_view kTarget = "/webhooks/golden";
constexpr absl::string_view kTimestamp = "1559117876761";

bool UpdateRequested() {
  const char* v = std::getenv("HOOKBRIDGE_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

}  // namespace

std::string TestdataPath(absl::string_view subdir) {
  return absl::StrCat(HOOKBRIDGE_TESTDATA_DIR, "/", subdir);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> GoldenNames(absl::string_view subdir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(TestdataPath(subdir), ec)) {
    const std::string file = entry.path().filename().string();
    if (absl::EndsWith(file, ".json")) names.push_back(file.substr(0, file.size() - 5));
  }
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status VerifyAndDecode(absl::string_view provider, absl::string_view body, v1::Event* event) {
  SourceConfig config;
  config.name = "golden";
  config.provider = std::string(provider);
  config.secrets = {std::string(kSecret)};
  // canD does not sign: its path token is its credential (the others ignore it).
  config.path_token = "golden-path-token-0123456789";
  if (const ProviderInfo* row = FindProvider(provider); row->complete_test_config != nullptr) {
    row->complete_test_config(&config, kSecret);
  }
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
  if (!source.ok()) return source.status();

  WebhookRequest request;
  request.method = "POST";
  request.target = kTarget;
  request.body = body;
  int64_t millis = 0;
  (void)absl::SimpleAtoi(kTimestamp, &millis);
  request.received_at = absl::FromUnixMillis(millis);
  // Signed by the provider row's own test signer.
  const TestSignature signature = FindProvider(provider)->sign(kSecret, request);
  request.headers = {{"Content-Type", "application/json"}};
  signature.ApplyTo(&request);
  if (absl::Status s = (*source)->Verify(request); !s.ok()) return s;
  return (*source)->Decode(request, event);
}

::testing::AssertionResult MatchesGolden(absl::string_view provider, absl::string_view subdir,
                                         absl::string_view name) {
  const std::string base = absl::StrCat(TestdataPath(subdir), "/", name);
  absl::StatusOr<std::string> body = ReadFile(base + ".json");
  if (!body.ok()) return ::testing::AssertionFailure() << body.status();

  v1::Event actual;
  if (absl::Status s = VerifyAndDecode(provider, *body, &actual); !s.ok()) {
    return ::testing::AssertionFailure() << name << ".json: " << s;
  }
  // The file is named for the event it holds: <type>.json or <type>.<variant>.json.
  const std::string stem = GoldenFileStem(actual.type());
  if (name != stem && !absl::StartsWith(name, absl::StrCat(stem, "."))) {
    return ::testing::AssertionFailure()
           << name << ".json holds event \"" << actual.type() << "\", not the one it is named for";
  }

  std::string actual_text;
  google::protobuf::TextFormat::PrintToString(actual, &actual_text);
  const std::string golden_path = base + ".textproto";
  if (UpdateRequested()) {
    std::ofstream out(golden_path, std::ios::binary | std::ios::trunc);
    out << "# proto-file: hookbridge/v1/event.proto\n"
        << "# proto-message: hookbridge.v1.Event\n"
        << "# The decoding of " << name << ".json (Source::Decode fields only).\n"
        << "# Regenerate with HOOKBRIDGE_UPDATE_GOLDEN=1, then review by hand.\n"
        << actual_text;
    if (!out) return ::testing::AssertionFailure() << "cannot write " << golden_path;
    return ::testing::AssertionSuccess() << "rewrote " << golden_path;
  }

  absl::StatusOr<std::string> golden_text = ReadFile(golden_path);
  if (!golden_text.ok()) {
    return ::testing::AssertionFailure()
           << golden_text.status() << " (run with HOOKBRIDGE_UPDATE_GOLDEN=1 to create it)";
  }
  v1::Event expected;
  if (!google::protobuf::TextFormat::ParseFromString(*golden_text, &expected)) {
    return ::testing::AssertionFailure() << golden_path << " is not a valid hookbridge.v1.Event";
  }

  google::protobuf::util::MessageDifferencer differencer;
  std::string report;
  differencer.ReportDifferencesToString(&report);
  if (differencer.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << name << ".json decodes differently from " << name << ".textproto\n"
         << "differences (expected -> actual):\n"
         << report << "actual event:\n"
         << actual_text;
}

std::string GoldenFileStem(absl::string_view type) {
  return absl::StrReplaceAll(type, {{":", "_"}});
}

std::string GoldenTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string out = info.param;
  for (char& c : out) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

}  // namespace hookbridge::test_util
