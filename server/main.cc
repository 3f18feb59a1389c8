// hookbridge: verifies signed webhooks, turns them into typed protobuf
// events in an event log, and streams them to gRPC subscribers.
//
//   hookbridge --config config/hookbridge.yaml
//
// Exit codes: 0 after a clean stop (SIGINT/SIGTERM), 2 for a bad flag or
// config, 1 for a runtime failure (e.g. a port already in use). SIGHUP, or a
// change of the config file's content, reloads the config (server/server.h).
#include <malloc.h>
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "bridge/auth.h"
#include "bridge/config.h"
#include "server/build_info.h"
#include "server/library_logs.h"
#include "server/logging.h"
#include "server/server.h"

namespace hookbridge {
namespace {

constexpr char kUsage[] =
    "usage: hookbridge [--config FILE]\n"
    "  --config FILE  YAML configuration (default: config/hookbridge.yaml)\n"
    "  --check-config FILE  validate FILE as a start would (including ${VAR}\n"
    "                 expansion and the TLS files); exit 0 if valid, else 2\n"
    "  --mint-token NAME  print a new subscriber token and its auth.tokens entry\n"
    "  --version      print the version and exit\n";

int Fail(int code, absl::string_view message) {
  Log(LogLevel::kError, message);
  return code;
}

int Run(int argc, char** argv) {
  std::string config_path = "config/hookbridge.yaml";
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--check-config" && i + 1 < argc) {
      config_path = argv[++i];
      check_only = true;
    } else if (absl::ConsumePrefix(&arg, "--config=")) {
      config_path = std::string(arg);
    } else if (arg == "--mint-token" && i + 1 < argc) {
      // A new subscriber token and the config entry that grants it.
      const MintedToken minted = MintToken();
      std::printf(
          "token (give it to the subscriber; it is not stored anywhere):\n  %s\n\n"
          "config entry (auth.tokens):\n"
          "  - name: %s\n    sha256: \"%s\"\n    sources: [\"*\"]\n    types: [\"*\"]\n",
          minted.token.c_str(), argv[i + 1], minted.sha256.c_str());
      return 0;
    } else if (arg == "--version") {
      std::printf("hookbridge %s (revision %s)\n", BuildVersion(), BuildRevision());
      return 0;
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else {
      std::fprintf(stderr, "hookbridge: unknown argument \"%s\"\n%s", argv[i], kUsage);
      return 2;
    }
  }

  // gRPC core's and the NATS client's messages as lines of this log, not
  // in their own formats.
  RouteLibraryLogs();

  // The allocator: without this glibc returns the top of each thread's heap
  // to the kernel as soon as it is free and takes it back on the next
  // request (an mprotect and page faults per burst, ~5 % of the CPU under
  // load). Freed memory up to this much per heap stays with the process.
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  // Debian's Abseil is built without NDEBUG, which turns on Mutex deadlock
  // detection: a lock-graph update on every lock. The lock order is
  // documented where the locks are; the check is for development builds.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Signals are taken by sigtimedwait below; block them before any thread starts
  // so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::string> text = ReadConfigText(config_path);
  absl::StatusOr<Config> config =
      text.ok() ? ParseConfig(*text, ProcessEnvironment()) : text.status();
  if (check_only) {
    // As a start would check it, short of opening the log and binding
    // ports; the answer is plain text for a person or a CI step.
    absl::Status checked = config.status();
    if (checked.ok()) checked = Server::Prepare(*config, /*load_tls=*/true).status();
    if (!checked.ok()) {
      std::fprintf(stderr, "hookbridge: %s: %s\n", config_path.c_str(),
                   std::string(checked.message()).c_str());
      return 2;
    }
    std::printf("hookbridge: %s: the config is valid\n", config_path.c_str());
    return 0;
  }
  if (!config.ok()) return Fail(2, config.status().message());
  SetLogLevel(config->log_level);

  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start(config_path, *std::move(text), *std::move(config));
  if (!server.ok()) {
    // An unusable config, address or certificate is the config's fault.
    return Fail(server.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1,
                server.status().message());
  }

  // Once a second, between signals, the server follows the log's health
  // and looks for a changed config file or TLS files. SIGHUP reloads the
  // config now; SIGINT and SIGTERM stop.
  int signal_number = 0;
  const timespec tick = {1, 0};
  for (;;) {
    signal_number = sigtimedwait(&signals, nullptr, &tick);
    if (signal_number < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        (*server)->Tick();
        continue;
      }
      break;
    }
    if (signal_number != SIGHUP) break;
    (*server)->Reload("SIGHUP");
    Log(LogLevel::kInfo, "SIGHUP handled");
  }
  (*server)->Drain(signal_number > 0 ? strsignal(signal_number) : "sigtimedwait failed");
  (*server)->Stop();
  return 0;
}

}  // namespace
}  // namespace hookbridge

int main(int argc, char** argv) { return hookbridge::Run(argc, argv); }
