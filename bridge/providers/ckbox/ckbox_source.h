// CKBox sources: the CKEditor Cloud Services signature and envelope with
// CKBox's own events. Only asset.uploaded is documented with a payload; the
// rest arrive untyped with the asset, folder or category id as subject.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_CKBOX_CKBOX_SOURCE_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_CKBOX_CKBOX_SOURCE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "bridge/config_types.h"
#include "bridge/providers/catalog.h"
#include "bridge/providers/provider.h"

namespace hookbridge {

extern const Catalog kCkboxCatalog;

absl::StatusOr<std::unique_ptr<Source>> CreateCkboxSource(const SourceConfig& config);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_CKBOX_CKBOX_SOURCE_H_
