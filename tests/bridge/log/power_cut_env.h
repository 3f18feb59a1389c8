// An Env for power-cut tests of what persists through it (the file log,
// the consumers' stores).
#ifndef HOOKBRIDGE_TESTS_BRIDGE_LOG_POWER_CUT_ENV_H_
#define HOOKBRIDGE_TESTS_BRIDGE_LOG_POWER_CUT_ENV_H_

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bridge/log/env.h"

namespace hookbridge::testing {

inline std::string ReadBytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream content;
  content << f.rdbuf();
  return content.str();
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// An Env over the real one that knows what a power cut would keep: each
// file's bytes as of its last Sync, and the directory's entries (creations,
// renames, removals) as of its last Sync. PowerCut() takes that image and
// from then on fails every operation with EIO, as a machine without power
// would; Restart() puts the image on the disk. A cut can keep the first
// `torn_bytes` of each file's unsynced tail, as a torn write does.
//
// It can also hold syncs of matching files at a gate, so that a test knows
// a sync is in progress while it makes more records. It expects one
// directory and files that are only appended to (or truncated).
class PowerCutEnv : public Env {
 public:
  PowerCutEnv() = default;

  // Cuts the power now (or, with CutAfter, at the n-th mutating operation).
  void PowerCut(size_t torn_bytes = 0) {
    absl::MutexLock lock(&mu_);
    CutLocked(torn_bytes);
  }
  // Cuts the power just before the `n`-th (from 0) write, sync, create,
  // rename, remove or truncate from now on.
  void CutAfter(int n, size_t torn_bytes = 0) {
    absl::MutexLock lock(&mu_);
    cut_countdown_ = n;
    cut_torn_bytes_ = torn_bytes;
  }
  bool cut() const {
    absl::MutexLock lock(&mu_);
    return image_.has_value();
  }
  // Forgets every file (after the test emptied the directory).
  void Forget() {
    absl::MutexLock lock(&mu_);
    names_.clear();
    durable_names_.clear();
    known_.clear();
  }
  // Puts what survived the cut on the disk and powers on.
  void Restart() {
    absl::MutexLock lock(&mu_);
    if (!image_.has_value()) return;
    for (const std::string& path : known_) std::filesystem::remove(path);
    names_.clear();
    durable_names_.clear();
    for (const auto& [path, bytes] : *image_) {
      WriteBytes(path, bytes);
      auto inode = std::make_shared<Inode>(Inode{bytes, bytes});
      names_[path] = inode;
      durable_names_[path] = inode;
    }
    image_.reset();
    cut_countdown_ = -1;
  }

  // Syncs of files whose path contains `path_contains` wait until
  // ReleaseSyncs().
  void HoldSyncs(std::string path_contains) {
    absl::MutexLock lock(&mu_);
    hold_ = std::move(path_contains);
    held_ = 0;
  }
  // Waits until `n` syncs were held since HoldSyncs (false after kWait).
  bool WaitForHeldSyncs(int n) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() { return held_ >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30));
  }
  void ReleaseSyncs() {
    absl::MutexLock lock(&mu_);
    hold_.reset();
  }

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Mutating(); !s.ok()) return s;
    absl::StatusOr<std::unique_ptr<WritableFile>> file = base_->NewWritableFile(path);
    if (!file.ok()) return file.status();
    AdoptLocked(path);
    std::shared_ptr<Inode>& inode = names_[path];
    if (inode == nullptr) inode = std::make_shared<Inode>();
    inode->content.clear();  // O_TRUNC; durable until the next sync
    return std::make_unique<File>(this, path, inode, *std::move(file));
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override {
    absl::MutexLock lock(&mu_);
    if (image_.has_value()) return Off(path);
    absl::StatusOr<std::unique_ptr<WritableFile>> file = base_->NewAppendableFile(path);
    if (!file.ok()) return file.status();
    AdoptLocked(path);
    return std::make_unique<File>(this, path, names_.at(path), *std::move(file));
  }
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override {
    if (cut()) return Off(path);
    return base_->NewRandomAccessFile(path);
  }
  absl::StatusOr<std::unique_ptr<Directory>> NewDirectory(const std::string& path) override {
    if (cut()) return Off(path);
    absl::StatusOr<std::unique_ptr<Directory>> dir = base_->NewDirectory(path);
    if (!dir.ok()) return dir.status();
    return std::make_unique<Dir>(this, *std::move(dir));
  }
  absl::Status CreateDirs(const std::string& path) override {
    if (cut()) return Off(path);
    return base_->CreateDirs(path);
  }
  absl::StatusOr<std::vector<std::string>> GetChildren(const std::string& path) override {
    if (cut()) return Off(path);
    return base_->GetChildren(path);
  }
  absl::Status RemoveFile(const std::string& path) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Mutating(); !s.ok()) return s;
    AdoptLocked(path);
    absl::Status s = base_->RemoveFile(path);
    if (s.ok()) names_.erase(path);
    return s;
  }
  absl::Status RenameFile(const std::string& from, const std::string& to) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Mutating(); !s.ok()) return s;
    AdoptLocked(from);
    AdoptLocked(to);
    absl::Status s = base_->RenameFile(from, to);
    if (s.ok()) {
      names_[to] = names_[from];
      names_.erase(from);
    }
    return s;
  }
  absl::Status TruncateFile(const std::string& path, uint64_t size) override {
    absl::MutexLock lock(&mu_);
    if (absl::Status s = Mutating(); !s.ok()) return s;
    AdoptLocked(path);
    absl::Status s = base_->TruncateFile(path, size);
    if (s.ok() && names_.count(path) > 0) {
      std::string& content = names_[path]->content;
      content.resize(std::min<size_t>(content.size(), size));
    }
    return s;
  }
  absl::Time NowTime() override { return base_->NowTime(); }

 private:
  struct Inode {
    std::string content;  // what the file holds
    std::string durable;  // what it holds after a power cut
  };

  class File : public WritableFile {
   public:
    File(PowerCutEnv* env, std::string path, std::shared_ptr<Inode> inode,
         std::unique_ptr<WritableFile> base)
        : env_(env), path_(std::move(path)), inode_(std::move(inode)), base_(std::move(base)) {}
    absl::StatusOr<size_t> Write(absl::string_view data) override {
      absl::MutexLock lock(&env_->mu_);
      if (absl::Status s = env_->Mutating(); !s.ok()) return s;
      absl::StatusOr<size_t> n = base_->Write(data);
      if (n.ok()) inode_->content.append(data.data(), *n);
      return n;
    }
    absl::Status Sync() override {
      absl::MutexLock lock(&env_->mu_);
      if (env_->hold_.has_value() && absl::StrContains(path_, *env_->hold_)) {
        ++env_->held_;
        env_->mu_.Await(absl::Condition(
            +[](std::optional<std::string>* hold) { return !hold->has_value(); }, &env_->hold_));
      }
      if (absl::Status s = env_->Mutating(); !s.ok()) return s;
      absl::Status s = base_->Sync();
      if (s.ok()) inode_->durable = inode_->content;
      return s;
    }

   private:
    PowerCutEnv* const env_;
    const std::string path_;
    const std::shared_ptr<Inode> inode_;
    const std::unique_ptr<WritableFile> base_;
  };

  class Dir : public Directory {
   public:
    Dir(PowerCutEnv* env, std::unique_ptr<Directory> base) : env_(env), base_(std::move(base)) {}
    absl::Status Sync() override {
      absl::MutexLock lock(&env_->mu_);
      if (absl::Status s = env_->Mutating(); !s.ok()) return s;
      absl::Status s = base_->Sync();
      if (s.ok()) env_->durable_names_ = env_->names_;
      return s;
    }

   private:
    PowerCutEnv* const env_;
    const std::unique_ptr<Directory> base_;
  };

  static absl::Status Off(const std::string& path) { return absl::ErrnoToStatus(EIO, path); }

  // Before an operation that changes the disk: counts down to a planned
  // cut; EIO once the power is off.
  absl::Status Mutating() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (cut_countdown_ == 0) CutLocked(cut_torn_bytes_);
    if (cut_countdown_ > 0) --cut_countdown_;
    return image_.has_value() ? Off("(power cut)") : absl::OkStatus();
  }

  void CutLocked(size_t torn_bytes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (image_.has_value()) return;
    image_.emplace();
    for (const auto& [path, inode] : durable_names_) {
      std::string bytes = inode->durable;
      if (absl::StartsWith(inode->content, inode->durable)) {
        bytes += inode->content.substr(inode->durable.size(), torn_bytes);
      }
      (*image_)[path] = std::move(bytes);
    }
    cut_countdown_ = -1;
  }

  // Starts tracking a file that was on the disk before this Env saw it.
  void AdoptLocked(const std::string& path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    known_.insert(path);
    if (names_.count(path) > 0 || durable_names_.count(path) > 0 || !std::filesystem::exists(path))
      return;
    const std::string bytes = ReadBytes(path);
    auto inode = std::make_shared<Inode>(Inode{bytes, bytes});
    names_[path] = inode;
    durable_names_[path] = inode;
  }

  Env* const base_ = Env::Default();
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Inode>> names_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<Inode>> durable_names_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> known_ ABSL_GUARDED_BY(mu_);
  std::optional<std::map<std::string, std::string>> image_ ABSL_GUARDED_BY(mu_);
  int cut_countdown_ ABSL_GUARDED_BY(mu_) = -1;
  size_t cut_torn_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<std::string> hold_ ABSL_GUARDED_BY(mu_);
  int held_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hookbridge::testing

#endif  // HOOKBRIDGE_TESTS_BRIDGE_LOG_POWER_CUT_ENV_H_
