#include "bridge/trace_context.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

// The example of the specification (traceparent header, section 3.2).
constexpr absl::string_view kExample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

WebhookRequest With(std::vector<std::pair<absl::string_view, absl::string_view>> headers) {
  WebhookRequest request;
  request.method = "POST";
  request.headers = std::move(headers);
  return request;
}

TEST(TraceparentTest, AcceptsTheSpecificationsExample) {
  EXPECT_TRUE(IsValidTraceparent(kExample));
  EXPECT_TRUE(IsValidTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
}

TEST(TraceparentTest, RefusesWhatTheParsingRulesRefuse) {
  for (absl::string_view bad : {
           "",
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",       // no flags
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // uppercase
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero parent id
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // 00 with more
           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",    // not dashes
           "0x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version not hex
           "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",   // later: no dash
       }) {
    EXPECT_FALSE(IsValidTraceparent(bad)) << bad;
  }
  // A later version may carry more, after a dash.
  EXPECT_TRUE(IsValidTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-ab"));
}

TEST(TraceparentTest, NewOnesAreValidAndDistinct) {
  std::set<std::string> made;
  for (int i = 0; i < 100; ++i) {
    const std::string t = NewTraceparent();
    EXPECT_TRUE(IsValidTraceparent(t)) << t;
    EXPECT_TRUE(absl::StartsWith(t, "00-")) << t;
    EXPECT_TRUE(absl::EndsWith(t, "-00")) << t;
    made.insert(t.substr(3, 32));
  }
  EXPECT_EQ(made.size(), 100u);
}

TEST(TraceContextTest, KeepsTheRequestsTraceparentAndItsTracestate) {
  v1::TraceContext out;
  TraceContextOf(With({{"TraceParent", kExample},
                       {"tracestate", "rojo=00f067aa0ba902b7"},
                       {"Tracestate", "congo=t61rcWkgMzE"}}),
                 &out);
  EXPECT_EQ(out.traceparent(), kExample);
  EXPECT_TRUE(out.from_request());
  EXPECT_EQ(out.tracestate(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
}

TEST(TraceContextTest, StartsANewTraceWithoutAValidTraceparent) {
  for (const auto& headers :
       std::vector<std::vector<std::pair<absl::string_view, absl::string_view>>>{
           {},
           {{"traceparent", "00-garbage"}, {"tracestate", "rojo=1"}},
           // Two traceparents: ambiguous, neither is continued.
           {{"traceparent", kExample}, {"traceparent", kExample}},
       }) {
    v1::TraceContext out;
    TraceContextOf(With(headers), &out);
    EXPECT_TRUE(IsValidTraceparent(out.traceparent())) << out.traceparent();
    EXPECT_NE(out.traceparent(), kExample);
    EXPECT_FALSE(out.from_request());
    EXPECT_EQ(out.tracestate(), "");
  }
}

TEST(TraceContextTest, LeavesOutATracestateTooLongOrNotPrintable) {
  const std::string long_state(kMaxTracestateBytes + 1, 'a');
  for (absl::string_view state : {absl::string_view(long_state), absl::string_view("a=\x01")}) {
    v1::TraceContext out;
    TraceContextOf(With({{"traceparent", kExample}, {"tracestate", state}}), &out);
    EXPECT_EQ(out.traceparent(), kExample);
    EXPECT_EQ(out.tracestate(), "");
  }
  const std::string longest(kMaxTracestateBytes, 'a');
  v1::TraceContext out;
  TraceContextOf(With({{"traceparent", kExample}, {"tracestate", longest}}), &out);
  EXPECT_EQ(out.tracestate(), longest);
}

}  // namespace
}  // namespace hookbridge
