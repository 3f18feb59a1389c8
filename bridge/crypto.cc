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

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

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

}  // namespace hookbridge
