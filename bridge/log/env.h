// Env: everything the event log asks of the operating system, after
// leveldb's env.h. The logs open, write, sync, read, list, rename and remove
// files and tell the time only through an Env, so that tests can substitute
// one that injects ENOSPC, EIO, short writes, failed syncs and clock jumps
// (tests/bridge/log/fault_env.h). Env::Default() is the real POSIX one.
//
// Errors: every method returns absl::Status / absl::StatusOr. A failed
// system call gives the code absl::ErrnoToStatusCode(errno) (ENOSPC:
// RESOURCE_EXHAUSTED, ENOENT: NOT_FOUND, EIO: UNAVAILABLE, ...) and the
// message "<path>: <strerror(errno)>", so that a caller can prefix what it
// was doing ("cannot write " + message) and choose its own code.
//
// Thread-safety: an Env may be used from any number of threads at once.
// A RandomAccessFile may be read concurrently; a WritableFile and a
// Directory are used by one thread at a time.
#ifndef HOOKBRIDGE_BRIDGE_LOG_ENV_H_
#define HOOKBRIDGE_BRIDGE_LOG_ENV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/monotonic.h"

namespace hookbridge {

// A file opened for reading at any offset. Closed when destroyed.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  // Reads up to `n` bytes at `offset` into `scratch` (which has room for
  // `n`), like pread(2): returns how many were read, 0 only at the end of
  // the file; fewer than `n` does not by itself mean the end was reached.
  // Safe to call from several threads at once.
  virtual absl::StatusOr<size_t> Read(uint64_t offset, size_t n, char* scratch) const = 0;

  // The file's current size (fstat(2)).
  virtual absl::StatusOr<uint64_t> Size() const = 0;

  // A hint that [offset, offset + n) will be read soon: the OS may start
  // reading it from disk now (posix_fadvise WILLNEED), so that a reader
  // going through a file in order finds it in memory. Changes nothing else;
  // environments without such a thing ignore it.
  virtual void Prefetch(uint64_t offset, size_t n) const {}
};

// A file opened for appending. Closed (without a sync) when destroyed.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  // Appends a prefix of `data` to the file, like write(2) on a file opened
  // with O_APPEND: on success returns how many bytes were written, at least
  // one for non-empty `data` and possibly fewer than `data.size()` (a short
  // write; the caller writes the rest). On an error nothing more was
  // written by this call.
  virtual absl::StatusOr<size_t> Write(absl::string_view data) = 0;

  // Makes the data written so far durable (fdatasync(2)).
  virtual absl::Status Sync() = 0;
};

// An open directory, kept to make changes to its entries durable.
class Directory {
 public:
  virtual ~Directory() = default;

  // Makes files created, renamed or removed in the directory durable
  // (fsync(2) on the directory).
  virtual absl::Status Sync() = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The real POSIX environment: a process-wide singleton, never destroyed.
  static Env* Default();

  // Creates `path` (or truncates it to zero bytes) and opens it for
  // appending; mode 0640.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;

  // Opens the existing file `path` for appending after its current end.
  // NOT_FOUND if it does not exist.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;

  // Opens the existing file `path` for reading.
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  // Opens the existing directory `path`.
  virtual absl::StatusOr<std::unique_ptr<Directory>> NewDirectory(const std::string& path) = 0;

  // Creates directory `path` and any missing parents; OK if it exists.
  virtual absl::Status CreateDirs(const std::string& path) = 0;

  // The names (not paths) of the entries of directory `path`, in no
  // particular order, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& path) = 0;

  // Removes the file `path` (unlink(2)).
  virtual absl::Status RemoveFile(const std::string& path) = 0;

  // Renames `from` to `to`, replacing `to` if it exists (rename(2)).
  virtual absl::Status RenameFile(const std::string& from, const std::string& to) = 0;

  // Cuts the file `path` to `size` bytes (truncate(2)).
  virtual absl::Status TruncateFile(const std::string& path, uint64_t size) = 0;

  // The current wall-clock time (absl::Now() for the default Env). May
  // jump backwards or forwards.
  virtual absl::Time NowTime() = 0;
  // A clock that never steps (the steady clock, MonotonicNow()), for
  // durations: only differences between readings mean anything.
  virtual absl::Time NowMonotonic() { return MonotonicNow(); }
};

// The Env of an options struct: `env`, or Env::Default() when it is null.
inline Env* EnvOrDefault(Env* env) { return env != nullptr ? env : Env::Default(); }

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_ENV_H_
