// ReadRequests: the server's request parsing and checks on bytes in memory.
// The same refusals over real connections, with the answers written, are
// in tests/integration/hostile_http_test.cc.
#include "server/http/request_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bridge/json_document.h"

namespace hookbridge {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

HttpListenerOptions Options() {
  HttpListenerOptions options;
  options.name = "http";
  options.max_body_bytes = 64;
  options.max_header_bytes = 512;
  options.max_requests_per_connection = 3;
  return options;
}

std::string Post(absl::string_view body, absl::string_view extra_headers = "") {
  return absl::StrCat("POST /webhooks/docs HTTP/1.1\r\nHost: h\r\n", extra_headers,
                      "Content-Length: ", body.size(), "\r\n\r\n", body);
}

// The error the one request in `bytes` is refused with (nullopt: read).
std::optional<HttpError> ErrorOf(absl::string_view bytes,
                                 const HttpListenerOptions& options = Options()) {
  const std::vector<ReadRequest> reads = ReadRequests(bytes, options);
  EXPECT_EQ(reads.size(), 1u) << bytes;
  if (reads.size() != 1) return HttpError::kBadRequest;
  return reads[0].error;
}

TEST(ReadRequestsTest, ReadsARequest) {
  const std::vector<ReadRequest> reads = ReadRequests(Post("{}", "X-A: 1\r\n"), Options());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_FALSE(reads[0].error.has_value());
  EXPECT_EQ(reads[0].request.method, "POST");
  EXPECT_EQ(reads[0].request.target, "/webhooks/docs");
  EXPECT_THAT(reads[0].request.headers,
              ElementsAre(Pair("Host", "h"), Pair("X-A", "1"), Pair("Content-Length", "2")));
  EXPECT_EQ(reads[0].request.body, "{}");
  EXPECT_FALSE(reads[0].expect_continue);
}

// The JSON decoder reads up to kJsonPadding bytes past a body's end; the
// body of a request with a Content-Length has that much spare capacity, so
// it is parsed where it is, not copied.
TEST(ReadRequestsTest, ABodyHasRoomAfterItForTheJsonDecoder) {
  HttpListenerOptions options = Options();
  options.max_body_bytes = 10000;
  for (const std::string& body : {std::string("{}"), std::string(5000, 'x')}) {
    const std::vector<ReadRequest> reads = ReadRequests(Post(body), options);
    ASSERT_EQ(reads.size(), 1u);
    ASSERT_FALSE(reads[0].error.has_value());
    EXPECT_EQ(reads[0].request.body, body);
    EXPECT_GE(reads[0].request.body.capacity() - reads[0].request.body.size(), kJsonPadding);
  }
}

TEST(ReadRequestsTest, ReadsAChunkedBody) {
  const std::vector<ReadRequest> reads = ReadRequests(
      "POST /webhooks/docs HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
      "Expect: 100-continue\r\n\r\n3\r\n{\"a\r\n4;x=1\r\n\":1}\r\n0\r\n\r\n",
      Options());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_FALSE(reads[0].error.has_value());
  EXPECT_EQ(reads[0].request.body, "{\"a\":1}");
  EXPECT_TRUE(reads[0].expect_continue);
}

// Found by http_request_fuzzer: Beast adds a chunked body's trailer fields
// to the header's, so they reached the handler as headers, unchecked (a
// second Host, a signature).
TEST(ReadRequestsTest, TrailerFieldsAreNotHeaders) {
  const std::vector<ReadRequest> reads = ReadRequests(
      "POST /webhooks/docs HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\nHost: evil\r\nX-Hub-Signature-256: x\r\n\r\n",
      Options());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_FALSE(reads[0].error.has_value());
  EXPECT_THAT(reads[0].request.headers,
              ElementsAre(Pair("Host", "h"), Pair("Transfer-Encoding", "chunked")));
  EXPECT_EQ(reads[0].request.body, "{}");
}

TEST(ReadRequestsTest, PipelinedRequestsUntilCloseOrTheLimit) {
  std::vector<ReadRequest> reads =
      ReadRequests(Post("1") + Post("2") + Post("3") + Post("4"), Options());
  ASSERT_EQ(reads.size(), 3u);  // max_requests_per_connection
  EXPECT_EQ(reads[2].request.body, "3");

  reads = ReadRequests(Post("1", "Connection: close\r\n") + Post("2"), Options());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].request.body, "1");

  // The end of the bytes between requests is a client closing its side.
  EXPECT_TRUE(ReadRequests("", Options()).empty());
}

TEST(ReadRequestsTest, RefusesWhatTheServerRefuses) {
  EXPECT_EQ(ErrorOf("POST /webhooks/docs HTTP/1.0\r\nHost: h\r\nContent-Length: 0\r\n\r\n"),
            HttpError::kHttpVersion);
  EXPECT_EQ(ErrorOf("POST /webhooks/docs HTTP/1.1\r\nHost: h\r\n"
                    "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            HttpError::kTransferCoding);
  EXPECT_EQ(ErrorOf("POST /webhooks/docs HTTP/1.1\r\nHost: h\r\n"
                    "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            HttpError::kTransferEncoding);
  EXPECT_EQ(ErrorOf(Post("{}", "Content-Length: 2\r\n")), HttpError::kContentLength);
  EXPECT_EQ(ErrorOf(Post("{}", "Transfer-Encoding: chunked\r\n")), HttpError::kContentLength);
  EXPECT_EQ(ErrorOf(Post("{}", "X-A: 1\r\n  folded\r\n")), HttpError::kObsFold);
  EXPECT_EQ(ErrorOf("POST /webhooks/docs HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
            HttpError::kBadHost);
  EXPECT_EQ(ErrorOf(Post("{}", "Host: again\r\n")), HttpError::kBadHost);
  std::string many;
  for (size_t i = 0; i < kMaxHeaderFields; ++i) absl::StrAppend(&many, "X:\r\n");
  HttpListenerOptions roomy = Options();
  roomy.max_header_bytes = 16 << 10;
  EXPECT_EQ(ErrorOf(Post("{}", many), roomy), HttpError::kTooManyHeaders);
  EXPECT_EQ(ErrorOf(Post("{}", absl::StrCat("X-Big: ", std::string(600, 'a'), "\r\n"))),
            HttpError::kHeaderTooLarge);
  EXPECT_EQ(ErrorOf(Post(std::string(65, 'a'))), HttpError::kBodyTooLarge);
  EXPECT_EQ(ErrorOf("GARBAGE\r\n\r\n"), HttpError::kBadRequest);
}

TEST(ReadRequestsTest, HttpTenWhereTheListenerAllowsIt) {
  HttpListenerOptions options = Options();
  options.allow_http10 = true;
  EXPECT_EQ(ErrorOf("GET /healthz HTTP/1.0\r\n\r\n", options), std::nullopt);
  EXPECT_EQ(ErrorOf("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", options),
            HttpError::kTransferEncoding);
}

TEST(ReadRequestsTest, ARequestCutShortIsRefusedWithWhatWasReadOfItsTarget) {
  std::vector<ReadRequest> reads = ReadRequests(Post("{\"a\":1}").substr(0, 60), Options());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].error, HttpError::kBadRequest);
  EXPECT_EQ(reads[0].request.target, "/webhooks/docs");

  reads = ReadRequests("POST /webhooks/docs HTTP/1.1\r\nHost", Options());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].error, HttpError::kBadRequest);

  // After a refused request nothing more is read.
  reads = ReadRequests(Post("1") + "POST /webhooks/docs HTTP/1.0\r\n\r\n" + Post("3"), Options());
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[1].error, HttpError::kHttpVersion);
}

TEST(ReadRequestsTest, ErrorStatuses) {
  EXPECT_EQ(HttpErrorStatus(HttpError::kBodyTooLarge), 413);
  EXPECT_EQ(HttpErrorStatus(HttpError::kTooManyHeaders), 431);
  EXPECT_EQ(HttpErrorStatus(HttpError::kHeaderTooLarge), 431);
  EXPECT_EQ(HttpErrorStatus(HttpError::kTransferCoding), 501);
  EXPECT_EQ(HttpErrorStatus(HttpError::kObsFold), 400);
}

}  // namespace
}  // namespace hookbridge
