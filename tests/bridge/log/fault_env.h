// FaultEnv: an Env for tests that passes every operation to a real Env
// (the POSIX one by default) unless a rule the test injected says to fail
// it: an errno such as ENOSPC or EIO on any operation, or a short write.
// Its clock is the real one until the test sets it; from then on it reads
// what the test set and moves only when the test moves it (forwards or
// backwards). It counts operations and injected faults, so a test can check
// that the fault it injected was really hit.
//
// Thread-safe: the log under test calls it from its own threads while the
// test injects rules and moves the clock.
#ifndef HOOKBRIDGE_TESTS_BRIDGE_LOG_FAULT_ENV_H_
#define HOOKBRIDGE_TESTS_BRIDGE_LOG_FAULT_ENV_H_

#include <array>
#include <cerrno>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/log/env.h"

namespace hookbridge::testing {

// The operations a FaultEnv can fail, one per Env, file or directory method.
enum class EnvOp {
  kNewWritableFile,
  kNewAppendableFile,
  kNewRandomAccessFile,
  kNewDirectory,
  kCreateDirs,
  kGetChildren,
  kRemoveFile,
  kRenameFile,
  kTruncateFile,
  kWrite,    // WritableFile::Write
  kSync,     // WritableFile::Sync (fdatasync)
  kRead,     // RandomAccessFile::Read (pread)
  kSize,     // RandomAccessFile::Size (fstat)
  kSyncDir,  // Directory::Sync (fsync of the directory)
};
inline constexpr size_t kEnvOpCount = static_cast<size_t>(EnvOp::kSyncDir) + 1;

// When and how an operation fails.
struct FaultRule {
  EnvOp op;
  // The errno the operation fails with (its status is what the POSIX Env
  // would return). 0: no error; for kWrite that makes a short write.
  int error = EIO;
  // kWrite with `error` 0: write only this many bytes (at least 1) of the
  // data, and report that many.
  size_t short_write = 0;
  // Only operations on a path containing this; empty: any path.
  std::string path_contains = {};
  // Let this many matching operations through before failing any.
  int skip = 0;
  // How many operations to fail; -1: every one from then on.
  int times = -1;
};

class FaultEnv : public Env {
 public:
  // `base` does the real work; it must outlive this Env.
  explicit FaultEnv(Env* base = Env::Default());
  ~FaultEnv() override;

  // Adds a rule. Rules are tried in the order they were added; the first
  // one that matches an operation and has failures left decides it (lets it
  // through while skipping, otherwise fails it).
  void Inject(FaultRule rule);
  // Removes every rule; the counts stay.
  void ClearFaults();

  // Operations of kind `op` seen, failed or not.
  int calls(EnvOp op) const;
  // Operations of kind `op` that a rule failed (or cut short).
  int injected(EnvOp op) const;

  // From now on the wall clock reads `now`, and the monotonic clock is
  // driven by AdvanceTime too.
  void SetTime(absl::Time now);
  // Time passes: both clocks move by `by`. A negative `by` is the wall
  // clock set back (the monotonic clock stands still).
  void AdvanceTime(absl::Duration by);
  // The wall clock is set forward or back by `by`; no time passes.
  void StepWallClock(absl::Duration by);

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<Directory>> NewDirectory(const std::string& path) override;
  absl::Status CreateDirs(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& path) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from, const std::string& to) override;
  absl::Status TruncateFile(const std::string& path, uint64_t size) override;
  absl::Time NowTime() override;
  absl::Time NowMonotonic() override;

  // What a rule decided for one operation; for the wrapped files.
  struct Decision {
    absl::Status status;     // not OK: fail the operation with it
    size_t short_write = 0;  // kWrite: write at most this many bytes; 0: all
  };
  // Counts an operation of kind `op` on `path` and decides it.
  Decision Decide(EnvOp op, const std::string& path);

 private:
  Env* const base_;
  mutable absl::Mutex mu_;
  std::vector<FaultRule> rules_ ABSL_GUARDED_BY(mu_);
  std::array<int, kEnvOpCount> calls_ ABSL_GUARDED_BY(mu_) = {};
  std::array<int, kEnvOpCount> injected_ ABSL_GUARDED_BY(mu_) = {};
  std::optional<absl::Time> now_ ABSL_GUARDED_BY(mu_);
  // The monotonic clock while the time is set (it starts where the real
  // one stood at SetTime).
  std::optional<absl::Time> monotonic_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_BRIDGE_LOG_FAULT_ENV_H_
