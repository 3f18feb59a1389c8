// Little-endian integers in strings, for the small binary files kept next to
// the log (segment summaries, the ingestor's saved state): appended with
// PutU64 / PutU32, read back with a ByteReader that stops at the first read
// past the end.
#ifndef HOOKBRIDGE_BRIDGE_BYTE_IO_H_
#define HOOKBRIDGE_BRIDGE_BYTE_IO_H_

#include <cstdint>
#include <string>

#include "absl/base/internal/endian.h"
#include "absl/strings/string_view.h"

namespace hookbridge {

inline void PutU64(std::string* out, uint64_t v) {
  char b[8];
  absl::little_endian::Store64(b, v);
  out->append(b, 8);
}

inline void PutU32(std::string* out, uint32_t v) {
  char b[4];
  absl::little_endian::Store32(b, v);
  out->append(b, 4);
}

// Appends `bytes` behind its length (a u64).
inline void PutBytes(std::string* out, absl::string_view bytes) {
  PutU64(out, bytes.size());
  out->append(bytes.data(), bytes.size());
}

// Reads what Put* wrote. A read past the end returns 0 (or nothing) and
// clears ok(), which stays cleared.
class ByteReader {
 public:
  explicit ByteReader(absl::string_view data) : data_(data) {}

  uint64_t U64() {
    if (data_.size() < 8) {
      ok_ = false;
      return 0;
    }
    const uint64_t v = absl::little_endian::Load64(data_.data());
    data_.remove_prefix(8);
    return v;
  }

  // What PutBytes wrote.
  absl::string_view Bytes() {
    const uint64_t size = U64();
    if (!ok_ || size > data_.size()) {
      ok_ = false;
      return {};
    }
    const absl::string_view bytes = data_.substr(0, size);
    data_.remove_prefix(size);
    return bytes;
  }

  bool ok() const { return ok_; }
  // Bytes not read yet.
  size_t left() const { return data_.size(); }

 private:
  absl::string_view data_;
  bool ok_ = true;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_BYTE_IO_H_
