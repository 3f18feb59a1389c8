#include "bridge/providers/bitbucket/bitbucket_source.h"

#include "bridge/providers/hmac/hmac_source.h"

namespace hookbridge {
const Catalog kBitbucketCatalog = {v1::PROVIDER_BITBUCKET, "", {}, {}};

const HmacSignatureSpec& BitbucketSignature() {
  static const HmacSignatureSpec* const spec = [] {
    auto* spec = new HmacSignatureSpec;
    spec->scheme = "bitbucket-hmac-sha256";
    spec->header = "X-Hub-Signature";
    spec->prefix = "sha256=";
    spec->algorithm = HashAlgorithm::kSha256;
    spec->encoding = HmacSignatureSpec::Encoding::kHex;
    spec->signed_content = *ParseSignedTemplate("{body}", !spec->timestamp_header.empty());
    return spec;
  }();
  return *spec;
}

absl::StatusOr<std::unique_ptr<Source>> CreateBitbucketSource(const SourceConfig& config) {
  GenericScheme scheme = HmacScheme(BitbucketSignature());
  scheme.event_type = {HeaderLocation("X-Event-Key")};
  scheme.delivery_id = {};
  scheme.subject = {FieldLocation("repository.full_name")};
  return CreateGenericSource("bitbucket", std::move(scheme), config);
}

TestSignature SignBitbucketRequest(absl::string_view secret, const WebhookRequest& request) {
  return SignWithSpec(BitbucketSignature(), secret, request);
}

}  // namespace hookbridge
