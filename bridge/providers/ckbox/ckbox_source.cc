#include "bridge/providers/ckbox/ckbox_source.h"

#include "bridge/providers/ckeditor/ckeditor_source.h"

namespace hookbridge {
namespace {

constexpr TypedEventSpec kCkboxEvents[] = {
    {"asset.uploaded", "asset_uploaded", "asset.id"},
};

constexpr absl::string_view kCkboxUntypedSubjects[] = {"asset.id", "folder.id", "category.id"};

}  // namespace

const Catalog kCkboxCatalog = {
    v1::PROVIDER_CKBOX,
    "ckbox",
    kCkboxEvents,
    kCkboxUntypedSubjects,
};

absl::StatusOr<std::unique_ptr<Source>> CreateCkboxSource(const SourceConfig& config) {
  return CreateCkeditorFamilySource("ckbox", config, &kCkboxCatalog);
}

}  // namespace hookbridge
