// docs/CONFIG.md against the code: every key the loader accepts is
// documented, every documented key exists, and every documented default is
// the real one. Accepted keys come from the loader itself (the keys its
// "unknown key" errors list, and the log backend table); defaults from
// DescribeConfig and DescribeLog of a parsed minimal config.
//
// What the test reads of the document: a heading's `backticked` paths name
// the mappings its tables document (`backend: X` is the log backend X); a
// table whose header starts "| key |" lists keys, one `backticked` key per
// row; with a "default" column, a `backticked` default is compared with the
// code's, and a default without backticks ("required", "per provider")
// says the key has none of its own.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bridge/config.h"
#include "bridge/log/backend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

constexpr char kMinimal[] =
    "sources: [{ name: docs, provider: ckeditor-cloud-services, secrets: [s] }]\n";

EnvLookup NoEnv() {
  return [](absl::string_view) -> std::optional<std::string> { return std::nullopt; };
}

// The `backticked` spans of `text`.
std::vector<std::string> Backticked(absl::string_view text) {
  std::vector<std::string> spans;
  for (size_t i = text.find('`'); i != absl::string_view::npos; i = text.find('`', i)) {
    const size_t close = text.find('`', i + 1);
    if (close == absl::string_view::npos) break;
    spans.emplace_back(text.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  return spans;
}

struct DocumentedKey {
  bool has_default_column = false;
  // The default cell's first `backticked` span; empty when it has none.
  std::string default_value;
};

// Dotted key -> what the document says of it. The log backend X's keys are
// under "log[X].".
std::map<std::string, DocumentedKey> DocumentedKeys(const std::string& text) {
  std::map<std::string, DocumentedKey> keys;
  std::vector<std::string> prefixes;
  bool has_default_column = false;
  bool table_seen = false;    // a key table since the last heading
  bool in_key_table = false;  // on its rows now
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!absl::StartsWith(line, "|")) in_key_table = false;
    if (absl::StartsWith(line, "#")) {
      prefixes.clear();
      table_seen = false;
      for (const std::string& span : Backticked(line)) {
        absl::string_view path = span;
        if (absl::ConsumePrefix(&path, "backend: ")) {
          prefixes.push_back(absl::StrCat("log[", path, "]"));
        } else if (span.find(' ') == std::string::npos) {
          prefixes.push_back(span);
        }
      }
      continue;
    }
    if (absl::StartsWith(line, "| key |")) {
      table_seen = true;
      in_key_table = true;
      const std::vector<absl::string_view> cells = absl::StrSplit(line, '|');
      has_default_column = cells.size() > 2 && absl::StripAsciiWhitespace(cells[2]) == "default";
      continue;
    }
    if (absl::StartsWith(line, "| `") && in_key_table) {
      const std::vector<absl::string_view> cells = absl::StrSplit(line, '|');
      if (cells.size() < 3) continue;
      const std::vector<std::string> key = Backticked(cells[1]);
      if (key.size() != 1) continue;
      DocumentedKey documented;
      documented.has_default_column = has_default_column;
      if (has_default_column) {
        const std::vector<std::string> value = Backticked(cells[2]);
        if (!value.empty()) documented.default_value = value.front();
      }
      for (const std::string& prefix : prefixes) {
        keys[prefix.empty() ? key[0] : absl::StrCat(prefix, ".", key[0])] = documented;
      }
      continue;
    }
    // A heading for one scalar key, with its default in the text.
    if (!table_seen && prefixes.size() == 1) {
      const size_t at = line.find("Default `");
      if (at != absl::string_view::npos) {
        const std::vector<std::string> value = Backticked(line.substr(at));
        if (!value.empty()) keys[prefixes[0]] = DocumentedKey{true, value[0]};
      }
    }
  }
  return keys;
}

std::string ReadDoc() {
  std::ifstream in(std::string(HOOKBRIDGE_DOCS_DIR) + "/CONFIG.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The keys the loader accepts in the mapping a config with an unknown key
// `zzz` placed by `yaml` complains about, read from its error.
std::set<std::string> AcceptedKeys(const std::string& yaml) {
  absl::StatusOr<Config> config = ParseConfig(yaml, NoEnv());
  EXPECT_FALSE(config.ok()) << yaml;
  if (config.ok()) return {};
  const std::string message(config.status().message());
  const size_t at = message.find("expected one of: ");
  EXPECT_NE(at, std::string::npos) << message;
  if (at == std::string::npos) return {};
  const size_t end = message.find(')', at);
  const std::string list = message.substr(at + 17, end - at - 17);
  std::set<std::string> keys;
  for (absl::string_view key : absl::StrSplit(list, ", ")) keys.emplace(key);
  return keys;
}

// The documented direct children of `mapping`.
std::set<std::string> Children(const std::map<std::string, DocumentedKey>& documented,
                               const std::string& mapping) {
  std::set<std::string> children;
  const std::string prefix = mapping + ".";
  for (const auto& [key, unused] : documented) {
    absl::string_view rest = key;
    if (!absl::ConsumePrefix(&rest, prefix)) continue;
    absl::string_view child = rest.substr(0, rest.find('.'));
    absl::ConsumeSuffix(&child, "[]");  // tokens[].name: a key of tokens' entries
    children.emplace(child);
  }
  return children;
}

std::string Squeeze(absl::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

class ConfigDocsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = ReadDoc();
    ASSERT_FALSE(text_.empty()) << "cannot read docs/CONFIG.md";
    documented_ = DocumentedKeys(text_);
    ASSERT_GT(documented_.size(), 40u) << "the document's tables were not found";
  }

  std::string text_;
  std::map<std::string, DocumentedKey> documented_;
};

TEST_F(ConfigDocsTest, EveryAcceptedKeyIsDocumentedAndEveryDocumentedKeyExists) {
  const std::string m = kMinimal;
  const std::vector<std::pair<std::string, std::string>> mappings = {
      {"http", "http: { zzz: 1 }\n" + m},
      {"http.rate_limit", "http: { rate_limit: { zzz: 1 } }\n" + m},
      {"http.tls", "http: { tls: { zzz: 1 } }\n" + m},
      {"grpc", "grpc: { zzz: 1 }\n" + m},
      {"grpc.tls", "grpc: { tls: { zzz: 1 } }\n" + m},
      {"admin", "admin: { zzz: 1 }\n" + m},
      {"dedup", "dedup: { zzz: 1 }\n" + m},
      {"logging", "logging: { zzz: 1 }\n" + m},
      {"auth", "auth: { zzz: 1 }\n" + m},
      {"auth.tokens[]", "auth: { tokens: [ { zzz: 1 } ] }\n" + m},
      {"sources[]", "sources: [ { zzz: 1 } ]\n"},
      {"consumers[]", "consumers: [ { zzz: 1 } ]\n" + m},
      {"sources[].rate_limit",
       "sources: [ { name: a, provider: ckbox, secrets: [s], rate_limit: { zzz: 1 } } ]\n"},
  };
  for (const auto& [mapping, yaml] : mappings) {
    SCOPED_TRACE(mapping);
    const std::set<std::string> accepted = AcceptedKeys(yaml);
    ASSERT_FALSE(accepted.empty());
    EXPECT_EQ(Children(documented_, mapping), accepted)
        << "documented (left) and accepted (right) keys of " << mapping << " differ";
  }
  // Top-level keys: a mapping documented under its own heading, or a
  // scalar with its default.
  for (const std::string& key : AcceptedKeys("zzz: 1\n" + m)) {
    const bool as_mapping =
        !Children(documented_, key).empty() || !Children(documented_, key + "[]").empty();
    EXPECT_TRUE(as_mapping || documented_.count(key)) << "top-level key " << key;
  }
  // The log: `backend`, then each backend's own keys.
  EXPECT_EQ(Children(documented_, "log"), std::set<std::string>{"backend"});
  for (const LogBackend& backend : LogBackends()) {
    SCOPED_TRACE(backend.name);
    std::set<std::string> keys;
    for (absl::string_view key : backend.keys) keys.emplace(key);
    std::set<std::string> documented;
    const std::string prefix = absl::StrCat("log[", backend.name, "].");
    for (const auto& [key, unused] : documented_) {
      if (absl::StartsWith(key, prefix)) documented.insert(key.substr(prefix.size()));
    }
    EXPECT_EQ(documented, keys);
  }
}

TEST_F(ConfigDocsTest, DocumentedDefaultsAreTheRealOnes) {
  absl::StatusOr<Config> defaults = ParseConfig(kMinimal, NoEnv());
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  std::map<std::string, std::string> code;
  for (const auto& [key, value] : DescribeConfig(*defaults)) code[key] = value;
  for (const LogBackend& backend : LogBackends()) {
    absl::StatusOr<Config> config =
        ParseConfig(absl::StrCat("log: { backend: ", backend.name, " }\n", kMinimal), NoEnv());
    ASSERT_TRUE(config.ok()) << config.status();
    for (const auto& [key, value] : DescribeLog(config->log)) {
      if (key != "backend") code[absl::StrCat("log[", backend.name, "].", key)] = value;
    }
  }
  // DescribeConfig listed the default backend's keys as log.<key>: they
  // were checked per backend above.
  for (auto it = code.begin(); it != code.end();) {
    it = absl::StartsWith(it->first, "log.") && it->first != "log.backend" ? code.erase(it)
                                                                           : std::next(it);
  }
  for (const auto& [key, value] : code) {
    SCOPED_TRACE(key);
    auto documented = documented_.find(key);
    ASSERT_NE(documented, documented_.end())
        << "has a default (" << value << ") but is not documented";
    ASSERT_TRUE(documented->second.has_default_column) << "its default is not documented";
    EXPECT_EQ(Squeeze(documented->second.default_value), Squeeze(value))
        << "documented default differs from the code's";
  }
  for (const auto& [key, documented] : documented_) {
    if (!documented.has_default_column || documented.default_value.empty()) continue;
    EXPECT_TRUE(code.count(key)) << key << ": documented default `" << documented.default_value
                                 << "`, but the key has no default of its own in the code";
  }
}

TEST(ConfigDocsParserTest, ReadsTablesHeadingsAndDefaults) {
  const std::string text =
      "## `a`\n\n| key | default | meaning |\n|---|---|---|\n"
      "| `x` | `5m` | ... |\n| `y` | required | ... |\n"
      "### `backend: b`\n\n| key | meaning |\n| `z` | ... |\n"
      "## `t`\n\nDefault `10s`. On ...\n";
  const std::map<std::string, DocumentedKey> keys = DocumentedKeys(text);
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys.at("a.x").default_value, "5m");
  EXPECT_TRUE(keys.at("a.y").has_default_column);
  EXPECT_EQ(keys.at("a.y").default_value, "");
  EXPECT_FALSE(keys.at("log[b].z").has_default_column);
  EXPECT_EQ(keys.at("t").default_value, "10s");
}

}  // namespace
}  // namespace hookbridge
