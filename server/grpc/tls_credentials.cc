#include "server/grpc/tls_credentials.h"

#include <grpc/grpc.h>

#include <utility>

#include "bridge/check.h"

namespace hookbridge {
namespace {

// grpc::ServerCredentials around C core credentials: what grpc++'s own
// (internal) SecureServerCredentials does, minus auth metadata processors.
class CoreServerCredentials final : public grpc::ServerCredentials {
 public:
  explicit CoreServerCredentials(grpc_server_credentials* credentials)
      : credentials_(credentials) {}
  ~CoreServerCredentials() override { grpc_server_credentials_release(credentials_); }

  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {
    HB_CHECK(false && "auth metadata processors are not supported with TLS reloading");
  }

 private:
  int AddPortToServer(const std::string& addr, grpc_server* server) override {
    return grpc_server_add_http2_port(server, addr.c_str(), credentials_);
  }

  grpc_server_credentials* const credentials_;
};

}  // namespace

ReloadableTlsCredentials::ReloadableTlsCredentials(TlsMaterial material)
    : require_client_certificate_(!material.client_ca.empty()), material_(std::move(material)) {
  // gRPC's SSL server credentials allow TLS 1.2 and 1.3 only.
  grpc_ssl_server_credentials_options* options =
      grpc_ssl_server_credentials_create_options_using_config_fetcher(
          require_client_certificate_ ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                      : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE,
          &ReloadableTlsCredentials::Fetch, this);
  credentials_ = std::make_shared<CoreServerCredentials>(
      grpc_ssl_server_credentials_create_with_options(options));
}

absl::Status ReloadableTlsCredentials::Update(TlsMaterial material) {
  if (material.client_ca.empty() == require_client_certificate_) {
    return absl::InvalidArgumentError(
        "grpc.tls: whether client certificates are required cannot change while running");
  }
  absl::MutexLock lock(&mu_);
  material_ = std::move(material);
  ++generation_;
  return absl::OkStatus();
}

// Called by the core before every handshake (and once when the port is
// added); it must be quick: nothing changed is a comparison under a mutex.
grpc_ssl_certificate_config_reload_status ReloadableTlsCredentials::Fetch(
    void* self, grpc_ssl_server_certificate_config** config) {
  return static_cast<ReloadableTlsCredentials*>(self)->FetchConfig(config);
}

grpc_ssl_certificate_config_reload_status ReloadableTlsCredentials::FetchConfig(
    grpc_ssl_server_certificate_config** config) {
  absl::MutexLock lock(&mu_);
  if (fetched_generation_ == generation_) return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_UNCHANGED;
  grpc_ssl_pem_key_cert_pair pair{material_.private_key.c_str(), material_.cert_chain.c_str()};
  // The core insists on root certificates in a fetched config (it aborts
  // without them) even when it does not request client certificates; then
  // they are never used, and the server's own chain serves.
  const std::string& roots =
      material_.client_ca.empty() ? material_.cert_chain : material_.client_ca;
  // Copies the strings; the core owns (and destroys) the config.
  *config = grpc_ssl_server_certificate_config_create(roots.c_str(), &pair, 1);
  fetched_generation_ = generation_;
  return GRPC_SSL_CERTIFICATE_CONFIG_RELOAD_NEW;
}

}  // namespace hookbridge
