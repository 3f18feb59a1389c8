// CRC-32C: known values, and the hardware path (three streams combined)
// against the table-driven one at every length and alignment that matters.
#include "bridge/crc32c.h"

#include <random>
#include <string>

#include "gtest/gtest.h"

namespace hookbridge {
namespace {

TEST(Crc32cTest, KnownValues) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);            // the check value of CRC-32C
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);  // RFC 3720, B.4
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
}

TEST(Crc32cTest, EveryPathAgreesWithTheTableAtEveryLengthAndAlignment) {
  std::mt19937 random(7);
  std::string data(3 * 8192 * 2 + 3 * 256 * 2 + 64, '\0');
  for (char& c : data) c = static_cast<char>(random());
  // Around each block size's thresholds, and in between.
  std::vector<size_t> lengths;
  for (size_t n = 0; n < 1200; ++n) lengths.push_back(n);
  for (size_t edge : {3 * 256, 3 * 8192, 2 * 3 * 8192, 3 * 8192 + 3 * 256}) {
    for (size_t d = 0; d < 20; ++d) lengths.push_back(edge + d - 10);
  }
  lengths.push_back(data.size() - 8);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n : lengths) {
      ASSERT_EQ(Crc32cExtend(0x12345678, data.data() + offset, n),
                Crc32cExtendPortable(0x12345678, data.data() + offset, n))
          << "length " << n << " offset " << offset;
    }
  }
  // Extending piece by piece is the same as all at once.
  EXPECT_EQ(Crc32cExtend(Crc32cExtend(0, data.data(), 1000), data.data() + 1000, 30000),
            Crc32cExtend(0, data.data(), 31000));
}

}  // namespace
}  // namespace hookbridge
