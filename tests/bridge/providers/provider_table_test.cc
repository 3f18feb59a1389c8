// Checks every row of the provider table the same way, so a new provider is
// covered by adding its row and its testdata, without naming it here:
// its test signer and its verifier agree, its golden files decode as
// recorded, every typed event has a golden file, and it has a fuzz corpus.
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bridge/config_types.h"
#include "bridge/ingest.h"
#include "bridge/providers/registry.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/bridge/providers/golden.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// A Standard Webhooks key is a fine secret for every scheme.
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

SourceConfig ConfigFor(const ProviderInfo& provider) {
  SourceConfig config;
  config.name = "table";
  config.provider = std::string(provider.name);
  if (provider.needs_secrets) config.secrets = {kSecret};
  if (provider.needs_path_token) config.path_token = "table-path-token-0123456789";
  if (!provider.example_subject_field.empty()) {
    config.subject = {ValueLocation::Kind::kField, std::string(provider.example_subject_field)};
  }
  if (provider.complete_test_config != nullptr) provider.complete_test_config(&config, kSecret);
  return config;
}

std::string RowName(const ::testing::TestParamInfo<const ProviderInfo*>& info) {
  return absl::StrReplaceAll(info.param->name, {{"-", "_"}});
}

std::vector<const ProviderInfo*> Rows() {
  std::vector<const ProviderInfo*> rows;
  for (const ProviderInfo& row : Providers()) rows.push_back(&row);
  return rows;
}

class ProviderTableTest : public ::testing::TestWithParam<const ProviderInfo*> {};

TEST_P(ProviderTableTest, RowIsComplete) {
  const ProviderInfo& row = *GetParam();
  EXPECT_NE(row.create, nullptr);
  EXPECT_NE(row.sign, nullptr);
  ASSERT_NE(row.catalog, nullptr);
  EXPECT_EQ(row.catalog->provider, row.id);
  // Typed events need golden files; generic providers have none.
  EXPECT_EQ(row.catalog->events.empty(), row.testdata.empty()) << row.name;
  EXPECT_FALSE(row.generic && !row.catalog->events.empty()) << row.name;
  EXPECT_FALSE(row.needs_secrets && row.needs_path_token) << row.name;
}

TEST_P(ProviderTableTest, ItsSignerAndItsVerifierAgree) {
  const ProviderInfo& row = *GetParam();
  const SourceConfig config = ConfigFor(row);
  ASSERT_TRUE(CheckSourceConfig(row, config).ok()) << CheckSourceConfig(row, config);
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
  ASSERT_TRUE(source.ok()) << source.status();

  const std::string body = R"({"type":"t","event":"e","id":"1","payload":{}})";
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/table";
  request.body = body;
  request.received_at = absl::FromUnixSeconds(1700000000);
  const WebhookRequest unsigned_request = request;
  const TestSignature signature = row.sign(kSecret, request);
  EXPECT_FALSE(signature.used_request_timestamp);
  signature.ApplyTo(&request);
  EXPECT_TRUE((*source)->Verify(request).ok()) << (*source)->Verify(request);
  if (!row.needs_secrets) return;  // nothing to forge
  EXPECT_FALSE(signature.headers.empty() && !signature.body.has_value())
      << row.name << " signs, so it sends a signature";
  // Signed with another secret: refused.
  const TestSignature forged = row.sign("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", unsigned_request);
  WebhookRequest bad = unsigned_request;
  forged.ApplyTo(&bad);
  EXPECT_EQ((*source)->Verify(bad).code(), absl::StatusCode::kUnauthenticated);
}

// A signature made an hour before it arrives: refused as stale by every
// row that signs a time (outside the 5-minute default tolerance), accepted
// by the others (which de-duplication alone protects). Whether an hmac
// source signs one is its config's choice (the test config's does).
TEST_P(ProviderTableTest, AnHourOldSignatureIsStaleWhereATimeIsSigned) {
  const ProviderInfo& row = *GetParam();
  const SourceConfig config = ConfigFor(row);
  const bool signs_time =
      row.signs_timestamp || (config.hmac.has_value() && !config.hmac->timestamp_header.empty());
  absl::StatusOr<std::unique_ptr<Source>> source = CreateSource(config);
  ASSERT_TRUE(source.ok()) << source.status();
  const std::string body = R"({"type":"t","event":"e","id":"1","payload":{}})";
  WebhookRequest request;
  request.method = "POST";
  request.target = "/webhooks/table";
  request.body = body;
  request.received_at = absl::FromUnixSeconds(1700000000);
  const TestSignature signature = row.sign(kSecret, request);
  signature.ApplyTo(&request);
  request.received_at += absl::Hours(1);
  const absl::Status status = (*source)->Verify(request);
  if (signs_time) {
    EXPECT_TRUE(IsStaleTimestamp(status)) << status;
  } else {
    EXPECT_TRUE(status.ok()) << status;
  }
}

TEST_P(ProviderTableTest, ItsRulesAreCheckedByTheRegistry) {
  const ProviderInfo& row = *GetParam();
  SourceConfig config = ConfigFor(row);
  if (row.needs_secrets) {
    config.secrets.clear();
    absl::Status missing = CheckSourceConfig(row, config);
    EXPECT_THAT(missing.message(), HasSubstr("secrets: provider"));
    EXPECT_EQ(CreateSource(config).status().code(), absl::StatusCode::kInvalidArgument);
    config = ConfigFor(row);
  }
  if (row.needs_path_token) {
    config.path_token.clear();
    EXPECT_THAT(CheckSourceConfig(row, config).message(), HasSubstr("path_token: provider"));
    EXPECT_EQ(CreateSource(config).status().code(), absl::StatusCode::kInvalidArgument);
    config = ConfigFor(row);
  }
  config.event_type = {ValueLocation::Kind::kHeader, "X-Type"};
  EXPECT_EQ(CheckSourceConfig(row, config).ok(), row.generic) << row.name;
}

TEST_P(ProviderTableTest, EveryCatalogEventHasAGoldenFile) {
  const ProviderInfo& row = *GetParam();
  if (row.testdata.empty()) GTEST_SKIP() << row.name << " has no typed events";
  const std::string dir = test_util::TestdataPath(row.testdata);
  for (const TypedEventSpec& spec : row.catalog->events) {
    for (const char* ext : {".json", ".textproto"}) {
      const std::string path = absl::StrCat(dir, "/", test_util::GoldenFileStem(spec.type), ext);
      EXPECT_TRUE(std::filesystem::is_regular_file(path)) << "no golden file " << path;
    }
  }
}

TEST_P(ProviderTableTest, HasAFuzzCorpus) {
  const ProviderInfo& row = *GetParam();
  const std::string dir = absl::StrCat(HOOKBRIDGE_FUZZ_CORPUS_DIR, "/",
                                       absl::StrReplaceAll(row.name, {{"-", "_"}}), "_fuzzer");
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << "no fuzz corpus " << dir;
  EXPECT_FALSE(std::filesystem::is_empty(dir)) << dir;
}

INSTANTIATE_TEST_SUITE_P(Rows, ProviderTableTest, ::testing::ValuesIn(Rows()), RowName);

TEST(ProviderTableCorpusTest, EveryProviderCorpusNamesARow) {
  std::set<std::string> rows;
  for (const ProviderInfo& row : Providers()) {
    rows.insert(absl::StrCat(absl::StrReplaceAll(row.name, {{"-", "_"}}), "_fuzzer"));
  }
  for (const auto& entry : std::filesystem::directory_iterator(HOOKBRIDGE_FUZZ_CORPUS_DIR)) {
    const std::string name = entry.path().filename().string();
    if (name == "config_fuzzer" || name == "filter_fuzzer" || name == "http_request_fuzzer" ||
        name == "json_fuzzer" || name == "log_record_fuzzer") {
      continue;
    }
    EXPECT_TRUE(rows.count(name)) << "fuzz/corpus/" << name << " names no provider row";
  }
}

// Golden files: every example of each provider's documentation decodes into
// the event recorded beside it.
std::vector<std::pair<const ProviderInfo*, std::string>> GoldenCases() {
  std::vector<std::pair<const ProviderInfo*, std::string>> cases;
  for (const ProviderInfo& row : Providers()) {
    if (row.testdata.empty()) continue;
    for (const std::string& name : test_util::GoldenNames(row.testdata)) {
      cases.emplace_back(&row, name);
    }
  }
  return cases;
}

class GoldenTest : public ::testing::TestWithParam<std::pair<const ProviderInfo*, std::string>> {};

TEST_P(GoldenTest, DecodesAsGolden) {
  const auto& [row, name] = GetParam();
  EXPECT_TRUE(test_util::MatchesGolden(row->name, row->testdata, name));
}

// The bound the ingress and the config check rely on (Ingestor::
// StoredEventBytes): a decoded event is no larger than its body, so it
// is stored in at most twice the body plus the envelope's fields.
TEST_P(GoldenTest, ItsEventIsNoLargerThanItsBody) {
  const auto& [row, name] = GetParam();
  absl::StatusOr<std::string> body =
      test_util::ReadFile(absl::StrCat(test_util::TestdataPath(row->testdata), "/", name, ".json"));
  ASSERT_TRUE(body.ok()) << body.status();
  v1::Event event;
  ASSERT_TRUE(test_util::VerifyAndDecode(row->name, *body, &event).ok());
  EXPECT_LE(event.ByteSizeLong(), body->size());
  event.set_id(std::string(64, 'f'));
  event.set_source("table");
  event.mutable_received_at()->set_seconds(1 << 30);
  event.set_raw_body(*body);
  EXPECT_LE(event.ByteSizeLong() + 2, Ingestor::StoredEventBytes(body->size()));
}

INSTANTIATE_TEST_SUITE_P(
    Testdata, GoldenTest, ::testing::ValuesIn(GoldenCases()),
    [](const ::testing::TestParamInfo<std::pair<const ProviderInfo*, std::string>>& info) {
      std::string out = absl::StrCat(info.param.first->testdata, "_", info.param.second);
      for (char& c : out) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return out;
    });

}  // namespace
}  // namespace hookbridge
