// Latency percentiles shared by the benchmark tools that measure latency
// (load_gen, nats_latency), so that the figures they print side by side are
// computed the same way and written in the same JSON shape.
#ifndef HOOKBRIDGE_BENCH_PERCENTILES_H_
#define HOOKBRIDGE_BENCH_PERCENTILES_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace hookbridge::bench {

// Percentiles of a set of durations, in microseconds.
struct Percentiles {
  int64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

// The percentiles of `ns` (durations in nanoseconds; sorted in place). The
// q-quantile is the sample at index floor(q * count): the nearest rank, no
// interpolation.
inline Percentiles Summarize(std::vector<int64_t>* ns) {
  Percentiles p;
  p.count = static_cast<int64_t>(ns->size());
  if (ns->empty()) return p;
  std::sort(ns->begin(), ns->end());
  auto at = [&](double q) {
    const size_t i = std::min(ns->size() - 1, static_cast<size_t>(q * ns->size()));
    return (*ns)[i] / 1000.0;
  };
  p.p50 = at(0.50);
  p.p90 = at(0.90);
  p.p99 = at(0.99);
  p.p999 = at(0.999);
  p.max = ns->back() / 1000.0;
  double sum = 0;
  for (int64_t v : *ns) sum += static_cast<double>(v);
  p.mean = sum / static_cast<double>(ns->size()) / 1000.0;
  return p;
}

// `p` as a JSON object: count, p50, p90, p99, p99_9, max, mean (us).
inline std::string PercentilesJson(const Percentiles& p) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer,
                "{\"count\":%lld,\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p99_9\":%.1f,"
                "\"max\":%.1f,\"mean\":%.1f}",
                static_cast<long long>(p.count), p.p50, p.p90, p.p99, p.p999, p.max, p.mean);
  return buffer;
}

}  // namespace hookbridge::bench

#endif  // HOOKBRIDGE_BENCH_PERCENTILES_H_
