// Small, constant-time-aware wrappers over OpenSSL for webhook verification.
// Thread-safe: every function is pure.
#ifndef HOOKBRIDGE_BRIDGE_CRYPTO_H_
#define HOOKBRIDGE_BRIDGE_CRYPTO_H_

#include <array>
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

// Decodes hex (either case) of exactly 32 bytes. Returns false on any other
// input.
bool HexDecodeDigest(absl::string_view hex, Sha256Digest* out);

// Compares two digests in time independent of where they differ.
bool DigestsEqual(const Sha256Digest& a, const Sha256Digest& b);

// Compares two strings in time independent of their contents (the length is
// not secret).
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CRYPTO_H_
