// MemEnv: an Env whose files live in memory, for the file log's fuzz target
// (fuzz/log_record_fuzzer.cc) and tests that want no disk. Files are byte
// strings by path; directories exist once created. POSIX semantics where the
// log relies on them: an open file stays readable after it is removed or
// renamed, and a read sees what was written before it. Syncs do nothing and
// never fail. The wall clock reads what the test set (it does not move);
// the monotonic clock is the real one.
//
// Thread-safe: the log calls it from its writer and reader threads.
#ifndef HOOKBRIDGE_TESTS_BRIDGE_LOG_MEM_ENV_H_
#define HOOKBRIDGE_TESTS_BRIDGE_LOG_MEM_ENV_H_

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/log/env.h"

namespace hookbridge::testing {

class MemEnv : public Env {
 public:
  explicit MemEnv(absl::Time now = absl::FromUnixSeconds(1767225600)) : now_(now) {}

  // Creates (or replaces) the file `path` holding `bytes`; its directory
  // need not have been created.
  void PutFile(const std::string& path, std::string bytes) {
    absl::MutexLock lock(&mu_);
    auto file = std::make_shared<File>();
    {
      absl::MutexLock file_lock(&file->mu);
      file->bytes = std::move(bytes);
    }
    files_[path] = std::move(file);
  }

  // The bytes of the file `path`, or NOT_FOUND.
  absl::StatusOr<std::string> GetFile(const std::string& path) const {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFound(path);
    absl::MutexLock file_lock(&it->second->mu);
    return it->second->bytes;
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    auto file = std::make_shared<File>();
    files_[path] = file;
    return std::unique_ptr<WritableFile>(new Writer(std::move(file)));
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFound(path);
    return std::unique_ptr<WritableFile>(new Writer(it->second));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFound(path);
    return std::unique_ptr<RandomAccessFile>(new Reader(it->second));
  }
  absl::StatusOr<std::unique_ptr<Directory>> NewDirectory(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    if (!dirs_.count(path)) return NotFound(path);
    return std::unique_ptr<Directory>(new Dir);
  }
  absl::Status CreateDirs(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    dirs_.insert(path);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    if (!dirs_.count(path)) return NotFound(path);
    std::vector<std::string> names;
    const std::string prefix = path + "/";
    for (const auto& [name, file] : files_) {
      absl::string_view rest = name;
      if (absl::ConsumePrefix(&rest, prefix) && !absl::StrContains(rest, '/')) {
        names.emplace_back(rest);
      }
    }
    return names;
  }
  absl::Status RemoveFile(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    if (files_.erase(path) == 0) return NotFound(path);
    return absl::OkStatus();
  }
  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it == files_.end()) return NotFound(from);
    std::shared_ptr<File> file = it->second;
    files_.erase(it);
    files_[to] = std::move(file);
    return absl::OkStatus();
  }
  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    absl::MutexLock lock(&mu_);
    auto it = files_.find(path);
    if (it == files_.end()) return NotFound(path);
    absl::MutexLock file_lock(&it->second->mu);
    it->second->bytes.resize(static_cast<size_t>(size));
    return absl::OkStatus();
  }
  absl::Time NowTime() override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void SetTime(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }

 private:
  struct File {
    absl::Mutex mu;
    std::string bytes ABSL_GUARDED_BY(mu);
  };

  class Writer : public WritableFile {
   public:
    explicit Writer(std::shared_ptr<File> file) : file_(std::move(file)) {}
    absl::StatusOr<size_t> Write(absl::string_view data) override {
      absl::MutexLock lock(&file_->mu);
      file_->bytes.append(data.data(), data.size());
      return data.size();
    }
    absl::Status Sync() override { return absl::OkStatus(); }

   private:
    const std::shared_ptr<File> file_;
  };

  class Reader : public RandomAccessFile {
   public:
    explicit Reader(std::shared_ptr<File> file) : file_(std::move(file)) {}
    absl::StatusOr<size_t> Read(uint64_t offset, size_t n, char* scratch) const override {
      absl::MutexLock lock(&file_->mu);
      if (offset >= file_->bytes.size()) return 0;
      const size_t count = std::min<uint64_t>(n, file_->bytes.size() - offset);
      std::memcpy(scratch, file_->bytes.data() + offset, count);
      return count;
    }
    absl::StatusOr<uint64_t> Size() const override {
      absl::MutexLock lock(&file_->mu);
      return file_->bytes.size();
    }

   private:
    const std::shared_ptr<File> file_;
  };

  class Dir : public Directory {
   public:
    absl::Status Sync() override { return absl::OkStatus(); }
  };

  static absl::Status NotFound(absl::string_view path) {
    return absl::NotFoundError(absl::StrCat(path, ": No such file or directory"));
  }

  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<File>> files_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> dirs_ ABSL_GUARDED_BY(mu_);
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_BRIDGE_LOG_MEM_ENV_H_
