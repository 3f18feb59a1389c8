// The operator console's JSON API and live tail against the real binary:
// per-source counts, the delivery listing and its filters, the detail view
// (the typed event read back from the log, redacted headers, the path token
// hidden, also in mistyped URLs), the ring's bounds, the subscriber list
// with a real gRPC stream, Server-Sent Events for deliveries sent after
// connecting, the Host check against DNS rebinding, the console token, and
// the console turned off. (tests/console/ drives the page itself in a
// browser.)
#include <arpa/inet.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bridge/crypto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kSecret[] = "console-test-secret";
constexpr char kPath[] = "/webhooks/ckeditor";
constexpr char kCandToken[] = "cand-path-token-0123456789abcdef";

// The ckeditor source and a canD source with a path token; `admin_extra`
// adds keys to the admin section.
std::string Config(const std::string& admin_extra = "") {
  std::string config = CkeditorConfig(kSecret) + "  - name: cand\n    provider: cand\n" +
                       "    path_token: \"" + kCandToken + "\"\n";
  if (!admin_extra.empty()) {
    config =
        absl::StrReplaceAll(config, {{"admin: { listen: \"127.0.0.1:0\" }",
                                      "admin: { listen: \"127.0.0.1:0\", " + admin_extra + " }"}});
  }
  return config;
}

Struct ParseJson(const std::string& text) {
  Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &out).ok()) << text;
  return out;
}

// GET `target` on the admin port, parsed (a test failure unless 200).
Struct GetJson(int admin_port, const std::string& target) {
  HttpClient client(admin_port);
  HttpResponse response = client.Send("GET", target);
  EXPECT_EQ(response.status, 200) << target << ": " << response.body;
  EXPECT_EQ(response.headers["content-type"], "application/json");
  EXPECT_EQ(response.headers["cache-control"], "no-store");
  return ParseJson(response.body);
}

const Value& Field(const Struct& s, const std::string& key) {
  static const Value kNull;
  auto it = s.fields().find(key);
  EXPECT_NE(it, s.fields().end()) << "no field " << key;
  return it == s.fields().end() ? kNull : it->second;
}

std::string Str(const Struct& s, const std::string& key) { return Field(s, key).string_value(); }
double Num(const Struct& s, const std::string& key) { return Field(s, key).number_value(); }

std::vector<Struct> Deliveries(int admin_port, const std::string& query = "") {
  Struct list = GetJson(admin_port, "/api/deliveries" + query);
  std::vector<Struct> out;
  for (const Value& v : Field(list, "deliveries").list_value().values()) {
    out.push_back(v.struct_value());
  }
  return out;
}

std::vector<std::string> Outcomes(const std::vector<Struct>& deliveries) {
  std::vector<std::string> out;
  for (const Struct& d : deliveries) out.push_back(Str(d, "outcome"));
  return out;
}

// A plain HTTP/1.1 connection that reads a streamed answer as it comes.
class StreamReader {
 public:
  explicit StreamReader(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~StreamReader() { Close(); }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  void Send(const std::string& request) {
    ASSERT_EQ(write(fd_, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  }

  // Reads until what was received contains `needle` (true), the connection
  // ends or `timeout` passes (false).
  bool ReadUntil(const std::string& needle, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!absl::StrContains(received_, needle)) {
      const int wait = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (wait <= 0 || !ReadSome(wait)) return absl::StrContains(received_, needle);
    }
    return true;
  }

  // Reads until the server closes the connection (true) or `timeout`.
  bool ReadUntilClosed(absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!closed_) {
      const int wait = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (wait <= 0) return false;
      ReadSome(wait);
    }
    return true;
  }

  const std::string& received() const { return received_; }

 private:
  bool ReadSome(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buffer[4096];
    const ssize_t n = read(fd_, buffer, sizeof buffer);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    received_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

TEST(ConsoleTest, CountsListsAndFiltersDeliveries) {
  auto process = HookbridgeProcess::Start(Config());
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-2"), "a-wrong-secret").status, 401);
  ASSERT_EQ(
      http.PostSigned(kPath, CommentAddedBody("doc-3"), kSecret, absl::Now() - absl::Seconds(412))
          .status,
      401);
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);  // again
  ASSERT_EQ(http.Send("POST", "/webhooks/nothing-here", "{}").status, 404);

  Struct sources = GetJson(process->admin_port(), "/api/sources");
  const auto& list = Field(sources, "sources").list_value().values();
  ASSERT_EQ(list.size(), 2);
  const Struct& ckeditor = list[0].struct_value();
  EXPECT_EQ(Str(ckeditor, "name"), "ckeditor");
  EXPECT_EQ(Str(ckeditor, "provider"), "ckeditor-cloud-services");
  EXPECT_EQ(Str(ckeditor, "path"), "/webhooks/ckeditor");
  for (const char* window : {"total", "last_minute"}) {
    const Struct& counts = Field(ckeditor, window).struct_value();
    EXPECT_EQ(Num(counts, "accepted"), 1) << window;
    EXPECT_EQ(Num(counts, "duplicate"), 1) << window;
    EXPECT_EQ(Num(counts, "bad_signature"), 1) << window;
    EXPECT_EQ(Num(counts, "stale_timestamp"), 1) << window;
    EXPECT_EQ(Num(counts, "malformed"), 0) << window;
  }
  const Struct& cand = list[1].struct_value();
  EXPECT_EQ(Str(cand, "path"), "/webhooks/cand/\xE2\x80\xA6");

  // Newest first, every outcome, the unknown source with an empty name.
  std::vector<Struct> all = Deliveries(process->admin_port());
  EXPECT_THAT(Outcomes(all),
              ::testing::ElementsAre("unknown_source", "duplicate", "stale_timestamp",
                                     "bad_signature", "accepted"));
  EXPECT_EQ(Str(all[0], "source"), "");
  EXPECT_EQ(Num(all[0], "status"), 404);
  EXPECT_EQ(Str(all[3], "reason"), "signature mismatch: no configured secret matches");
  EXPECT_EQ(Num(all[3], "status"), 401);
  EXPECT_THAT(Str(all[2], "reason"),
              MatchesRegex("timestamp 41[2-4] s older than tolerance 300 s"));
  EXPECT_EQ(Str(all[4], "type"), "comment.added");
  EXPECT_EQ(Num(all[4], "sequence"), 1);
  EXPECT_EQ(Num(all[4], "status"), 200);

  EXPECT_THAT(Outcomes(Deliveries(process->admin_port(), "?outcome=bad_signature")),
              ::testing::ElementsAre("bad_signature"));
  EXPECT_THAT(Outcomes(Deliveries(process->admin_port(), "?source=ckeditor&type=comment.*")),
              ::testing::ElementsAre("duplicate", "accepted"));
  EXPECT_THAT(Outcomes(Deliveries(process->admin_port(), "?type=suggestion.*")),
              ::testing::IsEmpty());
  EXPECT_THAT(Outcomes(Deliveries(process->admin_port(), "?limit=2")),
              ::testing::ElementsAre("unknown_source", "duplicate"));
  const double third = Num(all[2], "id");
  EXPECT_THAT(Outcomes(Deliveries(process->admin_port(), absl::StrCat("?before=", third))),
              ::testing::ElementsAre("bad_signature", "accepted"));

  HttpClient admin(process->admin_port());
  HttpResponse bad = admin.Send("GET", "/api/deliveries?outcome=fine");
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("unknown outcome"));
  EXPECT_EQ(admin.Send("POST", "/api/deliveries").status, 405);  // read-only
  // Nothing rejected entered the log.
  EXPECT_EQ(MetricValue(process->admin_port(), "hookbridge_log_last_sequence"), 1);
}

// Behind a proxy that strips /hb, a source's public_url is what CKEditor
// signed: a request signed for the path as received is refused, and its
// delivery in the console says which form would have matched (the path
// itself not shown).
TEST(ConsoleTest, ARefusedSignatureSaysWhichFormOfTheUrlWouldHaveMatched) {
  auto process = HookbridgeProcess::Start(absl::StrReplaceAll(
      Config(), {{"    provider: ckeditor-cloud-services\n",
                  "    provider: ckeditor-cloud-services\n"
                  "    public_url: https://hooks.example.com/hb/webhooks/ckeditor\n"}}));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  const std::string body = CommentAddedBody("doc-9");
  const std::string as_sent = "/hb/webhooks/ckeditor";
  ASSERT_EQ(
      http.Send("POST", kPath, body, HttpClient::CkeditorHeaders(as_sent, body, kSecret)).status,
      200);
  ASSERT_EQ(http.Send("POST", kPath, CommentAddedBody("doc-10"),
                      HttpClient::CkeditorHeaders(kPath, CommentAddedBody("doc-10"), kSecret))
                .status,
            401);
  std::vector<Struct> all = Deliveries(process->admin_port());
  ASSERT_EQ(all.size(), 2);
  // Newest first.
  EXPECT_EQ(Str(all[0], "outcome"), "bad_signature");
  EXPECT_THAT(Str(all[0], "diagnosis"),
              HasSubstr("the signature matches the path as received, not public_url's path"));
  EXPECT_THAT(Str(all[0], "diagnosis"), Not(HasSubstr("/webhooks")));
  EXPECT_EQ(Str(all[1], "outcome"), "accepted");
  EXPECT_FALSE(all[1].fields().contains("diagnosis"));
}

TEST(ConsoleTest, DetailShowsTheTypedEventAndRedactsCredentials) {
  auto process = HookbridgeProcess::Start(Config());
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  const std::string body = CommentAddedBody("doc-7", "hello console");
  auto headers = HttpClient::CkeditorHeaders(kPath, body, kSecret);
  std::string signature;
  for (const auto& [name, value] : headers) {
    if (name == "X-CS-Signature") signature = value;
  }
  ASSERT_FALSE(signature.empty());
  headers.emplace_back("Authorization", "Bearer a-bearer-credential");
  headers.emplace_back("Cookie", "session=a-cookie-credential");
  headers.emplace_back("X-Api-Key", "an-api-key-credential");
  headers.emplace_back("X-Request-Id", "request-42");
  constexpr absl::string_view kTraceparent =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  headers.emplace_back("traceparent", std::string(kTraceparent));
  ASSERT_EQ(http.Send("POST", kPath, body, headers).status, 200);
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-8"), "a-wrong-secret").status, 401);
  // canD: a wrong token, and the right one with a body that is not canD's.
  ASSERT_EQ(http.Send("POST", "/webhooks/cand/a-near-miss-of-the-token?x=1", "{}").status, 404);
  ASSERT_EQ(http.Send("POST", absl::StrCat("/webhooks/cand/", kCandToken), "{}").status, 400);

  std::vector<Struct> all = Deliveries(process->admin_port());
  ASSERT_EQ(all.size(), 4);
  HttpClient admin(process->admin_port());
  HttpResponse everything = admin.Send("GET", "/api/deliveries");
  for (int i = 1; i <= 4; ++i) {
    everything.body += admin.Send("GET", absl::StrCat("/api/deliveries/", i)).body;
  }
  for (const std::string& secret :
       {std::string(kSecret), signature, std::string("a-bearer-credential"),
        std::string("a-cookie-credential"), std::string("an-api-key-credential"),
        std::string(kCandToken), std::string("a-near-miss-of-the-token")}) {
    EXPECT_THAT(everything.body, Not(HasSubstr(secret)));
  }

  const double accepted_id = Num(all[3], "id");
  Struct detail = GetJson(process->admin_port(), absl::StrCat("/api/deliveries/", accepted_id));
  EXPECT_EQ(Str(detail, "outcome"), "accepted");
  EXPECT_EQ(Str(detail, "path"), kPath);
  EXPECT_THAT(Str(detail, "body_preview"), HasSubstr("hello console"));
  EXPECT_EQ(Num(detail, "body_bytes"), body.size());
  const Struct& event = Field(detail, "event").struct_value();
  EXPECT_EQ(Str(event, "type"), "comment.added");
  EXPECT_EQ(Str(event, "sequence"), "1");
  EXPECT_EQ(Str(event, "source"), "ckeditor");
  EXPECT_EQ(Str(event, "subject"), "doc-7");
  // The sender's trace, continued, and how the request was verified.
  const Struct& trace = Field(event, "trace_context").struct_value();
  EXPECT_EQ(Str(trace, "traceparent"), kTraceparent);
  EXPECT_TRUE(Field(trace, "from_request").bool_value());
  const Struct& provenance = Field(event, "provenance").struct_value();
  EXPECT_EQ(Str(provenance, "scheme"), "ckeditor-hmac-sha256");
  EXPECT_EQ(Num(provenance, "secret_index"), 0);
  std::map<std::string, std::string> shown;
  for (const Value& pair : Field(detail, "headers").list_value().values()) {
    shown[pair.list_value().values(0).string_value()] = pair.list_value().values(1).string_value();
  }
  EXPECT_EQ(shown["X-CS-Signature"], "[redacted]");
  EXPECT_EQ(shown["Authorization"], "[redacted]");
  EXPECT_EQ(shown["Cookie"], "[redacted]");
  EXPECT_EQ(shown["X-Api-Key"], "[redacted]");
  EXPECT_EQ(shown["X-Request-Id"], "request-42");
  EXPECT_NE(shown["X-CS-Timestamp"], "");

  Struct rejected =
      GetJson(process->admin_port(), absl::StrCat("/api/deliveries/", Num(all[2], "id")));
  EXPECT_EQ(Str(rejected, "reason"), "signature mismatch: no configured secret matches");
  EXPECT_EQ(rejected.fields().count("event"), 0);
  EXPECT_THAT(Str(rejected, "event_note"), HasSubstr("never entered the event log"));

  // The path token is shown as "…", right or wrong; the query is dropped.
  EXPECT_EQ(Str(all[1], "outcome"), "bad_token");
  EXPECT_EQ(Str(all[1], "source"), "cand");
  EXPECT_EQ(Str(all[1], "path"), "/webhooks/cand/\xE2\x80\xA6?\xE2\x80\xA6");
  EXPECT_EQ(Str(all[0], "outcome"), "malformed");
  EXPECT_EQ(Str(all[0], "path"), "/webhooks/cand/\xE2\x80\xA6");

  EXPECT_EQ(admin.Send("GET", "/api/deliveries/999").status, 404);
}

// Senders mistype URLs and send credentials under names no fixed list
// knows: the path token stays hidden in every URL shape, and credential
// headers are recognised by what their name looks like, in the listing,
// the detail view, the live tail, the process log and /metrics.
TEST(ConsoleTest, MistypedUrlsAndUnlistedCredentialHeadersStayHidden) {
  auto process = HookbridgeProcess::Start(Config());  // logs at debug level
  ASSERT_NE(process, nullptr);
  StreamReader stream(process->admin_port());
  stream.Send("GET /api/deliveries/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(stream.ReadUntil(": connected\n\n")) << stream.received();

  const std::string token = kCandToken;
  const std::string encoded_token = absl::StrReplaceAll(token, {{"-", "%2D"}});
  const std::vector<std::string> targets = {
      "//webhooks/cand/" + token,
      "/webhooks//cand/" + token,
      "/Webhooks/cand/" + token,
      "/WEBHOOKS/CAND/" + token,
      "/webhooks/cand/" + token + "/",
      "/webhooks/cand/" + token + "/?x=1",
      "/webhooks/cand/" + encoded_token,
      "/webhooks/%63and/" + token,
      "/webhooks/cand%2F" + token,
      "/webhooks%2Fcand%2F" + token,
      "/webhooks/cand" + token,
      "/hookbridge/webhooks/cand/" + token,
      "/cand/" + token,
      "/webhooks/" + token,
      "/webhooks/cand?token=" + token,
      "http://bridge.example/webhooks/cand/" + token,
      "/webhooks/cand/" + token.substr(5, 12),  // a near miss: part of the token
  };
  HttpClient http(process->http_port());
  for (const std::string& target : targets) {
    EXPECT_EQ(http.TrySend("POST", target, "{}").status, 404) << target;
  }
  // Credential headers of providers whose names hold none of the old list's
  // words, and headers that carry the request's path.
  const std::vector<std::pair<std::string, std::string>> credentials = {
      {"X-Shopify-Hmac-Sha256", "shopify-hmac-credential"},
      {"Paypal-Transmission-Sig", "paypal-sig-credential"},
      {"X-Auth", "x-auth-credential"},
      {"X-Gitlab-Token", "gitlab-token-credential"},
      {"X-Session-Id", "session-id-credential"},
      {"X-Custom-Header", "Bearer bearer-value-credential"},
      {"X-Original-URI", "/webhooks/cand/" + token},
      {"Referer", "https://bridge.example/webhooks/cand/" + token + "?a=b"},
  };
  auto headers = credentials;
  headers.emplace_back("X-Request-Id", "request-43");
  ASSERT_EQ(http.Send("POST", "/webhooks/cand/" + token, "{}", headers).status, 400);

  const size_t sent = targets.size() + 1;
  ASSERT_TRUE(stream.ReadUntil(absl::StrCat("id: ", sent, "\n"))) << stream.received();
  ASSERT_TRUE(stream.ReadUntil("}\n\n"));
  std::vector<Struct> all = Deliveries(process->admin_port());
  ASSERT_EQ(all.size(), sent);
  HttpClient admin(process->admin_port());
  std::string everything = admin.Send("GET", "/api/deliveries").body;
  for (size_t i = 1; i <= sent; ++i) {
    everything += admin.Send("GET", absl::StrCat("/api/deliveries/", i)).body;
  }
  everything += stream.received();
  everything += admin.Send("GET", "/metrics").body;
  everything += process->Stderr();
  for (const std::string& secret :
       {token, encoded_token, token.substr(5, 12), std::string("shopify-hmac-credential"),
        std::string("paypal-sig-credential"), std::string("x-auth-credential"),
        std::string("gitlab-token-credential"), std::string("session-id-credential"),
        std::string("bearer-value-credential")}) {
    EXPECT_THAT(everything, Not(HasSubstr(secret)));
  }

  // What the operator sees still tells the mistakes apart.
  std::vector<std::string> paths;
  for (auto it = all.rbegin(); it != all.rend(); ++it) paths.push_back(Str(*it, "path"));
  const std::string hidden = "\xE2\x80\xA6";
  const std::vector<std::string> expected = {
      "//webhooks/cand/" + hidden,
      "/webhooks//cand/" + hidden,
      "/Webhooks/cand/" + hidden,
      "/WEBHOOKS/CAND/" + hidden,
      "/webhooks/cand/" + hidden,
      "/webhooks/cand/" + hidden + "?" + hidden,
      "/webhooks/cand/" + hidden,
      "/webhooks/%63and/" + hidden,
      "/webhooks/" + hidden,
      "/" + hidden,
      "/webhooks/" + hidden,
      "/hookbridge/webhooks/cand/" + hidden,
      "/cand/" + hidden,
      "/webhooks/" + hidden,
      "/webhooks/cand/" + hidden + "?" + hidden,
      "http://bridge.example/webhooks/cand/" + hidden,
      "/webhooks/cand/" + hidden,
      "/webhooks/cand/" + hidden,
  };
  EXPECT_EQ(paths, expected);
  Struct detail = GetJson(process->admin_port(), absl::StrCat("/api/deliveries/", sent));
  std::map<std::string, std::string> shown;
  for (const Value& pair : Field(detail, "headers").list_value().values()) {
    shown[pair.list_value().values(0).string_value()] = pair.list_value().values(1).string_value();
  }
  for (const char* name : {"X-Shopify-Hmac-Sha256", "Paypal-Transmission-Sig", "X-Auth",
                           "X-Gitlab-Token", "X-Session-Id", "X-Custom-Header"}) {
    EXPECT_EQ(shown[name], "[redacted]") << name;
  }
  EXPECT_EQ(shown["X-Original-URI"], "/webhooks/cand/" + hidden);
  EXPECT_EQ(shown["Referer"], "https://bridge.example/webhooks/cand/" + hidden + "?" + hidden);
  EXPECT_EQ(shown["X-Request-Id"], "request-43");
}

TEST(ConsoleTest, RingKeepsTheNewestWithinItsBounds) {
  auto process = HookbridgeProcess::Start(Config("console_deliveries: 3"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(http.Send("POST", absl::StrCat("/webhooks/none-", i), "{}").status, 404);
  }
  Struct list = GetJson(process->admin_port(), "/api/deliveries");
  EXPECT_EQ(Num(list, "retained"), 3);
  EXPECT_EQ(Num(list, "evicted"), 2);
  std::vector<Struct> kept = Deliveries(process->admin_port());
  ASSERT_EQ(kept.size(), 3);
  EXPECT_EQ(Num(kept[0], "id"), 5);
  EXPECT_EQ(Num(kept[2], "id"), 3);
  HttpClient admin(process->admin_port());
  EXPECT_EQ(admin.Send("GET", "/api/deliveries/2").status, 404);
  EXPECT_EQ(admin.Send("GET", "/api/deliveries/3").status, 200);
  EXPECT_EQ(MetricValue(process->admin_port(), "hookbridge_console_deliveries_evicted_total"), 2);

  // By bytes: 16 KiB previews in a 64 KiB ring.
  auto bytes =
      HookbridgeProcess::Start(Config("console_bytes: 64KiB, console_body_preview_bytes: 16KiB"));
  ASSERT_NE(bytes, nullptr);
  HttpClient http2(bytes->http_port());
  const std::string big(16 << 10, 'x');
  for (int i = 0; i < 8; ++i) {
    ASSERT_EQ(http2.Send("POST", "/webhooks/none", big).status, 404);
  }
  Struct bounded = GetJson(bytes->admin_port(), "/api/deliveries");
  EXPECT_LE(Num(bounded, "retained_bytes"), 64 << 10);
  EXPECT_GE(Num(bounded, "retained"), 2);
  EXPECT_LE(Num(bounded, "retained"), 3);
  EXPECT_EQ(Num(bounded, "retained") + Num(bounded, "evicted"), 8);
  std::vector<Struct> newest = Deliveries(bytes->admin_port(), "?limit=1");
  Struct detail =
      GetJson(bytes->admin_port(), absl::StrCat("/api/deliveries/", Num(newest[0], "id")));
  EXPECT_EQ(Str(detail, "body_preview"), big);
  EXPECT_FALSE(Field(detail, "body_truncated").bool_value());
}

TEST(ConsoleTest, ListsSubscribersWithPositionAndLag) {
  auto process = HookbridgeProcess::Start(Config());
  ASSERT_NE(process, nullptr);
  Struct empty = GetJson(process->admin_port(), "/api/subscribers");
  EXPECT_EQ(Num(empty, "count"), 0);

  v1::SubscribeRequest request;
  request.add_types("comment.*");
  request.add_sources("ckeditor");
  Subscriber subscriber(process->grpc_target(), request);
  ASSERT_EQ(subscriber.start_after(), "0");
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  ASSERT_EQ(subscriber.ReadN(1).size(), 1);

  Struct s;
  // The position moves once the server has seen the write complete.
  ASSERT_TRUE(Eventually([&] {
    Struct list = GetJson(process->admin_port(), "/api/subscribers");
    const auto& subscribers = Field(list, "subscribers").list_value().values();
    if (subscribers.size() != 1) return false;
    s = subscribers[0].struct_value();
    return Num(s, "position") == 1;
  }));
  EXPECT_THAT(Str(s, "peer"), HasSubstr("127.0.0.1"));
  EXPECT_EQ(Str(s, "token"), "test");
  EXPECT_EQ(Str(s, "rpc"), "Subscribe");
  ASSERT_EQ(Field(s, "types").list_value().values_size(), 1);
  EXPECT_EQ(Field(s, "types").list_value().values(0).string_value(), "comment.*");
  EXPECT_EQ(Field(s, "sources").list_value().values(0).string_value(), "ckeditor");
  EXPECT_EQ(Num(s, "lag_events"), 0);
  EXPECT_EQ(Num(s, "lag_seconds"), 0);
  EXPECT_NE(Str(s, "connected_at"), "");

  subscriber.Cancel();
  subscriber.Finish();
  EXPECT_TRUE(Eventually(
      [&] { return Num(GetJson(process->admin_port(), "/api/subscribers"), "count") == 0; }));
}

TEST(ConsoleTest, ShowsTheLagOfASubscriberThatDoesNotRead) {
  auto process = HookbridgeProcess::Start(Config());
  ASSERT_NE(process, nullptr);
  v1::SubscribeRequest request;
  request.add_sources("ckeditor");
  // Reads nothing yet.
  auto subscriber = std::make_unique<Subscriber>(process->grpc_target(), request);
  // Far more than gRPC's flow-control windows hold: writes to it stall.
  constexpr int kEvents = 8;
  const std::string content(1 << 20, 'x');
  HttpClient http(process->http_port());
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(
        http.PostSigned(kPath, CommentAddedBody(absl::StrCat("doc-", i), content), kSecret).status,
        200);
  }
  Struct s;
  auto first = [&] {
    Struct list = GetJson(process->admin_port(), "/api/subscribers");
    EXPECT_EQ(Num(list, "last_sequence"), kEvents);
    const auto& subscribers = Field(list, "subscribers").list_value().values();
    if (subscribers.size() != 1) return false;
    s = subscribers[0].struct_value();
    return true;
  };
  ASSERT_TRUE(Eventually([&] { return first() && Num(s, "lag_seconds") > 0; }));
  EXPECT_LT(Num(s, "position"), kEvents);
  EXPECT_EQ(Num(s, "lag_events"), kEvents - Num(s, "position"));

  // Once it has read everything, it is caught up.
  ASSERT_EQ(subscriber->ReadN(kEvents).size(), kEvents);
  ASSERT_TRUE(Eventually([&] { return first() && Num(s, "position") == kEvents; }));
  EXPECT_EQ(Num(s, "lag_events"), 0);
  EXPECT_EQ(Num(s, "lag_seconds"), 0);
  subscriber->Cancel();
  subscriber->Finish();
}

TEST(ConsoleTest, LiveTailStreamsNewDeliveries) {
  auto process = HookbridgeProcess::Start(Config());
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-0"), kSecret).status, 200);  // id 1

  StreamReader stream(process->admin_port());
  stream.Send(
      "GET /api/deliveries/stream?source=ckeditor&after=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(stream.ReadUntil(": connected\n\n")) << stream.received();
  EXPECT_THAT(stream.received(), HasSubstr("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(stream.received(), HasSubstr("Content-Type: text/event-stream"));
  EXPECT_THAT(stream.received(), HasSubstr("Cache-Control: no-store"));
  EXPECT_THAT(stream.received(), Not(HasSubstr("Content-Length")));
  EXPECT_THAT(stream.received(), Not(HasSubstr("id: 1\n")));  // after=1

  // Sent after connecting: one for another source (filtered out), then one
  // that matches.
  ASSERT_EQ(http.Send("POST", "/webhooks/elsewhere", "{}").status, 404);              // id 2
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), "wrong").status, 401);  // id 3
  ASSERT_TRUE(stream.ReadUntil("\n\n", absl::Seconds(10)));
  ASSERT_TRUE(stream.ReadUntil("id: 3\nevent: delivery\ndata: {\"id\":3,")) << stream.received();
  ASSERT_TRUE(stream.ReadUntil("}\n\n"));
  EXPECT_THAT(stream.received(), HasSubstr("\"outcome\":\"bad_signature\""));
  EXPECT_THAT(stream.received(),
              HasSubstr("\"reason\":\"signature mismatch: no configured secret matches\""));
  EXPECT_THAT(stream.received(), Not(HasSubstr("unknown_source")));

  // A reconnecting browser says where it was: the ones it missed come first.
  StreamReader again(process->admin_port());
  again.Send("GET /api/deliveries/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: 1\r\n\r\n");
  ASSERT_TRUE(again.ReadUntil("id: 3\n")) << again.received();
  EXPECT_THAT(again.received(), HasSubstr("id: 2\n"));
  EXPECT_THAT(again.received(), Not(HasSubstr("id: 1\n")));

  // A browser that goes away ends its stream.
  EXPECT_EQ(Num(GetJson(process->admin_port(), "/api/deliveries"), "live_streams"), 2);
  {
    StreamReader gone(process->admin_port());
    gone.Send("GET /api/deliveries/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    ASSERT_TRUE(gone.ReadUntil(": connected\n\n"));
    EXPECT_EQ(Num(GetJson(process->admin_port(), "/api/deliveries"), "live_streams"), 3);
  }
  EXPECT_TRUE(Eventually(
      [&] { return Num(GetJson(process->admin_port(), "/api/deliveries"), "live_streams") == 2; }));

  // SIGTERM ends open streams; the process still stops cleanly.
  EXPECT_EQ(process->Stop(SIGTERM), 0);
  EXPECT_TRUE(stream.ReadUntilClosed());
  EXPECT_TRUE(again.ReadUntilClosed());
}

TEST(ConsoleTest, ServesThePageWithAStrictPolicy) {
  auto process = HookbridgeProcess::Start(Config());
  ASSERT_NE(process, nullptr);
  HttpClient admin(process->admin_port());
  for (const char* path : {"/ui", "/ui/"}) {
    HttpResponse page = admin.Send("GET", path);
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
    EXPECT_EQ(page.headers["cache-control"], "no-cache");
    EXPECT_THAT(page.headers["content-security-policy"], HasSubstr("default-src 'self'"));
    EXPECT_THAT(page.body, HasSubstr("<script src=\"/ui/console.js\""));
    EXPECT_THAT(page.body, Not(HasSubstr("<script>")));  // nothing inline
  }
  HttpResponse script = admin.Send("GET", "/ui/console.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_THAT(script.body, HasSubstr("text/event-stream"));
  EXPECT_EQ(admin.Send("GET", "/ui/console.css").headers["content-type"],
            "text/css; charset=utf-8");
  EXPECT_EQ(admin.Send("GET", "/ui/../metrics").status, 404);
  EXPECT_EQ(admin.Send("GET", "/ui/nothing.js").status, 404);
  EXPECT_EQ(admin.Send("GET", "/api/nothing").status, 404);
}

// DNS rebinding: a web page whose name resolves to the operator's
// port-forward reads the console as if same-origin, but its requests name
// the page's host. The console answers only hosts a browser names when it
// was pointed at the console (localhost, IP addresses, admin.allowed_hosts);
// the health and metrics endpoints answer any Host, as scrapers use them.
TEST(ConsoleTest, RefusesHostsADnsRebindingPageWouldSend) {
  auto process = HookbridgeProcess::Start(Config());
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  HttpClient admin(process->admin_port());
  const auto host = [](const std::string& name) {
    return std::vector<std::pair<std::string, std::string>>{{"Host", name}};
  };
  for (const char* path : {"/ui", "/ui/console.js", "/api/deliveries", "/api/deliveries/1",
                           "/api/sources", "/api/deliveries/stream"}) {
    HttpResponse refused = admin.Send("GET", path, "", host("rebound.example:9090"));
    EXPECT_EQ(refused.status, 421) << path;
    EXPECT_THAT(refused.body, HasSubstr("admin.allowed_hosts")) << path;
    EXPECT_THAT(refused.body, Not(HasSubstr("doc-1"))) << path;
  }
  EXPECT_EQ(MetricValue(process->admin_port(),
                        "hookbridge_console_requests_refused_total{reason=\"host\"}"),
            6);
  // What a port-forward or a scrape by pod IP sends.
  for (const char* name : {"localhost:18080", "127.0.0.1:9090", "[::1]:9090", "10.244.1.7:9090"}) {
    EXPECT_EQ(admin.Send("GET", "/api/deliveries", "", host(name)).status, 200) << name;
  }
  for (const char* path : {"/metrics", "/healthz", "/readyz"}) {
    EXPECT_EQ(admin.Send("GET", path, "", host("hookbridge-admin.hooks.svc:9090")).status, 200)
        << path;
  }
  StreamReader stream(process->admin_port());
  stream.Send("GET /api/deliveries/stream HTTP/1.1\r\nHost: rebound.example\r\n\r\n");
  ASSERT_TRUE(stream.ReadUntil("\r\n\r\n")) << stream.received();
  EXPECT_THAT(stream.received(), HasSubstr("HTTP/1.1 421 "));
  EXPECT_EQ(Num(GetJson(process->admin_port(), "/api/deliveries"), "live_streams"), 0);

  // Names the operator expects, e.g. the Service's in-cluster names, are
  // added by a reload.
  process->RewriteConfig(Config("allowed_hosts: [hookbridge-admin.hooks.svc]"));
  ASSERT_TRUE(process->WaitForStderr("\"msg\":\"config reloaded\"")) << process->Stderr();
  EXPECT_EQ(
      admin.Send("GET", "/api/deliveries", "", host("hookbridge-admin.hooks.svc:9090")).status,
      200);
  EXPECT_EQ(admin.Send("GET", "/api/deliveries", "", host("rebound.example:9090")).status, 421);
}

// admin.console_token_sha256: the API needs the bearer token, the page's
// own files do not (so the page can ask for it); a reload changes it.
TEST(ConsoleTest, AConsoleTokenGuardsTheApi) {
  const std::string token = "a-console-token-for-the-test";
  auto process = HookbridgeProcess::Start(
      Config(absl::StrCat("console_token_sha256: \"", HexEncode(Sha256({token})), "\"")));
  ASSERT_NE(process, nullptr);
  EXPECT_THAT(process->Stderr(), HasSubstr("/ui on the admin listener, with a token"));
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  HttpClient admin(process->admin_port());
  const auto bearer = [](const std::string& value) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + value}};
  };
  EXPECT_EQ(admin.Send("GET", "/ui").status, 200);
  EXPECT_EQ(admin.Send("GET", "/ui/console.js").status, 200);
  for (const char* path : {"/api/deliveries", "/api/deliveries/1", "/api/sources",
                           "/api/subscribers", "/api/consumers", "/api/deliveries/stream"}) {
    HttpResponse missing = admin.Send("GET", path);
    EXPECT_EQ(missing.status, 401) << path;
    EXPECT_EQ(missing.headers["www-authenticate"], "Bearer realm=\"hookbridge console\"") << path;
    EXPECT_THAT(missing.body, Not(HasSubstr("doc-1"))) << path;
    EXPECT_EQ(admin.Send("GET", path, "", bearer("a-console-token-for-the-tesT")).status, 401)
        << path;
  }
  EXPECT_EQ(MetricValue(process->admin_port(),
                        "hookbridge_console_requests_refused_total{reason=\"token\"}"),
            12);
  HttpResponse list = admin.Send("GET", "/api/deliveries", "", bearer(token));
  EXPECT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("\"outcome\":\"accepted\""));
  EXPECT_EQ(admin.Send("GET", "/metrics").status, 200);  // scrapes need no token

  // The live tail takes the token in the same header.
  StreamReader stream(process->admin_port());
  stream.Send(absl::StrCat("GET /api/deliveries/stream HTTP/1.1\r\nHost: localhost:9090\r\n",
                           "Authorization: Bearer ", token, "\r\n\r\n"));
  ASSERT_TRUE(stream.ReadUntil("id: 1\n")) << stream.received();
  // The token is never echoed, logged or counted by name.
  EXPECT_THAT(process->Stderr(), Not(HasSubstr(token)));
  EXPECT_THAT(admin.Send("GET", "/metrics").body, Not(HasSubstr(token)));

  // A reload to another token refuses the old one; without one, the API is
  // open again.
  const std::string next = "the-next-console-token";
  process->RewriteConfig(
      Config(absl::StrCat("console_token_sha256: \"", HexEncode(Sha256({next})), "\"")));
  ASSERT_TRUE(process->WaitForStderr("\"msg\":\"config reloaded\"")) << process->Stderr();
  EXPECT_EQ(admin.Send("GET", "/api/deliveries", "", bearer(token)).status, 401);
  EXPECT_EQ(admin.Send("GET", "/api/deliveries", "", bearer(next)).status, 200);
  process->RewriteConfig(Config());
  ASSERT_TRUE(process->WaitForStderr("\"msg\":\"config reloaded\"", 2)) << process->Stderr();
  EXPECT_EQ(admin.Send("GET", "/api/deliveries").status, 200);
}

TEST(ConsoleTest, TurnedOff) {
  auto process = HookbridgeProcess::Start(Config("console: false"));
  ASSERT_NE(process, nullptr);
  HttpClient http(process->http_port());
  ASSERT_EQ(http.PostSigned(kPath, CommentAddedBody("doc-1"), kSecret).status, 200);
  HttpClient admin(process->admin_port());
  for (const char* path : {"/ui", "/ui/console.js", "/api/deliveries", "/api/sources",
                           "/api/subscribers", "/api/deliveries/stream"}) {
    HttpResponse response = admin.Send("GET", path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_THAT(response.body, HasSubstr("admin.console: false")) << path;
  }
  EXPECT_EQ(admin.Send("GET", "/metrics").status, 200);
  EXPECT_EQ(admin.Send("GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace hookbridge::testing
