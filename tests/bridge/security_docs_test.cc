// docs/SECURITY.md against the tests: every test its threat table names
// as proof exists (`SuiteTest.Name`, `…Name` for another test of the suite
// named before it in the row, `SuiteTest.*` or `…Prefix*` for several), so
// a renamed or removed test cannot leave a threat without its proof.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SecurityDocsTest, EveryTestTheThreatTableNamesExists) {
  const std::string doc = ReadFile("docs/SECURITY.md");
  ASSERT_FALSE(doc.empty()) << "run from the repository root";
  std::string sources;
  for (const auto& entry : std::filesystem::recursive_directory_iterator("tests")) {
    if (entry.path().extension() == ".cc") sources += ReadFile(entry.path());
  }
  const size_t table = doc.find("| threat | what stops it | proved by |");
  ASSERT_NE(table, std::string::npos);
  // (The ellipsis is replaced by `~` first: std::regex matches bytes.)
  const std::regex cited("`(?:([A-Z][A-Za-z]+Test)\\.|~)([A-Za-z0-9]*)(\\*?)`");
  int checked = 0;
  for (absl::string_view row : absl::StrSplit(doc.substr(table), '\n')) {
    if (absl::StartsWith(row, "|---")) continue;
    if (!absl::StartsWith(row, "| ")) break;  // the end of the table
    const std::string line = absl::StrReplaceAll(row, {{"\u2026", "~"}});
    std::string suite;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), cited);
         it != std::sregex_iterator(); ++it) {
      if ((*it)[1].length() > 0) suite = (*it)[1];
      ASSERT_FALSE(suite.empty()) << "a `…name` before any suite in: " << line;
      const std::string name = (*it)[2];
      const bool prefix = (*it)[3].length() > 0;
      bool found = false;
      for (const char* macro : {"TEST(", "TEST_F(", "TEST_P("}) {
        const std::string declared = absl::StrCat(macro, suite, ", ", name, prefix ? "" : ")");
        if (absl::StrContains(sources, declared)) found = true;
      }
      EXPECT_TRUE(found) << suite << "." << name << (prefix ? "*" : "") << " (docs/SECURITY.md)";
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

}  // namespace
}  // namespace hookbridge
