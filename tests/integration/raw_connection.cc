#include "tests/integration/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

constexpr int kIoTimeoutSeconds = 30;

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out;
}

int ConnectTcp(int port, std::string* error) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = absl::StrCat("socket: ", strerror(errno));
    return -1;
  }
  timeval tv{kIoTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = absl::StrCat("connect: ", strerror(errno));
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

TestPki::TestPki() {
  char dir[] = "/tmp/hookbridge-pki-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return;
  }
  dir_ = dir;
}

TestPki::~TestPki() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

void TestPki::OpenSsl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult result = RunCommand(argv);
  ASSERT_EQ(result.exit_code, 0) << "openssl " << args[0] << " failed:\n" << result.err;
}

TestCertificate TestPki::AddCa(const std::string& name) {
  TestCertificate ca{dir_ + "/" + name + ".crt", dir_ + "/" + name + ".key", "01"};
  OpenSsl({"req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
           "-nodes", "-keyout", ca.key_file, "-out", ca.cert_file, "-days", "2", "-subj",
           "/CN=" + name, "-set_serial", "0x01"});
  return ca;
}

TestCertificate TestPki::Issue(const TestCertificate& ca, const std::string& name, Kind kind,
                               const std::string& serial) {
  const std::string base = dir_ + "/" + name + "-" + serial;
  TestCertificate cert{base + ".crt", base + ".key", absl::AsciiStrToUpper(serial)};
  const std::string ext_file = base + ".ext";
  {
    std::ofstream ext(ext_file);
    ext << "basicConstraints=critical,CA:FALSE\n"
        << "keyUsage=critical,digitalSignature\n";
    if (kind == Kind::kServer) {
      ext << "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n";
    } else {
      ext << "extendedKeyUsage=clientAuth\n";
    }
  }
  OpenSsl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", cert.key_file, "-out", base + ".csr", "-subj", "/CN=" + name});
  OpenSsl({"x509", "-req", "-in", base + ".csr", "-CA", ca.cert_file, "-CAkey", ca.key_file,
           "-set_serial", "0x" + serial, "-days", "1", "-extfile", ext_file, "-out",
           cert.cert_file});
  return cert;
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void ReplaceFile(const std::string& path, const std::string& contents) {
  const std::string aside = path + ".new";
  {
    std::ofstream out(aside, std::ios::binary | std::ios::trunc);
    out << contents;
    ASSERT_TRUE(out.good()) << "cannot write " << aside;
  }
  ASSERT_EQ(std::rename(aside.c_str(), path.c_str()), 0) << strerror(errno);
}

std::unique_ptr<RawConnection> RawConnection::Plain(int port) {
  std::string error;
  const int fd = ConnectTcp(port, &error);
  if (fd < 0) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  std::unique_ptr<RawConnection> c(new RawConnection());
  c->fd_ = fd;
  return c;
}

std::unique_ptr<RawConnection> RawConnection::Tls(int port, const TlsOptions& options,
                                                  std::string* error) {
  const int fd = ConnectTcp(port, error);
  if (fd < 0) return nullptr;
  std::unique_ptr<RawConnection> c(new RawConnection());
  c->fd_ = fd;
  ERR_clear_error();
  c->ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(c->ctx_, TLS1_2_VERSION);
  if (SSL_CTX_load_verify_locations(c->ctx_, options.ca_file.c_str(), nullptr) != 1) {
    *error = "cannot load the CA: " + OpenSslErrors();
    return nullptr;
  }
  SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER, nullptr);
  if (!options.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(c->ctx_, options.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(c->ctx_, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1)) {
    *error = "cannot load the client certificate: " + OpenSslErrors();
    return nullptr;
  }
  c->ssl_ = SSL_new(c->ctx_);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl_), "127.0.0.1");
  SSL_set_fd(c->ssl_, fd);
  if (SSL_connect(c->ssl_) != 1) {
    *error = "handshake: " + OpenSslErrors();
    return nullptr;
  }
  return c;
}

RawConnection::~RawConnection() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

bool RawConnection::Write(absl::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n;
    if (ssl_ != nullptr) {
      n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
      if (n <= 0) return false;
    } else {
      n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void RawConnection::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

bool RawConnection::Fill() {
  if (closed_) return false;
  char chunk[16384];
  ssize_t n;
  if (ssl_ != nullptr) {
    ERR_clear_error();
    n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n <= 0) {
      const int reason = SSL_get_error(ssl_, static_cast<int>(n));
      if (reason != SSL_ERROR_ZERO_RETURN) {
        error_ = absl::StrCat("ssl error ", reason, ": ", OpenSslErrors(), " ", strerror(errno));
      }
    }
  } else {
    do {
      n = recv(fd_, chunk, sizeof chunk, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) error_ = strerror(errno);
  }
  if (n <= 0) {
    closed_ = true;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      ADD_FAILURE() << "nothing read in " << kIoTimeoutSeconds << " s";
    }
    return false;
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

std::optional<RawResponse> RawConnection::ReadResponse() {
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return std::nullopt;
  }
  RawResponse response;
  std::vector<absl::string_view> lines =
      absl::StrSplit(absl::string_view(buffer_).substr(0, header_end), "\r\n");
  std::vector<absl::string_view> status_line = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &response.status)) {
    ADD_FAILURE() << "bad status line: " << lines[0];
    return std::nullopt;
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == absl::string_view::npos) continue;
    response.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  size_t length = 0;
  if (auto it = response.headers.find("content-length"); it != response.headers.end()) {
    EXPECT_TRUE(absl::SimpleAtoi(it->second, &length)) << it->second;
  }
  const size_t total = header_end + 4 + length;
  while (buffer_.size() < total) {
    if (!Fill()) return std::nullopt;
  }
  response.body = buffer_.substr(header_end + 4, length);
  buffer_.erase(0, total);
  return response;
}

std::string RawConnection::ReadUntilClosed() {
  while (Fill()) {
  }
  std::string out;
  out.swap(buffer_);
  return out;
}

bool RawConnection::Readable(int timeout_ms) {
  if (!buffer_.empty() || (ssl_ != nullptr && SSL_pending(ssl_) > 0)) return true;
  pollfd pfd{fd_, POLLIN, 0};
  return poll(&pfd, 1, timeout_ms) > 0;
}

std::string RawConnection::PeerSerial() const {
  if (ssl_ == nullptr) return "";
  X509* cert = SSL_get1_peer_certificate(ssl_);
  if (cert == nullptr) return "";
  std::string out;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  X509_free(cert);
  return out;
}

double WebhookCount(int admin_port, const std::string& source, const std::string& outcome) {
  const double value =
      MetricValue(admin_port, absl::StrCat("hookbridge_webhooks_received_total{outcome=\"", outcome,
                                           "\",source=\"", source, "\"}"));
  return value < 0 ? 0 : value;
}

double WaitForWebhookCount(int admin_port, const std::string& source, const std::string& outcome,
                           double value) {
  const absl::Time give_up = absl::Now() + absl::Seconds(kIoTimeoutSeconds);
  double last = WebhookCount(admin_port, source, outcome);
  while (last != value && absl::Now() < give_up) {
    last = WebhookCount(admin_port, source, outcome);
  }
  return last;
}

std::string RawRequest(const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& body) {
  std::string out = absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "\r\n", body);
  return out;
}

std::string SignedRawRequest(const std::string& target, const std::string& body,
                             const std::string& secret, bool keep_alive) {
  std::vector<std::pair<std::string, std::string>> headers =
      HttpClient::CkeditorHeaders(target, body, secret);
  headers.emplace_back("Content-Length", std::to_string(body.size()));
  if (!keep_alive) headers.emplace_back("Connection", "close");
  return RawRequest("POST", target, headers, body);
}

}  // namespace hookbridge::testing
