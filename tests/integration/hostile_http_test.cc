// Hostile input at the HTTP level against the real binary: oversized bodies
// and headers, slow clients, pipelined floods, request smuggling, path
// tricks and connection floods. Each gets its status (or is cut off), is
// counted under its outcome, appends nothing, and leaves the process
// healthy.
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"
#include "tests/integration/raw_connection.h"

namespace hookbridge::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kSecret[] = "hostile-secret";
constexpr char kPath[] = "/webhooks/ckeditor";
constexpr char kUnknown[] = "_unknown";

class HostileHttpTest : public ::testing::Test {
 protected:
  // Short read_timeout so slow clients are cut off quickly; a long idle
  // timeout, so that is not what cuts them off.
  void Start(const std::string& http_extra =
                 "max_body_bytes: 1KiB, read_timeout: 1s, idle_timeout: 60s, "
                 "max_requests_per_connection: 100") {
    process_ = HookbridgeProcess::Start(CkeditorConfig(kSecret, "", http_extra));
    ASSERT_NE(process_, nullptr);
  }
  void SetUp() override { Start(); }

  double Count(const std::string& source, const std::string& outcome) {
    return WebhookCount(process_->admin_port(), source, outcome);
  }

  std::unique_ptr<RawConnection> Connect() { return RawConnection::Plain(process_->http_port()); }

  // Sends `request` on a new connection and reads the answer, which must
  // close the connection.
  RawResponse SendAndExpectClose(const std::string& request) {
    std::unique_ptr<RawConnection> c = Connect();
    if (c == nullptr) return {};
    EXPECT_TRUE(c->Write(request));
    std::optional<RawResponse> response = c->ReadResponse();
    EXPECT_TRUE(response.has_value()) << "no answer: " << c->error();
    if (!response.has_value()) return {};
    EXPECT_EQ(response->headers["connection"], "close");
    EXPECT_EQ(c->ReadUntilClosed(), "") << "nothing after the answer";
    EXPECT_TRUE(c->closed());
    return *response;
  }

  // The process is healthy, nothing was appended, and a good event that
  // follows is the first one a subscriber from the earliest position sees.
  void ExpectHealthyAndNothingAppended() {
    EXPECT_EQ(MetricValue(process_->admin_port(), "hookbridge_log_last_sequence"), 0);
    HttpClient admin(process_->admin_port());
    EXPECT_EQ(admin.Send("GET", "/healthz").status, 200);
    v1::SubscribeRequest request;
    request.set_earliest(true);
    Subscriber subscriber(process_->grpc_target(), request);
    HttpClient http(process_->http_port());
    ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("good"), kSecret).status, 200);
    std::vector<v1::Event> events = subscriber.ReadN(1);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].sequence(), 1u);
    EXPECT_EQ(events[0].subject(), "good");
  }

  std::unique_ptr<HookbridgeProcess> process_;
};

TEST_F(HostileHttpTest, OversizedBodyIs413AndClosed) {
  // Declared too large: refused from the header, before any body is read.
  std::string declared = RawRequest(
      "POST", kPath, {{"Content-Length", "1000000000"}, {"Content-Type", "application/json"}});
  declared += std::string(8192, 'x');  // the start of the body, left unread
  RawResponse a = SendAndExpectClose(declared);
  EXPECT_EQ(a.status, 413);
  EXPECT_THAT(a.body, HasSubstr("too_large"));

  // Chunked, so the size shows only while reading.
  std::string chunked = RawRequest("POST", kPath, {{"Transfer-Encoding", "chunked"}});
  for (int i = 0; i < 4; ++i) chunked += "400\r\n" + std::string(1024, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  RawResponse b = SendAndExpectClose(chunked);
  EXPECT_EQ(b.status, 413);

  EXPECT_EQ(Count("ckeditor", "too_large"), 2);
  ExpectHealthyAndNothingAppended();
}

TEST_F(HostileHttpTest, HugeHeaderIs431AndClosed) {
  RawResponse response = SendAndExpectClose(
      RawRequest("POST", kPath, {{"X-Filler", std::string(20000, 'h')}, {"Content-Length", "0"}}));
  EXPECT_EQ(response.status, 431);
  EXPECT_THAT(response.body, HasSubstr("max_header_bytes"));
  // The request line came first, so the source is known.
  EXPECT_EQ(Count("ckeditor", "bad_request"), 1);
  ExpectHealthyAndNothingAppended();
}

TEST_F(HostileHttpTest, ManyHeadersAre431AndClosed) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (int i = 0; i < 5000; ++i) headers.emplace_back(absl::StrCat("X-H", i), "v");
  headers.emplace_back("Content-Length", "0");
  RawResponse response = SendAndExpectClose(RawRequest("POST", kPath, headers));
  EXPECT_EQ(response.status, 431);
  EXPECT_EQ(Count("ckeditor", "bad_request"), 1);
  ExpectHealthyAndNothingAppended();
}

// Sends one byte of `rest` whenever 100 ms pass without the server closing
// the connection, until it does; returns how many bytes were sent. A client
// that always sends something again before a per-read timeout would fire:
// only a deadline for the whole request stops it.
int Trickle(RawConnection* c, const std::string& rest) {
  int sent = 0;
  while (!c->Readable(100)) {
    if (sent == static_cast<int>(rest.size())) {
      ADD_FAILURE() << "the server never cut the slow request off";
      break;
    }
    if (!c->Write(rest.substr(sent, 1))) break;
    ++sent;
  }
  return sent;
}

TEST_F(HostileHttpTest, SlowlorisHeaderIsCutOffAfterReadTimeout) {
  std::unique_ptr<RawConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Write("POST /webhooks/ckeditor HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  // 300 bytes at one per 100 ms would take 30 s; read_timeout is 1 s.
  const int sent = Trickle(c.get(), "X-Slow: " + std::string(300, 's'));
  EXPECT_GT(sent, 0);
  EXPECT_EQ(c->ReadUntilClosed(), "") << "cut off without an answer";
  EXPECT_TRUE(c->closed());
  // Counted under the source of the request line, which did arrive.
  EXPECT_EQ(WaitForWebhookCount(process_->admin_port(), "ckeditor", "timeout", 1), 1);
  ExpectHealthyAndNothingAppended();
}

TEST_F(HostileHttpTest, SlowlorisBodyIsCutOffAfterReadTimeout) {
  const std::string body = CommentAddedBody("slow");
  std::unique_ptr<RawConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  std::string request = SignedRawRequest(kPath, body, kSecret);
  ASSERT_TRUE(c->Write(request.substr(0, request.size() - body.size())));
  Trickle(c.get(), body);
  EXPECT_EQ(c->ReadUntilClosed(), "");
  EXPECT_TRUE(c->closed());
  EXPECT_EQ(WaitForWebhookCount(process_->admin_port(), "ckeditor", "timeout", 1), 1);
  ExpectHealthyAndNothingAppended();
}

TEST_F(HostileHttpTest, PipelinedFloodIsCutAtMaxRequestsPerConnection) {
  constexpr int kFlood = 5000;
  std::unique_ptr<RawConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  const std::string one = RawRequest("GET", kPath, {});
  // Written from another thread: the server stops reading at the limit, and
  // the client must still read the answers it got.
  std::thread writer([&] {
    std::string all;
    for (int i = 0; i < kFlood; ++i) all += one;
    c->Write(all);  // fails once the server has closed: expected
  });
  int answered = 0;
  std::string last_connection;
  while (std::optional<RawResponse> response = c->ReadResponse()) {
    ++answered;
    EXPECT_EQ(response->status, 200);
    last_connection = response->headers["connection"];
    if (answered < 100) {
      EXPECT_NE(last_connection, "close") << "answer " << answered;
    }
  }
  writer.join();
  EXPECT_EQ(answered, 100) << "max_requests_per_connection is 100; " << c->error();
  EXPECT_EQ(last_connection, "close");
  EXPECT_TRUE(c->closed());
  // A new connection is served as usual.
  std::unique_ptr<RawConnection> next = Connect();
  ASSERT_NE(next, nullptr);
  ASSERT_TRUE(next->Write(one));
  std::optional<RawResponse> response = next->ReadResponse();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  ExpectHealthyAndNothingAppended();
}

TEST_F(HostileHttpTest, ContentLengthAndTransferEncodingSmugglingIs400) {
  // Behind the outer request (by chunked framing) hides a valid signed
  // webhook: a server that took the chunked framing would append it.
  const std::string smuggled = SignedRawRequest(kPath, CommentAddedBody("smuggled"), kSecret);
  const std::string chunked_end = "0\r\n\r\n";
  const std::string length = std::to_string(chunked_end.size() + smuggled.size());
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string version = "HTTP/1.1";
  };
  const std::vector<Case> cases = {
      {"length then chunked", {{"Content-Length", length}, {"Transfer-Encoding", "chunked"}}},
      {"chunked then length", {{"Transfer-Encoding", "chunked"}, {"Content-Length", length}}},
      {"chunked twice", {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}},
      {"chunked not last", {{"Transfer-Encoding", "chunked, gzip"}, {"Content-Length", length}}},
      {"unknown coding only", {{"Transfer-Encoding", "gzip"}}},
      {"chunked in HTTP/1.0", {{"Transfer-Encoding", "chunked"}}, "HTTP/1.0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string request = RawRequest("POST", kPath, c.headers, chunked_end + smuggled);
    request.replace(request.find("HTTP/1.1"), 8, c.version);
    RawResponse response = SendAndExpectClose(request);
    EXPECT_EQ(response.status, 400);
    EXPECT_THAT(response.body, HasSubstr("bad_request"));
  }
  EXPECT_EQ(Count("ckeditor", "bad_request") + Count(kUnknown, "bad_request"), cases.size());
  EXPECT_EQ(Count("ckeditor", "accepted"), 0);
  ExpectHealthyAndNothingAppended();
}

// Each request below is a correctly signed webhook that only its HTTP
// framing makes unacceptable: a server that let it through would store it.

TEST_F(HostileHttpTest, NotHttp11Is400AndClosed) {
  const std::string signed_request = SignedRawRequest(kPath, CommentAddedBody("version"), kSecret);
  // Beast reads HTTP/1.0 and refuses the other versions itself.
  const std::vector<std::string> versions = {"HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.2"};
  for (const std::string& version : versions) {
    SCOPED_TRACE(version);
    std::string request = signed_request;
    request.replace(request.find("HTTP/1.1"), 8, version);
    RawResponse response = SendAndExpectClose(request);
    EXPECT_EQ(response.status, 400);
    EXPECT_THAT(response.body, AllOf(HasSubstr("bad_request"), HasSubstr("HTTP/1.1")));
  }
  // A probe too.
  EXPECT_EQ(SendAndExpectClose("GET /webhooks/ckeditor HTTP/1.0\r\n\r\n").status, 400);
  EXPECT_EQ(Count("ckeditor", "bad_request") + Count(kUnknown, "bad_request"), versions.size() + 1);
  // The admin listener still answers HTTP/1.0 health checks.
  std::unique_ptr<RawConnection> admin = RawConnection::Plain(process_->admin_port());
  ASSERT_NE(admin, nullptr);
  ASSERT_TRUE(admin->Write("GET /healthz HTTP/1.0\r\n\r\n"));
  std::optional<RawResponse> health = admin->ReadResponse();
  ASSERT_TRUE(health.has_value()) << admin->error();
  EXPECT_EQ(health->status, 200);
  ExpectHealthyAndNothingAppended();
}

// `body` in one chunk, and the last chunk.
std::string Chunked(const std::string& body) {
  return absl::StrCat(absl::Hex(body.size()), "\r\n", body, "\r\n0\r\n\r\n");
}

TEST_F(HostileHttpTest, TransferCodingOtherThanChunkedIs501AndClosed) {
  // Said to be gzipped under the chunked framing, but sent as it is: a
  // server that ignored the coding would store it.
  const std::string body = CommentAddedBody("gzip");
  using Headers = std::vector<std::pair<std::string, std::string>>;
  const Headers signature = HttpClient::CkeditorHeaders(kPath, body, kSecret);
  struct Case {
    std::vector<std::string> transfer_encoding;  // one field each
    int status;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {{"gzip, chunked"}, 501, "not implemented"},
      {{"gzip", "chunked"}, 501, "not implemented"},
      {{"deflate,chunked"}, 501, "not implemented"},
      {{"identity , CHUNKED"}, 501, "not implemented"},
      {{"x-custom;level=1", "chunked"}, 501, "not implemented"},
      // Codings that do not end in one chunked leave the length unknown.
      {{"chunked, chunked"}, 400, "Transfer-Encoding"},
      {{"gzip, chunked, chunked"}, 400, "Transfer-Encoding"},
      // A parameter (chunked has none) that a proxy may not strip.
      {{"chunked;x=1"}, 400, "Transfer-Encoding"},
      {{"gzip;q=1, chunked;x=1"}, 400, "Transfer-Encoding"},
      {{","}, 400, "Transfer-Encoding"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.transfer_encoding.front());
    Headers headers = signature;
    for (const std::string& value : c.transfer_encoding) {
      headers.emplace_back("Transfer-Encoding", value);
    }
    RawResponse response = SendAndExpectClose(RawRequest("POST", kPath, headers, Chunked(body)));
    EXPECT_EQ(response.status, c.status);
    EXPECT_THAT(response.body, AllOf(HasSubstr("bad_request"), HasSubstr(c.reason)));
  }
  EXPECT_EQ(Count("ckeditor", "bad_request"), cases.size());
  // Plain chunked is still served.
  Headers chunked = signature;
  chunked.emplace_back("Transfer-Encoding", "chunked");
  std::unique_ptr<RawConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Write(RawRequest("POST", kPath, chunked, Chunked(body))));
  std::optional<RawResponse> stored = c->ReadResponse();
  ASSERT_TRUE(stored.has_value()) << c->error();
  EXPECT_EQ(stored->status, 200) << stored->body;
  EXPECT_EQ(MetricValue(process_->admin_port(), "hookbridge_log_last_sequence"), 1);
}

TEST_F(HostileHttpTest, AmbiguousLengthsFoldedLinesAndBadHostAre400AndClosed) {
  const std::string body = CommentAddedBody("framing");
  const std::string length = std::to_string(body.size());
  using Headers = std::vector<std::pair<std::string, std::string>>;
  const Headers signature = HttpClient::CkeditorHeaders(kPath, body, kSecret);
  struct Case {
    std::string name;
    Headers headers;
    std::string body;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"Content-Length twice",
       {{"Content-Length", length}, {"Content-Length", length}},
       body,
       "Content-Length"},
      {"Content-Length list", {{"Content-Length", length + ", " + length}}, body, "Content-Length"},
      {"folded field", {{"Content-Length", length}, {"X-Note", "one\r\n two"}}, body, "folded"},
      // A proxy that does not unfold sees no chunked here.
      {"folded Transfer-Encoding",
       {{"Transfer-Encoding", "\r\n chunked"}},
       Chunked(body),
       "folded"},
      {"Host twice", {{"Content-Length", length}, {"Host", "127.0.0.1"}}, body, "Host"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Headers headers = signature;
    headers.insert(headers.end(), c.headers.begin(), c.headers.end());
    RawResponse response = SendAndExpectClose(RawRequest("POST", kPath, headers, c.body));
    EXPECT_EQ(response.status, 400);
    EXPECT_THAT(response.body, AllOf(HasSubstr("bad_request"), HasSubstr(c.reason)));
  }
  // No Host at all.
  std::string no_host = SignedRawRequest(kPath, body, kSecret);
  no_host.erase(no_host.find("Host: 127.0.0.1\r\n"), 17);
  RawResponse response = SendAndExpectClose(no_host);
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(response.body, HasSubstr("Host"));
  EXPECT_EQ(Count("ckeditor", "bad_request"), cases.size() + 1);
  ExpectHealthyAndNothingAppended();
}

TEST_F(HostileHttpTest, TooManyHeaderFieldsAre431AndClosed) {
  // Small enough for max_header_bytes: their number is what is refused.
  using Headers = std::vector<std::pair<std::string, std::string>>;
  const std::string body = CommentAddedBody("fields");
  Headers headers = HttpClient::CkeditorHeaders(kPath, body, kSecret);
  headers.emplace_back("Content-Length", std::to_string(body.size()));
  while (headers.size() < 100) headers.emplace_back(absl::StrCat("X", headers.size()), "v");
  // With Host, 101.
  RawResponse response = SendAndExpectClose(RawRequest("POST", kPath, headers, body));
  EXPECT_EQ(response.status, 431);
  EXPECT_THAT(response.body, AllOf(HasSubstr("bad_request"), HasSubstr("100 header fields")));
  EXPECT_EQ(Count("ckeditor", "bad_request"), 1);
  // A hundred are served.
  Headers hundred;
  while (hundred.size() < 99) hundred.emplace_back(absl::StrCat("X", hundred.size()), "v");
  std::unique_ptr<RawConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->Write(RawRequest("GET", kPath, hundred)));
  std::optional<RawResponse> probe = c->ReadResponse();
  ASSERT_TRUE(probe.has_value()) << c->error();
  EXPECT_EQ(probe->status, 200);
  ExpectHealthyAndNothingAppended();
}

TEST_F(HostileHttpTest, PathTraversalAndOddBytesFindNoSource) {
  // Answered 404 unknown_source like any other unknown path, keeping the
  // connection.
  const std::vector<std::string> not_found = {
      "/webhooks/../admin",
      "/webhooks/../metrics",
      "/webhooks/%2e%2e/metrics",
      "/webhooks/..%2fckeditor",
      "/webhooks/ckeditor/../ckeditor",
      "/webhooks/./ckeditor",
      "/webhooks//ckeditor",
      "/webhooks/ckeditor%00",
      "/webhooks/ckeditor%2f..",
      "/WEBHOOKS/ckeditor",
      "/webhooks/CKEDITOR",
      "/webhooks/ckeditor\xc3\xa9",
      "/webhooks/\xff\xfe",
      "/webhooks/" + std::string(10000, 'a'),
      "/metrics",
      "/healthz",
      "http://127.0.0.1/webhooks/ckeditor",
  };
  std::unique_ptr<RawConnection> c = Connect();
  ASSERT_NE(c, nullptr);
  for (const std::string& target : not_found) {
    SCOPED_TRACE(target.substr(0, 60));
    ASSERT_TRUE(c->Write(SignedRawRequest(target, CommentAddedBody("traversal"), kSecret)));
    std::optional<RawResponse> response = c->ReadResponse();
    ASSERT_TRUE(response.has_value()) << c->error();
    EXPECT_EQ(response->status, 404);
    EXPECT_THAT(response->body, HasSubstr("unknown_source"));
  }
  EXPECT_EQ(Count(kUnknown, "unknown_source"), not_found.size());

  // Bytes that cannot be in a request target: 400, and the connection ends.
  const std::vector<std::string> malformed = {
      std::string("/webhooks/ck\0editor", 19),
      "/webhooks/ck\x7f"
      "editor",
      "/webhooks/ck\teditor",
      "/webhooks/ck editor",
      "/webhooks/ck\reditor",
  };
  for (const std::string& target : malformed) {
    SCOPED_TRACE(absl::CEscape(target));
    RawResponse response = SendAndExpectClose(
        SignedRawRequest(target, CommentAddedBody("odd"), kSecret, /*keep_alive=*/true));
    EXPECT_EQ(response.status, 400);
  }
  EXPECT_EQ(Count(kUnknown, "bad_request"), malformed.size());

  // A source name longer than the header limit.
  RawResponse too_long =
      SendAndExpectClose(SignedRawRequest("/webhooks/" + std::string(20000, 'a'), "{}", kSecret));
  EXPECT_EQ(too_long.status, 431);
  EXPECT_EQ(Count(kUnknown, "bad_request"), malformed.size() + 1);
  EXPECT_EQ(Count("ckeditor", "accepted"), 0);
  ExpectHealthyAndNothingAppended();
}

TEST(HostileConnectionsTest, ConnectionsOverMaxConnectionsAreClosedAndCounted) {
  auto process = HookbridgeProcess::Start(CkeditorConfig(kSecret, "", "max_connections: 3"));
  ASSERT_NE(process, nullptr);
  const std::string get = RawRequest("GET", kPath, {});
  std::vector<std::unique_ptr<RawConnection>> open;
  for (int i = 0; i < 3; ++i) {
    open.push_back(RawConnection::Plain(process->http_port()));
    ASSERT_NE(open.back(), nullptr);
    ASSERT_TRUE(open.back()->Write(get));
    std::optional<RawResponse> response = open.back()->ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
  // The fourth is accepted by the kernel, then closed unread.
  std::unique_ptr<RawConnection> extra = RawConnection::Plain(process->http_port());
  ASSERT_NE(extra, nullptr);
  extra->Write(get);  // may fail: the server may have closed it already
  EXPECT_EQ(extra->ReadUntilClosed(), "");
  EXPECT_TRUE(extra->closed());
  EXPECT_EQ(WebhookCount(process->admin_port(), kUnknown, "too_many_connections"), 1);

  // The three are still served.
  for (auto& c : open) {
    ASSERT_TRUE(c->Write(get));
    std::optional<RawResponse> response = c->ReadResponse();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
  }
  // One ends (the server closes it, so its slot is free once it is seen
  // closed); then a new connection is served.
  ASSERT_TRUE(open[0]->Write(RawRequest("GET", kPath, {{"Connection", "close"}})));
  ASSERT_TRUE(open[0]->ReadResponse().has_value());
  EXPECT_EQ(open[0]->ReadUntilClosed(), "");
  std::unique_ptr<RawConnection> again = RawConnection::Plain(process->http_port());
  ASSERT_NE(again, nullptr);
  ASSERT_TRUE(again->Write(get));
  std::optional<RawResponse> response = again->ReadResponse();
  ASSERT_TRUE(response.has_value()) << again->error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(WebhookCount(process->admin_port(), kUnknown, "too_many_connections"), 1);
  HttpClient admin(process->admin_port());
  EXPECT_EQ(admin.Send("GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace hookbridge::testing
