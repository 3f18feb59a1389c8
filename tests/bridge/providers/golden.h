// Golden-file checks for provider decoding, shared by the provider tests.
//
// tests/testdata/<provider dir>/<name>.json is a webhook body;
// <name>.textproto beside it is the hookbridge.v1.Event that Source::Decode
// must produce from it (only the fields Decode sets: type, environment_id,
// subject, sent_at, the payload and decode_error). Run the tests with
// HOOKBRIDGE_UPDATE_GOLDEN=1 to rewrite the .textproto files from the current
// decoder; every rewritten file must then be reviewed by hand against the
// provider's documentation before it is committed.
#ifndef HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_GOLDEN_H_
#define HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_GOLDEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "hookbridge/v1/event.pb.h"

namespace hookbridge::test_util {

// The absolute path of tests/testdata/<subdir>.
std::string TestdataPath(absl::string_view subdir);

// The contents of `path`; NotFound if it cannot be read.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// The names (file names without ".json") of the golden inputs in
// tests/testdata/<subdir>, sorted. Empty if the directory cannot be read.
std::vector<std::string> GoldenNames(absl::string_view subdir);

// Signs `body` as the provider would and runs it through a source of
// `provider` (a registry name): Verify, then Decode into `event`.
absl::Status VerifyAndDecode(absl::string_view provider, absl::string_view body, v1::Event* event);

// Decodes tests/testdata/<subdir>/<name>.json with a source of `provider`
// and compares the result with <name>.textproto, describing every
// difference on failure. With HOOKBRIDGE_UPDATE_GOLDEN=1 it rewrites the
// .textproto instead.
::testing::AssertionResult MatchesGolden(absl::string_view provider, absl::string_view subdir,
                                         absl::string_view name);

// The file name, without extension, of the golden files of event `type`:
// the type with ':' (not allowed in Windows file names) replaced by '_', so
// canD's "MOIM:product.created" is "MOIM_product.created".
std::string GoldenFileStem(absl::string_view type);

// A gtest parameter name for a golden file name ("comment.added" ->
// "comment_added").
std::string GoldenTestName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace hookbridge::test_util

#endif  // HOOKBRIDGE_TESTS_BRIDGE_PROVIDERS_GOLDEN_H_
