// Time and CPU-time readings shared by the benchmark tools.
#ifndef HOOKBRIDGE_BENCH_CLOCK_H_
#define HOOKBRIDGE_BENCH_CLOCK_H_

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace hookbridge::bench {

// Monotonic time in nanoseconds.
inline int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// CPU seconds (user + system) of a process so far: its CPU-time clock
// (nanoseconds, all threads, exited ones too), else /proc/PID/stat (clock
// ticks); -1 if neither can be read.
inline double ProcessCpuSeconds(int pid) {
  clockid_t clock;
  timespec ts{};
  if (clock_getcpuclockid(pid, &clock) == 0 && clock_gettime(clock, &ts) == 0) {
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) {
      stime = std::atoll(field.c_str());
      return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  return -1;
}

// Wall-clock time in nanoseconds since the Unix epoch: to compare with
// timestamps another process took with its realtime clock (absl::Now()).
inline int64_t UnixNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// CPU time of the whole machine so far (every core, every process), from the
// first line of /proc/stat: `busy_s` running anything (user, nice, system,
// irq, softirq), `steal_s` taken by the hypervisor from this VM's vCPUs.
// Both -1 if it cannot be read. Over a window, busy minus the CPU of the
// processes under test is what everything else on the machine used.
struct MachineCpu {
  double busy_s = -1;
  double steal_s = -1;
};

inline MachineCpu MachineCpuSeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  MachineCpu m;
  if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
      cpu != "cpu") {
    return m;
  }
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  m.busy_s = static_cast<double>(user + nice + system + irq + softirq) / hz;
  m.steal_s = static_cast<double>(steal) / hz;
  return m;
}

// CPU seconds (user + system) this process has used so far.
inline double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// The CPU used over a measured window by this process (the client: load
// generator and subscriber), by the server under test (when its pid is
// known) and by everything else on the machine: on a shared machine, the
// load the measurement ran beside. Not thread-safe; Start, then Stop, then
// read.
class CpuWindow {
 public:
  // `server_pid` 0: no server figure (counted as "other").
  explicit CpuWindow(int server_pid) : server_pid_(server_pid) {}

  void Start() {
    start_ns_ = NowNs();
    self_ = SelfCpuSeconds();
    server_ = server_pid_ > 0 ? ProcessCpuSeconds(server_pid_) : 0;
    machine_ = MachineCpuSeconds();
  }

  void Stop() {
    seconds_ = static_cast<double>(NowNs() - start_ns_) / 1e9;
    self_ = SelfCpuSeconds() - self_;
    server_ = server_pid_ > 0 ? ProcessCpuSeconds(server_pid_) - server_ : 0;
    const MachineCpu end = MachineCpuSeconds();
    busy_ = machine_.busy_s >= 0 && end.busy_s >= 0 ? end.busy_s - machine_.busy_s : -1;
    steal_ = machine_.steal_s >= 0 && end.steal_s >= 0 ? end.steal_s - machine_.steal_s : -1;
  }

  // Cores' worth of CPU (CPU seconds / window seconds) used by everything
  // but this process and the server; -1 if /proc/stat could not be read.
  double OtherCores() const {
    if (busy_ < 0 || seconds_ <= 0) return -1;
    return std::max(0.0, busy_ - self_ - server_) / seconds_;
  }

  // As a JSON object: window seconds, CPU seconds of the client and the
  // server, and cores' worth used by the whole machine, by others and
  // stolen by the hypervisor.
  std::string Json() const {
    char buffer[320];
    std::snprintf(buffer, sizeof buffer,
                  "{\"seconds\":%.3f,\"client_cpu_s\":%.3f,\"server_cpu_s\":%.3f,"
                  "\"machine_busy_cores\":%.3f,\"other_cores\":%.3f,\"steal_cores\":%.3f}",
                  seconds_, self_, server_, seconds_ > 0 && busy_ >= 0 ? busy_ / seconds_ : -1,
                  OtherCores(), seconds_ > 0 && steal_ >= 0 ? steal_ / seconds_ : -1);
    return buffer;
  }

 private:
  int server_pid_;
  int64_t start_ns_ = 0;
  double seconds_ = 0, self_ = 0, server_ = 0, busy_ = -1, steal_ = -1;
  MachineCpu machine_;
};

}  // namespace hookbridge::bench

#endif  // HOOKBRIDGE_BENCH_CLOCK_H_
