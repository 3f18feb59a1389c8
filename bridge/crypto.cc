#include "bridge/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bridge/check.h"

namespace hookbridge {

namespace {

// One HMAC-SHA256 context per thread, its digest set once: OpenSSL 3 looks
// the digest up by name on every EVP_MAC_init that names it, which cost as
// much as the HMAC of a 1 KiB body. Re-initialising with a key and no
// parameters keeps the digest.
EVP_MAC_CTX* ThreadHmacContext() {
  struct Context {
    Context() {
      // EVP_MAC objects are immutable and safe to share between threads.
      static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
      HB_CHECK(mac != nullptr);
      ctx = EVP_MAC_CTX_new(mac);
      HB_CHECK(ctx != nullptr);
      char digest_name[] = "SHA256";
      OSSL_PARAM params[] = {
          OSSL_PARAM_construct_utf8_string("digest", digest_name, 0),
          OSSL_PARAM_construct_end(),
      };
      HB_CHECK(EVP_MAC_CTX_set_params(ctx, params) == 1);
    }
    ~Context() { EVP_MAC_CTX_free(ctx); }
    EVP_MAC_CTX* ctx;
  };
  thread_local Context context;
  return context.ctx;
}

}  // namespace

Sha256Digest HmacSha256(absl::string_view key, std::initializer_list<absl::string_view> parts) {
  Sha256Digest out{};
  EVP_MAC_CTX* ctx = ThreadHmacContext();
  // A zero-length key is valid HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char kEmpty = 0;
  const unsigned char* key_bytes =
      key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  HB_CHECK(EVP_MAC_init(ctx, key_bytes, key.size(), nullptr) == 1);
  for (absl::string_view part : parts) {
    HB_CHECK(
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1);
  }
  size_t len = 0;
  HB_CHECK(EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size());
  return out;
}

Sha256Digest Sha256(std::initializer_list<absl::string_view> parts) {
  Sha256Digest out{};
  // Fetched once (EVP_sha256() would be looked up again on every init).
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  HB_CHECK(md != nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  HB_CHECK(ctx != nullptr);
  HB_CHECK(EVP_DigestInit_ex(ctx, md, nullptr) == 1);
  for (absl::string_view part : parts) {
    HB_CHECK(EVP_DigestUpdate(ctx, part.data(), part.size()) == 1);
  }
  unsigned int len = 0;
  HB_CHECK(EVP_DigestFinal_ex(ctx, out.data(), &len) == 1 && len == out.size());
  EVP_MD_CTX_free(ctx);
  return out;
}

std::string HexEncode(const Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(digest.size() * 2, '\0');
  for (size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HexDecodeDigest(absl::string_view hex, Sha256Digest* out) {
  if (hex.size() != out->size() * 2) return false;
  for (size_t i = 0; i < out->size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

bool DigestsEqual(const Sha256Digest& a, const Sha256Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

size_t MacSize(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha1:
      return 20;
    case HashAlgorithm::kSha256:
      return 32;
    case HashAlgorithm::kSha512:
      return 64;
  }
  return 0;
}

std::string Hmac(HashAlgorithm algorithm, absl::string_view key,
                 std::initializer_list<absl::string_view> parts) {
  if (algorithm == HashAlgorithm::kSha256) {
    const Sha256Digest mac = HmacSha256(key, parts);
    return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
  }
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  HB_CHECK(mac != nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  HB_CHECK(ctx != nullptr);
  char sha1[] = "SHA1";
  char sha512[] = "SHA512";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string("digest", algorithm == HashAlgorithm::kSha1 ? sha1 : sha512,
                                       0),
      OSSL_PARAM_construct_end(),
  };
  static const unsigned char kEmpty = 0;
  const unsigned char* key_bytes =
      key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  HB_CHECK(EVP_MAC_init(ctx, key_bytes, key.size(), params) == 1);
  for (absl::string_view part : parts) {
    HB_CHECK(
        EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1);
  }
  std::string out(MacSize(algorithm), '\0');
  size_t len = 0;
  HB_CHECK(EVP_MAC_final(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, out.size()) ==
               1 &&
           len == out.size());
  EVP_MAC_CTX_free(ctx);
  return out;
}

bool HexDecode(absl::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->resize(hex.size() / 2);
  for (size_t i = 0; i < out->size(); ++i) {
    const int hi = HexValue(hex[2 * i]);
    const int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<char>(hi << 4 | lo);
  }
  return true;
}

std::string HexEncodeBytes(absl::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 0xf];
  }
  return out;
}

bool VerifyEd25519(absl::string_view public_key, absl::string_view signature,
                   std::initializer_list<absl::string_view> parts) {
  if (public_key.size() != 32 || signature.size() != 64) return false;
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
      public_key.size());
  if (key == nullptr) return false;
  std::string message;
  for (absl::string_view part : parts) message.append(part.data(), part.size());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  HB_CHECK(ctx != nullptr);
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

namespace {
EVP_PKEY* Ed25519PrivateKey(absl::string_view seed) {
  HB_CHECK(seed.size() == 32);
  EVP_PKEY* key = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  HB_CHECK(key != nullptr);
  return key;
}
}  // namespace

std::string Ed25519PublicKey(absl::string_view seed) {
  EVP_PKEY* key = Ed25519PrivateKey(seed);
  std::string out(32, '\0');
  size_t len = out.size();
  HB_CHECK(EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &len) ==
               1 &&
           len == 32);
  EVP_PKEY_free(key);
  return out;
}

std::string SignEd25519(absl::string_view seed, absl::string_view message) {
  EVP_PKEY* key = Ed25519PrivateKey(seed);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  HB_CHECK(ctx != nullptr);
  std::string out(64, '\0');
  size_t len = out.size();
  HB_CHECK(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1);
  HB_CHECK(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(out.data()), &len,
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1 &&
           len == 64);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace hookbridge
