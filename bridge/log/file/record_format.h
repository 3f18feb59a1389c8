// The on-disk format of the file log.
//
// A segment file starts with the 8-byte magic "HBLOGv1\n", followed by
// frames. A frame is a 28-byte header and a payload, integers little-endian:
//
//   offset  size  field
//        0     4  payload length (event bytes + raw body field)
//        4     4  CRC-32C of bytes 8 .. end of payload
//        8     8  sequence, 1 .. kMaxSequence
//       16     8  appended_at, Unix nanoseconds
//       24     4  length of the event bytes (the rest is the raw body field)
//       28     -  payload: a serialized hookbridge.v1.Event without raw_body,
//                 then its raw_body field, already encoded
//
// The payload is exactly what subscribers receive, so a record is never
// re-encoded between disk and wire.
#ifndef HOOKBRIDGE_BRIDGE_LOG_FILE_RECORD_FORMAT_H_
#define HOOKBRIDGE_BRIDGE_LOG_FILE_RECORD_FORMAT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/log/event_log.h"

namespace hookbridge {

inline constexpr absl::string_view kSegmentMagic = "HBLOGv1\n";
inline constexpr size_t kFrameHeaderSize = 28;
// The largest sequence a frame may hold (and the log assign): 2^63 - 1, so
// that every sequence is a signed 64-bit number too. No log appends that
// many; a frame claiming more is corrupt, however good its CRC, so that a
// log recovered from any bytes can number its next append.
inline constexpr uint64_t kMaxSequence = (uint64_t{1} << 63) - 1;

// A frame header, decoded.
struct FrameHeader {
  uint32_t payload_size = 0;
  uint32_t crc = 0;
  uint64_t sequence = 0;
  int64_t appended_at_nanos = 0;
  uint32_t event_size = 0;
};

// Appends the frame of `record` to `out`.
void AppendFrame(const LogRecord& record, std::string* out);

// The size of the frame of `record`.
size_t FrameSize(const LogRecord& record);

// Decodes the header at the start of `data` (at least kFrameHeaderSize bytes).
FrameHeader DecodeFrameHeader(absl::string_view data);

enum class FrameStatus {
  kOk,         // a whole, valid frame
  kTruncated,  // the data ends inside the frame
  kCorrupt,    // impossible sizes or sequence, or a CRC mismatch
};

// Checks the frame at the start of `data`. On kOk, `*header` is set and the
// frame is kFrameHeaderSize + header->payload_size bytes. Frames with a
// payload over `max_payload` are corrupt.
FrameStatus CheckFrame(absl::string_view data, uint64_t max_payload, FrameHeader* header);

// Reads the filter keys (id, source, type, environment_id, subject) of a
// serialized hookbridge.v1.Event into `record` by scanning its top-level
// fields, without parsing the rest (a full parse decodes the typed
// payload and costs most of a catch-up read). False if the fields are not
// well-formed protobuf.
bool ScanEventKeys(absl::string_view event_bytes, LogRecord* record);

// Builds the LogRecord of a valid frame (ScanEventKeys for the filter
// keys). False if the event bytes are not well-formed.
// `raw_body`: false leaves the record's raw_body_field empty (for readers
// that send none).
bool RecordFromFrame(absl::string_view frame, const FrameHeader& header, RecordPtr* out,
                     bool raw_body = true);

// What recovery learns from reading a segment, kept beside a closed
// segment (segment-N.idx next to segment-N.log) so that the next start
// need not read it again: restart time then depends on the last segment,
// not on the size of the log. The file is the magic "HBIDXv1\n", then
// little-endian u64s: the sequence in the segment's name, size, records, first and last sequence,
// first and last appended_at (Unix nanoseconds), the number of index entries, each entry (sequence,
// offset, appended_at), the number of skipped ranges, each range (begin, end); then the CRC-32C of
// all that (u32). A summary that does not decode, or does not match its segment's size, is not
// used: the segment is read as before.
inline constexpr absl::string_view kSummaryMagic = "HBIDXv1\n";

struct SegmentSummary {
  struct Entry {
    uint64_t sequence = 0;
    uint64_t offset = 0;
    int64_t appended_at_nanos = 0;
  };
  // The sequence in the name of the segment it describes (segment-N.log):
  // a summary is used only for its own segment.
  uint64_t segment = 0;
  uint64_t size = 0;  // bytes of the segment it describes, magic included
  uint64_t records = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  int64_t first_appended_at_nanos = 0;
  int64_t last_appended_at_nanos = 0;
  std::vector<Entry> index;
  std::vector<std::pair<uint64_t, uint64_t>> skips;
};

std::string EncodeSegmentSummary(const SegmentSummary& summary);

// Decodes and checks `data`: magic, CRC, and that the summary is
// self-consistent (records, sequences in order, index and skips inside
// `size`). False otherwise.
bool DecodeSegmentSummary(absl::string_view data, SegmentSummary* summary);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_FILE_RECORD_FORMAT_H_
