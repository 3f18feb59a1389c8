// The entry point of one provider's fuzz target; HOOKBRIDGE_FUZZ_PROVIDER
// (set by fuzz/CMakeLists.txt) names the provider.
#include <cstddef>
#include <cstdint>

#include "fuzz/provider_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return hookbridge::fuzz::FuzzProvider(HOOKBRIDGE_FUZZ_PROVIDER, data, size);
}
