#include "server/http/request_reader.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/system/system_error.hpp>
#include <utility>

#include "server/http/request_parser.h"

namespace hookbridge {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using http_internal::RequestParser;

// A SyncReadStream over bytes in memory: a client that sends them as fast
// as they are read, then closes its side (eof).
class BytesStream {
 public:
  explicit BytesStream(absl::string_view bytes) : rest_(bytes) {}

  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, beast::error_code& ec) {
    if (rest_.empty()) {
      ec = net::error::eof;
      return 0;
    }
    ec = {};
    const size_t n = net::buffer_copy(buffers, net::buffer(rest_.data(), rest_.size()));
    rest_.remove_prefix(n);
    return n;
  }

  // The throwing form the SyncReadStream concept asks for; Beast's reads
  // with an error_code never call it.
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    beast::error_code ec;
    const size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  absl::string_view rest_;
};

}  // namespace

// The steps of the server's Session (http_server.cc: ReadHeader,
// StartRequest, ParseHeader, OnHeader, ReadBody, OnReadError, OnRead), with
// reads from memory: http::read is the synchronous twin of the session's
// http::async_read.
std::vector<ReadRequest> ReadRequests(absl::string_view bytes, const HttpListenerOptions& options) {
  BytesStream stream(bytes);
  beast::flat_buffer buffer;
  std::vector<ReadRequest> out;
  uint32_t requests = 0;
  for (;;) {
    RequestParser parser;
    http_internal::ConfigureParser(options, &parser);
    if (buffer.size() == 0) {
      // Waiting for the next request: the end of the stream here is a
      // client closing an idle connection.
      beast::error_code ec;
      buffer.commit(stream.read_some(buffer.prepare(http_internal::kFirstReadBytes), ec));
      if (ec) return out;
    }
    const auto refuse = [&](HttpError error) {
      ReadRequest refused;
      refused.error = error;
      refused.request.target = std::string(http_internal::TargetOf(parser));
      out.push_back(std::move(refused));
      return std::move(out);
    };

    bool obs_fold = false;
    beast::error_code ec;
    while ((ec = http_internal::PutHeader(buffer, parser, &obs_fold)) == http::error::need_more) {
      beast::error_code read;
      buffer.commit(stream.read_some(
          buffer.prepare(beast::read_size(buffer, http_internal::kHeaderReadBytes)), read));
      // The request has begun: its end is a partial one.
      if (read) {
        ec = http::error::partial_message;
        break;
      }
    }
    if (ec) return refuse(http_internal::ParseErrorFor(ec));
    if (std::optional<HttpError> refused = http_internal::CheckHeader(parser, obs_fold, options)) {
      return refuse(*refused);
    }
    std::vector<std::pair<std::string, std::string>> headers = http_internal::HeaderFields(parser);
    http_internal::ReserveBodyPadding(parser);
    const bool expect_continue = beast::iequals(parser.get()[http::field::expect], "100-continue");

    http::read(stream, buffer, parser, ec);
    // The client going away is not answered (the session's IsDisconnect).
    if (ec == http::error::end_of_stream || ec == net::error::eof) return out;
    if (ec) return refuse(http_internal::ParseErrorFor(ec));

    http::request<http::string_body> req = parser.release();
    bool keep_alive = req.keep_alive();
    if (++requests >= options.max_requests_per_connection) keep_alive = false;
    ReadRequest read;
    read.request = http_internal::ToHttpRequest(std::move(req), std::move(headers));
    read.expect_continue = expect_continue;
    out.push_back(std::move(read));
    if (!keep_alive) return out;
  }
}

}  // namespace hookbridge
