// TLS for the gRPC listener with a certificate that can be replaced while the
// server runs (on SIGHUP), without dropping connections.
//
// gRPC 1.51 has no public C++ API that reloads on demand (its
// FileWatcherCertificateProvider polls files on a timer; the static provider
// never reloads), so this uses the C core's SSL server credentials with a
// certificate-config fetcher: the core asks the fetcher before each new
// handshake, and the fetcher hands over new material once after Update().
// Established connections keep the certificate they were made with.
#ifndef HOOKBRIDGE_SERVER_GRPC_TLS_CREDENTIALS_H_
#define HOOKBRIDGE_SERVER_GRPC_TLS_CREDENTIALS_H_

#include <grpc/grpc_security.h>
#include <grpcpp/security/server_credentials.h>

#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "server/tls_material.h"

namespace hookbridge {

class ReloadableTlsCredentials {
 public:
  // TLS 1.2+ with `material`; with material.client_ca, clients must present a
  // certificate signed by it (mutual TLS) for as long as the server runs.
  explicit ReloadableTlsCredentials(TlsMaterial material);

  ReloadableTlsCredentials(const ReloadableTlsCredentials&) = delete;
  ReloadableTlsCredentials& operator=(const ReloadableTlsCredentials&) = delete;

  // For grpc::ServerBuilder::AddListeningPort, once. This object must
  // outlive the server (the core calls back into it for every handshake).
  // SetAuthMetadataProcessor is not supported on these credentials.
  std::shared_ptr<grpc::ServerCredentials> credentials() { return credentials_; }

  // New handshakes use `material` from now on. Whether client certificates
  // are required does not change: InvalidArgument if `material` would change
  // it. If the core cannot build a handshaker from the new material, it logs
  // that and keeps the previous one (LoadTlsMaterial has checked the key
  // against the certificate, so that should not happen). Thread-safe.
  absl::Status Update(TlsMaterial material);

 private:
  static grpc_ssl_certificate_config_reload_status Fetch(
      void* self, grpc_ssl_server_certificate_config** config);
  grpc_ssl_certificate_config_reload_status FetchConfig(grpc_ssl_server_certificate_config** config)
      ABSL_LOCKS_EXCLUDED(mu_);

  const bool require_client_certificate_;
  std::shared_ptr<grpc::ServerCredentials> credentials_;
  absl::Mutex mu_;
  TlsMaterial material_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 1;
  // The generation last handed to the core; 0: none yet.
  uint64_t fetched_generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_GRPC_TLS_CREDENTIALS_H_
