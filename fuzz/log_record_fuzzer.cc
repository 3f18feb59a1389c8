// Fuzzes the file log's record reader: what FileLog::Open finds in segment
// files whose bytes are the input (recovery: the magic, frame lengths and
// CRCs, resynchronising after corruption, cutting a torn tail), then
// reading every record back (the sparse index, the readers' frame checks
// and event parsing), appending one event, and opening the log again.
// Everything goes through an in-memory Env (tests/bridge/log/mem_env.h).
//
// The input is also decoded as a segment summary (the .idx beside a closed
// segment), which must encode back to the bytes it came from.
//
// Input: the bytes of one or more segment files, as the log writes them;
// every occurrence of the segment magic ("HBLOGv1\n") after the first byte
// starts the next file (at most kMaxSegments), so a real segment file is an
// input as it is, and so are several concatenated. A fuzzer cannot forge a
// CRC-32C, so each input is tried twice: as it is, and with the CRC of
// every frame that its length fields delimit recomputed, as the log would
// have written it; the second reaches the event parser and the sequence
// checks behind the CRC.
//
// Besides crashes, sanitizer reports, hangs and allocations beyond
// -malloc_limit_mb (a length field claiming 4 GiB must not be believed),
// these are findings (HB_CHECK):
// - Open fails: an in-memory Env never does, so every byte string must be
//   recovered from (by reading records or reporting corruption).
// - A read fails with anything but DataLoss, returns records out of order,
//   or (when no read fails) fewer or more records than recovery counted.
// - An event appended after recovery does not get a sequence above every
//   recovered one, or does not read back as it was appended (unless the
//   last recovered sequence is kMaxSequence: then the append must fail).
// - Opening the log again finds a torn tail (the first open cut it off), or
//   a different number of records.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "bridge/check.h"
#include "bridge/crc32c.h"
#include "bridge/log/event_log.h"
#include "bridge/log/file/file_log.h"
#include "bridge/log/file/record_format.h"
#include "hookbridge/v1/event.pb.h"
#include "tests/bridge/log/mem_env.h"

namespace hookbridge {
namespace {

constexpr size_t kMaxSegments = 8;
constexpr char kDir[] = "log";

// The input cut into segment files at each magic after the first byte.
std::vector<std::string> SplitSegments(absl::string_view input) {
  std::vector<std::string> segments;
  while (!input.empty()) {
    size_t next = input.find(kSegmentMagic, 1);
    if (segments.size() + 1 == kMaxSegments) next = absl::string_view::npos;
    segments.emplace_back(input.substr(0, next));
    input = next == absl::string_view::npos ? absl::string_view() : input.substr(next);
  }
  return segments;
}

// The input as a segment summary (.idx), as it is and with its CRC
// recomputed: one that decodes must encode back to the same bytes.
void CheckSummaryDecoder(absl::string_view input) {
  std::string fixed(input);
  if (fixed.size() >= kSummaryMagic.size() + 4) {
    const uint32_t crc = Crc32c(absl::string_view(fixed).substr(0, fixed.size() - 4));
    for (int i = 0; i < 4; ++i) fixed[fixed.size() - 4 + i] = static_cast<char>(crc >> (8 * i));
  }
  for (absl::string_view candidate : {input, absl::string_view(fixed)}) {
    SegmentSummary summary;
    if (DecodeSegmentSummary(candidate, &summary)) {
      HB_CHECK(EncodeSegmentSummary(summary) == candidate);
    }
  }
}

// `segment` with the CRC of every frame recomputed, from the magic on, as
// far as the length fields delimit whole frames.
std::string WithFrameCrcs(std::string segment) {
  if (!absl::StartsWith(segment, kSegmentMagic)) return segment;
  size_t pos = kSegmentMagic.size();
  while (pos + kFrameHeaderSize <= segment.size()) {
    const FrameHeader h = DecodeFrameHeader(absl::string_view(segment).substr(pos));
    if (h.payload_size > segment.size() - pos - kFrameHeaderSize) break;
    const uint32_t crc =
        Crc32cExtend(0, segment.data() + pos + 8, kFrameHeaderSize - 8 + h.payload_size);
    for (int i = 0; i < 4; ++i) segment[pos + 4 + i] = static_cast<char>(crc >> (8 * i));
    pos += kFrameHeaderSize + h.payload_size;
  }
  return segment;
}

FileLog::Options LogOptions(Env* env) {
  FileLog::Options options;
  options.dir = kDir;
  options.env = env;
  options.fsync = FileLog::Fsync::kNever;
  // Small, so that the index has several entries and an append may start
  // a segment; no retention, so that nothing depends on the clock.
  options.segment_bytes = 4096;
  options.index_interval_bytes = 64;
  options.retention_bytes = 0;
  options.retention_age = absl::InfiniteDuration();
  options.tail_cache_bytes = 1 << 20;
  return options;
}

// Reads every record of `log` from the start, a few at a time. Returns the
// records read, or nullopt if a read reported corruption.
std::optional<std::vector<RecordPtr>> ReadAll(FileLog& log) {
  std::vector<RecordPtr> all;
  uint64_t after = 0;
  for (;;) {
    std::vector<RecordPtr> batch;
    const absl::Status status = log.Read(after, 7, &batch, nullptr);
    if (!status.ok()) {
      // The first record may be after sequence 1 (the log starts where its
      // oldest segment does).
      if (status.code() == absl::StatusCode::kOutOfRange && all.empty() && after == 0 &&
          log.Stats().first_sequence > 1) {
        after = log.Stats().first_sequence - 1;
        continue;
      }
      HB_CHECK(status.code() == absl::StatusCode::kDataLoss);
      return std::nullopt;
    }
    if (batch.empty()) return all;
    for (const RecordPtr& record : batch) {
      HB_CHECK(record->sequence > after);
      after = record->sequence;
      all.push_back(record);
    }
  }
}

void Run(const std::vector<std::string>& segments) {
  testing::MemEnv env;
  for (size_t i = 0; i < segments.size(); ++i) {
    env.PutFile(absl::StrFormat("%s/segment-%020d.log", kDir, i + 1), segments[i]);
  }
  uint64_t records = 0;
  uint64_t last = 0;
  uint64_t appended_records = 1;
  {
    absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(LogOptions(&env));
    HB_CHECK(log.ok());
    records = (*log)->recovery().records;
    const std::optional<std::vector<RecordPtr>> read = ReadAll(**log);
    if (read.has_value()) {
      HB_CHECK(read->size() == records);
      if (!read->empty()) last = read->back()->sequence;
    }
    last = std::max(last, (*log)->Stats().last_sequence);

    v1::Event event;
    event.set_id("fuzz-1");
    event.set_type("fuzz.appended");
    event.set_source("fuzz");
    event.set_raw_body("{}");
    EncodedEvent encoded = EncodeEvent(event);
    encoded.received_at = absl::FromUnixSeconds(1767225600);
    // The record's event bytes are these with the sequence appended.
    const std::string body = encoded.body;
    const std::string raw_body_field = encoded.raw_body_field;
    absl::Notification appended;
    absl::StatusOr<uint64_t> sequence;
    (*log)->Append(std::move(encoded), [&](absl::StatusOr<uint64_t> s) {
      sequence = s;
      appended.Notify();
    });
    appended.WaitForNotification();
    if (last == kMaxSequence) {
      // No sequence left to number it with.
      HB_CHECK(sequence.status().code() == absl::StatusCode::kUnavailable);
      appended_records = 0;
    } else {
      HB_CHECK(sequence.ok() && *sequence > last);
      std::vector<RecordPtr> back;
      HB_CHECK((*log)->Read(*sequence - 1, 1, &back, nullptr).ok());
      HB_CHECK(back.size() == 1 && back[0]->sequence == *sequence &&
               absl::StartsWith(back[0]->event_bytes, body) &&
               back[0]->raw_body_field == raw_body_field && back[0]->id == "fuzz-1");
    }
  }
  absl::StatusOr<std::unique_ptr<FileLog>> again = FileLog::Open(LogOptions(&env));
  HB_CHECK(again.ok());
  HB_CHECK((*again)->recovery().truncated_bytes == 0);
  HB_CHECK((*again)->recovery().records == records + appended_records);
}

}  // namespace
}  // namespace hookbridge

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hookbridge;  // NOLINT: the entry point must be global
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  CheckSummaryDecoder(input);
  const std::vector<std::string> segments = SplitSegments(input);
  Run(segments);
  std::vector<std::string> fixed;
  for (const std::string& segment : segments) fixed.push_back(WithFrameCrcs(segment));
  if (fixed != segments) Run(fixed);
  return 0;
}
