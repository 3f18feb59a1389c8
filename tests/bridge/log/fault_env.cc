#include "tests/bridge/log/fault_env.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"

namespace hookbridge::testing {
namespace {

class FaultWritableFile : public WritableFile {
 public:
  FaultWritableFile(FaultEnv* env, std::string path, std::unique_ptr<WritableFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  absl::StatusOr<size_t> Write(absl::string_view data) override {
    const FaultEnv::Decision decision = env_->Decide(EnvOp::kWrite, path_);
    if (!decision.status.ok()) return decision.status;
    if (decision.short_write > 0 && decision.short_write < data.size()) {
      data = data.substr(0, decision.short_write);
    }
    return base_->Write(data);
  }

  absl::Status Sync() override {
    const FaultEnv::Decision decision = env_->Decide(EnvOp::kSync, path_);
    if (!decision.status.ok()) return decision.status;
    return base_->Sync();
  }

 private:
  FaultEnv* const env_;
  const std::string path_;
  const std::unique_ptr<WritableFile> base_;
};

class FaultRandomAccessFile : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultEnv* env, std::string path, std::unique_ptr<RandomAccessFile> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  absl::StatusOr<size_t> Read(uint64_t offset, size_t n, char* scratch) const override {
    const FaultEnv::Decision decision = env_->Decide(EnvOp::kRead, path_);
    if (!decision.status.ok()) return decision.status;
    return base_->Read(offset, n, scratch);
  }

  absl::StatusOr<uint64_t> Size() const override {
    const FaultEnv::Decision decision = env_->Decide(EnvOp::kSize, path_);
    if (!decision.status.ok()) return decision.status;
    return base_->Size();
  }

 private:
  FaultEnv* const env_;
  const std::string path_;
  const std::unique_ptr<RandomAccessFile> base_;
};

class FaultDirectory : public Directory {
 public:
  FaultDirectory(FaultEnv* env, std::string path, std::unique_ptr<Directory> base)
      : env_(env), path_(std::move(path)), base_(std::move(base)) {}

  absl::Status Sync() override {
    const FaultEnv::Decision decision = env_->Decide(EnvOp::kSyncDir, path_);
    if (!decision.status.ok()) return decision.status;
    return base_->Sync();
  }

 private:
  FaultEnv* const env_;
  const std::string path_;
  const std::unique_ptr<Directory> base_;
};

}  // namespace

FaultEnv::FaultEnv(Env* base) : base_(base) {}

FaultEnv::~FaultEnv() = default;

void FaultEnv::Inject(FaultRule rule) {
  absl::MutexLock lock(&mu_);
  rules_.push_back(std::move(rule));
}

void FaultEnv::ClearFaults() {
  absl::MutexLock lock(&mu_);
  rules_.clear();
}

int FaultEnv::calls(EnvOp op) const {
  absl::MutexLock lock(&mu_);
  return calls_[static_cast<size_t>(op)];
}

int FaultEnv::injected(EnvOp op) const {
  absl::MutexLock lock(&mu_);
  return injected_[static_cast<size_t>(op)];
}

void FaultEnv::SetTime(absl::Time now) {
  absl::MutexLock lock(&mu_);
  now_ = now;
  if (!monotonic_.has_value()) monotonic_ = base_->NowMonotonic();
}

void FaultEnv::AdvanceTime(absl::Duration by) {
  absl::MutexLock lock(&mu_);
  if (!now_.has_value()) now_ = base_->NowTime();
  if (!monotonic_.has_value()) monotonic_ = base_->NowMonotonic();
  *now_ += by;
  if (by > absl::ZeroDuration()) *monotonic_ += by;
}

void FaultEnv::StepWallClock(absl::Duration by) {
  absl::MutexLock lock(&mu_);
  if (!now_.has_value()) now_ = base_->NowTime();
  if (!monotonic_.has_value()) monotonic_ = base_->NowMonotonic();
  *now_ += by;
}

absl::Time FaultEnv::NowTime() {
  {
    absl::MutexLock lock(&mu_);
    if (now_.has_value()) return *now_;
  }
  return base_->NowTime();
}

absl::Time FaultEnv::NowMonotonic() {
  {
    absl::MutexLock lock(&mu_);
    if (monotonic_.has_value()) return *monotonic_;
  }
  return base_->NowMonotonic();
}

FaultEnv::Decision FaultEnv::Decide(EnvOp op, const std::string& path) {
  absl::MutexLock lock(&mu_);
  ++calls_[static_cast<size_t>(op)];
  for (FaultRule& rule : rules_) {
    if (rule.op != op || rule.times == 0 || !absl::StrContains(path, rule.path_contains)) {
      continue;
    }
    if (rule.skip > 0) {
      --rule.skip;
      return {};
    }
    if (rule.times > 0) --rule.times;
    ++injected_[static_cast<size_t>(op)];
    if (rule.error != 0) return {absl::ErrnoToStatus(rule.error, path), 0};
    return {absl::OkStatus(), std::max<size_t>(rule.short_write, 1)};
  }
  return {};
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultEnv::NewWritableFile(const std::string& path) {
  if (Decision d = Decide(EnvOp::kNewWritableFile, path); !d.status.ok()) return d.status;
  absl::StatusOr<std::unique_ptr<WritableFile>> file = base_->NewWritableFile(path);
  if (!file.ok()) return file.status();
  return std::make_unique<FaultWritableFile>(this, path, *std::move(file));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultEnv::NewAppendableFile(const std::string& path) {
  if (Decision d = Decide(EnvOp::kNewAppendableFile, path); !d.status.ok()) return d.status;
  absl::StatusOr<std::unique_ptr<WritableFile>> file = base_->NewAppendableFile(path);
  if (!file.ok()) return file.status();
  return std::make_unique<FaultWritableFile>(this, path, *std::move(file));
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> FaultEnv::NewRandomAccessFile(
    const std::string& path) {
  if (Decision d = Decide(EnvOp::kNewRandomAccessFile, path); !d.status.ok()) return d.status;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = base_->NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  return std::make_unique<FaultRandomAccessFile>(this, path, *std::move(file));
}

absl::StatusOr<std::unique_ptr<Directory>> FaultEnv::NewDirectory(const std::string& path) {
  if (Decision d = Decide(EnvOp::kNewDirectory, path); !d.status.ok()) return d.status;
  absl::StatusOr<std::unique_ptr<Directory>> dir = base_->NewDirectory(path);
  if (!dir.ok()) return dir.status();
  return std::make_unique<FaultDirectory>(this, path, *std::move(dir));
}

absl::Status FaultEnv::CreateDirs(const std::string& path) {
  if (Decision d = Decide(EnvOp::kCreateDirs, path); !d.status.ok()) return d.status;
  return base_->CreateDirs(path);
}

absl::StatusOr<std::vector<std::string>> FaultEnv::GetChildren(const std::string& path) {
  if (Decision d = Decide(EnvOp::kGetChildren, path); !d.status.ok()) return d.status;
  return base_->GetChildren(path);
}

absl::Status FaultEnv::RemoveFile(const std::string& path) {
  if (Decision d = Decide(EnvOp::kRemoveFile, path); !d.status.ok()) return d.status;
  return base_->RemoveFile(path);
}

absl::Status FaultEnv::RenameFile(const std::string& from, const std::string& to) {
  if (Decision d = Decide(EnvOp::kRenameFile, from); !d.status.ok()) return d.status;
  return base_->RenameFile(from, to);
}

absl::Status FaultEnv::TruncateFile(const std::string& path, uint64_t size) {
  if (Decision d = Decide(EnvOp::kTruncateFile, path); !d.status.ok()) return d.status;
  return base_->TruncateFile(path, size);
}

}  // namespace hookbridge::testing
