// Who may use the operator console (/ui and /api/*): the Host check that
// keeps web pages from reading it through DNS rebinding, and the optional
// bearer token of its API.
//
// DNS rebinding: an operator runs `kubectl port-forward` (the console is
// then at http://localhost:9090) and visits some web page; the page's name
// is made to resolve to 127.0.0.1, and its script, same-origin as far as
// the browser knows, reads the console. The browser still sends the page's
// name as Host, so the console answers only Host values a browser sends
// when it was pointed at the console itself: localhost, IP addresses (a
// browser sends an address as Host only when its URL named that address,
// which then reached this listener: no name to rebind), the host of
// admin.listen when that is a name, and the names in admin.allowed_hosts.
//
// Immutable; thread-safe.
#ifndef HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_ACCESS_H_
#define HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_ACCESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "bridge/config_types.h"
#include "bridge/crypto.h"

namespace hookbridge {

class ConsoleAccess {
 public:
  // From admin.allowed_hosts, admin.listen and admin.console_token_sha256,
  // as the loader validated them.
  explicit ConsoleAccess(const AdminConfig& admin);

  // Whether a request whose Host header is `host` ("name", "name:port",
  // "1.2.3.4:port", "[::1]:port"; empty when there was none) may read the
  // console. Names are compared ignoring case and a trailing dot; the port
  // is not compared (port-forwards pick any local port).
  bool HostAllowed(absl::string_view host) const;

  // Whether the API needs a bearer token (admin.console_token_sha256 set).
  bool token_required() const { return token_digest_.has_value(); }

  // Whether `authorization` (an Authorization header value, or nullptr when
  // the request had none) is "Bearer <the console token>"; always true when
  // no token is required. Compared by SHA-256, in constant time.
  bool Authorized(const std::string* authorization) const;

 private:
  std::vector<std::string> names_;  // lower case, without a trailing dot
  std::optional<Sha256Digest> token_digest_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_CONSOLE_ACCESS_H_
