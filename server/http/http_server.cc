// The server's sockets, TLS and sessions: with request_parser.cc, the only
// translation units that include Beast (it is slow to compile).
#include "server/http/http_server.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>
#include <thread>
#include <type_traits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bridge/monotonic.h"
#include "bridge/thread_name.h"
#include "server/http/request_parser.h"
#include "server/logging.h"

namespace hookbridge {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

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

// The streamed responses in progress, so Drain can end them. Streams added
// once draining has begun are refused (their connection ends them).
class StreamSet {
 public:
  bool Add(std::shared_ptr<HttpStream> stream) {
    absl::MutexLock lock(&mu_);
    if (draining_) return false;
    streams_.push_back(std::move(stream));
    return true;
  }
  void Remove(const HttpStream* stream) {
    absl::MutexLock lock(&mu_);
    streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                  [stream](const auto& s) { return s.get() == stream; }),
                   streams_.end());
  }
  void CloseAll() {
    std::vector<std::shared_ptr<HttpStream>> streams;
    {
      absl::MutexLock lock(&mu_);
      draining_ = true;
      streams.swap(streams_);
    }
    for (const auto& stream : streams) stream->Close();
  }

 private:
  absl::Mutex mu_;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::shared_ptr<HttpStream>> streams_ ABSL_GUARDED_BY(mu_);
};

// A TLS server context for `material`: TLS 1.2 or later; with a client CA,
// a client certificate signed by it is required. InvalidArgument naming the
// key of the file OpenSSL refused.
absl::StatusOr<std::shared_ptr<ssl::context>> MakeTlsContext(const TlsMaterial& material,
                                                             absl::string_view name) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // Renegotiation lets a client make the server redo the expensive part of
  // the handshake as often as it likes on one connection.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  auto error = [&](absl::string_view key, absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", name, ".tls.", key, ": ", what));
  };
  beast::error_code ec;
  context->use_certificate_chain(net::buffer(material.cert_chain), ec);
  if (ec) return error("cert_file", ec.message());
  context->use_private_key(net::buffer(material.private_key), ssl::context::pem, ec);
  if (ec) return error("key_file", ec.message());
  if (SSL_CTX_check_private_key(native) != 1) {
    return error("key_file", "does not match the certificate");
  }
  if (!material.client_ca.empty()) {
    context->add_certificate_authority(net::buffer(material.client_ca), ec);
    if (ec) return error("client_ca_file", ec.message());
    // Name the accepted CAs in the CertificateRequest, so clients holding
    // several certificates pick the right one.
    STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
    BIO* bio =
        BIO_new_mem_buf(material.client_ca.data(), static_cast<int>(material.client_ca.size()));
    while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
      X509_free(ca);
    }
    BIO_free(bio);
    ERR_clear_error();
    SSL_CTX_set_client_CA_list(native, names);  // takes ownership
    context->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  // Required for session resumption when client certificates are verified.
  static constexpr unsigned char kSessionContext[] = "hookbridge";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  return context;
}

// Errors that mean the peer went away or the connection was closed under us.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::operation_aborted ||
         ec == net::error::broken_pipe || ec == net::error::not_connected ||
         ec == net::error::bad_descriptor || ec == ssl::error::stream_truncated ||
         ec == beast::error::timeout;
}

// What a listener shares with its sessions, which may outlive the Listener.
class ListenerState {
 public:
  ListenerState(HttpListenerOptions options, RequestTracker* tracker, StreamSet* streams,
                std::shared_ptr<ssl::context> tls)
      : options(std::move(options)), tracker(tracker), streams(streams), tls_(std::move(tls)) {}

  const HttpListenerOptions options;  // without the TLS material
  RequestTracker* const tracker;
  StreamSet* const streams;
  // Open connections, for max_connections: taken at accept (on the acceptor's
  // strand), given back when the connection closes (from any session).
  std::atomic<uint32_t> connections{0};

  // The context new TLS connections use; nullptr for a plain listener.
  std::shared_ptr<ssl::context> tls() {
    absl::MutexLock lock(&mu_);
    return tls_;
  }
  void set_tls(std::shared_ptr<ssl::context> tls) {
    absl::MutexLock lock(&mu_);
    tls_ = std::move(tls);
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<ssl::context> tls_ ABSL_GUARDED_BY(mu_);
};

// One client connection over a plain (PlainStream) or TLS (TlsStream)
// stream. Owned by shared_ptr: pending operations and outstanding responders
// keep it alive. Holds one of the listener's connection slots until it
// closes, and the TLS context it started with for as long as it lives.
//
// Time limits: the first byte of each request must come within idle_timeout
// (read_timeout for the TLS handshake); from that byte on, the whole request
// (header and body) must arrive within read_timeout, however slowly it
// trickles; writing an answer gets read_timeout too.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Session(tcp::socket&& socket, std::shared_ptr<ListenerState> state,
          std::shared_ptr<ssl::context> tls)
      : state_(std::move(state)),
        options_(state_->options),
        tls_(std::move(tls)),
        stream_(MakeStream(std::move(socket), tls_.get())) {}

  ~Session() {
    ReleaseSlot();
    if (body_stream_ != nullptr) {
      body_stream_->Detach();
      state_->streams->Remove(body_stream_.get());
    }
  }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader();
      }
    });
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Handshake() {
    Lowest().expires_after(ToChrono(options_.read_timeout));
    stream_.async_handshake(
        ssl::stream_base::server,
        [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      if (ec == beast::error::timeout) {
        options_.handler->OnDropped(ConnectionDrop::kTimeout, "");
      } else if (!IsDisconnect(ec)) {
        Log(LogLevel::kDebug, "tls handshake failed",
            {{"listener", options_.name}, {"error", ec.message()}});
        options_.handler->OnDropped(ConnectionDrop::kTlsHandshake, "");
      }
      return CloseSocket();
    }
    handshake_done_ = true;
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    http_internal::ConfigureParser(options_, &*parser_);
    if (buffer_.size() > 0) return StartRequest();  // pipelined: already here
    // Wait for the first byte of the next request.
    Lowest().expires_after(ToChrono(options_.idle_timeout));
    stream_.async_read_some(buffer_.prepare(http_internal::kFirstReadBytes),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->buffer_.commit(n);
                              if (ec) return self->Close();
                              self->StartRequest();
                            });
  }

  // A request has begun: all of it must arrive within read_timeout.
  void StartRequest() {
    Lowest().expires_after(ToChrono(options_.read_timeout));
    obs_fold_ = false;
    ParseHeader();
  }

  // Gives the parser what is buffered until it has the whole header,
  // reading more as needed: what http::async_read_header does, except that
  // every stretch of header the parser takes is looked at first, for the
  // line folding the parser would quietly undo.
  void ParseHeader() {
    const beast::error_code ec = http_internal::PutHeader(buffer_, *parser_, &obs_fold_);
    if (ec != http::error::need_more) return OnHeader(ec);
    stream_.async_read_some(
        buffer_.prepare(beast::read_size(buffer_, http_internal::kHeaderReadBytes)),
        [self = this->shared_from_this()](beast::error_code ec, size_t n) {
          self->buffer_.commit(n);
          // The request has begun: its end is a partial one.
          if (ec == net::error::eof) ec = http::error::partial_message;
          if (ec) return self->OnHeader(ec);
          self->ParseHeader();
        });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    received_at_ = absl::Now();
    received_monotonic_ = MonotonicNow();
    auto& header = parser_->get();
    if (std::optional<HttpError> refused =
            http_internal::CheckHeader(*parser_, obs_fold_, options_)) {
      return Reject(*refused, http_internal::TargetOf(*parser_));
    }
    header_fields_ = http_internal::HeaderFields(*parser_);
    http_internal::ReserveBodyPadding(*parser_);
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // Tell clients such as curl to send the body now instead of after
      // their own timeout.
      continue_.emplace(http::status::continue_, header.version());
      http::async_write(stream_, *continue_,
                        [self = this->shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  // Under the deadline StartRequest set.
  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnReadError(beast::error_code ec) {
    // The request line may be known even when the headers were not all read
    // (e.g. a Content-Length over the limit fails in the header).
    std::string target;
    if (parser_.has_value()) target = std::string(parser_->get().target());
    if (ec == beast::error::timeout) {
      // Too slow (slowloris): the stream has closed the socket already.
      options_.handler->OnDropped(ConnectionDrop::kTimeout, target);
      return CloseSocket();
    }
    if (IsDisconnect(ec)) return Close();
    Reject(http_internal::ParseErrorFor(ec), target);
  }

  // Answers a request that cannot be served, then closes the connection:
  // whatever follows it in the stream cannot be trusted to start a request.
  void Reject(HttpError error, absl::string_view target) {
    keep_alive_ = false;
    Write(options_.handler->HandleError(error, target));
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    // The last request this connection may carry: its answer closes it, and
    // anything pipelined behind it is dropped unread.
    if (++requests_ >= options_.max_requests_per_connection) keep_alive_ = false;
    version_ = req.version();
    head_ = req.method() == http::verb::head;
    HttpRequest request = http_internal::ToHttpRequest(std::move(req), std::move(header_fields_));
    request.received_at = received_at_;
    request.received_monotonic = received_monotonic_;
    // Nothing more is read until this request is answered.
    Lowest().expires_never();
    state_->tracker->Begin();
    tracked_ = true;
    // The answer callback may run, and is destroyed, on another thread (the
    // file log's writer). It hands its reference to the session over to the
    // posted write, so that whatever holds the callback afterwards no longer
    // keeps the session, and with it a socket of this server's io_context,
    // alive: the last reference is always released on an I/O thread, before
    // the server stops. It posts through the io_context's own executor, not
    // a copy of the session's strand: a strand copy left on this thread
    // could be the strand's last reference once the session is gone, and
    // outlive the server.
    options_.handler->Handle(
        std::move(request), [self = this->shared_from_this()](HttpResponse response) mutable {
          auto& context = static_cast<net::io_context&>(
              net::query(self->stream_.get_executor(), net::execution::context));
          net::post(context.get_executor(), [self = std::move(self),
                                             response = std::move(response)]() mutable {
            Session* session = self.get();
            net::dispatch(session->stream_.get_executor(),
                          [self = std::move(self), response = std::move(response)]() mutable {
                            self->Write(std::move(response));
                          });
          });
        });
  }

  void Write(HttpResponse response) {
    if (response.stream != nullptr) {
      if (!head_) return StartStream(std::move(response));
      // HEAD: the header alone, as for any other answer.
      response.stream->Detach();
      response.stream.reset();
      keep_alive_ = false;
    }
    Lowest().expires_after(ToChrono(options_.read_timeout));
    auto on_write = [self = this->shared_from_this()](beast::error_code ec, size_t) {
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
    if (!response.content_type.empty()) {
      message.set(http::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.keep_alive(keep_alive_);
  }

  void OnWrite(beast::error_code ec) {
    if (tracked_) {
      tracked_ = false;
      state_->tracker->End();
    }
    if (ec || !keep_alive_) return Close();
    response_.reset();
    head_response_.reset();
    head_ = false;
    ReadHeader();
  }

  // A streamed response: the header without a length (the body ends when
  // the connection closes), then whatever the handler queues, one write at
  // a time, each within read_timeout. A read stays pending throughout to
  // notice the client going away; a keep-alive is written when the stream
  // has been idle.
  void StartStream(HttpResponse response) {
    keep_alive_ = false;
    body_stream_ = std::move(response.stream);
    head_response_.emplace(static_cast<http::status>(response.status), version_);
    SetHeaders(*head_response_, response);
    if (head_response_->find(http::field::cache_control) == head_response_->end()) {
      head_response_->set(http::field::cache_control, "no-store");
    }
    Lowest().expires_after(ToChrono(options_.read_timeout));
    http::async_write(stream_, *head_response_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->OnStreamHeader(ec);
                      });
  }

  void OnStreamHeader(beast::error_code ec) {
    // Answered: Drain does not wait for a stream (it ends it instead).
    if (tracked_) {
      tracked_ = false;
      state_->tracker->End();
    }
    if (ec) {
      stream_ended_ = true;
      body_stream_->Detach();
      return Close();
    }
    Lowest().expires_never();
    if (!state_->streams->Add(body_stream_)) body_stream_->Close();  // draining
    // The wake-up holds no reference to the session: a handler's stream
    // never keeps a connection alive, and every reference to the session is
    // taken and released on its strand.
    std::weak_ptr<Session> weak = this->weak_from_this();
    body_stream_->Attach([weak, executor = stream_.get_executor()] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->PumpStream();
      });
    });
    ReadUntilGone();
    if (!body_stream_->options().keepalive.empty()) {
      keepalive_timer_.emplace(stream_.get_executor());
      ArmKeepalive();
    }
    PumpStream();
  }

  // The client sends nothing more on a streamed connection; what it does
  // send is discarded, and the end of its stream ends ours.
  void ReadUntilGone() {
    if (!linger_buffer_) linger_buffer_ = std::make_unique<char[]>(kLingerChunk);
    stream_.async_read_some(net::buffer(linger_buffer_.get(), kLingerChunk),
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (ec || self->stream_ended_) return self->EndStream();
                              self->ReadUntilGone();
                            });
  }

  void ArmKeepalive() {
    keepalive_timer_->expires_after(ToChrono(body_stream_->options().keepalive_interval));
    keepalive_timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (ec || self->stream_ended_) return;
      if (!self->stream_writing_ && !self->stream_wrote_since_keepalive_) {
        self->stream_out_ = self->body_stream_->options().keepalive;
        self->end_after_write_ = false;
        self->WriteStream();
      }
      self->stream_wrote_since_keepalive_ = false;
      self->ArmKeepalive();
    });
  }

  void PumpStream() {
    if (stream_ended_ || stream_writing_) return;
    HttpStream::Pending pending = body_stream_->Take();
    if (pending.data.empty()) {
      if (pending.end) EndStream();
      return;
    }
    stream_out_ = std::move(pending.data);
    end_after_write_ = pending.end;
    stream_wrote_since_keepalive_ = true;
    WriteStream();
  }

  void WriteStream() {
    stream_writing_ = true;
    // Only the write gets the deadline: the pending read has none.
    Lowest().expires_after(ToChrono(options_.read_timeout));
    net::async_write(stream_, net::buffer(stream_out_),
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       self->stream_writing_ = false;
                       if (ec || self->end_after_write_) return self->EndStream();
                       self->PumpStream();
                     });
  }

  // Ends a streamed response by closing the connection (without a TLS
  // close_notify: the body's end is the connection's end either way).
  void EndStream() {
    if (stream_ended_) return;
    stream_ended_ = true;
    if (keepalive_timer_.has_value()) keepalive_timer_->cancel();
    body_stream_->Detach();
    state_->streams->Remove(body_stream_.get());
    ReleaseSlot();
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  // Ends the connection: over TLS with a close_notify first (bounded by a
  // short timeout), then the socket.
  void Close() {
    if constexpr (kTls) {
      if (handshake_done_ && !tls_closing_) {
        tls_closing_ = true;
        Lowest().expires_after(ToChrono(std::min(options_.read_timeout, absl::Seconds(5))));
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
        return;
      }
    }
    CloseSocket();
  }

  // Closes our side, then reads and discards what the client still sends
  // (the rest of a refused body, requests pipelined past the limit) for a
  // short while before closing the socket: closing with unread data makes
  // the kernel send a reset, and a reset can destroy the answer just sent
  // before the client has read it.
  void CloseSocket() {
    // First, so a client that sees the close can count on the slot being free.
    ReleaseSlot();
    beast::tcp_stream& lowest = Lowest();
    if (!lowest.socket().is_open()) return;  // closed by a timeout
    beast::error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest.expires_after(ToChrono(std::min(options_.read_timeout, kLingerTime)));
    Linger(kLingerBytes);
  }

  void Linger(size_t budget) {
    if (!linger_buffer_) linger_buffer_ = std::make_unique<char[]>(kLingerChunk);
    Lowest().async_read_some(
        net::buffer(linger_buffer_.get(), kLingerChunk),
        [self = this->shared_from_this(), budget](beast::error_code ec, size_t n) {
          if (ec || n >= budget) return self->Lowest().close();
          self->Linger(budget - n);
        });
  }

  void ReleaseSlot() {
    if (holds_slot_) {
      holds_slot_ = false;
      state_->connections.fetch_sub(1, std::memory_order_relaxed);
    }
  }

  // Lingering close: at most this long (and read_timeout), this much.
  static constexpr absl::Duration kLingerTime = absl::Seconds(2);
  static constexpr size_t kLingerBytes = 1 << 20;
  static constexpr size_t kLingerChunk = 16 << 10;

  const std::shared_ptr<ListenerState> state_;
  const HttpListenerOptions& options_;
  // Before stream_, which refers to it.
  const std::shared_ptr<ssl::context> tls_;
  Stream stream_;
  bool holds_slot_ = true;
  bool handshake_done_ = false;
  bool tls_closing_ = false;
  bool tracked_ = false;
  // The header being read had obsolete line folding.
  bool obs_fold_ = false;
  // The fields of the header of the request being read, taken before its
  // body (and a chunked body's trailer fields) is read.
  std::vector<std::pair<std::string, std::string>> header_fields_;
  uint32_t requests_ = 0;
  beast::flat_buffer buffer_;
  std::unique_ptr<char[]> linger_buffer_;
  std::optional<http_internal::RequestParser> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;
  std::optional<http::response<http::empty_body>> head_response_;
  absl::Time received_at_;
  absl::Time received_monotonic_;
  // A streamed response (StartStream), on the strand.
  std::shared_ptr<HttpStream> body_stream_;
  std::optional<net::steady_timer> keepalive_timer_;
  std::string stream_out_;  // the write in flight
  bool stream_writing_ = false;
  bool end_after_write_ = false;
  bool stream_wrote_since_keepalive_ = false;
  bool stream_ended_ = false;
  bool keep_alive_ = true;
  bool head_ = false;
  unsigned version_ = 11;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Accepts on `ios[0]`; each connection is served on the next of `ios`
  // in turn, each of which one thread runs.
  Listener(const std::vector<std::unique_ptr<net::io_context>>& ios,
           std::shared_ptr<ListenerState> state)
      : ios_(ios),
        acceptor_(net::make_strand(*ios.front())),
        retry_(acceptor_.get_executor()),
        state_(std::move(state)) {}

  absl::Status Bind() {
    const HttpListenerOptions& options = state_->options;
    beast::error_code ec;
    auto address = net::ip::make_address(options.address.host, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.name, ".listen: bad address ", options.address.host));
    }
    tcp::endpoint endpoint(address, options.address.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(absl::StrCat(options.name, ": cannot listen on ",
                                                 options.address.ToString(), ": ", ec.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    return absl::OkStatus();
  }

  void Accept() {
    net::io_context& io = *ios_[next_io_++ % ios_.size()];
    acceptor_.async_accept(net::make_strand(io), [self = shared_from_this()](beast::error_code ec,
                                                                             tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        // E.g. out of file descriptors: the error repeats until connections
        // close, so pause instead of spinning on it.
        Log(LogLevel::kWarn, "accept failed",
            {{"listener", self->state_->options.name}, {"error", ec.message()}});
        self->retry_.expires_after(std::chrono::milliseconds(100));
        self->retry_.async_wait([self](beast::error_code ec) {
          if (!ec && self->acceptor_.is_open()) self->Accept();
        });
        return;
      }
      self->Serve(std::move(socket));
      self->Accept();
    });
  }

  void Close() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_.cancel();
    });
  }

  uint16_t port() const { return port_; }
  ListenerState& state() { return *state_; }

 private:
  // On the acceptor's strand: the only place connections are taken.
  void Serve(tcp::socket socket) {
    ListenerState& state = *state_;
    if (state.connections.load(std::memory_order_relaxed) >= state.options.max_connections) {
      // The cheapest refusal: nothing read, no TLS handshake, no answer.
      // Counted first, so a client that sees the close sees the count.
      state.options.handler->OnDropped(ConnectionDrop::kTooManyConnections, "");
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    state.connections.fetch_add(1, std::memory_order_relaxed);
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (std::shared_ptr<ssl::context> tls = state.tls()) {
      std::make_shared<Session<TlsStream>>(std::move(socket), state_, std::move(tls))->Run();
    } else {
      std::make_shared<Session<PlainStream>>(std::move(socket), state_, nullptr)->Run();
    }
  }

  const std::vector<std::unique_ptr<net::io_context>>& ios_;
  size_t next_io_ = 0;  // on the acceptor's strand
  tcp::acceptor acceptor_;
  net::steady_timer retry_;  // on the acceptor's strand
  const std::shared_ptr<ListenerState> state_;
  uint16_t port_ = 0;
};

}  // namespace

struct HttpServer::Impl {
  RequestTracker tracker;
  StreamSet streams;  // before io: sessions remove themselves when destroyed
  // One per network thread: a connection stays on the thread that took it,
  // so its handlers never wake another thread.
  std::vector<std::unique_ptr<net::io_context>> ios;
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<std::thread> threads;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(
    int threads, std::vector<HttpListenerOptions> listeners) {
  auto impl = std::make_unique<Impl>();
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) impl->ios.push_back(std::make_unique<net::io_context>(1));
  for (HttpListenerOptions& options : listeners) {
    std::shared_ptr<ssl::context> tls;
    if (options.tls.has_value()) {
      absl::StatusOr<std::shared_ptr<ssl::context>> context =
          MakeTlsContext(*options.tls, options.name);
      if (!context.ok()) return context.status();
      tls = *std::move(context);
      options.tls.reset();  // the context holds what it needs
    }
    auto state = std::make_shared<ListenerState>(std::move(options), &impl->tracker, &impl->streams,
                                                 std::move(tls));
    auto listener = std::make_shared<Listener>(impl->ios, std::move(state));
    if (absl::Status s = listener->Bind(); !s.ok()) return s;
    impl->listeners.push_back(std::move(listener));
  }
  for (auto& listener : impl->listeners) listener->Accept();
  for (size_t i = 0; i < impl->ios.size(); ++i) {
    impl->threads.emplace_back([io = impl->ios[i].get(), i] {
      NameThisThread(absl::StrCat("hb-http-", i));
      // Keeps running while it has no connection yet.
      auto work = net::make_work_guard(*io);
      io->run();
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

bool HttpServer::Drain(absl::Time deadline) {
  for (auto& listener : impl_->listeners) listener->Close();
  impl_->streams.CloseAll();
  return impl_->tracker.WaitIdle(deadline);
}

HttpServer::~HttpServer() {
  for (auto& listener : impl_->listeners) listener->Close();
  // While the threads run: no stream wakes a connection after this.
  impl_->streams.CloseAll();
  for (auto& io : impl_->ios) io->stop();
  for (std::thread& t : impl_->threads) t.join();
}

uint16_t HttpServer::port(size_t i) const { return impl_->listeners[i]->port(); }

absl::Status HttpServer::UpdateTls(size_t i, const TlsMaterial& material) {
  ListenerState& state = impl_->listeners[i]->state();
  if (state.tls() == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(state.options.name, ": the listener was started without TLS"));
  }
  absl::StatusOr<std::shared_ptr<ssl::context>> context =
      MakeTlsContext(material, state.options.name);
  if (!context.ok()) return context.status();
  state.set_tls(*std::move(context));
  return absl::OkStatus();
}

}  // namespace hookbridge
