#include "server/http/request_parser.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "bridge/json_document.h"

namespace hookbridge::http_internal {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;

namespace {

absl::string_view View(beast::string_view s) { return absl::string_view(s.data(), s.size()); }

// Whether header bytes hold obsolete line folding: a line break followed by
// a space or tab, which continues the previous field. (A request line or a
// field cannot end in one otherwise: Beast refuses a field name that starts
// with white space.)
bool HasObsFold(absl::string_view header) {
  for (size_t at = header.find("\r\n"); at != absl::string_view::npos;
       at = header.find("\r\n", at + 2)) {
    if (at + 2 < header.size() && (header[at + 2] == ' ' || header[at + 2] == '\t')) return true;
  }
  return false;
}

// Transfer-Encoding, over all its fields, as RFC 9112 (6.1, 6.3) asks a
// server to take it: the codings must end in a plain chunked (it has no
// parameters; a proxy may not know "chunked;x=1" for chunked), which must
// not come twice, or the body's length is unknown (400); a coding before
// it, which this server does not undo, is not implemented (501) rather
// than ignored. `chunked` is whether Beast reads the body as chunked.
std::optional<HttpError> CheckTransferEncoding(const http::fields& header, bool chunked) {
  std::vector<absl::string_view> codings;  // with their parameters
  const auto fields = header.equal_range(http::field::transfer_encoding);
  for (auto it = fields.first; it != fields.second; ++it) {
    for (absl::string_view coding : absl::StrSplit(View(it->value()), ',')) {
      coding = absl::StripAsciiWhitespace(coding);
      if (!coding.empty()) codings.push_back(coding);
    }
  }
  if (!chunked || codings.empty() || !absl::EqualsIgnoreCase(codings.back(), "chunked")) {
    return HttpError::kTransferEncoding;
  }
  for (size_t i = 0; i + 1 < codings.size(); ++i) {
    const absl::string_view name =
        absl::StripAsciiWhitespace(codings[i].substr(0, codings[i].find(';')));
    if (absl::EqualsIgnoreCase(name, "chunked")) return HttpError::kTransferEncoding;
  }
  if (codings.size() > 1) return HttpError::kTransferCoding;
  return std::nullopt;
}

}  // namespace

void ConfigureParser(const HttpListenerOptions& options, RequestParser* parser) {
  parser->header_limit(options.max_header_bytes);
  parser->body_limit(options.max_body_bytes);
}

beast::error_code PutHeader(beast::flat_buffer& buffer, RequestParser& parser, bool* obs_fold) {
  for (;;) {
    beast::error_code ec;
    const net::const_buffer data = buffer.data();
    const size_t used = parser.put(data, ec);
    if (HasObsFold(absl::string_view(static_cast<const char*>(data.data()), used))) {
      *obs_fold = true;
    }
    buffer.consume(used);
    if (ec) return ec;
    if (parser.is_header_done()) return {};
  }
}

// Beast refuses versions other than 1.0 and 1.1, Content-Length with
// chunked, differing Content-Length values and a Transfer-Encoding field
// after one ending in chunked; it accepts the rest of what is refused here,
// out of which a proxy in front and this server could read a different body
// (or different headers).
std::optional<HttpError> CheckHeader(const RequestParser& parser, bool obs_fold,
                                     const HttpListenerOptions& options) {
  const auto& header = parser.get();
  const unsigned version = header.version();
  if (version != 11 && !(version == 10 && options.allow_http10)) return HttpError::kHttpVersion;
  size_t fields = 0;
  size_t hosts = 0;
  size_t lengths = 0;
  for (const auto& field : header) {
    ++fields;
    if (field.name() == http::field::host) ++hosts;
    if (field.name() == http::field::content_length) ++lengths;
  }
  if (fields > kMaxHeaderFields) return HttpError::kTooManyHeaders;
  if (obs_fold) return HttpError::kObsFold;
  // RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one before.
  if (hosts > 1 || (hosts == 0 && version == 11)) return HttpError::kBadHost;
  const bool transfer_encoding = header.count(http::field::transfer_encoding) != 0;
  // One Content-Length holding one number: "5, 5" or the field twice is
  // a length a proxy may read otherwise.
  if (lengths > 1 || (lengths == 1 && transfer_encoding)) return HttpError::kContentLength;
  if (lengths == 1) {
    const absl::string_view length = View(header[http::field::content_length]);
    if (length.empty() || !std::all_of(length.begin(), length.end(), absl::ascii_isdigit)) {
      return HttpError::kContentLength;
    }
  }
  if (transfer_encoding) {
    // A length HTTP/1.0 does not define (RFC 9112 6.1).
    if (version < 11) return HttpError::kTransferEncoding;
    return CheckTransferEncoding(header, parser.chunked());
  }
  return std::nullopt;
}

HttpError ParseErrorFor(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return HttpError::kBodyTooLarge;
  if (ec == http::error::header_limit) return HttpError::kHeaderTooLarge;
  if (ec == http::error::bad_version) return HttpError::kHttpVersion;
  if (ec == http::error::bad_content_length) return HttpError::kContentLength;
  if (ec == http::error::bad_transfer_encoding) return HttpError::kTransferEncoding;
  return HttpError::kBadRequest;
}

absl::string_view TargetOf(const RequestParser& parser) { return View(parser.get().target()); }

std::vector<std::pair<std::string, std::string>> HeaderFields(const RequestParser& parser) {
  const auto& header = parser.get();
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(std::distance(header.begin(), header.end()));
  for (const auto& field : header) {
    fields.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  return fields;
}

void ReserveBodyPadding(RequestParser& parser) {
  // The length is within the body limit: the header was checked.
  if (const boost::optional<uint64_t> length = parser.content_length()) {
    parser.get().body().reserve(static_cast<size_t>(*length) + kJsonPadding);
  }
}

HttpRequest ToHttpRequest(http::request<http::string_body>&& req,
                          std::vector<std::pair<std::string, std::string>> headers) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.headers = std::move(headers);
  request.body = std::move(req.body());
  return request;
}

}  // namespace hookbridge::http_internal

namespace hookbridge {

int HttpErrorStatus(HttpError error) {
  switch (error) {
    case HttpError::kBodyTooLarge:
      return 413;
    case HttpError::kHeaderTooLarge:
    case HttpError::kTooManyHeaders:
      return 431;
    case HttpError::kTransferCoding:
      return 501;
    case HttpError::kBadRequest:
    case HttpError::kHttpVersion:
    case HttpError::kObsFold:
    case HttpError::kBadHost:
    case HttpError::kContentLength:
    case HttpError::kTransferEncoding:
      return 400;
  }
  return 400;
}

}  // namespace hookbridge
