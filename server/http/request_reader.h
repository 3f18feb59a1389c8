// What the HTTP server reads from one connection, without the connection:
// ReadRequests runs the server's request parsing and checks
// (request_parser.h: Beast's parser as the server configures it, the
// header checks, the mapping of parse errors to HttpError) on bytes in
// memory, in the order a connection runs them, so that tests and the fuzz
// target http_request_fuzzer see exactly which requests the server would
// hand to its handler and which error it would answer. No sockets, no
// threads, no clocks.
#ifndef HOOKBRIDGE_SERVER_HTTP_REQUEST_READER_H_
#define HOOKBRIDGE_SERVER_HTTP_REQUEST_READER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/http/http_server.h"

namespace hookbridge {

// One request read from a connection: either one for the handler (`error`
// unset), or one the server answers with HttpErrorStatus(*error) before
// closing the connection (`target` is what was read of its target, empty
// if nothing).
struct ReadRequest {
  std::optional<HttpError> error;
  HttpRequest request;  // without receive times; only `target` when refused
  // Whether the client asked for "100 Continue" (the server sends it before
  // reading the body).
  bool expect_continue = false;
};

// What a server listening with `options` (its limits and allow_http10;
// the handler, TLS material and time limits are not used) reads when a
// client sends `bytes` on one connection and then closes its side, every
// request answered before the next is read: the requests in order, until
// one is refused (the last one then has `error` set), a request's answer
// would close the connection (it is not keep-alive, or it is the
// max_requests_per_connection-th), or the bytes end. Bytes that end before
// a request is complete are refused (kBadRequest: the request was cut
// short), bytes that end between requests are not.
std::vector<ReadRequest> ReadRequests(absl::string_view bytes, const HttpListenerOptions& options);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_HTTP_REQUEST_READER_H_
