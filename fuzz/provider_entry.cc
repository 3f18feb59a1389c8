// The entry point of the provider fuzz targets: one binary, reached through
// a link per provider named <provider>_fuzzer (the provider's config name
// with - as _, e.g. ckeditor_cloud_services_fuzzer), which fuzzes the
// provider its name names.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "bridge/providers/registry.h"
#include "fuzz/provider_fuzzer.h"

namespace {

std::string* provider = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  absl::string_view name = *argc > 0 ? (*argv)[0] : "";
  name = name.substr(name.rfind('/') + 1);
  absl::string_view stem = name;
  if (!absl::ConsumeSuffix(&stem, "_fuzzer") ||
      hookbridge::FindProvider(absl::StrReplaceAll(stem, {{"_", "-"}})) == nullptr) {
    std::fprintf(stderr,
                 "%.*s: run this through a link named <provider>_fuzzer (bin/ckbox_fuzzer, ...), "
                 "which names the provider to fuzz\n",
                 static_cast<int>(name.size()), name.data());
    std::exit(2);
  }
  provider = new std::string(absl::StrReplaceAll(stem, {{"_", "-"}}));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hookbridge::fuzz::FuzzProvider(provider->c_str(), data, size);
}
