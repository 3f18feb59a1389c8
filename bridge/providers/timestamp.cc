#include "bridge/providers/timestamp.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bridge/providers/provider.h"

namespace hookbridge {
namespace {

absl::StatusOr<int64_t> ParseCount(absl::string_view text, absl::string_view what,
                                   absl::string_view unit) {
  int64_t value = 0;
  bool digits = !text.empty() && text.size() <= 16;
  for (char c : text) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (!digits || !absl::SimpleAtoi(text, &value)) {
    return absl::UnauthenticatedError(
        absl::StrCat(what, " is not a number of ", unit, " since the Unix epoch"));
  }
  return value;
}

}  // namespace

absl::StatusOr<absl::Time> ParseUnixSeconds(absl::string_view text, absl::string_view what) {
  absl::StatusOr<int64_t> n = ParseCount(text, what, "seconds");
  if (!n.ok()) return n.status();
  return absl::FromUnixSeconds(*n);
}

absl::StatusOr<absl::Time> ParseUnixMillis(absl::string_view text, absl::string_view what) {
  absl::StatusOr<int64_t> n = ParseCount(text, what, "milliseconds");
  if (!n.ok()) return n.status();
  return absl::FromUnixMillis(*n);
}

absl::Status CheckTimestampTolerance(absl::Time signed_at, absl::Time received_at,
                                     absl::Duration tolerance) {
  const absl::Duration skew = received_at - signed_at;
  if (skew > tolerance) {
    return StaleTimestampError(absl::StrCat("timestamp ", absl::ToInt64Seconds(skew),
                                            " s older than tolerance ",
                                            absl::ToInt64Seconds(tolerance), " s"));
  }
  if (-skew > tolerance) {
    return StaleTimestampError(absl::StrCat("timestamp ", absl::ToInt64Seconds(-skew),
                                            " s in the future, beyond tolerance ",
                                            absl::ToInt64Seconds(tolerance), " s"));
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
