#include "bridge/providers/provider.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace hookbridge {
namespace {
constexpr absl::string_view kStalePayload = "hookbridge.dev/stale-timestamp";
}  // namespace

const absl::string_view* WebhookRequest::FindHeader(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

absl::StatusOr<const absl::string_view*> WebhookRequest::FindUniqueHeader(
    absl::string_view name) const {
  const absl::string_view* found = nullptr;
  int count = 0;
  for (const auto& [key, value] : headers) {
    if (!absl::EqualsIgnoreCase(key, name)) continue;
    if (found == nullptr) found = &value;
    ++count;
  }
  if (count > 1) {
    return absl::UnauthenticatedError(absl::StrCat("header ", name, " appears ", count,
                                                   " times; a webhook request must carry it once"));
  }
  return found;
}

absl::Status StaleTimestampError(absl::string_view message) {
  absl::Status status = absl::UnauthenticatedError(message);
  status.SetPayload(kStalePayload, absl::Cord("1"));
  return status;
}

bool IsStaleTimestamp(const absl::Status& status) {
  return status.GetPayload(kStalePayload).has_value();
}

std::string SignedPath(absl::string_view public_url, absl::string_view target) {
  if (public_url.empty()) return std::string(target);
  // scheme://authority/path?query: the path starts at the first "/" after
  // the authority.
  absl::string_view url = public_url;
  const size_t authority = url.find("://");
  const size_t slash = url.find('/', authority == absl::string_view::npos ? 0 : authority + 3);
  absl::string_view path = slash == absl::string_view::npos ? "/" : url.substr(slash);
  if (path.find('?') != absl::string_view::npos) return std::string(path);
  const size_t query = target.find('?');
  return absl::StrCat(path, query == absl::string_view::npos ? "" : target.substr(query));
}

namespace {

// `path` (a path and query) with a trailing slash added to its path, or
// removed.
std::string ToggleTrailingSlash(absl::string_view path) {
  const size_t query = path.find('?');
  absl::string_view bare = path.substr(0, query);
  const absl::string_view rest = query == absl::string_view::npos ? "" : path.substr(query);
  if (absl::EndsWith(bare, "/") && bare.size() > 1)
    bare.remove_suffix(1);
  else
    return absl::StrCat(bare, "/", rest);
  return absl::StrCat(bare, rest);
}

}  // namespace

std::string DiagnoseUrlForms(absl::string_view public_url, absl::string_view target,
                             const std::function<bool(absl::string_view path)>& matches) {
  const std::string verified = SignedPath(public_url, target);
  std::vector<std::pair<std::string, std::string>> bases;  // description, path
  if (!public_url.empty()) {
    bases.emplace_back("the path as received", std::string(target));
  }
  bases.emplace_back(public_url.empty() ? "the path as received" : "public_url's path", verified);
  std::vector<std::pair<std::string, std::string>> forms;
  for (const auto& [what, path] : bases) {
    forms.emplace_back(what, path);
    const size_t query = path.find('?');
    if (query != std::string::npos) {
      forms.emplace_back(absl::StrCat(what, " without its query"), path.substr(0, query));
    }
    forms.emplace_back(absl::StrCat(what, absl::EndsWith(path.substr(0, query), "/")
                                              ? " without its trailing slash"
                                              : " with a trailing slash"),
                       ToggleTrailingSlash(path));
  }
  for (const auto& [what, path] : forms) {
    if (path == verified) continue;
    if (matches(path)) {
      // Described, not shown: a path may hold a path token, a query a
      // credential.
      return absl::StrCat("the signature matches ", what, ", not ",
                          public_url.empty() ? "the path as received" : "public_url's path",
                          public_url.empty()
                              ? ": if a proxy rewrites the URL, set the source's public_url to the "
                                "one the provider was given"
                              : ": check that public_url is the URL the provider was given",
                          " (a diagnosis only: the request was refused)");
    }
  }
  return "";
}

}  // namespace hookbridge
