#include "bridge/log/file/file_backend.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bridge/log/file/file_log.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

absl::string_view FsyncName(FileLog::Fsync fsync) {
  switch (fsync) {
    case FileLog::Fsync::kAlways:
      return "always";
    case FileLog::Fsync::kInterval:
      return "interval";
    case FileLog::Fsync::kNever:
      return "never";
  }
  return "always";
}

}  // namespace

absl::StatusOr<std::any> ParseFileLogOptions(const ConfigSection& log) {
  FileLog::Options options;
  HB_RETURN_IF_ERROR(log.ReadString("dir", &options.dir));
  if (options.dir.empty()) return log.Error("dir", "must not be empty");
  std::string fsync(FsyncName(options.fsync));
  HB_RETURN_IF_ERROR(log.ReadString("fsync", &fsync));
  if (fsync == "always") {
    options.fsync = FileLog::Fsync::kAlways;
  } else if (fsync == "interval") {
    options.fsync = FileLog::Fsync::kInterval;
  } else if (fsync == "never") {
    options.fsync = FileLog::Fsync::kNever;
  } else {
    return log.Error("fsync", "must be always, interval or never");
  }
  HB_RETURN_IF_ERROR(log.ReadDuration("fsync_interval", &options.fsync_interval));
  if (options.fsync_interval <= absl::ZeroDuration()) {
    return log.Error("fsync_interval", "must be positive");
  }
  HB_RETURN_IF_ERROR(log.ReadBytes("segment_bytes", &options.segment_bytes));
  if (options.segment_bytes < 4096) return log.Error("segment_bytes", "must be at least 4KiB");
  std::unique_ptr<ConfigSection> retention;
  HB_ASSIGN_OR_RETURN(retention, log.Section("retention", {"bytes", "age"}));
  if (retention != nullptr) {
    HB_RETURN_IF_ERROR(retention->ReadBytes("bytes", &options.retention_bytes));
    absl::Duration age = options.retention_age == absl::InfiniteDuration() ? absl::ZeroDuration()
                                                                           : options.retention_age;
    HB_RETURN_IF_ERROR(retention->ReadDuration("age", &age));
    options.retention_age = age > absl::ZeroDuration() ? age : absl::InfiniteDuration();
  }
  HB_RETURN_IF_ERROR(log.ReadBytes("cache_bytes", &options.tail_cache_bytes));
  return std::any(std::move(options));
}

ConfigValues DescribeFileLogOptions(const std::any& any) {
  const auto& o = std::any_cast<const FileLog::Options&>(any);
  return {
      {"dir", o.dir},
      {"fsync", std::string(FsyncName(o.fsync))},
      {"fsync_interval", FormatConfigDuration(o.fsync_interval)},
      {"segment_bytes", FormatConfigBytes(o.segment_bytes)},
      {"retention.bytes", FormatConfigBytes(o.retention_bytes)},
      {"retention.age",
       o.retention_age == absl::InfiniteDuration() ? "0" : FormatConfigDuration(o.retention_age)},
      {"cache_bytes", FormatConfigBytes(o.tail_cache_bytes)}};
}

absl::StatusOr<OpenedLog> OpenFileLog(const std::any& any) {
  const auto& options = std::any_cast<const FileLog::Options&>(any);
  absl::StatusOr<std::unique_ptr<FileLog>> log = FileLog::Open(options);
  if (!log.ok()) return log.status();
  OpenedLog opened;
  const FileLog::Recovery& recovery = (*log)->recovery();
  opened.warnings = recovery.findings;
  opened.facts = {{"dir", options.dir},
                  {"fsync", std::string(FsyncName(options.fsync))},
                  {"segments", absl::StrCat(recovery.segments)},
                  {"corrupt_records", absl::StrCat(recovery.corrupt_records)},
                  {"truncated_bytes", absl::StrCat(recovery.truncated_bytes)}};
  opened.log = *std::move(log);
  return opened;
}

uint64_t FileLogRetentionBytes(const std::any& any) {
  return std::any_cast<const FileLog::Options&>(any).retention_bytes;
}

uint64_t FileLogMaxRecordBytes(const std::any& any) {
  return std::any_cast<const FileLog::Options&>(any).max_record_bytes;
}

absl::StatusOr<std::unique_ptr<ConsumerSet>> OpenFileLogConsumers(const std::any& any,
                                                                  EventLog* log) {
  const std::string& dir = std::any_cast<const FileLog::Options&>(any).dir;
  std::unique_ptr<LocalConsumerSet> set;
  HB_ASSIGN_OR_RETURN(
      set, LocalConsumerSet::Open(
               {log, dir.empty() || dir.back() == '/' ? dir + "consumers" : dir + "/consumers"}));
  return std::unique_ptr<ConsumerSet>(std::move(set));
}

}  // namespace hookbridge
