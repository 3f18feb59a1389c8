// How the HTTP server reads a request out of a connection's bytes: Beast's
// request parser as the server configures it, and the checks the server
// applies to what Beast accepted. Shared by the server's connections
// (http_server.cc) and ReadRequests (request_reader.h), which runs them on
// bytes in memory for tests and fuzzing; no sockets here.
//
// Internal to server/http: this header includes Beast, which the server's
// users never see (they include http_server.h or request_reader.h).
#ifndef HOOKBRIDGE_SERVER_HTTP_REQUEST_PARSER_H_
#define HOOKBRIDGE_SERVER_HTTP_REQUEST_PARSER_H_

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/http/http_server.h"

namespace hookbridge::http_internal {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A connection reads at most this much while waiting for a request to
// begin, and at once while reading the rest of a header.
inline constexpr size_t kFirstReadBytes = 4096;
inline constexpr size_t kHeaderReadBytes = 64 << 10;

// Sets the header and body limits of `options` on a fresh parser.
void ConfigureParser(const HttpListenerOptions& options, RequestParser* parser);

// Gives `parser` the header bytes held in `buffer`, consuming what it
// takes, and sets *obs_fold when a stretch it took holds obsolete line
// folding (which the parser would quietly undo). Returns
// http::error::need_more when the header is not complete yet (read more
// into `buffer` and call again), another error when the parser refused the
// header, or no error once the header is complete.
boost::beast::error_code PutHeader(boost::beast::flat_buffer& buffer, RequestParser& parser,
                                   bool* obs_fold);

// What the HTTP layer refuses in a request whose header Beast accepted;
// nullopt if nothing.
std::optional<HttpError> CheckHeader(const RequestParser& parser, bool obs_fold,
                                     const HttpListenerOptions& options);

// The HttpError answering a parse error `ec` (one that is not a timeout or
// the client going away).
HttpError ParseErrorFor(const boost::beast::error_code& ec);

// `target` of Beast's message as the handlers see it.
absl::string_view TargetOf(const RequestParser& parser);

// The fields of the header of the request being read, as handlers receive
// them. Take them once the header is complete, before the body is read:
// Beast adds a chunked body's trailer fields to the same fields (each after
// the fields of its name). Trailer fields are dropped (RFC 9112 7.1.2 lets
// a recipient discard them): they were not checked with the header, and a
// proxy in front may not have looked at them, so they must not pass for
// headers (a second Host, a Content-Length, a signature).
std::vector<std::pair<std::string, std::string>> HeaderFields(const RequestParser& parser);

// Once the header is checked and before the body is read: reserves room
// after the body the header announces (Content-Length), so that the
// request's body has kJsonPadding bytes of spare capacity after it and the
// JSON decoder parses it where it is (WebhookRequest::body_padding).
void ReserveBodyPadding(RequestParser& parser);

// A complete request as handlers receive it (without its receive times),
// with `headers` (from HeaderFields) as its headers.
HttpRequest ToHttpRequest(boost::beast::http::request<boost::beast::http::string_body>&& req,
                          std::vector<std::pair<std::string, std::string>> headers);

}  // namespace hookbridge::http_internal

#endif  // HOOKBRIDGE_SERVER_HTTP_REQUEST_PARSER_H_
