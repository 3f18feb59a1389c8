// Env::Default(): the log's file operations as POSIX system calls, and
// absl::Now() as the clock.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bridge/log/env.h"

namespace hookbridge {
namespace {

// The status of a system call on `path` that failed with `error_number`.
absl::Status PosixError(absl::string_view path, int error_number) {
  return absl::ErrnoToStatus(error_number, path);
}

class PosixRandomAccessFile : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  absl::StatusOr<size_t> Read(uint64_t offset, size_t n, char* scratch) const override {
    for (;;) {
      const ssize_t r = ::pread(fd_, scratch, n, static_cast<off_t>(offset));
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return PosixError(path_, errno);
    }
  }

  absl::StatusOr<uint64_t> Size() const override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return PosixError(path_, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  void Prefetch(uint64_t offset, size_t n) const override {
    ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(n), POSIX_FADV_WILLNEED);
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixWritableFile : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override { ::close(fd_); }

  absl::StatusOr<size_t> Write(absl::string_view data) override {
    for (;;) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n > 0 || (n == 0 && data.empty())) return static_cast<size_t>(n);
      if (n < 0 && errno == EINTR) continue;
      // write(2) of a regular file returns 0 for a non-empty buffer only in
      // theory; report it rather than let the caller loop.
      return n < 0 ? PosixError(path_, errno)
                   : absl::UnavailableError(absl::StrCat(path_, ": write made no progress"));
    }
  }

  absl::Status Sync() override {
    if (::fdatasync(fd_) != 0) return PosixError(path_, errno);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixDirectory : public Directory {
 public:
  PosixDirectory(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixDirectory() override { ::close(fd_); }

  absl::Status Sync() override {
    if (::fsync(fd_) != 0) return PosixError(path_, errno);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  const int fd_;
};

class PosixEnv : public Env {
 public:
  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0) return PosixError(path, errno);
    return std::make_unique<PosixWritableFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    return std::make_unique<PosixWritableFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    return std::make_unique<PosixRandomAccessFile>(path, fd);
  }

  absl::StatusOr<std::unique_ptr<Directory>> NewDirectory(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError(path, errno);
    return std::make_unique<PosixDirectory>(path, fd);
  }

  absl::Status CreateDirs(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
      return absl::Status(
          ec.category() == std::generic_category() || ec.category() == std::system_category()
              ? absl::ErrnoToStatusCode(ec.value())
              : absl::StatusCode::kUnknown,
          absl::StrCat(path, ": ", ec.message()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return PosixError(path, errno);
    std::vector<std::string> names;
    for (;;) {
      errno = 0;
      const struct dirent* entry = ::readdir(dir);
      if (entry == nullptr) break;
      const absl::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int error_number = errno;
    ::closedir(dir);
    if (error_number != 0) return PosixError(path, error_number);
    return names;
  }

  absl::Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError(path, errno);
    return absl::OkStatus();
  }

  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return PosixError(from, errno);
    return absl::OkStatus();
  }

  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return PosixError(path, errno);
    return absl::OkStatus();
  }

  absl::Time NowTime() override { return absl::Now(); }
};

}  // namespace

Env* Env::Default() {
  static Env* const env = new PosixEnv();
  return env;
}

}  // namespace hookbridge
