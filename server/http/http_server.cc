// The only translation unit that includes Beast (it is slow to compile).
#include "server/http/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/logging.h"

namespace hookbridge {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

// Counts requests between "read" and "answer written", so shutdown can wait
// for them.
class RequestTracker {
 public:
  void Begin() {
    absl::MutexLock lock(&mu_);
    ++in_progress_;
  }
  void End() {
    absl::MutexLock lock(&mu_);
    --in_progress_;
  }
  bool WaitIdle(absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_progress_ == 0; };
    return mu_.AwaitWithDeadline(absl::Condition(&idle), deadline);
  }

 private:
  absl::Mutex mu_;
  int in_progress_ ABSL_GUARDED_BY(mu_) = 0;
};

// One client connection. Owned by shared_ptr: pending operations and
// outstanding responders keep it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const HttpListenerOptions& options, RequestTracker* tracker)
      : stream_(std::move(socket)), options_(options), tracker_(tracker) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(options_.max_header_bytes);
    parser_->body_limit(options_.max_body_bytes);
    stream_.expires_after(ToChrono(options_.idle_timeout));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    received_at_ = absl::Now();
    auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // Tell clients such as curl to send the body now instead of after
      // their own timeout.
      continue_.emplace(http::status::continue_, header.version());
      http::async_write(stream_, *continue_,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(ToChrono(options_.read_timeout));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof) {
      return Close();
    }
    HttpError error = HttpError::kBadRequest;
    if (ec == http::error::body_limit) {
      error = HttpError::kBodyTooLarge;
    } else if (ec == http::error::header_limit) {
      error = HttpError::kHeaderTooLarge;
    }
    // The request line may be known even when the headers were not all read
    // (e.g. a Content-Length over the limit fails in the header).
    std::string target;
    if (parser_.has_value()) target = std::string(parser_->get().target());
    keep_alive_ = false;
    Write(options_.handler->HandleError(error, target));
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.headers.reserve(std::distance(req.begin(), req.end()));
    for (const auto& field : req) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.received_at = received_at_;
    // Nothing more is read until this request is answered.
    stream_.expires_never();
    tracker_->Begin();
    tracked_ = true;
    options_.handler->Handle(
        std::move(request), [self = shared_from_this()](HttpResponse response) {
          net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
            self->Write(std::move(response));
          });
        });
  }

  void Write(HttpResponse response) {
    stream_.expires_after(ToChrono(options_.read_timeout));
    auto on_write = [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnWrite(ec);
    };
    if (head_) {
      // Same headers as the GET answer, no body.
      head_response_.emplace(static_cast<http::status>(response.status), version_);
      SetHeaders(*head_response_, response);
      head_response_->content_length(response.body.size());
      http::async_write(stream_, *head_response_, std::move(on_write));
      return;
    }
    response_.emplace(static_cast<http::status>(response.status), version_);
    SetHeaders(*response_, response);
    response_->body() = std::move(response.body);
    response_->prepare_payload();
    http::async_write(stream_, *response_, std::move(on_write));
  }

  template <class Message>
  void SetHeaders(Message& message, const HttpResponse& response) {
    message.set(http::field::server, "hookbridge");
    message.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.keep_alive(keep_alive_);
  }

  void OnWrite(beast::error_code ec) {
    if (tracked_) {
      tracked_ = false;
      tracker_->End();
    }
    if (ec || !keep_alive_) return Close();
    response_.reset();
    head_response_.reset();
    head_ = false;
    ReadHeader();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  const HttpListenerOptions& options_;
  RequestTracker* const tracker_;
  bool tracked_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  std::optional<http::response<http::empty_body>> head_response_;
  absl::Time received_at_;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, HttpListenerOptions options, RequestTracker* tracker)
      : io_(io), acceptor_(net::make_strand(io)), options_(std::move(options)), tracker_(tracker) {}

  absl::Status Bind() {
    beast::error_code ec;
    auto address = net::ip::make_address(options_.address.host, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat(options_.name, ".listen: bad address ", options_.address.host));
    }
    tcp::endpoint endpoint(address, options_.address.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat(options_.name, ": cannot listen on ",
                                                 options_.address.ToString(), ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    return absl::OkStatus();
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](beast::error_code ec,
                                                                              tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), self->options_, self->tracker_)->Run();
      } else {
        Log(LogLevel::kWarn, "accept failed",
            {{"listener", self->options_.name}, {"error", ec.message()}});
      }
      self->Accept();
    });
  }

  void Close() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

  uint16_t port() const { return port_; }

 private:
  net::io_context& io_;
  tcp::acceptor acceptor_;
  const HttpListenerOptions options_;
  RequestTracker* const tracker_;
  uint16_t port_ = 0;
};

}  // namespace

struct HttpServer::Impl {
  RequestTracker tracker;
  net::io_context io;
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<std::thread> threads;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    int threads, std::vector<HttpListenerOptions> listeners) {
  auto impl = std::make_unique<Impl>();
  for (HttpListenerOptions& options : listeners) {
    auto listener = std::make_shared<Listener>(impl->io, std::move(options), &impl->tracker);
    if (absl::Status s = listener->Bind(); !s.ok()) return s;
    impl->listeners.push_back(std::move(listener));
  }
  for (auto& listener : impl->listeners) listener->Accept();
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    impl->threads.emplace_back([io = &impl->io] { io->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

bool HttpServer::Drain(absl::Time deadline) {
  for (auto& listener : impl_->listeners) listener->Close();
  return impl_->tracker.WaitIdle(deadline);
}

HttpServer::~HttpServer() {
  for (auto& listener : impl_->listeners) listener->Close();
  impl_->io.stop();
  for (std::thread& t : impl_->threads) t.join();
}

uint16_t HttpServer::port(size_t i) const { return impl_->listeners[i]->port(); }

}  // namespace hookbridge
