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
bool RecordFromFrame(absl::string_view frame, const FrameHeader& header, RecordPtr* out);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_FILE_RECORD_FORMAT_H_
