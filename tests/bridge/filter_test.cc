#include "bridge/filter.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::HasSubstr;

LogRecord Record(std::string type, std::string source = "docs", std::string env = "env-1",
                 std::string subject = "doc-1") {
  LogRecord record;
  record.type = std::move(type);
  record.source = std::move(source);
  record.environment_id = std::move(env);
  record.subject = std::move(subject);
  return record;
}

EventFilter Filter(const v1::SubscribeRequest& request) {
  absl::StatusOr<EventFilter> filter = EventFilter::FromRequest(request);
  EXPECT_TRUE(filter.ok()) << filter.status();
  if (!filter.ok()) return *EventFilter::FromRequest(v1::SubscribeRequest());
  return *std::move(filter);
}

EventFilter TypesFilter(std::initializer_list<const char*> types) {
  v1::SubscribeRequest request;
  for (const char* t : types) request.add_types(t);
  return Filter(request);
}

bool PatternMatches(absl::string_view pattern, absl::string_view type) {
  absl::StatusOr<TypePattern> p = TypePattern::Parse(pattern);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() && p->Matches(type);
}

// ---- TypePattern ---------------------------------------------------------------

TEST(EventFilterTest, PatternCountIsSourcesPlusTypes) {
  v1::SubscribeRequest request;
  EXPECT_EQ(EventFilter::PatternCount(request), 0u);
  request.add_sources("a");
  request.add_sources("b");
  request.add_types("comment.*");
  // Environment ids and subjects are exact lookups and not counted.
  request.add_environment_ids("e");
  request.add_subjects("s");
  EXPECT_EQ(EventFilter::PatternCount(request), 3u);
}

TEST(TypePatternTest, ExactPatternMatchesOnlyItself) {
  EXPECT_TRUE(PatternMatches("comment.added", "comment.added"));
  EXPECT_FALSE(PatternMatches("comment.added", "comment.added2"));
  EXPECT_FALSE(PatternMatches("comment.added", "comment.adde"));
  EXPECT_FALSE(PatternMatches("comment.added", "Comment.added"));
  EXPECT_FALSE(PatternMatches("comment.added", ""));
}

TEST(TypePatternTest, TrailingStarMatchesAnySuffix) {
  EXPECT_TRUE(PatternMatches("comment.*", "comment.added"));
  EXPECT_TRUE(PatternMatches("comment.*", "comment.removed"));
  EXPECT_TRUE(PatternMatches("comment.*", "comment."));
  EXPECT_FALSE(PatternMatches("comment.*", "commentthread.added"));
  EXPECT_FALSE(PatternMatches("comment.*", "comment"));
  EXPECT_FALSE(PatternMatches("comment.*", "xcomment.added"));
}

TEST(TypePatternTest, StarMatchesAcrossDots) {
  EXPECT_TRUE(PatternMatches("collaboration.document.*", "collaboration.document.updated"));
  EXPECT_TRUE(PatternMatches("collaboration.document.*", "collaboration.document.update.exported"));
  EXPECT_TRUE(PatternMatches("collaboration.*", "collaboration.document.export.failed"));
  EXPECT_FALSE(PatternMatches("collaboration.document.*", "collaboration.user.connected"));
}

TEST(TypePatternTest, LoneStarMatchesEverything) {
  EXPECT_TRUE(PatternMatches("*", "comment.added"));
  EXPECT_TRUE(PatternMatches("*", "ping"));
  EXPECT_TRUE(PatternMatches("*", ""));
  EXPECT_TRUE(PatternMatches("**", "x.y"));
}

TEST(TypePatternTest, LeadingAndInnerStars) {
  EXPECT_TRUE(PatternMatches("*.removed", "comment.removed"));
  EXPECT_TRUE(PatternMatches("*.removed", "commentthread.all.removed"));
  EXPECT_TRUE(PatternMatches("*.removed", "document.removed"));
  EXPECT_FALSE(PatternMatches("*.removed", "removed"));
  EXPECT_FALSE(PatternMatches("*.removed", "comment.removed.later"));
  EXPECT_TRUE(PatternMatches("comment*.removed", "commentthread.removed"));
  EXPECT_TRUE(PatternMatches("comment*.removed", "comment.removed"));
  EXPECT_TRUE(PatternMatches("*thread*", "commentthread.all.removed"));
  EXPECT_TRUE(PatternMatches("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(PatternMatches("a*b*c", "aXbYbZ"));
  // Backtracking past a partial match.
  EXPECT_TRUE(PatternMatches("*.document.*d", "collaboration.document.document.removed"));
}

TEST(TypePatternTest, KeepsItsText) {
  absl::StatusOr<TypePattern> p = TypePattern::Parse("comment.*");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->text(), "comment.*");
}

TEST(TypePatternTest, RejectsInvalidPatterns) {
  for (absl::string_view bad :
       {absl::string_view(""), absl::string_view("comment added"), absl::string_view("comment.*\n"),
        absl::string_view("\tping"), absl::string_view("a\x7f"), absl::string_view("a\0b", 3)}) {
    EXPECT_EQ(TypePattern::Parse(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(TypePattern::Parse(std::string(257, 'a')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(TypePattern::Parse(std::string(256, 'a')).ok());
}

// ---- EventFilter -----------------------------------------------------------------

TEST(EventFilterTest, EmptyFilterMatchesEverything) {
  EventFilter filter = Filter(v1::SubscribeRequest());
  EXPECT_TRUE(filter.Matches(Record("comment.added")));
  EXPECT_TRUE(filter.Matches(Record("", "", "", "")));
  EXPECT_EQ(filter.ToString(), "all");
}

TEST(EventFilterTest, TypesAreAlternatives) {
  EventFilter filter = TypesFilter({"comment.*", "suggestion.added"});
  EXPECT_TRUE(filter.Matches(Record("comment.added")));
  EXPECT_TRUE(filter.Matches(Record("suggestion.added")));
  EXPECT_FALSE(filter.Matches(Record("suggestion.removed")));
  EXPECT_FALSE(filter.Matches(Record("commentthread.added")));
}

TEST(EventFilterTest, ExactListsAreAlternatives) {
  v1::SubscribeRequest request;
  request.add_sources("docs");
  request.add_sources("assets");
  EventFilter filter = Filter(request);
  EXPECT_TRUE(filter.Matches(Record("x", "docs")));
  EXPECT_TRUE(filter.Matches(Record("x", "assets")));
  EXPECT_FALSE(filter.Matches(Record("x", "other")));
  EXPECT_FALSE(filter.Matches(Record("x", "doc")));
  EXPECT_FALSE(filter.Matches(Record("x", "docs*")));
}

TEST(EventFilterTest, ExactListsDoNotTreatStarAsAPattern) {
  v1::SubscribeRequest request;
  request.add_subjects("*");
  EventFilter filter = Filter(request);
  EXPECT_FALSE(filter.Matches(Record("x", "docs", "env-1", "doc-1")));
  EXPECT_TRUE(filter.Matches(Record("x", "docs", "env-1", "*")));
}

TEST(EventFilterTest, ListsAreAllRequired) {
  v1::SubscribeRequest request;
  request.add_types("comment.*");
  request.add_sources("docs");
  request.add_environment_ids("env-1");
  request.add_subjects("doc-1");
  request.add_subjects("doc-2");
  EventFilter filter = Filter(request);
  EXPECT_TRUE(filter.Matches(Record("comment.added", "docs", "env-1", "doc-1")));
  EXPECT_TRUE(filter.Matches(Record("comment.removed", "docs", "env-1", "doc-2")));
  EXPECT_FALSE(filter.Matches(Record("suggestion.added", "docs", "env-1", "doc-1")));
  EXPECT_FALSE(filter.Matches(Record("comment.added", "assets", "env-1", "doc-1")));
  EXPECT_FALSE(filter.Matches(Record("comment.added", "docs", "env-2", "doc-1")));
  EXPECT_FALSE(filter.Matches(Record("comment.added", "docs", "env-1", "doc-3")));
  EXPECT_FALSE(filter.Matches(Record("comment.added", "docs", "env-1", "")));
}

TEST(EventFilterTest, ToStringIsSortedAndReadable) {
  v1::SubscribeRequest request;
  request.add_types("comment.*");
  request.add_types("*.removed");
  request.add_sources("docs");
  request.add_sources("assets");
  request.add_subjects("doc-1");
  EXPECT_EQ(Filter(request).ToString(),
            "types=*.removed,comment.* sources=assets,docs subjects=doc-1");
}

TEST(EventFilterTest, InvalidTypePatternIsRejectedNamingTheEntry) {
  v1::SubscribeRequest request;
  request.add_types("comment.*");
  request.add_types("comment added");
  absl::StatusOr<EventFilter> filter = EventFilter::FromRequest(request);
  EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(filter.status().message(), HasSubstr("types[1]"));

  request.clear_types();
  request.add_types("");
  filter = EventFilter::FromRequest(request);
  EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(filter.status().message(), HasSubstr("types[0]"));
}

TEST(EventFilterTest, EmptyExactValuesAreRejectedNamingTheEntry) {
  const std::pair<const char*, void (*)(v1::SubscribeRequest*)> kCases[] = {
      {"sources[1]",
       [](v1::SubscribeRequest* r) {
         r->add_sources("docs");
         r->add_sources("");
       }},
      {"environment_ids[0]", [](v1::SubscribeRequest* r) { r->add_environment_ids(""); }},
      {"subjects[0]", [](v1::SubscribeRequest* r) { r->add_subjects(""); }},
  };
  for (const auto& [name, fill] : kCases) {
    v1::SubscribeRequest request;
    fill(&request);
    absl::StatusOr<EventFilter> filter = EventFilter::FromRequest(request);
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(filter.status().message(), HasSubstr(name));
  }
}

TEST(EventFilterTest, ListsAreBounded) {
  v1::SubscribeRequest request;
  for (size_t i = 0; i < EventFilter::kMaxEntries; ++i) request.add_types("t");
  EXPECT_TRUE(EventFilter::FromRequest(request).ok());
  request.add_types("t");
  absl::StatusOr<EventFilter> filter = EventFilter::FromRequest(request);
  EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(filter.status().message(), HasSubstr("types"));

  v1::SubscribeRequest subjects;
  for (size_t i = 0; i <= EventFilter::kMaxEntries; ++i) subjects.add_subjects("s");
  filter = EventFilter::FromRequest(subjects);
  EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(filter.status().message(), HasSubstr("subjects"));
}

}  // namespace
}  // namespace hookbridge
