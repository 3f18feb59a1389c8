// A WebhookRequest with its own storage, for tests: `request`'s views point
// into the members and are pointed again whenever they change (or the
// whole is copied).
#ifndef HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_OWNED_REQUEST_H_
#define HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_OWNED_REQUEST_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

struct OwnedRequest {
  OwnedRequest(std::string target_in, std::string body_in,
               std::vector<std::pair<std::string, std::string>> headers_in, absl::Time received_at)
      : target(std::move(target_in)), body(std::move(body_in)), headers(std::move(headers_in)) {
    request.method = "POST";
    request.received_at = received_at;
    request.received_monotonic = received_at;
    Refresh();
  }
  OwnedRequest(const OwnedRequest& other)
      : target(other.target), body(other.body), headers(other.headers), request(other.request) {
    Refresh();
  }
  OwnedRequest& operator=(const OwnedRequest&) = delete;

  void Add(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    Refresh();
  }
  void Refresh() {
    request.target = target;
    request.body = body;
    request.headers.clear();
    for (const auto& [n, v] : headers) request.headers.emplace_back(n, v);
  }

  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  WebhookRequest request;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_OWNED_REQUEST_H_
