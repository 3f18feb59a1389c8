#include "server/tls_material.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hookbridge {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

absl::Status Error(absl::string_view key, absl::string_view file, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("config: ", key, ": ", file, ": ", what));
}

absl::StatusOr<std::string> ReadFile(absl::string_view key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(key, path, absl::StrCat("cannot read (", std::strerror(errno), ")"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The certificates in a PEM text, in order.
std::vector<X509Ptr> ParseCertificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  ERR_clear_error();  // the end of the text reads as an error
  return out;
}

// Refuses to prompt for a passphrase (OpenSSL's default asks the terminal).
int NoPassphrase(char*, int, int, void*) { return -1; }

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

void Describe(X509* leaf, TlsMaterial* out) {
  BioPtr subject(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(subject.get(), X509_get_subject_name(leaf), 0, XN_FLAG_RFC2253);
  out->subject = BioText(subject.get());
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      out->serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  BioPtr not_after(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(not_after.get(), X509_get0_notAfter(leaf));
  out->not_after = BioText(not_after.get());
}

}  // namespace

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const TlsConfig& config, absl::string_view key) {
  const std::string cert_key = absl::StrCat(key, ".cert_file");
  const std::string key_key = absl::StrCat(key, ".key_file");
  const std::string ca_key = absl::StrCat(key, ".client_ca_file");
  TlsMaterial out;

  absl::StatusOr<std::string> chain = ReadFile(cert_key, config.cert_file);
  if (!chain.ok()) return chain.status();
  out.cert_chain = *std::move(chain);
  std::vector<X509Ptr> certs = ParseCertificates(out.cert_chain);
  if (certs.empty()) return Error(cert_key, config.cert_file, "no PEM certificate in it");

  absl::StatusOr<std::string> private_key = ReadFile(key_key, config.key_file);
  if (!private_key.ok()) return private_key.status();
  out.private_key = *std::move(private_key);
  BioPtr key_bio(BIO_new_mem_buf(out.private_key.data(), static_cast<int>(out.private_key.size())));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &NoPassphrase, nullptr));
  ERR_clear_error();
  if (pkey == nullptr) {
    return Error(key_key, config.key_file, "no unencrypted PEM private key in it");
  }
  if (X509_check_private_key(certs[0].get(), pkey.get()) != 1) {
    ERR_clear_error();
    return Error(key_key, config.key_file,
                 absl::StrCat("does not match the certificate in ", config.cert_file));
  }

  if (!config.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(ca_key, config.client_ca_file);
    if (!ca.ok()) return ca.status();
    out.client_ca = *std::move(ca);
    if (ParseCertificates(out.client_ca).empty()) {
      return Error(ca_key, config.client_ca_file, "no PEM certificate in it");
    }
  }
  Describe(certs[0].get(), &out);
  return out;
}

}  // namespace hookbridge
