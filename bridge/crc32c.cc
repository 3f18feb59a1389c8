#include "bridge/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace hookbridge {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolynomial : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

uint32_t ExtendPortable(uint32_t crc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) crc = kTable[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
// GF(2) operators on CRCs, for combining the CRCs of blocks computed side
// by side: appending n zero bytes to a message multiplies its CRC by
// x^(8n) mod P, a linear map kept as four 256-entry tables (one per byte of
// the CRC).
using ShiftTable = std::array<std::array<uint32_t, 256>, 4>;

// The 32x32 matrix (by columns) of appending one zero bit.
std::array<uint32_t, 32> OneZeroBit() {
  std::array<uint32_t, 32> m{};
  m[0] = kPolynomial;
  for (int i = 1; i < 32; ++i) m[i] = 1u << (i - 1);
  return m;
}

uint32_t Times(const std::array<uint32_t, 32>& m, uint32_t v) {
  uint32_t sum = 0;
  for (int i = 0; v != 0; ++i, v >>= 1) {
    if (v & 1) sum ^= m[i];
  }
  return sum;
}

std::array<uint32_t, 32> Square(const std::array<uint32_t, 32>& m) {
  std::array<uint32_t, 32> out{};
  for (int i = 0; i < 32; ++i) out[i] = Times(m, m[i]);
  return out;
}

// The tables of appending `bytes` zero bytes.
ShiftTable MakeShift(size_t bytes) {
  std::array<uint32_t, 32> op = OneZeroBit();
  // op^(8 * bytes) by squaring: first the operator of one zero byte.
  for (int i = 0; i < 3; ++i) op = Square(op);
  std::array<uint32_t, 32> result{};
  bool have = false;
  for (size_t n = bytes; n != 0; n >>= 1) {
    if (n & 1) {
      if (!have) {
        result = op;
        have = true;
      } else {
        std::array<uint32_t, 32> next{};
        for (int i = 0; i < 32; ++i) next[i] = Times(op, result[i]);
        result = next;
      }
    }
    op = Square(op);
  }
  ShiftTable table{};
  for (int b = 0; b < 4; ++b) {
    for (uint32_t v = 0; v < 256; ++v) table[b][v] = Times(result, v << (8 * b));
  }
  return table;
}

uint32_t Shift(const ShiftTable& t, uint32_t crc) {
  return t[0][crc & 0xff] ^ t[1][(crc >> 8) & 0xff] ^ t[2][(crc >> 16) & 0xff] ^ t[3][crc >> 24];
}

// Blocks of three streams: the crc32 instruction takes 3 cycles and can
// start one a cycle, so three independent streams run about three times as
// fast as one; their CRCs are then combined with the tables.
constexpr size_t kLongBlock = 8192;
constexpr size_t kShortBlock = 256;

__attribute__((target("sse4.2"))) uint64_t Stream(uint64_t c, const uint8_t* p, size_t n) {
  for (const uint8_t* end = p + n; p < end; p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
  }
  return c;
}

__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t crc, const uint8_t* p, size_t n) {
  static const ShiftTable* const long_shift = new ShiftTable(MakeShift(kLongBlock));
  static const ShiftTable* const short_shift = new ShiftTable(MakeShift(kShortBlock));
  uint64_t c0 = crc;
  for (const auto& [block, shift] :
       {std::pair{kLongBlock, long_shift}, std::pair{kShortBlock, short_shift}}) {
    while (n >= 3 * block) {
      uint64_t c1 = 0;
      uint64_t c2 = 0;
      for (size_t i = 0; i < block; i += 8) {
        uint64_t w0, w1, w2;
        std::memcpy(&w0, p + i, 8);
        std::memcpy(&w1, p + block + i, 8);
        std::memcpy(&w2, p + 2 * block + i, 8);
        c0 = _mm_crc32_u64(c0, w0);
        c1 = _mm_crc32_u64(c1, w1);
        c2 = _mm_crc32_u64(c2, w2);
      }
      c0 = Shift(*shift, static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
      c0 = Shift(*shift, static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c2);
      p += 3 * block;
      n -= 3 * block;
    }
  }
  const size_t words = n & ~size_t{7};
  c0 = Stream(c0, p, words);
  p += words;
  n -= words;
  uint32_t c32 = static_cast<uint32_t>(c0);
  while (n > 0) {
    c32 = _mm_crc32_u8(c32, *p++);
    --n;
  }
  return c32;
}

bool HasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size) {
  return ~ExtendPortable(~crc, static_cast<const uint8_t*>(data), size);
}

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  if (HasSse42()) return ~ExtendSse42(crc, p, size);
#endif
  return ~ExtendPortable(crc, p, size);
}

}  // namespace hookbridge
