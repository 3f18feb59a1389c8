#include "bridge/log/file/record_format.h"

#include "absl/base/internal/endian.h"
#include "absl/strings/match.h"
#include "bridge/byte_io.h"
#include "bridge/crc32c.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace hookbridge {
namespace {
using absl::little_endian::Load32;
using absl::little_endian::Load64;
using absl::little_endian::Store32;
using absl::little_endian::Store64;
}  // namespace

size_t FrameSize(const LogRecord& record) {
  return kFrameHeaderSize + record.event_bytes.size() + record.raw_body_field.size();
}

void AppendFrame(const LogRecord& record, std::string* out) {
  const size_t start = out->size();
  out->resize(start + kFrameHeaderSize);
  char* h = out->data() + start;
  Store32(h, static_cast<uint32_t>(record.event_bytes.size() + record.raw_body_field.size()));
  Store64(h + 8, record.sequence);
  Store64(h + 16, static_cast<uint64_t>(absl::ToUnixNanos(record.appended_at)));
  Store32(h + 24, static_cast<uint32_t>(record.event_bytes.size()));
  uint32_t crc = Crc32cExtend(0, h + 8, kFrameHeaderSize - 8);
  crc = Crc32cExtend(crc, record.event_bytes.data(), record.event_bytes.size());
  crc = Crc32cExtend(crc, record.raw_body_field.data(), record.raw_body_field.size());
  Store32(out->data() + start + 4, crc);
  out->append(record.event_bytes);
  out->append(record.raw_body_field);
}

FrameHeader DecodeFrameHeader(absl::string_view data) {
  FrameHeader h;
  h.payload_size = Load32(data.data());
  h.crc = Load32(data.data() + 4);
  h.sequence = Load64(data.data() + 8);
  h.appended_at_nanos = static_cast<int64_t>(Load64(data.data() + 16));
  h.event_size = Load32(data.data() + 24);
  return h;
}

FrameStatus CheckFrame(absl::string_view data, uint64_t max_payload, FrameHeader* header) {
  if (data.size() < kFrameHeaderSize) return FrameStatus::kTruncated;
  const FrameHeader h = DecodeFrameHeader(data);
  if (h.payload_size > max_payload || h.event_size > h.payload_size || h.sequence == 0 ||
      h.sequence > kMaxSequence) {
    return FrameStatus::kCorrupt;
  }
  if (data.size() < kFrameHeaderSize + h.payload_size) return FrameStatus::kTruncated;
  const uint32_t crc =
      Crc32cExtend(0, data.data() + 8, kFrameHeaderSize - 8 + static_cast<size_t>(h.payload_size));
  if (crc != h.crc) return FrameStatus::kCorrupt;
  *header = h;
  return FrameStatus::kOk;
}

bool ScanEventKeys(absl::string_view event_bytes, LogRecord* record) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(event_bytes.data()),
                                            static_cast<int>(event_bytes.size()));
  while (const uint32_t tag = in.ReadTag()) {
    std::string* key = nullptr;
    switch (WireFormatLite::GetTagFieldNumber(tag)) {
      case 1:
        key = &record->id;
        break;
      case 3:
        key = &record->source;
        break;
      case 5:
        key = &record->type;
        break;
      case 6:
        key = &record->environment_id;
        break;
      case 7:
        key = &record->subject;
        break;
    }
    if (key != nullptr &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::ReadString(&in, key)) return false;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  // A tag of 0 ends the message only at its end; elsewhere it is malformed.
  return in.ConsumedEntireMessage() && in.CurrentPosition() == static_cast<int>(event_bytes.size());
}

bool RecordFromFrame(absl::string_view frame, const FrameHeader& header, RecordPtr* out,
                     bool raw_body) {
  const absl::string_view payload = frame.substr(kFrameHeaderSize, header.payload_size);
  auto record = std::make_shared<LogRecord>();
  if (!ScanEventKeys(payload.substr(0, header.event_size), record.get())) return false;
  record->sequence = header.sequence;
  record->appended_at = absl::FromUnixNanos(header.appended_at_nanos);
  record->event_bytes = std::string(payload.substr(0, header.event_size));
  if (raw_body) record->raw_body_field = std::string(payload.substr(header.event_size));
  *out = std::move(record);
  return true;
}

std::string EncodeSegmentSummary(const SegmentSummary& summary) {
  std::string out(kSummaryMagic);
  auto put = [&out](uint64_t v) { PutU64(&out, v); };
  put(summary.segment);
  put(summary.size);
  put(summary.records);
  put(summary.first_sequence);
  put(summary.last_sequence);
  put(static_cast<uint64_t>(summary.first_appended_at_nanos));
  put(static_cast<uint64_t>(summary.last_appended_at_nanos));
  put(summary.index.size());
  for (const SegmentSummary::Entry& e : summary.index) {
    put(e.sequence);
    put(e.offset);
    put(static_cast<uint64_t>(e.appended_at_nanos));
  }
  put(summary.skips.size());
  for (const auto& [begin, end] : summary.skips) {
    put(begin);
    put(end);
  }
  PutU32(&out, Crc32c(out));
  return out;
}

bool DecodeSegmentSummary(absl::string_view data, SegmentSummary* summary) {
  if (data.size() < kSummaryMagic.size() + 4 || !absl::StartsWith(data, kSummaryMagic)) {
    return false;
  }
  const absl::string_view body = data.substr(0, data.size() - 4);
  if (Crc32c(body) != Load32(data.data() + body.size())) return false;
  ByteReader in(body.substr(kSummaryMagic.size()));
  auto get = [&in] { return in.U64(); };
  SegmentSummary s;
  s.segment = get();
  s.size = get();
  s.records = get();
  s.first_sequence = get();
  s.last_sequence = get();
  s.first_appended_at_nanos = static_cast<int64_t>(get());
  s.last_appended_at_nanos = static_cast<int64_t>(get());
  const uint64_t entries = get();
  if (!in.ok() || entries > in.left() / 24) return false;
  s.index.resize(entries);
  for (SegmentSummary::Entry& e : s.index) {
    e.sequence = get();
    e.offset = get();
    e.appended_at_nanos = static_cast<int64_t>(get());
  }
  const uint64_t skips = get();
  if (!in.ok() || skips != in.left() / 16 || in.left() % 16 != 0) return false;
  s.skips.resize(skips);
  for (auto& [begin, end] : s.skips) {
    begin = get();
    end = get();
  }
  if (!in.ok() || in.left() != 0) return false;
  // Self-consistent: at least one record, sequences in order, every offset
  // inside the segment.
  if (s.records == 0 || s.first_sequence == 0 || s.first_sequence > s.last_sequence ||
      s.last_sequence > kMaxSequence || s.last_sequence - s.first_sequence + 1 < s.records ||
      s.size < kSegmentMagic.size() || s.index.empty() ||
      s.index.front().sequence != s.first_sequence) {
    return false;
  }
  for (size_t i = 0; i < s.index.size(); ++i) {
    const SegmentSummary::Entry& e = s.index[i];
    if (e.offset < kSegmentMagic.size() || e.offset + kFrameHeaderSize > s.size ||
        e.sequence > s.last_sequence ||
        (i > 0 && (e.sequence <= s.index[i - 1].sequence || e.offset <= s.index[i - 1].offset))) {
      return false;
    }
  }
  for (const auto& [begin, end] : s.skips) {
    if (begin >= end || end > s.size) return false;
  }
  *summary = std::move(s);
  return true;
}

}  // namespace hookbridge
