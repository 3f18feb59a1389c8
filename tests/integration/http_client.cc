// The HttpClient of harness.h, on Beast (kept in its own translation unit:
// Beast is slow to compile).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "bridge/providers/ckeditor/signature.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  explicit Impl(int port) : port(port), stream(io) {}

  void Connect(beast::error_code& ec) {
    stream.socket().close(ec);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    buffer.clear();
    ++connections;
  }

  int port;
  net::io_context io;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool open = false;
  int connections = 0;
};

HttpClient::HttpClient(int port) : impl_(std::make_unique<Impl>(port)) {}
HttpClient::~HttpClient() = default;

int HttpClient::connections_opened() const { return impl_->connections; }

HttpResponse HttpClient::Send(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  return DoSend(method, target, body, headers, /*errors_fail=*/true);
}

HttpResponse HttpClient::TrySend(const std::string& method, const std::string& target,
                                 const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  return DoSend(method, target, body, headers, /*errors_fail=*/false);
}

HttpResponse HttpClient::DoSend(const std::string& method, const std::string& target,
                                const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                bool errors_fail) {
  HttpResponse out;
  if (!impl_->open) {
    beast::error_code ec;
    impl_->Connect(ec);
    if (ec) {
      if (errors_fail) ADD_FAILURE() << "connect: " << ec.message();
      return out;
    }
    impl_->open = true;
  }
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  if (req.method() == http::verb::unknown) req.method_string(method);
  req.set(http::field::host, "127.0.0.1");
  // In order; a name given twice is sent twice. A Host replaces the default.
  for (const auto& [k, v] : headers) {
    if (beast::iequals(k, "Host")) {
      req.set(http::field::host, v);
    } else {
      req.insert(k, v);
    }
  }
  req.body() = body;
  req.keep_alive(true);
  if (!body.empty() || method == "POST") req.prepare_payload();
  // Asynchronous operations, run here to completion: the stream's expiry
  // bounds only those, and a server that never answers must fail the
  // test, not hang it.
  impl_->stream.expires_after(std::chrono::seconds(30));
  beast::error_code ec;
  auto run = [&] {
    impl_->io.restart();
    impl_->io.run();
  };
  http::async_write(impl_->stream, req, [&](beast::error_code e, size_t) { ec = e; });
  run();
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  parser.skip(method == "HEAD");
  if (!ec) {
    http::async_read(impl_->stream, impl_->buffer, parser,
                     [&](beast::error_code e, size_t) { ec = e; });
    run();
  }
  if (ec) {
    out.timed_out = ec == beast::error::timeout;
    if (errors_fail) {
      ADD_FAILURE() << method << " " << target << ": "
                    << (out.timed_out ? "no answer within 30 s" : ec.message());
    }
    impl_->open = false;
    return out;
  }
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  for (const auto& field : res) {
    out.headers[absl::AsciiStrToLower(std::string(field.name_string()))] =
        std::string(field.value());
  }
  if (!res.keep_alive()) impl_->open = false;
  return out;
}

std::vector<std::pair<std::string, std::string>> HttpClient::CkeditorHeaders(
    const std::string& target, const std::string& body, const std::string& secret, absl::Time at) {
  const std::string timestamp = std::to_string(absl::ToUnixMillis(at));
  return {{"Content-Type", "application/json"},
          {"X-CS-Timestamp", timestamp},
          {"X-CS-Signature", CkeditorSignature(secret, "POST", target, timestamp, body)}};
}

HttpResponse HttpClient::PostSigned(const std::string& target, const std::string& body,
                                    const std::string& secret, absl::Time at) {
  return Send("POST", target, body, CkeditorHeaders(target, body, secret, at));
}

}  // namespace hookbridge::testing
