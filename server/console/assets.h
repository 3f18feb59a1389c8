// The console's static files (server/console/ui/), embedded at build time
// by cmake/EmbedFiles.cmake into a generated source file.
#ifndef HOOKBRIDGE_SERVER_CONSOLE_ASSETS_H_
#define HOOKBRIDGE_SERVER_CONSOLE_ASSETS_H_

#include <cstddef>

namespace hookbridge {

struct EmbeddedFile {
  const char* name;  // file name, e.g. "console.js"
  const unsigned char* data;
  size_t size;
};

extern const EmbeddedFile kConsoleAssets[];
extern const size_t kConsoleAssetCount;

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_CONSOLE_ASSETS_H_
