#include "bridge/crypto.h"

#include <string>

#include "gtest/gtest.h"

namespace hookbridge {
namespace {

// RFC 4231, test case 2.
constexpr absl::string_view kJefeHmac =
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
// FIPS 180-2, "abc".
constexpr absl::string_view kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr absl::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(HmacSha256Test, MatchesRfc4231) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", {"what do ya want for nothing?"})), kJefeHmac);
}

TEST(HmacSha256Test, MatchesGitHubExample) {
  EXPECT_EQ(HexEncode(HmacSha256("It's a Secret to Everybody", {"Hello, World!"})),
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(HmacSha256Test, PartsAreConcatenated) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", {"what do ya ", "", "want for nothing?"})), kJefeHmac);
  EXPECT_NE(HexEncode(HmacSha256("Jefe", {"what do ya ", "want for nothing!"})), kJefeHmac);
}

TEST(HmacSha256Test, DependsOnTheKey) {
  EXPECT_NE(HmacSha256("Jefe", {"x"}), HmacSha256("jefe", {"x"}));
  EXPECT_NE(HmacSha256("", {"x"}), HmacSha256("Jefe", {"x"}));
}

// The context is reused per thread: each call must use its own key, the
// empty key included, whatever the previous call used.
TEST(HmacSha256Test, KeysDoNotCarryOverBetweenCalls) {
  const Sha256Digest empty_key = HmacSha256("", {"what do ya want for nothing?"});
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", {"what do ya want for nothing?"})), kJefeHmac);
  EXPECT_EQ(HmacSha256("", {"what do ya want for nothing?"}), empty_key);
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", {"what do ya want for nothing?"})), kJefeHmac);
  // HMAC-SHA256 with an empty key over an empty message (a known value).
  EXPECT_EQ(HexEncode(HmacSha256("", {""})),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Sha256Test, MatchesFips180) {
  EXPECT_EQ(HexEncode(Sha256({"abc"})), kAbcSha256);
  EXPECT_EQ(HexEncode(Sha256({"a", "b", "c"})), kAbcSha256);
  EXPECT_EQ(HexEncode(Sha256({})), kEmptySha256);
  EXPECT_EQ(HexEncode(Sha256({""})), kEmptySha256);
}

TEST(HexTest, EncodesLowercase) {
  Sha256Digest digest{};
  digest[0] = 0xAB;
  digest[31] = 0x0F;
  const std::string hex = HexEncode(digest);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.substr(0, 4), "ab00");
  EXPECT_EQ(hex.substr(60), "000f");
}

TEST(HexTest, RoundTrips) {
  const Sha256Digest digest = Sha256({"round trip"});
  Sha256Digest decoded{};
  ASSERT_TRUE(HexDecodeDigest(HexEncode(digest), &decoded));
  EXPECT_EQ(decoded, digest);
}

TEST(HexTest, DecodesEitherCase) {
  Sha256Digest lower{}, upper{}, mixed{};
  ASSERT_TRUE(HexDecodeDigest(kAbcSha256, &lower));
  ASSERT_TRUE(
      HexDecodeDigest("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", &upper));
  ASSERT_TRUE(
      HexDecodeDigest("Ba7816bF8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015aD", &mixed));
  EXPECT_EQ(lower, Sha256({"abc"}));
  EXPECT_EQ(upper, lower);
  EXPECT_EQ(mixed, lower);
}

TEST(HexTest, RejectsOtherInput) {
  Sha256Digest out{};
  const std::string good(kAbcSha256);
  EXPECT_FALSE(HexDecodeDigest("", &out));
  EXPECT_FALSE(HexDecodeDigest(good.substr(2), &out));        // 31 bytes
  EXPECT_FALSE(HexDecodeDigest(good + "00", &out));           // 33 bytes
  EXPECT_FALSE(HexDecodeDigest(good.substr(1), &out));        // odd length
  EXPECT_FALSE(HexDecodeDigest("g" + good.substr(1), &out));  // not hex
  EXPECT_FALSE(HexDecodeDigest(good.substr(0, 63) + " ", &out));
  EXPECT_FALSE(HexDecodeDigest(good.substr(0, 62) + "-1", &out));
  EXPECT_FALSE(HexDecodeDigest("0x" + good.substr(2), &out));
}

TEST(DigestsEqualTest, ComparesEveryByte) {
  const Sha256Digest a = Sha256({"a"});
  Sha256Digest b = a;
  EXPECT_TRUE(DigestsEqual(a, b));
  b[0] ^= 1;
  EXPECT_FALSE(DigestsEqual(a, b));
  b = a;
  b[31] ^= 0x80;
  EXPECT_FALSE(DigestsEqual(a, b));
}

TEST(ConstantTimeEqualsTest, ComparesContentsAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokeN"));
  EXPECT_FALSE(ConstantTimeEquals("token", "Token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "token2"));
  EXPECT_FALSE(ConstantTimeEquals("token", ""));
  EXPECT_TRUE(ConstantTimeEquals(absl::string_view("a\0b", 3), absl::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals(absl::string_view("a\0b", 3), absl::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace hookbridge
