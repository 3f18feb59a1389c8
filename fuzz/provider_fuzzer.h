// Fuzzes one provider's Source with whatever a stranger can send: Verify and
// Decode, then EncodeEvent on what was decoded. One fuzz target per
// provider (fuzz/CMakeLists.txt): each is a link named <provider>_fuzzer to
// the one binary of provider_entry.cc, which takes the provider from that
// name; the input is headers and a body (fuzz_input.h).
#ifndef HOOKBRIDGE_FUZZ_PROVIDER_FUZZER_H_
#define HOOKBRIDGE_FUZZ_PROVIDER_FUZZER_H_

#include <cstddef>
#include <cstdint>

namespace hookbridge::fuzz {

// Runs one input against a source of `provider` (e.g. "ckbox"), the same
// provider on every call of a process. Returns 0; a finding aborts.
int FuzzProvider(const char* provider, const uint8_t* data, size_t size);

}  // namespace hookbridge::fuzz

#endif  // HOOKBRIDGE_FUZZ_PROVIDER_FUZZER_H_
