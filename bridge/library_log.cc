#include "bridge/library_log.h"

#include <atomic>

namespace hookbridge {
namespace {

std::atomic<LibraryLogSink> g_sink{nullptr};

}  // namespace

void SetLibraryLogSink(LibraryLogSink sink) { g_sink.store(sink, std::memory_order_release); }

void LibraryLog(LibraryLogLevel level, absl::string_view component, absl::string_view message,
                std::initializer_list<LibraryLogField> fields) {
  const LibraryLogSink sink = g_sink.load(std::memory_order_acquire);
  if (sink != nullptr) sink(level, component, message, absl::Span<const LibraryLogField>(fields));
}

}  // namespace hookbridge
