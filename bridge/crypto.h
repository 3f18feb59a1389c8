// Small, constant-time-aware wrappers over OpenSSL for webhook verification.
// Thread-safe: every function is pure.
#ifndef HOOKBRIDGE_BRIDGE_CRYPTO_H_
#define HOOKBRIDGE_BRIDGE_CRYPTO_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/strings/string_view.h"

namespace hookbridge {

using Sha256Digest = std::array<uint8_t, 32>;

// HMAC-SHA256 of the concatenation of `parts`, keyed with `key`. Taking the
// parts separately avoids building the signed string in memory.
Sha256Digest HmacSha256(absl::string_view key, std::initializer_list<absl::string_view> parts);

// SHA-256 of the concatenation of `parts`.
Sha256Digest Sha256(std::initializer_list<absl::string_view> parts);

// Lowercase hex of `digest`.
std::string HexEncode(const Sha256Digest& digest);

// The value of a hex digit (either case), or -1.
int HexValue(char c);

// Decodes hex (either case) of exactly 32 bytes. Returns false on any other
// input.
bool HexDecodeDigest(absl::string_view hex, Sha256Digest* out);

// Compares two digests in time independent of where they differ.
bool DigestsEqual(const Sha256Digest& a, const Sha256Digest& b);

// Compares two strings in time independent of their contents (the length is
// not secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// The hash functions providers' HMAC signatures use.
enum class HashAlgorithm { kSha1, kSha256, kSha512 };

// The MAC's length in bytes: 20, 32 or 64.
size_t MacSize(HashAlgorithm algorithm);

// HMAC of the concatenation of `parts` under `algorithm`, keyed with `key`:
// the raw MAC. (HmacSha256 is the faster path for SHA-256.)
std::string Hmac(HashAlgorithm algorithm, absl::string_view key,
                 std::initializer_list<absl::string_view> parts);

// Decodes hex (either case) of any even length; false on other input.
bool HexDecode(absl::string_view hex, std::string* out);

// Lowercase hex of any bytes.
std::string HexEncodeBytes(absl::string_view bytes);

// Whether `signature` (64 bytes) is an Ed25519 signature by `public_key`
// (32 raw bytes) of the concatenation of `parts`.
bool VerifyEd25519(absl::string_view public_key, absl::string_view signature,
                   std::initializer_list<absl::string_view> parts);

// The public key, and a signature of `message`, of the Ed25519 key pair
// whose private key is the 32-byte `seed` (test signers).
std::string Ed25519PublicKey(absl::string_view seed);
std::string SignEd25519(absl::string_view seed, absl::string_view message);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CRYPTO_H_
