#include "server/console/console_access.h"

#include <arpa/inet.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "bridge/auth.h"

namespace hookbridge {
namespace {

// Whether `text` is an IPv4 (dotted quad) or, with `v6`, an IPv6 address.
bool IsIpAddress(absl::string_view text, bool v6) {
  if (text.empty() || text.size() > 64) return false;
  char buffer[65];
  std::copy(text.begin(), text.end(), buffer);
  buffer[text.size()] = '\0';
  unsigned char address[16];
  return inet_pton(v6 ? AF_INET6 : AF_INET, buffer, address) == 1;
}

// Whether `port` is empty or a port number's digits.
bool IsPort(absl::string_view port) {
  return port.size() <= 5 && std::all_of(port.begin(), port.end(), absl::ascii_isdigit);
}

}  // namespace

ConsoleAccess::ConsoleAccess(const AdminConfig& admin) : names_(admin.allowed_hosts) {
  names_.emplace_back("localhost");
  // admin.listen given as a name ("localhost", "admin.internal"): what an
  // operator would type.
  const std::string& listen = admin.listen.host;
  if (!listen.empty() && !IsIpAddress(listen, false) && !IsIpAddress(listen, true)) {
    names_.push_back(absl::AsciiStrToLower(listen));
  }
  Sha256Digest digest;
  if (HexDecodeDigest(admin.console_token_sha256, &digest)) token_digest_ = digest;
}

bool ConsoleAccess::HostAllowed(absl::string_view host) const {
  host = absl::StripAsciiWhitespace(host);
  if (absl::ConsumePrefix(&host, "[")) {
    // "[v6]" or "[v6]:port".
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return false;
    absl::string_view rest = host.substr(close + 1);
    if (!rest.empty() && !absl::ConsumePrefix(&rest, ":")) return false;
    return IsPort(rest) && IsIpAddress(host.substr(0, close), true);
  }
  const size_t colon = host.find(':');
  if (colon != absl::string_view::npos) {
    if (!IsPort(host.substr(colon + 1))) return false;
    host = host.substr(0, colon);
  }
  absl::ConsumeSuffix(&host, ".");
  if (host.empty()) return false;
  if (IsIpAddress(host, false)) return true;
  return std::any_of(names_.begin(), names_.end(),
                     [&](const std::string& name) { return absl::EqualsIgnoreCase(host, name); });
}

bool ConsoleAccess::Authorized(const std::string* authorization) const {
  if (!token_digest_.has_value()) return true;
  if (authorization == nullptr) return false;
  const std::optional<absl::string_view> token = BearerToken(*authorization);
  if (!token.has_value() || token->empty()) return false;
  return DigestsEqual(Sha256({*token}), *token_digest_);
}

}  // namespace hookbridge
