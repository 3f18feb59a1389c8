// TLS certificates and keys for the HTTPS ingress and the gRPC listener, read
// from the PEM files named in the config and checked before anything uses
// them: a bad file is a config error at start and a kept certificate on
// SIGHUP, never a listener that fails its handshakes.
#ifndef HOOKBRIDGE_SERVER_TLS_MATERIAL_H_
#define HOOKBRIDGE_SERVER_TLS_MATERIAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bridge/config_types.h"

namespace hookbridge {

// The contents of the files of a TlsConfig, checked. A value: copy freely.
struct TlsMaterial {
  // PEM: the certificate chain (leaf first) and its private key.
  std::string cert_chain;
  std::string private_key;
  // PEM: the CAs client certificates must chain to; empty when client
  // certificates are not requested.
  std::string client_ca;

  // Of the leaf certificate, for logs: RFC 2253 subject, hex serial, expiry.
  std::string subject;
  std::string serial;
  std::string not_after;
};

// Reads the files of `config` and checks that each holds what it should: at
// least one certificate in cert_file (and client_ca_file, if set), an
// unencrypted private key in key_file that matches the first certificate of
// cert_file. InvalidArgument naming the file's key (`key` is the section,
// e.g. "http.tls": "http.tls.key_file: ...") otherwise. Thread-safe.
absl::StatusOr<TlsMaterial> LoadTlsMaterial(const TlsConfig& config, absl::string_view key);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_TLS_MATERIAL_H_
