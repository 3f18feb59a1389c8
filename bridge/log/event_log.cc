#include "bridge/log/event_log.h"

#include <cstring>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace hookbridge {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

namespace {
// Tag plus the longest varint: the most the sequence field can add.
constexpr size_t kMaxSequenceFieldBytes = 1 + 10;
}  // namespace

EncodedEvent EncodeEvent(v1::Event event) {
  std::string raw = std::move(*event.mutable_raw_body());
  event.clear_raw_body();
  return EncodeEvent(std::move(event), RawBodyField(raw));
}

std::string RawBodyField(absl::string_view body) {
  std::string field;
  if (body.empty()) return field;
  const uint32_t tag = WireFormatLite::MakeTag(v1::Event::kRawBodyFieldNumber,
                                               WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  const uint32_t length = static_cast<uint32_t>(body.size());
  field.resize(CodedOutputStream::VarintSize32(tag) + CodedOutputStream::VarintSize32(length) +
               body.size());
  uint8_t* p = reinterpret_cast<uint8_t*>(field.data());
  p = CodedOutputStream::WriteVarint32ToArray(tag, p);
  p = CodedOutputStream::WriteVarint32ToArray(length, p);
  std::memcpy(p, body.data(), body.size());
  return field;
}

EncodedEvent EncodeEvent(v1::Event event, std::string raw_body_field) {
  EncodedEvent out;
  event.clear_sequence();
  // Filter keys are copied (they are short); they stay in the body too.
  out.id = event.id();
  out.type = event.type();
  out.source = event.source();
  out.environment_id = event.environment_id();
  out.subject = event.subject();
  out.received_at = absl::FromUnixSeconds(event.received_at().seconds()) +
                    absl::Nanoseconds(event.received_at().nanos());
  // Exact capacity, so appending the sequence later never reallocates.
  out.body.reserve(event.ByteSizeLong() + kMaxSequenceFieldBytes);
  event.AppendToString(&out.body);
  out.raw_body_field = std::move(raw_body_field);
  return out;
}

size_t LogRecord::ByteSize() const {
  return sizeof(LogRecord) + id.size() + type.size() + source.size() + environment_id.size() +
         subject.size() + event_bytes.capacity() + raw_body_field.size();
}

RecordPtr MakeRecord(EncodedEvent event, uint64_t sequence, absl::Time appended_at) {
  auto record = std::make_shared<LogRecord>();
  record->sequence = sequence;
  record->appended_at = appended_at;
  record->id = std::move(event.id);
  record->type = std::move(event.type);
  record->source = std::move(event.source);
  record->environment_id = std::move(event.environment_id);
  record->subject = std::move(event.subject);
  record->event_bytes = std::move(event.body);
  // Append `sequence` to the serialized event: fields may come in any order.
  const uint32_t tag =
      WireFormatLite::MakeTag(v1::Event::kSequenceFieldNumber, WireFormatLite::WIRETYPE_VARINT);
  std::string& bytes = record->event_bytes;
  const size_t old_size = bytes.size();
  bytes.resize(old_size + CodedOutputStream::VarintSize32(tag) +
               CodedOutputStream::VarintSize64(sequence));
  uint8_t* p = reinterpret_cast<uint8_t*>(bytes.data()) + old_size;
  p = CodedOutputStream::WriteVarint32ToArray(tag, p);
  CodedOutputStream::WriteVarint64ToArray(sequence, p);
  record->raw_body_field = std::move(event.raw_body_field);
  return record;
}

void LogWaiters::Add(const std::shared_ptr<LogWaiter>& waiter) {
  if (waiter->registered_) return;
  // Sweep expired entries at each power of two past 1024: amortized O(1).
  if (waiters_.size() >= 1024 && (waiters_.size() & (waiters_.size() - 1)) == 0) {
    std::erase_if(waiters_, [](const std::weak_ptr<LogWaiter>& w) { return w.expired(); });
  }
  waiter->registered_ = true;
  waiters_.push_back(waiter);
}

std::vector<std::shared_ptr<LogWaiter>> LogWaiters::TakeAll() {
  std::vector<std::shared_ptr<LogWaiter>> out;
  out.reserve(waiters_.size());
  for (const std::weak_ptr<LogWaiter>& weak : waiters_) {
    if (std::shared_ptr<LogWaiter> waiter = weak.lock()) {
      waiter->registered_ = false;
      out.push_back(std::move(waiter));
    }
  }
  waiters_.clear();
  return out;
}

void LogWaiters::WakeAll(const std::vector<std::shared_ptr<LogWaiter>>& waiters) {
  for (const std::shared_ptr<LogWaiter>& waiter : waiters) waiter->OnLogGrew();
}

}  // namespace hookbridge
