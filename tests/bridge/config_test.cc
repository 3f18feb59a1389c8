#include "bridge/config.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bridge/log/file/file_log.h"
#include "bridge/log/jetstream/jetstream_log.h"
#include "bridge/log/memory/memory_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

// An environment holding exactly `vars`.
EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](absl::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The smallest valid config: one source.
constexpr absl::string_view kMinimal = R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["s3cret"]
)";

// Parses `yaml` and expects InvalidArgument whose message contains `key`.
void ExpectErrorNaming(absl::string_view yaml, absl::string_view key,
                       const EnvLookup& env = Env({})) {
  absl::StatusOr<Config> config = ParseConfig(yaml, env);
  ASSERT_FALSE(config.ok()) << "accepted:\n" << yaml;
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr(key)) << yaml;
}

// The YAML example under README.md's "## Configuration", read from the
// README itself so the two cannot drift apart.
std::string ReadmeConfigExample() {
  std::ifstream in(std::string(HOOKBRIDGE_TESTDATA_DIR) + "/../../README.md");
  std::stringstream contents;
  contents << in.rdbuf();
  const std::string readme = contents.str();
  const size_t section = readme.find("\n## Configuration\n");
  if (section == std::string::npos) return "";
  const size_t open = readme.find("```yaml\n", section);
  if (open == std::string::npos) return "";
  const size_t body = open + 8;
  return readme.substr(body, readme.find("```", body) - body);
}

TEST(ParseConfigTest, ParsesTheReadmeExample) {
  const std::string yaml = ReadmeConfigExample();
  ASSERT_FALSE(yaml.empty()) << "no ```yaml block under README.md's ## Configuration";
  const std::string hash(64, 'c');
  absl::StatusOr<Config> config =
      ParseConfig(yaml, Env({{"CKEDITOR_WEBHOOK_SECRET", "from-the-environment"},
                             {"HOOKBRIDGE_TOKEN_SHA256", hash}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.listen.ToString(), "0.0.0.0:8080");
  EXPECT_EQ(config->grpc.listen.ToString(), "0.0.0.0:50051");
  EXPECT_EQ(config->admin.listen.ToString(), "0.0.0.0:9090");
  EXPECT_EQ(config->log.backend, "file");
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_EQ(config->sources[0].name, "ckeditor");
  EXPECT_EQ(config->sources[0].provider, "ckeditor-cloud-services");
  EXPECT_THAT(config->sources[0].secrets, ::testing::ElementsAre("from-the-environment"));
  EXPECT_EQ(config->sources[0].timestamp_tolerance, absl::Minutes(5));
  EXPECT_TRUE(config->auth.enabled);
  ASSERT_EQ(config->auth.tokens.size(), 1u);
  EXPECT_EQ(config->auth.tokens[0].sha256, hash);

  absl::StatusOr<Config> unset = ParseConfig(yaml, Env({}));
  ASSERT_FALSE(unset.ok());
  EXPECT_THAT(unset.status().message(), HasSubstr("sources[0].secrets[0]"));
  EXPECT_THAT(unset.status().message(), HasSubstr("CKEDITOR_WEBHOOK_SECRET"));
}

TEST(ParseConfigTest, ParsesTheDocumentedShape) {
  constexpr absl::string_view kYaml = R"(
http:
  listen: 0.0.0.0:8080
  max_body_bytes: 10MiB
  read_timeout: 30s
grpc:
  listen: 127.0.0.1:50051
admin:
  listen: "[::1]:9090"
log:
  backend: memory
  max_events: 5000
  max_bytes: 64MiB
dedup:
  max_entries: 2000
logging:
  level: debug
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["${CKEDITOR_SECRET}"]
    timestamp_tolerance: 5m
  - name: assets
    provider: ckbox
    secrets:
      - ${CKBOX_SECRET_NEW}
      - ${CKBOX_SECRET_OLD}
    timestamp_tolerance: 90s
)";
  absl::StatusOr<Config> config = ParseConfig(kYaml, Env({{"CKEDITOR_SECRET", "ck-secret"},
                                                          {"CKBOX_SECRET_NEW", "new"},
                                                          {"CKBOX_SECRET_OLD", "old"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.listen.host, "0.0.0.0");
  EXPECT_EQ(config->http.listen.port, 8080);
  EXPECT_EQ(config->http.max_body_bytes, 10u << 20);
  EXPECT_EQ(config->http.read_timeout, absl::Seconds(30));
  EXPECT_EQ(config->grpc.listen.host, "127.0.0.1");
  EXPECT_EQ(config->grpc.listen.port, 50051);
  EXPECT_EQ(config->admin.listen.host, "::1");
  EXPECT_EQ(config->admin.listen.port, 9090);
  EXPECT_EQ(config->log.backend, "memory");
  EXPECT_EQ(config->log.Options<MemoryLog::Options>().max_events, 5000u);
  EXPECT_EQ(config->log.Options<MemoryLog::Options>().max_bytes, 64u << 20);
  EXPECT_EQ(config->dedup.max_entries, 2000u);
  EXPECT_EQ(config->log_level, "debug");
  ASSERT_EQ(config->sources.size(), 2u);
  EXPECT_EQ(config->sources[0].name, "docs");
  EXPECT_EQ(config->sources[0].provider, "ckeditor-cloud-services");
  EXPECT_THAT(config->sources[0].secrets, ::testing::ElementsAre("ck-secret"));
  EXPECT_EQ(config->sources[0].timestamp_tolerance, absl::Minutes(5));
  EXPECT_EQ(config->sources[1].name, "assets");
  EXPECT_EQ(config->sources[1].provider, "ckbox");
  EXPECT_THAT(config->sources[1].secrets, ::testing::ElementsAre("new", "old"));
  EXPECT_EQ(config->sources[1].timestamp_tolerance, absl::Seconds(90));
}

TEST(ParseConfigTest, AppliesDefaults) {
  absl::StatusOr<Config> config = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.listen.ToString(), "0.0.0.0:8080");
  EXPECT_EQ(config->http.max_body_bytes, 10u << 20);
  EXPECT_EQ(config->http.max_header_bytes, 16u << 10);
  EXPECT_EQ(config->grpc.listen.ToString(), "0.0.0.0:50051");
  EXPECT_EQ(config->admin.listen.ToString(), "0.0.0.0:9090");
  // Durable by default.
  EXPECT_EQ(config->log.backend, "file");
  const auto& file = config->log.Options<FileLog::Options>();
  EXPECT_EQ(file.dir, "data/log");
  EXPECT_EQ(file.fsync, FileLog::Fsync::kAlways);
  EXPECT_EQ(file.retention_bytes, 10ull << 30);
  EXPECT_EQ(file.retention_age, absl::Hours(24 * 7));
  EXPECT_EQ(config->shutdown_timeout, absl::Seconds(10));
  EXPECT_EQ(config->dedup.max_entries, 100000u);
  EXPECT_EQ(config->log_level, "info");
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_EQ(config->sources[0].timestamp_tolerance, absl::Minutes(5));
}

TEST(ParseConfigTest, FileLogKeys) {
  const std::string yaml = absl::StrCat(R"(
log:
  backend: file
  dir: /var/lib/hookbridge
  fsync: interval
  fsync_interval: 50ms
  segment_bytes: 16MiB
  retention: { bytes: 2GiB, age: 3d }
  cache_bytes: 8MiB
shutdown_timeout: 30s
)",
                                        kMinimal);
  absl::StatusOr<Config> config = ParseConfig(yaml, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  const auto& file = config->log.Options<FileLog::Options>();
  EXPECT_EQ(file.dir, "/var/lib/hookbridge");
  EXPECT_EQ(file.fsync, FileLog::Fsync::kInterval);
  EXPECT_EQ(file.fsync_interval, absl::Milliseconds(50));
  EXPECT_EQ(file.segment_bytes, 16ull << 20);
  EXPECT_EQ(file.retention_bytes, 2ull << 30);
  EXPECT_EQ(file.retention_age, absl::Hours(72));
  EXPECT_EQ(file.tail_cache_bytes, 8ull << 20);
  EXPECT_EQ(config->shutdown_timeout, absl::Seconds(30));
}

TEST(ParseConfigTest, JetStreamLogKeys) {
  const std::string yaml = absl::StrCat(R"(
log:
  backend: jetstream
  url: nats://nats-0.nats:4222,nats://nats-1.nats:4222
  stream: EVENTS
  subject_prefix: acme.hooks
  replicas: 3
  max_age: 3d
  max_bytes: 2GiB
  duplicate_window: 10m
  ack_timeout: 2s
  cache_bytes: 8MiB
)",
                                        kMinimal);
  absl::StatusOr<Config> config = ParseConfig(yaml, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->log.backend, "jetstream");
  const auto& js = config->log.Options<JetStreamLog::Options>();
  EXPECT_EQ(js.url, "nats://nats-0.nats:4222,nats://nats-1.nats:4222");
  EXPECT_EQ(js.stream, "EVENTS");
  EXPECT_EQ(js.subject_prefix, "acme.hooks");
  EXPECT_EQ(js.replicas, 3);
  EXPECT_EQ(js.max_age, absl::Hours(72));
  EXPECT_EQ(js.max_bytes, 2ull << 30);
  EXPECT_EQ(js.duplicate_window, absl::Minutes(10));
  EXPECT_EQ(js.ack_timeout, absl::Seconds(2));
  EXPECT_EQ(js.tail_cache_bytes, 8ull << 20);
}

TEST(ParseConfigTest, JetStreamLogDefaults) {
  absl::StatusOr<Config> config =
      ParseConfig(absl::StrCat("log: { backend: jetstream }\n", kMinimal), Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  const auto& js = config->log.Options<JetStreamLog::Options>();
  EXPECT_EQ(js.url, "nats://127.0.0.1:4222");
  EXPECT_EQ(js.stream, "HOOKBRIDGE");
  EXPECT_EQ(js.subject_prefix, "hookbridge");
  EXPECT_EQ(js.replicas, 1);
  EXPECT_EQ(js.max_bytes, 10ull << 30);
  EXPECT_EQ(js.max_age, absl::Hours(24 * 7));
}

TEST(ParseConfigTest, BadJetStreamLogKeys) {
  struct Case {
    std::string log;
    std::string key;
  };
  for (const Case& c : std::vector<Case>{
           {"log: { backend: file, url: nats://x:4222 }", "log.url"},
           {"log: { backend: memory, replicas: 3 }", "log.replicas"},
           {"log: { backend: jetstream, dir: /tmp }", "log.dir"},
           {"log: { backend: jetstream, url: \" , \" }", "log.url"},
           {"log: { backend: jetstream, url: \"nats://a:4222 nats://b:4222\" }", "log.url"},
           {"log: { backend: jetstream, max_events: 5 }", "log.max_events"},
           {"log: { backend: jetstream, stream: a.b }", "log.stream"},
           {"log: { backend: jetstream, subject_prefix: \"a.*\" }", "log.subject_prefix"},
           {"log: { backend: jetstream, subject_prefix: a..b }", "log.subject_prefix"},
           {"log: { backend: jetstream, replicas: 0 }", "log.replicas"},
           {"log: { backend: jetstream, replicas: 7 }", "log.replicas"},
           {"log: { backend: jetstream, max_age: 1m, duplicate_window: 2m }",
            "log.duplicate_window"},
           {"log: { backend: jetstream, ack_timeout: 0s }", "log.ack_timeout"},
       }) {
    absl::StatusOr<Config> config = ParseConfig(absl::StrCat(c.log, "\n", kMinimal), Env({}));
    EXPECT_FALSE(config.ok()) << c.log;
    EXPECT_THAT(config.status().message(), HasSubstr(c.key)) << c.log;
  }
}

TEST(ParseConfigTest, LogKeysOfTheOtherBackendAreErrors) {
  struct Case {
    std::string log;
    std::string key;
  };
  for (const Case& c : std::vector<Case>{
           {"log: { backend: memory, dir: /tmp }", "log.dir"},
           {"log: { backend: memory, retention: { bytes: 1MiB } }", "log.retention"},
           {"log: { backend: file, max_events: 5 }", "log.max_events"},
           {"log: { backend: file, fsync: sometimes }", "log.fsync"},
           {"log: { backend: file, retention: { size: 1MiB } }", "log.retention.size"},
           {"log: { backend: file, segment_bytes: 100 }", "log.segment_bytes"},
           {"log: { backend: tape }", "log.backend"},
       }) {
    absl::StatusOr<Config> config = ParseConfig(absl::StrCat(c.log, "\n", kMinimal), Env({}));
    EXPECT_FALSE(config.ok()) << c.log;
    EXPECT_THAT(config.status().message(), HasSubstr(c.key)) << c.log;
  }
}

// ---- environment expansion ---------------------------------------------------

TEST(ParseConfigTest, ExpandsVariablesWithDefaults) {
  constexpr absl::string_view kYaml = R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["${SET:-unused}", "${UNSET:-fallback}", "${EMPTY:-for-empty}", "${UNSET:-}x",
              "a${SET}b${SET}c"]
)";
  absl::StatusOr<Config> config = ParseConfig(kYaml, Env({{"SET", "v"}, {"EMPTY", ""}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->sources[0].secrets,
              ::testing::ElementsAre("v", "fallback", "for-empty", "x", "avbvc"));
}

TEST(ParseConfigTest, DoubleDollarIsALiteralDollar) {
  constexpr absl::string_view kYaml = R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["pa$$word", "$${NOT_A_VAR}", "cost: 5$", "$x"]
)";
  absl::StatusOr<Config> config = ParseConfig(kYaml, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->sources[0].secrets,
              ::testing::ElementsAre("pa$word", "${NOT_A_VAR}", "cost: 5$", "$x"));
}

TEST(ParseConfigTest, UnsetVariableIsAnErrorNamingTheKeyAndVariable) {
  constexpr absl::string_view kYaml = R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["${CKEDITOR_SECRET}"]
)";
  ExpectErrorNaming(kYaml, "sources[0].secrets[0]");
  ExpectErrorNaming(kYaml, "CKEDITOR_SECRET");
  // Set but empty counts as unset: an empty secret would be no secret.
  ExpectErrorNaming(kYaml, "CKEDITOR_SECRET", Env({{"CKEDITOR_SECRET", ""}}));
}

TEST(ParseConfigTest, VariablesAreExpandedInEveryString) {
  constexpr absl::string_view kYaml = R"(
http:
  listen: ${HOST:-127.0.0.1}:${PORT}
sources:
  - name: ${NAME}
    provider: ckeditor-cloud-services
    secrets: [s]
)";
  absl::StatusOr<Config> config = ParseConfig(kYaml, Env({{"PORT", "8081"}, {"NAME", "d1"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.listen.ToString(), "127.0.0.1:8081");
  EXPECT_EQ(config->sources[0].name, "d1");
  ExpectErrorNaming(kYaml, "http.listen", Env({{"NAME", "d1"}}));
}

TEST(ParseConfigTest, MalformedReferencesAreErrors) {
  ExpectErrorNaming(R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["${UNTERMINATED"]
)",
                    "sources[0].secrets[0]");
  ExpectErrorNaming(R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["${}"]
)",
                    "sources[0].secrets[0]");
}

// ---- unknown keys and bad values ---------------------------------------------

TEST(ParseConfigTest, UnknownKeysAreErrorsNamingTheKey) {
  ExpectErrorNaming(R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secretz: ["s"]
)",
                    "sources[0].secretz");
  ExpectErrorNaming(R"(
http:
  listen: 0.0.0.0:1
  max_body: 1MiB
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "http.max_body");
  ExpectErrorNaming(R"(
grpc: {listen: "0.0.0.0:1", port: 2}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "grpc.port");
  ExpectErrorNaming(R"(
source:
  - name: docs
)",
                    "source: unknown key");
  ExpectErrorNaming(R"(
log: {backend: memory, retention: 1h}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "log.retention");
}

TEST(ParseConfigTest, BadDurationIsAnErrorNamingTheKey) {
  for (const char* duration : {"5 minutes", "five", "-5m", "5", "0s"}) {
    const std::string yaml = absl::StrCat(R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: [s]
    timestamp_tolerance: )",
                                          duration, "\n");
    ExpectErrorNaming(yaml, "sources[0].timestamp_tolerance");
  }
  ExpectErrorNaming(R"(
http: {read_timeout: soon}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "http.read_timeout");
}

// Every event stores its body, so a body larger than the largest event
// could never be stored, and the file log reads a longer record back as
// corruption: such a limit is refused, saying which bound it is over; the
// default follows a lower bound.
TEST(ParseConfigTest, MaxBodyBytesIsBoundedByWhatTheLogCanStore) {
  struct Case {
    std::string yaml;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"http: { max_body_bytes: 33MiB }",
            "http.max_body_bytes: 33MiB is more than grpc.max_event_bytes (32MiB)"},
           {"http: { max_body_bytes: 2MiB }\ngrpc: { max_event_bytes: 1MiB }",
            "http.max_body_bytes: 2MiB is more than grpc.max_event_bytes (1MiB)"},
           {"http: { max_body_bytes: 300MiB }\ngrpc: { max_event_bytes: 1GiB }",
            "http.max_body_bytes: 300MiB is more than the largest record the file log stores "
            "(256MiB)"},
           {"http: { max_body_bytes: 2GiB }\ngrpc: { max_event_bytes: 1GiB }\n"
            "log: { backend: memory }",
            "http.max_body_bytes: 2GiB is more than grpc.max_event_bytes (1GiB)"},
       }) {
    absl::StatusOr<Config> config = ParseConfig(absl::StrCat(c.yaml, "\n", kMinimal), Env({}));
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(c.message)) << c.yaml;
  }
  for (const std::string yaml :
       {"http: { max_body_bytes: 32MiB }",
        "http: { max_body_bytes: 256MiB }\ngrpc: { max_event_bytes: 1GiB }",
        "http: { max_body_bytes: 1GiB }\ngrpc: { max_event_bytes: 1GiB }\n"
        "log: { backend: memory }"}) {
    absl::StatusOr<Config> config = ParseConfig(absl::StrCat(yaml, "\n", kMinimal), Env({}));
    EXPECT_TRUE(config.ok()) << yaml << ": " << config.status();
  }
  absl::StatusOr<Config> lowered =
      ParseConfig(absl::StrCat("grpc: { max_event_bytes: 2MiB }\n", kMinimal), Env({}));
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  EXPECT_EQ(lowered->http.max_body_bytes, 2u << 20);
}

TEST(ParseConfigTest, BadSizesAndNumbersAreErrorsNamingTheKey) {
  ExpectErrorNaming(R"(
http: {max_body_bytes: 10 pages}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "http.max_body_bytes");
  ExpectErrorNaming(R"(
http: {max_header_bytes: 100}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "http.max_header_bytes");
  ExpectErrorNaming(R"(
log: {max_events: -1}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "log.max_events");
  ExpectErrorNaming(R"(
dedup: {max_entries: 0}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "dedup.max_entries");
  ExpectErrorNaming(R"(
http: {threads: 257}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "http.threads");
  ExpectErrorNaming(R"(
http: {idle_timeout: 0s}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "http.idle_timeout");
  ExpectErrorNaming(R"(
http: {listen: "localhost"}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "http.listen");
}

TEST(ParseConfigTest, UnknownBackendAndLevelAreErrors) {
  ExpectErrorNaming(R"(
log: {backend: postgres}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "log.backend");
  ExpectErrorNaming(R"(
logging: {level: verbose}
sources: [{name: docs, provider: ckeditor-cloud-services, secrets: [s]}]
)",
                    "logging.level");
}

// ---- sources ---------------------------------------------------------------------

TEST(ParseConfigTest, DuplicateSourceNamesAreAnError) {
  absl::StatusOr<Config> config = ParseConfig(R"(
sources:
  - {name: docs, provider: ckeditor-cloud-services, secrets: [a]}
  - {name: docs, provider: ckbox, secrets: [b]}
)",
                                              Env({}));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("sources[1].name"));
  EXPECT_THAT(config.status().message(), HasSubstr("duplicate"));
}

TEST(ParseConfigTest, UnknownProviderIsAnErrorListingTheKnownOnes) {
  absl::StatusOr<Config> config = ParseConfig(R"(
sources:
  - {name: docs, provider: ckeditor, secrets: [a]}
)",
                                              Env({}));
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("sources[0].provider"));
  EXPECT_THAT(config.status().message(), HasSubstr("\"ckeditor\""));
  EXPECT_THAT(config.status().message(), HasSubstr("ckeditor-cloud-services"));
}

TEST(ParseConfigTest, SourcesMustBeANonEmptyList) {
  ExpectErrorNaming("sources: []\n", "sources");
  ExpectErrorNaming("sources: docs\n", "sources");
  ExpectErrorNaming("http: {listen: \"0.0.0.0:1\"}\n", "sources");
}

TEST(ParseConfigTest, SourceFieldsAreValidated) {
  ExpectErrorNaming("sources: [{provider: ckbox, secrets: [a]}]\n", "sources[0].name");
  ExpectErrorNaming("sources: [{name: docs, secrets: [a]}]\n", "sources[0].provider");
  ExpectErrorNaming("sources: [{name: Docs, provider: ckbox, secrets: [a]}]\n", "sources[0].name");
  ExpectErrorNaming("sources: [{name: a/b, provider: ckbox, secrets: [a]}]\n", "sources[0].name");
  ExpectErrorNaming("sources: [{name: docs, provider: ckbox}]\n", "sources[0].secrets");
  ExpectErrorNaming("sources: [{name: docs, provider: ckbox, secrets: []}]\n",
                    "sources[0].secrets");
  ExpectErrorNaming("sources: [{name: docs, provider: ckbox, secrets: s}]\n", "sources[0].secrets");
  ExpectErrorNaming("sources: [{name: docs, provider: ckbox, secrets: [a, \"\"]}]\n",
                    "sources[0].secrets[1]");
}

// ---- path_token ------------------------------------------------------------------

TEST(ParseConfigTest, ParsesAPathToken) {
  constexpr absl::string_view kYaml = R"(
sources:
  - name: community
    provider: cand
    path_token: ${CAND_TOKEN}
  - name: docs
    provider: ckeditor-cloud-services
    secrets: [s]
    path_token: "Az09-_.~Az09-_.~"
)";
  // `openssl rand -hex 24`, as the error message suggests.
  const EnvLookup env = Env({{"CAND_TOKEN", "3f1c9a0e7b2d4c6f8a1e3b5d7c9f0a2e4b6d8c0e1f3a5b7c"}});
  absl::StatusOr<Config> config = ParseConfig(kYaml, env);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->sources.size(), 2u);
  EXPECT_EQ(config->sources[0].provider, "cand");
  EXPECT_EQ(config->sources[0].path_token, "3f1c9a0e7b2d4c6f8a1e3b5d7c9f0a2e4b6d8c0e1f3a5b7c");
  EXPECT_TRUE(config->sources[0].secrets.empty());
  // Any provider may add a token to its signature.
  EXPECT_EQ(config->sources[1].path_token, "Az09-_.~Az09-_.~");
}

TEST(ParseConfigTest, NoPathTokenByDefault) {
  absl::StatusOr<Config> config = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->sources[0].path_token, "");
}

TEST(ParseConfigTest, CandRequiresAPathToken) {
  absl::StatusOr<Config> config = ParseConfig(R"(
sources:
  - {name: community, provider: cand}
)",
                                              Env({}));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("sources[0].path_token"));
  EXPECT_THAT(config.status().message(), HasSubstr("cand"));
  // Secrets do not replace it.
  ExpectErrorNaming(R"(
sources:
  - {name: docs, provider: ckbox, secrets: [s]}
  - {name: community, provider: cand, secrets: [s]}
)",
                    "sources[1].path_token");
}

TEST(ParseConfigTest, PathTokenMustBeLongEnough) {
  // kMinPathTokenLength characters, after environment expansion.
  ExpectErrorNaming("sources: [{name: c, provider: cand, path_token: 0123456789abcde}]\n",
                    "sources[0].path_token");
  ExpectErrorNaming("sources: [{name: c, provider: cand, path_token: \"${T:-short}\"}]\n",
                    "sources[0].path_token");
  ExpectErrorNaming("sources: [{name: c, provider: cand, path_token: \"\"}]\n",
                    "sources[0].path_token");
  ExpectErrorNaming("sources: [{name: d, provider: ckbox, secrets: [s], path_token: too-short}]\n",
                    "sources[0].path_token");
  ASSERT_EQ(kMinPathTokenLength, 16u);
  absl::StatusOr<Config> config =
      ParseConfig("sources: [{name: c, provider: cand, path_token: 0123456789abcdef}]\n", Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->sources[0].path_token, "0123456789abcdef");
}

TEST(ParseConfigTest, PathTokenMustBeUrlSafe) {
  for (const char* token :
       {"0123456789abcdef/", "0123456789/abcdef", "0123456789abcdef?x", "0123456789abcdef#x",
        "0123456789abcdef%2F", "0123456789 abcdef", "0123456789abcdef+",
        "0123456789abcdef=", "0123456789abcdefé", "0123456789abcdef&", "0123456789abcdef:"}) {
    ExpectErrorNaming(
        absl::StrCat("sources: [{name: c, provider: cand, path_token: \"", token, "\"}]\n"),
        "sources[0].path_token");
  }
}

TEST(ParseConfigTest, PathTokenMustBeAScalar) {
  ExpectErrorNaming("sources: [{name: c, provider: cand, path_token: [a, b]}]\n",
                    "sources[0].path_token");
}

// ---- event_type and subject ----------------------------------------------------------

TEST(ParseConfigTest, ParsesEventTypeAndSubjectLocations) {
  absl::StatusOr<Config> config = ParseConfig(R"(
sources:
  - name: hooks
    provider: standard-webhooks
    secrets: ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]
    event_type: {header: X-Event-Type}
    subject: {field: data.object.id}
  - name: gh
    provider: github
    secrets: [s]
    event_type:
      field: meta.kind
  - name: pay
    provider: stripe
    secrets: [whsec_x]
    subject: {header: "${SUBJECT_HEADER}"}
)",
                                              Env({{"SUBJECT_HEADER", "X-Object"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->sources.size(), 3u);
  EXPECT_EQ(config->sources[0].event_type.kind, ValueLocation::Kind::kHeader);
  EXPECT_EQ(config->sources[0].event_type.name, "X-Event-Type");
  EXPECT_EQ(config->sources[0].subject.kind, ValueLocation::Kind::kField);
  EXPECT_EQ(config->sources[0].subject.name, "data.object.id");
  EXPECT_EQ(config->sources[1].event_type.kind, ValueLocation::Kind::kField);
  EXPECT_EQ(config->sources[1].event_type.name, "meta.kind");
  EXPECT_TRUE(config->sources[1].subject.empty());
  EXPECT_TRUE(config->sources[2].event_type.empty());
  EXPECT_EQ(config->sources[2].subject.kind, ValueLocation::Kind::kHeader);
  EXPECT_EQ(config->sources[2].subject.name, "X-Object");
}

TEST(ParseConfigTest, LocationsDefaultToNone) {
  absl::StatusOr<Config> config =
      ParseConfig("sources: [{name: gh, provider: github, secrets: [s]}]\n", Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->sources[0].event_type.empty());
  EXPECT_TRUE(config->sources[0].subject.empty());
  EXPECT_EQ(config->sources[0].event_type.kind, ValueLocation::Kind::kNone);
}

TEST(ParseConfigTest, LocationsAreOnlyForGenericProviders) {
  for (const char* key : {"event_type", "subject"}) {
    for (const char* source :
         {"{name: docs, provider: ckeditor-cloud-services, secrets: [s], ",
          "{name: assets, provider: ckbox, secrets: [s], ",
          "{name: community, provider: cand, path_token: 0123456789abcdef, "}) {
      const std::string yaml = absl::StrCat("sources: [", source, key, ": {header: X-Type}}]\n");
      absl::StatusOr<Config> config = ParseConfig(yaml, Env({}));
      ASSERT_FALSE(config.ok()) << yaml;
      EXPECT_THAT(config.status().message(), HasSubstr(absl::StrCat("sources[0].", key))) << yaml;
      EXPECT_THAT(config.status().message(), HasSubstr("generic")) << yaml;
    }
  }
}

TEST(ParseConfigTest, LocationsNeedExactlyOneOfHeaderOrField) {
  for (const char* key : {"event_type", "subject"}) {
    const std::string prefix = "sources: [{name: gh, provider: github, secrets: [s], ";
    const std::string path = absl::StrCat("sources[0].", key);
    // Both, neither.
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {header: X-A, field: a}}]\n"), path);
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {}}]\n"), path);
    // Not a mapping.
    ExpectErrorNaming(absl::StrCat(prefix, key, ": X-GitHub-Event}]\n"), path);
    ExpectErrorNaming(absl::StrCat(prefix, key, ": [X-GitHub-Event]}]\n"), path);
    // Unknown key: named with its own path.
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {json: a.b}}]\n"), path + ".json");
    // Empty or non-scalar names.
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {header: \"\"}}]\n"), path);
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {field: \"\"}}]\n"), path);
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {field: [a]}}]\n"), path + ".field");
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {header: {a: b}}}]\n"), path + ".header");
    ExpectErrorNaming(absl::StrCat(prefix, key, ": {header: \"${UNSET}\"}}]\n"), path + ".header");
  }
}

TEST(ParseConfigTest, ErrorsNameTheSourceIndex) {
  ExpectErrorNaming(R"(
sources:
  - {name: docs, provider: ckeditor-cloud-services, secrets: [s]}
  - {name: gh, provider: github, secrets: [s], event_type: {header: A, field: b}}
)",
                    "sources[1].event_type");
  ExpectErrorNaming(R"(
sources:
  - {name: docs, provider: ckeditor-cloud-services, secrets: [s]}
  - {name: gh, provider: github, secrets: [s]}
  - {name: c, provider: cand, path_token: "0123456789abcdef?"}
)",
                    "sources[2].path_token");
}

TEST(ParseConfigTest, GenericProvidersNeedSecrets) {
  for (const char* provider : {"standard-webhooks", "github", "stripe"}) {
    ExpectErrorNaming(absl::StrCat("sources: [{name: s, provider: ", provider, "}]\n"),
                      "sources[0].secrets");
  }
}

TEST(ParseConfigTest, EmptyOrInvalidYamlIsAnError) {
  EXPECT_EQ(ParseConfig("", Env({})).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig("sources: [", Env({})).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseConfig("- just\n- a list\n", Env({})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseConfigTest, ConnectionLimitsAndPlainListenersByDefault) {
  absl::StatusOr<Config> config = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.max_connections, 1024u);
  EXPECT_EQ(config->http.max_requests_per_connection, 1000u);
  EXPECT_FALSE(config->http.tls.enabled());
  EXPECT_FALSE(config->grpc.tls.enabled());
}

TEST(ParseConfigTest, ParsesConnectionLimits) {
  const std::string yaml =
      absl::StrCat("http: { max_connections: 10, max_requests_per_connection: 1 }\n", kMinimal);
  absl::StatusOr<Config> config = ParseConfig(yaml, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.max_connections, 10u);
  EXPECT_EQ(config->http.max_requests_per_connection, 1u);
}

TEST(ParseConfigTest, ConnectionLimitsMustBePositiveWholeNumbers) {
  for (const char* key : {"max_connections", "max_requests_per_connection"}) {
    for (const char* value : {"0", "-1", "lots", "1000001", "[1]"}) {
      ExpectErrorNaming(absl::StrCat("http: { ", key, ": ", value, " }\n", kMinimal),
                        absl::StrCat("http.", key));
    }
  }
}

TEST(ParseConfigTest, ParsesTlsForHttpAndGrpc) {
  const std::string yaml = absl::StrCat(R"(
http:
  tls: { cert_file: /tls/http.crt, key_file: "${KEY_DIR}/http.key" }
grpc:
  listen: "127.0.0.1:5000"
  tls:
    cert_file: /tls/grpc.crt
    key_file: /tls/grpc.key
    client_ca_file: /tls/clients.crt
)",
                                        kMinimal);
  absl::StatusOr<Config> config = ParseConfig(yaml, Env({{"KEY_DIR", "/secret"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->http.tls.enabled());
  EXPECT_EQ(config->http.tls.cert_file, "/tls/http.crt");
  EXPECT_EQ(config->http.tls.key_file, "/secret/http.key");
  EXPECT_EQ(config->http.tls.client_ca_file, "");
  EXPECT_EQ(config->grpc.listen.ToString(), "127.0.0.1:5000");
  EXPECT_TRUE(config->grpc.tls.enabled());
  EXPECT_EQ(config->grpc.tls.cert_file, "/tls/grpc.crt");
  EXPECT_EQ(config->grpc.tls.key_file, "/tls/grpc.key");
  EXPECT_EQ(config->grpc.tls.client_ca_file, "/tls/clients.crt");
}

TEST(ParseConfigTest, TlsErrorsNameTheKey) {
  for (const char* section : {"http", "grpc"}) {
    const std::string p = absl::StrCat(section, ".tls");
    auto yaml = [&](absl::string_view tls) {
      return absl::StrCat(section, ": { tls: ", tls, " }\n", kMinimal);
    };
    ExpectErrorNaming(yaml("{ key_file: k.pem }"), p + ".cert_file");
    ExpectErrorNaming(yaml("{ cert_file: c.pem }"), p + ".key_file");
    ExpectErrorNaming(yaml("{ cert_file: \"\", key_file: k.pem }"), p + ".cert_file");
    ExpectErrorNaming(yaml("{ cert_file: c.pem, key_file: \"\" }"), p + ".key_file");
    ExpectErrorNaming(yaml("{ cert_file: c.pem, key_file: k.pem, client_ca_file: \"\" }"),
                      p + ".client_ca_file");
    ExpectErrorNaming(yaml("{ cert_file: c.pem, key_file: k.pem, ca_file: ca.pem }"),
                      p + ".ca_file");
    ExpectErrorNaming(yaml("[c.pem, k.pem]"), p);
    ExpectErrorNaming(yaml("{ cert_file: [c.pem], key_file: k.pem }"), p + ".cert_file");
  }
  ExpectErrorNaming(absl::StrCat("grpc: { tls_cert: c.pem }\n", kMinimal), "grpc.tls_cert");
}

TEST(ParseConfigTest, AuthIsOnWithNoTokensByDefault) {
  absl::StatusOr<Config> config = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->auth.enabled);
  EXPECT_TRUE(config->auth.tokens.empty());
}

TEST(ParseConfigTest, ParsesAuthTokensWithHashesFromTheEnvironment) {
  const std::string hash(64, 'A');
  absl::StatusOr<Config> config =
      ParseConfig(absl::StrCat(kMinimal, R"(
auth:
  tokens:
    - name: search-indexer
      sha256: "${INDEXER_TOKEN_SHA256}"
      sources: [docs]
      types: ["comment.*", "document.removed"]
    - { name: audit, sha256: ")",
                               std::string(64, 'b'), R"(", sources: ["*"], types: ["*"] }
)"),
                  Env({{"INDEXER_TOKEN_SHA256", hash}}));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->auth.tokens.size(), 2u);
  const TokenConfig& indexer = config->auth.tokens[0];
  EXPECT_EQ(indexer.name, "search-indexer");
  EXPECT_EQ(indexer.sha256, std::string(64, 'a'));  // lowercased
  EXPECT_EQ(indexer.sources, std::vector<std::string>{"docs"});
  EXPECT_EQ(indexer.types, (std::vector<std::string>{"comment.*", "document.removed"}));
  EXPECT_EQ(config->auth.tokens[1].name, "audit");
}

TEST(ParseConfigTest, AuthCanBeDisabled) {
  absl::StatusOr<Config> config =
      ParseConfig(absl::StrCat(kMinimal, "auth: { enabled: false }\n"), Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->auth.enabled);
}

TEST(ParseConfigTest, AuthErrorsNameTheKey) {
  const std::string hash(64, 'a');
  ExpectErrorNaming(absl::StrCat(kMinimal, "auth: { enabled: maybe }\n"), "auth.enabled");
  ExpectErrorNaming(absl::StrCat(kMinimal, "auth: { tokenz: [] }\n"), "tokenz");
  ExpectErrorNaming(absl::StrCat(kMinimal, "auth: { tokens: {} }\n"), "auth.tokens");
  ExpectErrorNaming(absl::StrCat(kMinimal, "auth: { tokens: [ { sha256: \"", hash,
                                 "\", sources: [\"*\"], types: [\"*\"] } ] }\n"),
                    "auth.tokens[0].name");
  // The token itself instead of its hash.
  ExpectErrorNaming(absl::StrCat(kMinimal,
                                 "auth: { tokens: [ { name: a, sha256: \"my-secret-token\", "
                                 "sources: [\"*\"], types: [\"*\"] } ] }\n"),
                    "auth.tokens[0].sha256");
  // An unset variable leaves an empty hash, which is refused, not a token
  // that matches nothing silently.
  ExpectErrorNaming(absl::StrCat(kMinimal,
                                 "auth: { tokens: [ { name: a, sha256: \"${UNSET_HASH:-}\", "
                                 "sources: [\"*\"], types: [\"*\"] } ] }\n"),
                    "auth.tokens[0].sha256");
  // A grant must be explicit: an empty or missing list is an error.
  ExpectErrorNaming(absl::StrCat(kMinimal, "auth: { tokens: [ { name: a, sha256: \"", hash,
                                 "\", sources: [], types: [\"*\"] } ] }\n"),
                    "auth.tokens[0].sources");
  ExpectErrorNaming(absl::StrCat(kMinimal, "auth: { tokens: [ { name: a, sha256: \"", hash,
                                 "\", sources: [\"*\"] } ] }\n"),
                    "auth.tokens[0].types");
}

// The TLS example of README.md ("TLS"), verbatim.
TEST(ParseConfigTest, ParsesTheReadmeTlsExample) {
  const std::string yaml = absl::StrCat(R"(
http:
  listen: "0.0.0.0:8443"
  tls: { cert_file: /etc/hookbridge/tls/tls.crt, key_file: /etc/hookbridge/tls/tls.key }
grpc:
  listen: "0.0.0.0:50051"
  tls:
    cert_file: /etc/hookbridge/tls/tls.crt
    key_file: /etc/hookbridge/tls/tls.key
    client_ca_file: /etc/hookbridge/tls/subscribers-ca.crt   # mutual TLS: optional
)",
                                        kMinimal);
  absl::StatusOr<Config> config = ParseConfig(yaml, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.listen.port, 8443);
  EXPECT_EQ(config->http.tls.key_file, "/etc/hookbridge/tls/tls.key");
  EXPECT_EQ(config->http.tls.client_ca_file, "");
  EXPECT_EQ(config->grpc.tls.client_ca_file, "/etc/hookbridge/tls/subscribers-ca.crt");
}

TEST(ParseConfigTest, AdminListenerHasNoTlsOrConnectionKeys) {
  ExpectErrorNaming(
      absl::StrCat("admin: { listen: \"127.0.0.1:1\", tls: { cert_file: c, key_file: k } }\n",
                   kMinimal),
      "admin.tls");
  // It shares http.max_connections (server/descriptors.h counts it twice).
  ExpectErrorNaming(absl::StrCat("admin: { max_connections: 5 }\n", kMinimal),
                    "admin.max_connections");
}

TEST(ParseConfigTest, ConsoleKeys) {
  absl::StatusOr<Config> defaults = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_TRUE(defaults->admin.console);
  EXPECT_EQ(defaults->admin.console_deliveries, 500u);
  EXPECT_EQ(defaults->admin.console_bytes, 4u << 20);
  EXPECT_EQ(defaults->admin.console_body_preview_bytes, 2048u);

  absl::StatusOr<Config> config =
      ParseConfig(absl::StrCat("admin: { console: false, console_deliveries: 50, console_bytes: "
                               "1MiB, console_body_preview_bytes: 0 }\n",
                               kMinimal),
                  Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->admin.console);
  EXPECT_EQ(config->admin.console_deliveries, 50u);
  EXPECT_EQ(config->admin.console_bytes, 1u << 20);
  EXPECT_EQ(config->admin.console_body_preview_bytes, 0u);

  ExpectErrorNaming(absl::StrCat("admin: { console: maybe }\n", kMinimal), "admin.console");
  ExpectErrorNaming(absl::StrCat("admin: { console_deliveries: 0 }\n", kMinimal),
                    "admin.console_deliveries");
  ExpectErrorNaming(absl::StrCat("admin: { console_deliveries: 100001 }\n", kMinimal),
                    "admin.console_deliveries");
  ExpectErrorNaming(absl::StrCat("admin: { console_bytes: 1KiB }\n", kMinimal),
                    "admin.console_bytes");
  ExpectErrorNaming(absl::StrCat("admin: { console_body_preview_bytes: 1MiB }\n", kMinimal),
                    "admin.console_body_preview_bytes");
  ExpectErrorNaming(absl::StrCat("admin: { console_body_preview_bytes: lots }\n", kMinimal),
                    "admin.console_body_preview_bytes");
}

TEST(ParseConfigTest, ConsoleAccessKeys) {
  absl::StatusOr<Config> defaults = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_TRUE(defaults->admin.allowed_hosts.empty());
  EXPECT_EQ(defaults->admin.console_token_sha256, "");

  const std::string hash(64, 'A');
  absl::StatusOr<Config> config = ParseConfig(
      absl::StrCat("admin:\n  allowed_hosts: [Hookbridge-Admin.hooks.svc., console.example]\n"
                   "  console_token_sha256: \"${CONSOLE_SHA}\"\n",
                   kMinimal),
      Env({{"CONSOLE_SHA", hash}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->admin.allowed_hosts,
            (std::vector<std::string>{"hookbridge-admin.hooks.svc", "console.example"}));
  EXPECT_EQ(config->admin.console_token_sha256, std::string(64, 'a'));
  // Empty (an unset ${VAR:-}): no token.
  absl::StatusOr<Config> empty =
      ParseConfig(absl::StrCat("admin: { console_token_sha256: \"\" }\n", kMinimal), Env({}));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->admin.console_token_sha256, "");

  for (const char* hosts : {"[\"console.example:9090\"]", "[\"http://console.example\"]",
                            "[\"[::1]\"]", "[\"\"]", "[\".example\"]", "console.example"}) {
    ExpectErrorNaming(absl::StrCat("admin: { allowed_hosts: ", hosts, " }\n", kMinimal),
                      "admin.allowed_hosts");
  }
  ExpectErrorNaming(absl::StrCat("admin: { console_token_sha256: abc }\n", kMinimal),
                    "admin.console_token_sha256");
  ExpectErrorNaming(
      absl::StrCat("admin: { console_token_sha256: ", std::string(64, 'g'), " }\n", kMinimal),
      "admin.console_token_sha256");
}

TEST(ParseConfigTest, PayloadAndSubscriberLimitsHaveSafeDefaults) {
  absl::StatusOr<Config> config = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.max_json_depth, 32);
  EXPECT_EQ(config->http.rate_limit.per_second, 1000);
  EXPECT_EQ(config->http.rate_limit.burst, 2000);
  EXPECT_FALSE(config->sources[0].rate_limit.has_value());
  EXPECT_EQ(config->grpc.max_subscribers, 10000u);
  EXPECT_EQ(config->grpc.max_filter_patterns, 64u);
}

TEST(ParseConfigTest, ParsesPayloadAndSubscriberLimits) {
  const std::string yaml = R"(
http:
  max_json_depth: 8
  rate_limit: { per_second: 0.5, burst: 3 }
grpc: { max_subscribers: 2, max_filter_patterns: 5 }
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["s3cret"]
    rate_limit: { per_second: 20 }
  - name: assets
    provider: ckbox
    secrets: ["s3cret"]
  - name: hooks
    provider: github
    secrets: ["s3cret"]
    rate_limit: { per_second: 0 }
)";
  absl::StatusOr<Config> config = ParseConfig(yaml, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.max_json_depth, 8);
  EXPECT_EQ(config->http.rate_limit.per_second, 0.5);
  EXPECT_EQ(config->http.rate_limit.burst, 3);
  ASSERT_TRUE(config->sources[0].rate_limit.has_value());
  EXPECT_EQ(config->sources[0].rate_limit->per_second, 20);
  EXPECT_EQ(config->sources[0].rate_limit->burst, 20);  // defaults to per_second
  EXPECT_FALSE(config->sources[1].rate_limit.has_value());
  ASSERT_TRUE(config->sources[2].rate_limit.has_value());
  EXPECT_TRUE(config->sources[2].rate_limit->unlimited());
  EXPECT_EQ(config->grpc.max_subscribers, 2u);
  EXPECT_EQ(config->grpc.max_filter_patterns, 5u);
}

TEST(ParseConfigTest, ParsesTheGrpcConnectionLimits) {
  absl::StatusOr<Config> defaults = ParseConfig(kMinimal, Env({}));
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->grpc.max_connections, 1024u);
  EXPECT_EQ(defaults->grpc.max_streams_per_token, 1000u);
  EXPECT_EQ(defaults->grpc.idle_timeout, absl::Minutes(5));
  EXPECT_EQ(defaults->grpc.max_connection_age, absl::Hours(1));
  EXPECT_EQ(defaults->grpc.max_connection_age_grace, absl::Minutes(5));
  EXPECT_EQ(defaults->grpc.handshake_timeout, absl::Seconds(10));

  absl::StatusOr<Config> config = ParseConfig(
      absl::StrCat("grpc: { max_connections: 64, max_streams_per_token: 3, idle_timeout: 0, "
                   "max_connection_age: 30m, max_connection_age_grace: 0s, "
                   "handshake_timeout: 2s }\n",
                   kMinimal),
      Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->grpc.max_connections, 64u);
  EXPECT_EQ(config->grpc.max_streams_per_token, 3u);
  EXPECT_EQ(config->grpc.idle_timeout, absl::ZeroDuration());
  EXPECT_EQ(config->grpc.max_connection_age, absl::Minutes(30));
  EXPECT_EQ(config->grpc.max_connection_age_grace, absl::ZeroDuration());
  EXPECT_EQ(config->grpc.handshake_timeout, absl::Seconds(2));

  const std::pair<const char*, const char*> bad[] = {
      {"max_connections: 0", "grpc.max_connections"},
      {"max_streams_per_token: 0", "grpc.max_streams_per_token"},
      {"idle_timeout: 500ms", "grpc.idle_timeout"},
      {"max_connection_age: 200h", "grpc.max_connection_age"},
      {"handshake_timeout: 0", "grpc.handshake_timeout"},
      {"max_connection_age_grace: soon", "grpc.max_connection_age_grace"},
  };
  for (const auto& [entry, key] : bad) {
    ExpectErrorNaming(absl::StrCat("grpc: { ", entry, " }\n", kMinimal), key);
  }
}

TEST(ParseConfigTest, FractionalRateDefaultsToABurstOfOne) {
  absl::StatusOr<Config> config =
      ParseConfig(absl::StrCat("http: { rate_limit: { per_second: 0.1 } }\n", kMinimal), Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->http.rate_limit.burst, 1);
}

TEST(ParseConfigTest, PayloadAndSubscriberLimitErrorsNameTheKey) {
  for (const char* value : {"0", "33", "-1", "deep", "[1]"}) {
    ExpectErrorNaming(absl::StrCat("http: { max_json_depth: ", value, " }\n", kMinimal),
                      "http.max_json_depth");
  }
  for (const char* value : {"0", "1000001", "many"}) {
    ExpectErrorNaming(absl::StrCat("grpc: { max_subscribers: ", value, " }\n", kMinimal),
                      "grpc.max_subscribers");
  }
  for (const char* value : {"0", "513", "x"}) {
    ExpectErrorNaming(absl::StrCat("grpc: { max_filter_patterns: ", value, " }\n", kMinimal),
                      "grpc.max_filter_patterns");
  }
  const std::pair<const char*, const char*> bad_limits[] = {
      {"{ burst: 5 }", "http.rate_limit.per_second"},
      {"{ per_second: -1 }", "http.rate_limit.per_second"},
      {"{ per_second: fast }", "http.rate_limit.per_second"},
      {"{ per_second: nan }", "http.rate_limit.per_second"},
      {"{ per_second: 2000000 }", "http.rate_limit.per_second"},
      {"{ per_second: 5, burst: 0 }", "http.rate_limit.burst"},
      {"{ per_second: 5, burst: 1.5 }", "http.rate_limit.burst"},
      {"{ per_second: 0, burst: 5 }", "http.rate_limit.burst"},
      {"{ per_second: 5, bursts: 5 }", "http.rate_limit.bursts"},
      {"100", "http.rate_limit"},
  };
  for (const auto& [limit, key] : bad_limits) {
    ExpectErrorNaming(absl::StrCat("http: { rate_limit: ", limit, " }\n", kMinimal), key);
  }
  ExpectErrorNaming(R"(
sources:
  - name: docs
    provider: ckeditor-cloud-services
    secrets: ["s3cret"]
    rate_limit: { per_second: 1, burst: 0 }
)",
                    "sources[0].rate_limit.burst");
}

TEST(LoadConfigFileTest, ReadsAFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("hookbridge_config_test_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << kMinimal;
  }
  absl::StatusOr<Config> config = LoadConfigFile(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_EQ(config->sources[0].name, "docs");
}

TEST(LoadConfigFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadConfigFile("/nonexistent/hookbridge.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

// ---- ParseListenAddress --------------------------------------------------------

TEST(ParseListenAddressTest, ParsesHostAndPort) {
  absl::StatusOr<ListenAddress> a = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);

  a = ParseListenAddress("localhost:0");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, 0);

  a = ParseListenAddress("0.0.0.0:65535");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->port, 65535);
}

TEST(ParseListenAddressTest, ParsesBracketedIpv6) {
  absl::StatusOr<ListenAddress> a = ParseListenAddress("[::1]:80");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 80);
  EXPECT_EQ(a->ToString(), "[::1]:80");

  a = ParseListenAddress("[2001:db8::7]:50051");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "2001:db8::7");
  EXPECT_EQ(a->ToString(), "[2001:db8::7]:50051");

  a = ParseListenAddress("[::]:0");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "::");
}

TEST(ParseListenAddressTest, RejectsMalformedAddresses) {
  for (absl::string_view bad : {"", "8080", ":8080", "host:", "host:http", "host:65536", "host:-1",
                                "::1:80", "[::1]", "[::1]80", "[::1:80", "[]:80", "host:80:81",
                                // Found by config_fuzzer: a host "[a" or "a]" does not
                                // round-trip through ToString().
                                "[[a]:80", "[[::1]:80", "a]:80", "a[:80"}) {
    EXPECT_EQ(ParseListenAddress(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ListenAddressTest, ToStringRoundTrips) {
  for (absl::string_view text : {"0.0.0.0:8080", "[::1]:9090", "example.com:1"}) {
    absl::StatusOr<ListenAddress> a = ParseListenAddress(text);
    ASSERT_TRUE(a.ok()) << text;
    EXPECT_EQ(a->ToString(), text);
  }
}

// ---- ParseByteSize ----------------------------------------------------------------

TEST(ParseByteSizeTest, ParsesUnits) {
  const std::pair<const char*, uint64_t> kCases[] = {
      {"0", 0},
      {"1048576", 1048576},
      {"512B", 512},
      {"512KiB", 512ull << 10},
      {"10MiB", 10ull << 20},
      {"1GiB", 1ull << 30},
      {"10KB", 10000},
      {"10MB", 10000000},
      {"2GB", 2000000000},
      {" 10 MiB ", 10ull << 20},
      {"18446744073709551615", UINT64_MAX},
  };
  for (const auto& [text, bytes] : kCases) {
    absl::StatusOr<uint64_t> parsed = ParseByteSize(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, bytes) << text;
  }
}

TEST(ParseByteSizeTest, RejectsOtherText) {
  for (absl::string_view bad : {"", "MiB", "B", "ten", "1.5MiB", "-1", "10 pages", "10TiB", "10mib",
                                "16777216TiB", "17179869184GiB", "18446744073709551616"}) {
    absl::StatusOr<uint64_t> parsed = ParseByteSize(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace hookbridge

namespace hookbridge {
namespace {

TEST(ParseConfigTest, DeclaredConsumers) {
  const std::string yaml = absl::StrCat(R"(
consumers:
  - name: indexer
    sources: ["docs"]
    types: ["comment.*"]
    start: 42
    ack_deadline: 45s
    max_deliveries: 0
    ordering: per_subject
    max_outstanding: 10
  - name: audit
    start: "2026-01-02T03:04:05Z"
)",
                                        kMinimal);
  absl::StatusOr<Config> config = ParseConfig(yaml, Env({}));
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->consumers.size(), 2u);
  const v1::ConsumerConfig& indexer = config->consumers[0];
  EXPECT_EQ(indexer.name(), "indexer");
  EXPECT_THAT(indexer.sources(), ::testing::ElementsAre("docs"));
  EXPECT_THAT(indexer.types(), ::testing::ElementsAre("comment.*"));
  EXPECT_EQ(indexer.after_sequence(), 42u);
  EXPECT_EQ(indexer.ack_deadline().seconds(), 45);
  ASSERT_TRUE(indexer.has_max_deliveries());
  EXPECT_EQ(indexer.max_deliveries(), 0u);  // unlimited, not unset
  EXPECT_EQ(indexer.ordering(), v1::CONSUMER_ORDERING_PER_SUBJECT);
  EXPECT_EQ(indexer.max_outstanding(), 10u);
  const v1::ConsumerConfig& audit = config->consumers[1];
  EXPECT_EQ(audit.since().seconds(), 1767323045);
  EXPECT_TRUE(audit.types().empty());
  EXPECT_FALSE(audit.has_max_deliveries());
}

TEST(ParseConfigTest, BadConsumersNameTheKey) {
  const std::string m(kMinimal);
  ExpectErrorNaming("consumers: [ { name: a, ordering: fifo } ]\n" + m, "consumers[0].ordering");
  ExpectErrorNaming("consumers: [ { name: a, start: yesterday } ]\n" + m, "consumers[0].start");
  ExpectErrorNaming("consumers: [ { name: Bad Name } ]\n" + m, "consumers[0]");
  ExpectErrorNaming("consumers: [ { name: a }, { name: a } ]\n" + m, "declared twice");
  ExpectErrorNaming("consumers: [ { name: a, ack_deadline: 0s } ]\n" + m, "ack_deadline");
  ExpectErrorNaming("consumers: [ { types: [x] } ]\n" + m, "consumers[0].name");
  ExpectErrorNaming("auth: { tokens: [ { name: t, sha256: \"" + std::string(64, 'a') +
                        "\", sources: [\"*\"], types: [\"*\"], manage_consumers: maybe } ] }\n" + m,
                    "manage_consumers");
}

}  // namespace
}  // namespace hookbridge
