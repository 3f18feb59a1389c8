// What this binary was built from, for hookbridge_build_info, --version and
// the startup line. Defined in a source generated at build time
// (cmake/BuildInfo.cmake from build_info.cc.in), so a new commit recompiles
// that one file and relinks, nothing else.
#ifndef HOOKBRIDGE_SERVER_BUILD_INFO_H_
#define HOOKBRIDGE_SERVER_BUILD_INFO_H_

namespace hookbridge {

// The project version (CMake's project(VERSION)), e.g. "0.1.0".
const char* BuildVersion();
// The git commit the sources were at when built (40 hex digits), the
// HOOKBRIDGE_REVISION given to the build, or "unknown" outside a git
// checkout.
const char* BuildRevision();

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_BUILD_INFO_H_
