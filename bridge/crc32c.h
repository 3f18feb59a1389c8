// CRC-32C (Castagnoli), the checksum of the file log's records. Uses the
// SSE4.2 instruction when the CPU has it (three streams side by side,
// combined), a table otherwise; both give the same result. Debian 12
// packages no CRC-32C library (Google's crc32c is not in it); catch-up
// reads check every record, which made the single-stream loop a fifth of
// their CPU (docs/BENCHMARKS.md, "Replay").
#ifndef HOOKBRIDGE_BRIDGE_CRC32C_H_
#define HOOKBRIDGE_BRIDGE_CRC32C_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace hookbridge {

// Extends `crc` (the CRC of earlier bytes, 0 to start) with `data`.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

// The table-driven version, whatever the CPU, for tests.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size);

inline uint32_t Crc32c(absl::string_view data) { return Crc32cExtend(0, data.data(), data.size()); }

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CRC32C_H_
