// TLS on the ingress and on gRPC against the real binary, with real TLS
// clients (OpenSSL, gRPC's SSL credentials) and certificates made at test
// time: HTTPS ingest, gRPC over TLS, mutual TLS, and certificates replaced
// on SIGHUP without dropping connections.
#include <grpc/grpc_security_constants.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"
#include "tests/integration/raw_connection.h"

namespace hookbridge::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "tls-secret";
constexpr char kPath[] = "/webhooks/ckeditor";
constexpr char kUnknown[] = "_unknown";

std::string TlsSection(const TestCertificate& server, const std::string& client_ca_file = "") {
  std::string yaml = absl::StrCat("tls: { cert_file: \"", server.cert_file, "\", key_file: \"",
                                  server.key_file, "\"");
  if (!client_ca_file.empty()) absl::StrAppend(&yaml, ", client_ca_file: \"", client_ca_file, "\"");
  return yaml + " }";
}

// A config with the given extra keys in the http and grpc sections.
std::string Config(const std::string& http_extra, const std::string& grpc_extra) {
  const std::string grpc = grpc_extra.empty() ? "" : ", " + grpc_extra;
  return absl::StrCat("http: { listen: \"127.0.0.1:0\"", http_extra.empty() ? "" : ", ", http_extra,
                      " }\n"
                      "grpc: { listen: \"127.0.0.1:0\"",
                      grpc,
                      " }\n"
                      "admin: { listen: \"127.0.0.1:0\" }\n"
                      "logging: { level: debug }\n"
                      "sources:\n"
                      "  - name: ckeditor\n"
                      "    provider: ckeditor-cloud-services\n"
                      "    secrets: [\"",
                      kSecret, "\"]\n");
}

// POSTs a signed event about `doc` on `c` and returns the status (0: no
// answer).
int Post(RawConnection* c, const std::string& doc) {
  if (!c->Write(SignedRawRequest(kPath, CommentAddedBody(doc), kSecret))) return 0;
  std::optional<RawResponse> response = c->ReadResponse();
  return response.has_value() ? response->status : 0;
}

std::shared_ptr<grpc::ChannelCredentials> GrpcTls(const std::string& ca_file,
                                                  const TestCertificate* client = nullptr) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFileOrDie(ca_file);
  if (client != nullptr) {
    options.pem_cert_chain = ReadFileOrDie(client->cert_file);
    options.pem_private_key = ReadFileOrDie(client->key_file);
  }
  return grpc::SslCredentials(options);
}

// A Subscribe stream from the earliest event over its own connection.
class Stream {
 public:
  Stream(const std::string& target, std::shared_ptr<grpc::ChannelCredentials> credentials) {
    grpc::ChannelArguments args;
    // A connection of its own, not one shared with an earlier channel.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    stub_ = v1::EventBridgeService::NewStub(grpc::CreateCustomChannel(target, credentials, args));
    AddBearer(&context_);
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::SubscribeRequest request;
    request.set_earliest(true);
    reader_ = stub_->Subscribe(&context_, request);
    reader_->WaitForInitialMetadata();
  }

  // The stream was established (the server sent its initial metadata).
  bool established() const {
    return context_.GetServerInitialMetadata().count("hookbridge-start-after") != 0;
  }

  // The subject of the next event ("" if the stream ended).
  std::string NextSubject() {
    while (next_ == response_.events_size()) {
      next_ = 0;
      if (!reader_->Read(&response_)) return "";
    }
    return response_.events(next_++).subject();
  }

  grpc::Status Finish() { return reader_->Finish(); }

  // The serial (uppercase hex) of the certificate the server presented.
  std::string PeerSerial() const {
    std::shared_ptr<const grpc::AuthContext> auth = context_.auth_context();
    if (auth == nullptr) return "";
    std::vector<grpc::string_ref> pem = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (pem.empty()) return "";
    BIO* bio = BIO_new_mem_buf(pem[0].data(), static_cast<int>(pem[0].size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (cert == nullptr) return "";
    std::string out;
    if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
      char* hex = BN_bn2hex(bn);
      out = hex;
      OPENSSL_free(hex);
      BN_free(bn);
    }
    X509_free(cert);
    return out;
  }

 private:
  std::unique_ptr<v1::EventBridgeService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader_;
  v1::SubscribeResponse response_;  // its events from next_ on are unread
  int next_ = 0;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = pki_.AddCa("hookbridge-test-ca");
    other_ca_ = pki_.AddCa("other-ca");
    server_ = pki_.Issue(ca_, "server", TestPki::Kind::kServer, "1001");
    client_ = pki_.Issue(ca_, "client", TestPki::Kind::kClient, "1101");
    stranger_ = pki_.Issue(other_ca_, "stranger", TestPki::Kind::kClient, "1201");
  }

  RawConnection::TlsOptions Trusting(const TestCertificate* client = nullptr) {
    RawConnection::TlsOptions options;
    options.ca_file = ca_.cert_file;
    if (client != nullptr) {
      options.cert_file = client->cert_file;
      options.key_file = client->key_file;
    }
    return options;
  }

  TestPki pki_;
  TestCertificate ca_, other_ca_, server_, client_, stranger_;
};

TEST_F(TlsTest, HttpsIngestIsDeliveredAndPlainHttpOnTheTlsPortIsRefused) {
  auto process = HookbridgeProcess::Start(Config(TlsSection(server_), ""));
  ASSERT_NE(process, nullptr);
  EXPECT_THAT(process->Stderr(), HasSubstr("\"serial\":\"1001\""));
  // gRPC is plain here: a plain listener next to a TLS one.
  Subscriber subscriber(process->grpc_target(), [] {
    v1::SubscribeRequest r;
    r.set_earliest(true);
    return r;
  }());

  std::string error;
  std::unique_ptr<RawConnection> https =
      RawConnection::Tls(process->http_port(), Trusting(), &error);
  ASSERT_NE(https, nullptr) << error;
  EXPECT_EQ(https->PeerSerial(), server_.serial);
  EXPECT_EQ(Post(https.get(), "over-https"), 200);
  std::vector<v1::Event> events = subscriber.ReadN(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].subject(), "over-https");

  // Plain HTTP to the HTTPS port: no HTTP answer, the connection is closed,
  // and the failed handshake is counted.
  std::unique_ptr<RawConnection> plain = RawConnection::Plain(process->http_port());
  ASSERT_NE(plain, nullptr);
  plain->Write(SignedRawRequest(kPath, CommentAddedBody("plain"), kSecret));
  EXPECT_THAT(plain->ReadUntilClosed(), ::testing::Not(HasSubstr("HTTP/1.1")));
  EXPECT_TRUE(plain->closed());
  EXPECT_EQ(WaitForWebhookCount(process->admin_port(), kUnknown, "tls_handshake", 1), 1);
  EXPECT_EQ(MetricValue(process->admin_port(), "hookbridge_log_last_sequence"), 1);

  // The HTTPS connection is unaffected.
  EXPECT_EQ(Post(https.get(), "still-https"), 200);
  EXPECT_EQ(subscriber.ReadN(1).at(0).subject(), "still-https");
  HttpClient admin(process->admin_port());
  EXPECT_EQ(admin.Send("GET", "/healthz").status, 200);
}

TEST_F(TlsTest, WithoutTlsTheListenersArePlain) {
  auto process = HookbridgeProcess::Start(Config("", ""));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  EXPECT_EQ(http.PostSigned(kPath, CommentAddedBody("plain"), kSecret).status, 200);
  Subscriber subscriber(process->grpc_target(), [] {
    v1::SubscribeRequest r;
    r.set_earliest(true);
    return r;
  }());
  EXPECT_EQ(subscriber.ReadN(1).at(0).subject(), "plain");
  // A TLS client finds no TLS server there.
  std::string error;
  EXPECT_EQ(RawConnection::Tls(process->http_port(), Trusting(), &error), nullptr);
  Stream tls_stream(process->grpc_target(), GrpcTls(ca_.cert_file));
  EXPECT_FALSE(tls_stream.established());
  EXPECT_EQ(tls_stream.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, HttpsWithClientCertificates) {
  auto process = HookbridgeProcess::Start(Config(TlsSection(server_, ca_.cert_file), ""));
  ASSERT_NE(process, nullptr);
  EXPECT_THAT(process->Stderr(), HasSubstr("\"client_certificates\":\"required\""));

  std::string error;
  std::unique_ptr<RawConnection> trusted =
      RawConnection::Tls(process->http_port(), Trusting(&client_), &error);
  ASSERT_NE(trusted, nullptr) << error;
  EXPECT_EQ(Post(trusted.get(), "with-client-cert"), 200);

  // Without a certificate and with one from another CA: refused (during the
  // handshake, or with TLS 1.3 right after it, so the request gets no
  // answer).
  for (const TestCertificate* client : {static_cast<const TestCertificate*>(nullptr),
                                        static_cast<const TestCertificate*>(&stranger_)}) {
    SCOPED_TRACE(client == nullptr ? "no certificate" : "certificate from another CA");
    std::unique_ptr<RawConnection> c =
        RawConnection::Tls(process->http_port(), Trusting(client), &error);
    if (c != nullptr) {
      EXPECT_EQ(Post(c.get(), "refused"), 0);
    }
  }
  EXPECT_EQ(WaitForWebhookCount(process->admin_port(), kUnknown, "tls_handshake", 2), 2);
  EXPECT_EQ(MetricValue(process->admin_port(), "hookbridge_log_last_sequence"), 1);
}

TEST_F(TlsTest, GrpcOverTls) {
  auto process = HookbridgeProcess::Start(Config("", TlsSection(server_)));
  ASSERT_NE(process, nullptr);
  Stream stream(process->grpc_target(), GrpcTls(ca_.cert_file));
  ASSERT_TRUE(stream.established());
  EXPECT_EQ(stream.PeerSerial(), server_.serial);
  HttpClient http(process->http_port());  // plain ingress next to TLS gRPC
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("to-tls-subscriber"), kSecret).status, 200);
  EXPECT_EQ(stream.NextSubject(), "to-tls-subscriber");

  // A plaintext client cannot talk to the TLS port; nor can one that does
  // not trust the server's CA.
  Stream plaintext(process->grpc_target(), grpc::InsecureChannelCredentials());
  EXPECT_FALSE(plaintext.established());
  EXPECT_EQ(plaintext.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  Stream distrustful(process->grpc_target(), GrpcTls(other_ca_.cert_file));
  EXPECT_FALSE(distrustful.established());
  EXPECT_EQ(distrustful.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

// A plaintext client on the TLS gRPC port makes gRPC core log the failed
// handshake at error level: the line is one of the process's JSON lines,
// with component "grpc", not gRPC's own text format.
TEST_F(TlsTest, GrpcCoreErrorsAreLinesOfTheJsonLog) {
  auto process = HookbridgeProcess::Start(Config("", TlsSection(server_)));
  ASSERT_NE(process, nullptr);
  Stream plaintext(process->grpc_target(), grpc::InsecureChannelCredentials());
  EXPECT_FALSE(plaintext.established());
  ASSERT_TRUE(process->WaitForStderr("\"component\":\"grpc\"")) << process->Stderr();

  int grpc_errors = 0;
  for (absl::string_view line : absl::StrSplit(process->Stderr(), '\n', absl::SkipEmpty())) {
    google::protobuf::Struct json;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &json).ok())
        << "not a JSON line: " << line;
    const auto& fields = json.fields();
    if (!fields.contains("component") || fields.at("component").string_value() != "grpc") continue;
    EXPECT_THAT(fields.at("source").string_value(), ::testing::MatchesRegex(".+\\.cc:[0-9]+"));
    if (fields.at("level").string_value() == "error" &&
        absl::StrContains(fields.at("msg").string_value(), "Handshake failed")) {
      ++grpc_errors;
    }
  }
  EXPECT_GE(grpc_errors, 1) << process->Stderr();
}

TEST_F(TlsTest, GrpcMutualTls) {
  auto process = HookbridgeProcess::Start(Config("", TlsSection(server_, ca_.cert_file)));
  ASSERT_NE(process, nullptr);

  Stream no_certificate(process->grpc_target(), GrpcTls(ca_.cert_file));
  EXPECT_FALSE(no_certificate.established());
  EXPECT_EQ(no_certificate.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);

  Stream wrong_ca(process->grpc_target(), GrpcTls(ca_.cert_file, &stranger_));
  EXPECT_FALSE(wrong_ca.established());
  EXPECT_EQ(wrong_ca.Finish().error_code(), grpc::StatusCode::UNAVAILABLE);

  Stream trusted(process->grpc_target(), GrpcTls(ca_.cert_file, &client_));
  ASSERT_TRUE(trusted.established());
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("mutual"), kSecret).status, 200);
  EXPECT_EQ(trusted.NextSubject(), "mutual");
}

TEST_F(TlsTest, UnusableCertificateFilesAtStartAreAConfigError) {
  const std::string missing = pki_.dir() + "/missing.crt";
  const std::string not_pem = pki_.dir() + "/not.pem";
  ReplaceFile(not_pem, "not a certificate\n");
  struct Case {
    std::string name;
    std::string yaml;
    std::string expected;
  };
  const TestCertificate mismatched{server_.cert_file, client_.key_file, ""};
  const TestCertificate absent{missing, server_.key_file, ""};
  const TestCertificate garbage{not_pem, server_.key_file, ""};
  const TestCertificate garbage_key{server_.cert_file, not_pem, ""};
  const std::vector<Case> cases = {
      {"missing", Config(TlsSection(absent), ""), "http.tls.cert_file: " + missing},
      {"not pem", Config(TlsSection(garbage), ""), "http.tls.cert_file"},
      {"key not pem", Config("", TlsSection(garbage_key)), "grpc.tls.key_file"},
      {"key mismatch", Config("", TlsSection(mismatched)), "does not match"},
      {"client ca not pem", Config(TlsSection(server_, not_pem), ""), "http.tls.client_ca_file"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = pki_.dir() + "/config.yaml";
    ReplaceFile(path, c.yaml);
    CommandResult result = RunCommand({BinaryPath("hookbridge"), "--config", path});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_THAT(result.err, HasSubstr(c.expected));
  }
}

TEST_F(TlsTest, SighupReplacesCertificatesForNewConnectionsOnly) {
  // The files the config names; replaced below.
  const std::string cert_file = pki_.dir() + "/live.crt";
  const std::string key_file = pki_.dir() + "/live.key";
  ReplaceFile(cert_file, ReadFileOrDie(server_.cert_file));
  ReplaceFile(key_file, ReadFileOrDie(server_.key_file));
  const TestCertificate live{cert_file, key_file, server_.serial};
  auto process = HookbridgeProcess::Start(Config(TlsSection(live), TlsSection(live)));
  ASSERT_NE(process, nullptr);
  const int admin_port = process->admin_port();

  // Before: a keep-alive HTTPS connection and an open gRPC stream.
  std::string error;
  std::unique_ptr<RawConnection> before =
      RawConnection::Tls(process->http_port(), Trusting(), &error);
  ASSERT_NE(before, nullptr) << error;
  EXPECT_EQ(before->PeerSerial(), "1001");
  ASSERT_EQ(Post(before.get(), "one"), 200);
  Stream stream(process->grpc_target(), GrpcTls(ca_.cert_file));
  ASSERT_TRUE(stream.established());
  EXPECT_EQ(stream.PeerSerial(), "1001");
  EXPECT_EQ(stream.NextSubject(), "one");

  // A new certificate (new serial and subject) in the same files.
  const TestCertificate renewed = pki_.Issue(ca_, "renewed", TestPki::Kind::kServer, "2002");
  ReplaceFile(cert_file, ReadFileOrDie(renewed.cert_file));
  ReplaceFile(key_file, ReadFileOrDie(renewed.key_file));
  ASSERT_EQ(kill(process->pid(), SIGHUP), 0);
  ASSERT_TRUE(process->WaitForStderr("SIGHUP handled", 1)) << process->Stderr();
  EXPECT_THAT(process->Stderr(), HasSubstr("\"serial\":\"2002\""));
  EXPECT_THAT(process->Stderr(), ::testing::Not(HasSubstr("tls reload failed")));

  // Established connections keep going, with the certificate they had.
  EXPECT_EQ(Post(before.get(), "two"), 200);
  EXPECT_EQ(before->PeerSerial(), "1001");
  EXPECT_EQ(stream.NextSubject(), "two");
  // New ones get the new certificate.
  std::unique_ptr<RawConnection> after =
      RawConnection::Tls(process->http_port(), Trusting(), &error);
  ASSERT_NE(after, nullptr) << error;
  EXPECT_EQ(after->PeerSerial(), "2002");
  EXPECT_EQ(Post(after.get(), "three"), 200);
  EXPECT_EQ(stream.NextSubject(), "three");
  Stream new_stream(process->grpc_target(), GrpcTls(ca_.cert_file));
  ASSERT_TRUE(new_stream.established());
  EXPECT_EQ(new_stream.PeerSerial(), "2002");
  EXPECT_EQ(new_stream.NextSubject(), "one");

  // Broken files on the next SIGHUP: not PEM, then a key that does not
  // match the certificate. The current certificate stays each time.
  const TestCertificate third = pki_.Issue(ca_, "third", TestPki::Kind::kServer, "3003");
  struct Broken {
    std::string name;
    std::string cert;
    std::string key;
  };
  const std::vector<Broken> broken = {
      {"not pem", "not a certificate\n", ReadFileOrDie(renewed.key_file)},
      {"key mismatch", ReadFileOrDie(third.cert_file), ReadFileOrDie(renewed.key_file)},
  };
  int hups = 1;
  for (const Broken& b : broken) {
    SCOPED_TRACE(b.name);
    ReplaceFile(cert_file, b.cert);
    ReplaceFile(key_file, b.key);
    ASSERT_EQ(kill(process->pid(), SIGHUP), 0);
    ++hups;
    ASSERT_TRUE(process->WaitForStderr("SIGHUP handled", hups)) << process->Stderr();
    // One failure per listener.
    EXPECT_TRUE(process->WaitForStderr("tls reload failed", 2 * (hups - 1)));
    std::unique_ptr<RawConnection> c = RawConnection::Tls(process->http_port(), Trusting(), &error);
    ASSERT_NE(c, nullptr) << error;
    EXPECT_EQ(c->PeerSerial(), "2002");
    EXPECT_EQ(Post(c.get(), "after-" + b.name), 200);
    Stream s(process->grpc_target(), GrpcTls(ca_.cert_file));
    ASSERT_TRUE(s.established());
    EXPECT_EQ(s.PeerSerial(), "2002");
  }
  EXPECT_THAT(process->Stderr(), ::testing::Not(HasSubstr("\"serial\":\"3003\"")));
  EXPECT_EQ(Post(before.get(), "still-before"), 200);
  HttpClient admin(admin_port);
  EXPECT_EQ(admin.Send("GET", "/healthz").status, 200);
}

TEST_F(TlsTest, ReplacedCertificateFilesAreServedWithoutASignal) {
  const std::string cert_file = pki_.dir() + "/watched.crt";
  const std::string key_file = pki_.dir() + "/watched.key";
  ReplaceFile(cert_file, ReadFileOrDie(server_.cert_file));
  ReplaceFile(key_file, ReadFileOrDie(server_.key_file));
  const TestCertificate watched{cert_file, key_file, server_.serial};
  auto process = HookbridgeProcess::Start(Config(TlsSection(watched), TlsSection(watched)));
  ASSERT_NE(process, nullptr);
  std::string error;
  std::unique_ptr<RawConnection> before =
      RawConnection::Tls(process->http_port(), Trusting(), &error);
  ASSERT_NE(before, nullptr) << error;
  EXPECT_EQ(before->PeerSerial(), "1001");
  Stream stream(process->grpc_target(), GrpcTls(ca_.cert_file));
  ASSERT_TRUE(stream.established());

  // Renewed in place, as cert-manager or a mounted Secret would: no
  // SIGHUP. The key is written second, so for a moment the pair does not
  // match; that moment keeps the old certificate.
  const TestCertificate renewed = pki_.Issue(ca_, "renewed", TestPki::Kind::kServer, "4004");
  ReplaceFile(cert_file, ReadFileOrDie(renewed.cert_file));
  ReplaceFile(key_file, ReadFileOrDie(renewed.key_file));
  // Both listeners load it within the once-a-second check.
  ASSERT_TRUE(process->WaitForStderr("\"serial\":\"4004\"", 2)) << process->Stderr();
  EXPECT_THAT(process->Stderr(), ::testing::Not(HasSubstr("SIGHUP")));
  std::unique_ptr<RawConnection> after =
      RawConnection::Tls(process->http_port(), Trusting(), &error);
  ASSERT_NE(after, nullptr) << error;
  EXPECT_EQ(after->PeerSerial(), "4004");
  EXPECT_EQ(Post(after.get(), "renewed"), 200);
  Stream new_stream(process->grpc_target(), GrpcTls(ca_.cert_file));
  ASSERT_TRUE(new_stream.established());
  EXPECT_EQ(new_stream.PeerSerial(), "4004");
  EXPECT_EQ(new_stream.NextSubject(), "renewed");
  // What was open goes on with its certificate.
  EXPECT_EQ(before->PeerSerial(), "1001");
  EXPECT_EQ(Post(before.get(), "before"), 200);
  EXPECT_EQ(stream.NextSubject(), "renewed");
  EXPECT_EQ(stream.NextSubject(), "before");
}

}  // namespace
}  // namespace hookbridge::testing
