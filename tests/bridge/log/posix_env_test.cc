// Env::Default(), the POSIX Env, on a temporary directory.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "bridge/log/env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hookbridge {
namespace {

using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

namespace fs = std::filesystem;

class PosixEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/hookbridge-posix-env-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  // Writes all of `data`, as callers of WritableFile::Write do.
  static absl::Status WriteAll(WritableFile& file, absl::string_view data) {
    while (!data.empty()) {
      absl::StatusOr<size_t> n = file.Write(data);
      if (!n.ok()) return n.status();
      EXPECT_GT(*n, 0u);
      data.remove_prefix(*n);
    }
    return absl::OkStatus();
  }

  Env* env_ = Env::Default();
  std::string dir_;
};

TEST_F(PosixEnvTest, DefaultIsOneInstance) {
  EXPECT_EQ(Env::Default(), Env::Default());
  EXPECT_EQ(EnvOrDefault(nullptr), Env::Default());
  EXPECT_EQ(EnvOrDefault(env_), env_);
}

TEST_F(PosixEnvTest, WritesSyncsAndReadsBackAtOffsets) {
  const std::string path = dir_ + "/a";
  absl::StatusOr<std::unique_ptr<WritableFile>> out = env_->NewWritableFile(path);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(WriteAll(**out, "hello, ").ok());
  ASSERT_TRUE(WriteAll(**out, "world").ok());
  ASSERT_TRUE((*out)->Sync().ok());
  EXPECT_EQ(Contents(path), "hello, world");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);

  absl::StatusOr<std::unique_ptr<RandomAccessFile>> in = env_->NewRandomAccessFile(path);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(*(*in)->Size(), 12u);
  char buffer[16];
  absl::StatusOr<size_t> n = (*in)->Read(7, 5, buffer);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(std::string(buffer, *n), "world");
  // At the end: nothing, and no error.
  n = (*in)->Read(12, 4, buffer);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 0u);

  // The reader sees what is appended later.
  ASSERT_TRUE(WriteAll(**out, "!").ok());
  EXPECT_EQ(*(*in)->Size(), 13u);
}

TEST_F(PosixEnvTest, NewWritableFileTruncatesAndNewAppendableFileAppends) {
  const std::string path = dir_ + "/a";
  std::ofstream(path) << "old contents";
  {
    absl::StatusOr<std::unique_ptr<WritableFile>> out = env_->NewWritableFile(path);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_TRUE(WriteAll(**out, "new").ok());
  }
  EXPECT_EQ(Contents(path), "new");
  {
    absl::StatusOr<std::unique_ptr<WritableFile>> out = env_->NewAppendableFile(path);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_TRUE(WriteAll(**out, "er").ok());
  }
  EXPECT_EQ(Contents(path), "newer");
}

TEST_F(PosixEnvTest, ErrorsMapErrnoAndNameThePath) {
  const std::string missing = dir_ + "/missing";
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> in = env_->NewRandomAccessFile(missing);
  EXPECT_EQ(in.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(in.status().message(), missing + ": No such file or directory");
  EXPECT_EQ(env_->NewAppendableFile(missing).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env_->RemoveFile(missing).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env_->RenameFile(missing, dir_ + "/b").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env_->TruncateFile(missing, 0).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env_->GetChildren(missing).status().code(), absl::StatusCode::kNotFound);

  const std::string file = dir_ + "/plain";
  std::ofstream(file) << "x";
  absl::StatusOr<std::unique_ptr<Directory>> dir = env_->NewDirectory(file);
  EXPECT_EQ(dir.status().code(), absl::StatusCode::kFailedPrecondition);  // ENOTDIR
  EXPECT_THAT(std::string(dir.status().message()), StartsWith(file + ": "));
  const absl::Status mkdir = env_->CreateDirs(file + "/sub");
  EXPECT_FALSE(mkdir.ok());
  EXPECT_THAT(std::string(mkdir.message()), StartsWith(file + "/sub: "));
}

TEST_F(PosixEnvTest, NoSpaceIsResourceExhausted) {
  // /dev/full fails every write with ENOSPC.
  absl::StatusOr<std::unique_ptr<WritableFile>> full = env_->NewAppendableFile("/dev/full");
  if (!full.ok()) GTEST_SKIP() << "no /dev/full: " << full.status();
  absl::StatusOr<size_t> n = (*full)->Write("data");
  EXPECT_EQ(n.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(n.status().message(), "/dev/full: No space left on device");
}

TEST_F(PosixEnvTest, DirectoriesListRenameTruncateAndRemove) {
  const std::string sub = dir_ + "/x/y";
  ASSERT_TRUE(env_->CreateDirs(sub).ok());
  ASSERT_TRUE(env_->CreateDirs(sub).ok());  // already there
  EXPECT_TRUE(fs::is_directory(sub));
  std::ofstream(sub + "/one") << "12345";
  std::ofstream(sub + "/two") << "x";

  absl::StatusOr<std::vector<std::string>> children = env_->GetChildren(sub);
  ASSERT_TRUE(children.ok()) << children.status();
  EXPECT_THAT(*children, UnorderedElementsAre("one", "two"));

  ASSERT_TRUE(env_->RenameFile(sub + "/two", sub + "/three").ok());
  ASSERT_TRUE(env_->TruncateFile(sub + "/one", 2).ok());
  EXPECT_EQ(Contents(sub + "/one"), "12");
  ASSERT_TRUE(env_->RemoveFile(sub + "/one").ok());
  EXPECT_THAT(*env_->GetChildren(sub), UnorderedElementsAre("three"));

  absl::StatusOr<std::unique_ptr<Directory>> dir = env_->NewDirectory(sub);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_TRUE((*dir)->Sync().ok());
}

TEST_F(PosixEnvTest, NowTimeIsTheWallClock) {
  const absl::Time before = absl::Now();
  const absl::Time now = env_->NowTime();
  const absl::Time after = absl::Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

}  // namespace
}  // namespace hookbridge
