// Writes the seeds of log_record_fuzzer into a directory: segment files
// written by the real FileLog (through the POSIX Env, into a scratch
// directory), and variants of them as a crash, a bad disk or a hostile
// editor leaves them. Not part of any build's default targets:
//
//   cmake --build build-fuzz --target make_log_seeds
//   build-fuzz/bin/make_log_seeds /tmp/scratch fuzz/corpus/log_record_fuzzer
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "bridge/check.h"
#include "bridge/log/event_log.h"
#include "bridge/log/file/file_log.h"
#include "bridge/log/file/record_format.h"
#include "hookbridge/v1/event.pb.h"

namespace {

namespace fs = std::filesystem;
using hookbridge::EncodedEvent;
using hookbridge::FileLog;

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  HB_CHECK(out.good());
}

// The segment files of a log of `count` events, oldest first.
std::vector<std::string> WriteLog(const fs::path& dir, int count, uint64_t segment_bytes) {
  fs::remove_all(dir);
  FileLog::Options options;
  options.dir = dir.string();
  options.fsync = FileLog::Fsync::kNever;
  options.segment_bytes = segment_bytes;
  // The events are from 2026-01-01: kept whatever the date.
  options.retention_bytes = 0;
  options.retention_age = absl::InfiniteDuration();
  {
    absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(options);
    HB_CHECK(log.ok());
    for (int i = 1; i <= count; ++i) {
      hookbridge::v1::Event event;
      event.set_id(absl::StrCat("evt_", i));
      event.set_type(i % 3 == 0 ? "comment.added" : "issues.opened");
      event.set_source(i % 2 == 0 ? "docs" : "github");
      event.set_provider(i % 2 == 0 ? hookbridge::v1::PROVIDER_CKEDITOR_CLOUD_SERVICES
                                    : hookbridge::v1::PROVIDER_GITHUB);
      if (i % 2 == 0) event.set_environment_id("env-1");
      event.set_subject(absl::StrCat("doc-", i % 4));
      event.mutable_received_at()->set_seconds(1767225600 + i);
      if (i % 4 != 1) event.set_raw_body(absl::StrCat("{\"event\":\"e", i, "\",\"n\":", i, "}"));
      EncodedEvent encoded = hookbridge::EncodeEvent(event);
      encoded.received_at = absl::FromUnixSeconds(1767225600 + i);
      absl::Notification done;
      (*log)->Append(std::move(encoded), [&](absl::StatusOr<uint64_t> sequence) {
        HB_CHECK(sequence.ok());
        done.Notify();
      });
      done.WaitForNotification();
    }
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> segments;
  for (const fs::path& file : files) segments.push_back(Read(file));
  return segments;
}

// The offset of the `n`-th frame (from 0) of `segment`.
size_t FrameOffset(const std::string& segment, int n) {
  size_t pos = hookbridge::kSegmentMagic.size();
  for (int i = 0; i < n; ++i) {
    pos += hookbridge::kFrameHeaderSize +
           hookbridge::DecodeFrameHeader(absl::string_view(segment).substr(pos)).payload_size;
  }
  return pos;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SCRATCH_DIR OUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path scratch(argv[1]);
  const fs::path out(argv[2]);
  fs::create_directories(out);

  const std::vector<std::string> one = WriteLog(scratch / "one", 5, 64 << 20);
  HB_CHECK(one.size() == 1);
  const std::string& segment = one[0];
  Write(out / "one-segment.log", segment);
  Write(out / "one-record.log", segment.substr(0, FrameOffset(segment, 1)));
  Write(out / "magic-only.log", std::string(hookbridge::kSegmentMagic));
  Write(out / "partial-magic.log", std::string(hookbridge::kSegmentMagic.substr(0, 5)));
  // A torn tail: the last frame cut short, and cut inside its header.
  Write(out / "torn-payload.log", segment.substr(0, segment.size() - 7));
  Write(out / "torn-header.log", segment.substr(0, FrameOffset(segment, 4) + 10));
  // A flipped byte in the third frame's payload: a CRC mismatch in the
  // middle, skipped.
  std::string flipped = segment;
  flipped[FrameOffset(segment, 2) + hookbridge::kFrameHeaderSize + 3] ^= 0x20;
  Write(out / "corrupt-middle.log", flipped);
  // The second frame's length claims 4 GiB - 1.
  std::string huge = segment;
  for (int i = 0; i < 4; ++i) huge[FrameOffset(segment, 1) + i] = '\xff';
  Write(out / "huge-length.log", huge);
  // The sequences of the fourth frame and after go back (CRCs fixed by the
  // fuzzer's second try).
  std::string back = segment;
  back[FrameOffset(segment, 3) + 8] = 1;
  Write(out / "sequence-back.log", back);

  // Several segments, concatenated (the fuzzer splits at each magic).
  const std::vector<std::string> many = WriteLog(scratch / "many", 9, 350);
  HB_CHECK(many.size() >= 3);
  std::string all;
  for (const std::string& s : many) all += s;
  Write(out / "three-segments.log", all);
  // The last one torn, and one in the middle not a segment at all.
  Write(out / "three-segments-torn.log", all.substr(0, all.size() - 20));
  std::string middle = many[0] + "not a segment\n";
  for (size_t i = 1; i < many.size(); ++i) middle += many[i];
  Write(out / "garbage-after-first-segment.log", middle);
  std::printf("seeds written to %s\n", out.c_str());
  return 0;
}
