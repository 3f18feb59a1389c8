// Low-level peers for the hostile and TLS integration tests: a TCP or TLS
// (OpenSSL) connection that sends exactly the bytes it is given and reads
// HTTP/1.1 responses as they come, and a throwaway PKI made with the openssl
// command line tool.
#ifndef HOOKBRIDGE_TESTS_INTEGRATION_RAW_CONNECTION_H_
#define HOOKBRIDGE_TESTS_INTEGRATION_RAW_CONNECTION_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace hookbridge::testing {

// A certificate and its key, as PEM files.
struct TestCertificate {
  std::string cert_file;
  std::string key_file;
  std::string serial;  // uppercase hex, as hookbridge logs it (e.g. "1001")
};

// A temporary directory holding certificate authorities and certificates
// issued by them; removed with the object. Keys are EC P-256, valid a day.
class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // A self-signed CA named `name`: its certificate is .cert_file.
  TestCertificate AddCa(const std::string& name);
  // A certificate for `name` signed by `ca` with serial `serial` (hex
  // digits). Server certificates are for 127.0.0.1 and localhost; client
  // certificates have the clientAuth usage.
  enum class Kind { kServer, kClient };
  TestCertificate Issue(const TestCertificate& ca, const std::string& name, Kind kind,
                        const std::string& serial);

  const std::string& dir() const { return dir_; }

 private:
  void OpenSsl(const std::vector<std::string>& args);
  std::string dir_;
};

// Reads a whole file (empty and a test failure if it cannot).
std::string ReadFileOrDie(const std::string& path);
// Replaces `path` with `contents` atomically (write aside, rename).
void ReplaceFile(const std::string& path, const std::string& contents);

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

// A blocking client connection to 127.0.0.1:port. Reads and writes give up
// after 30 s (a bound on a hang, reported as a failure). Writes and reads
// may run on two threads at once on a plain connection, not on TLS.
class RawConnection {
 public:
  // Plain TCP. nullptr (and a test failure) if it cannot connect.
  static std::unique_ptr<RawConnection> Plain(int port);

  struct TlsOptions {
    std::string ca_file;    // verify the server against this CA, for 127.0.0.1
    std::string cert_file;  // optional client certificate
    std::string key_file;
  };
  // TLS 1.2+. nullptr with the reason in `error` if the connection or the
  // handshake fails. With TLS 1.3 a server that refuses the client's
  // certificate says so only after the handshake: the first read fails.
  static std::unique_ptr<RawConnection> Tls(int port, const TlsOptions& options,
                                            std::string* error);

  ~RawConnection();

  // Sends all of `bytes`; false if the connection failed.
  bool Write(absl::string_view bytes);
  // Half-closes the sending side (plain connections).
  void ShutdownWrite();

  // Reads one response. nullopt when the connection ends (closed, reset or
  // failed; see closed()) before a whole response arrived.
  std::optional<RawResponse> ReadResponse();
  // Reads and discards until the connection ends; returns what was read.
  std::string ReadUntilClosed();
  // Waits up to `timeout_ms` for something to read (or the end). True if
  // there is; for pacing a client that trickles bytes.
  bool Readable(int timeout_ms);

  // The connection ended: the server closed it (or reset it).
  bool closed() const { return closed_; }
  // Why the last read failed ("" for a clean close).
  const std::string& error() const { return error_; }

  // TLS: the serial of the server's certificate (uppercase hex).
  std::string PeerSerial() const;

 private:
  RawConnection() = default;
  // Reads more into buffer_; false at the end.
  bool Fill();

  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string buffer_;
  bool closed_ = false;
  std::string error_;
};

// hookbridge_webhooks_received_total{outcome,source} as MetricValue reads it
// (0 for a series not exported yet).
double WebhookCount(int admin_port, const std::string& source, const std::string& outcome);
// Waits until WebhookCount(...) == `value`, for counts the server makes
// after the client can see the connection end (a read timeout closes the
// socket first). Returns the last value read: compare it with `value`. Gives
// up after 30 s (a bound on a hang).
double WaitForWebhookCount(int admin_port, const std::string& source, const std::string& outcome,
                           double value);

// The bytes of a request; `headers` are sent in order as given.
std::string RawRequest(const std::string& method, const std::string& target,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       const std::string& body = "");
// A POST of `body` to `target`, signed the CKEditor way with `secret`.
std::string SignedRawRequest(const std::string& target, const std::string& body,
                             const std::string& secret, bool keep_alive = true);

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_INTEGRATION_RAW_CONNECTION_H_
