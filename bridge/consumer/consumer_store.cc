#include "bridge/consumer/consumer_store.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <limits>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "bridge/check.h"
#include "bridge/crc32c.h"

namespace hookbridge {
namespace {

// The on-disk format. Both files are a magic string and then records, each
// framed as (integers little-endian):
//
//   offset  size  field
//        0     4  payload length
//        4     4  CRC-32C of bytes 8 .. end of payload (the type and payload)
//        8     1  record type
//        9     -  payload
//
// <name>.snapshot: kSnapshotMagic, then one kSnapshot record: the journal
// generation it starts, then the whole ConsumerSnapshot. Written to
// <name>.snapshot.tmp, synced, renamed over, the directory synced: it is
// either the old one or the new one, whole.
//
// <name>.journal: kJournalMagic, then one kJournalHeader record (its
// generation), created the same way (so the header is never torn), then the
// records appended since the snapshot of the same generation. Compaction
// writes a snapshot of generation G+1 before it replaces the journal of
// generation G with an empty one of generation G+1, so a crash between the
// two leaves a journal older than the snapshot: it is already in the
// snapshot and Open discards it.
constexpr absl::string_view kSnapshotMagic = "HBCSNAP1";
constexpr absl::string_view kJournalMagic = "HBCJRNL1";
constexpr size_t kRecordHeaderSize = 9;

enum RecordType : uint8_t {
  kSnapshot = 1,
  kJournalHeader = 2,
  kAcknowledge = 3,        // floor u64, count u32, sequences u64...
  kAddDeadLetter = 4,      // sequence u64, then a StoredDeadLetter (PutDeadLetter)
  kRemoveDeadLetters = 5,  // count u32, sequences u64...
  kSeek = 6,               // floor u64
};

// The journal's size when it holds no record: magic and header record.
constexpr uint64_t kJournalHeaderSize = kJournalMagic.size() + kRecordHeaderSize + 8;

constexpr absl::string_view kSnapshotSuffix = ".snapshot";
constexpr absl::string_view kJournalSuffix = ".journal";
constexpr absl::string_view kTempSuffix = ".tmp";

// ---- Encoding ---------------------------------------------------------------

class Encoder {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(v >> (8 * i)));
  }
  void Count(size_t n) {
    HB_CHECK(n <= std::numeric_limits<uint32_t>::max());
    U32(static_cast<uint32_t>(n));
  }
  void Bytes(absl::string_view s) {
    Count(s.size());
    out_.append(s.data(), s.size());
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
};

// Reads what an Encoder wrote; any read past the end makes ok() false.
class Decoder {
 public:
  explicit Decoder(absl::string_view data) : data_(data) {}

  uint8_t U8() { return static_cast<uint8_t>(Take(1)); }
  uint32_t U32() { return static_cast<uint32_t>(Take(4)); }
  uint64_t U64() { return Take(8); }
  // A count of items of at least `item_size` bytes each that can still be
  // in the data (so that a corrupt count cannot make a huge allocation).
  uint32_t Count(size_t item_size) {
    const uint32_t n = U32();
    if (static_cast<uint64_t>(n) * item_size > data_.size()) ok_ = false;
    return ok_ ? n : 0;
  }
  std::string Bytes() {
    const uint32_t n = Count(1);
    if (!ok_) return {};
    std::string s(data_.substr(0, n));
    data_.remove_prefix(n);
    return s;
  }
  bool ok() const { return ok_; }
  // Everything was read, nothing more.
  bool done() const { return ok_ && data_.empty(); }

 private:
  uint64_t Take(size_t n) {
    if (!ok_ || data_.size() < n) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[i])) << (8 * i);
    data_.remove_prefix(n);
    return v;
  }

  absl::string_view data_;
  bool ok_ = true;
};

void AppendRecord(RecordType type, absl::string_view payload, std::string* out) {
  HB_CHECK(payload.size() <= std::numeric_limits<uint32_t>::max());
  const size_t start = out->size();
  out->resize(start + kRecordHeaderSize);
  out->append(payload.data(), payload.size());
  char* h = out->data() + start;
  const uint32_t length = static_cast<uint32_t>(payload.size());
  h[8] = static_cast<char>(type);
  const uint32_t crc = Crc32cExtend(0, h + 8, 1 + payload.size());
  for (int i = 0; i < 4; ++i) {
    h[i] = static_cast<char>(length >> (8 * i));
    h[4 + i] = static_cast<char>(crc >> (8 * i));
  }
}

enum class FrameStatus {
  kOk,         // a whole record with a good CRC
  kTruncated,  // the data ends inside the record
  kCorrupt,    // a CRC mismatch
};

// Checks the record at the start of `data`. Sets `*size` to the record's
// size whenever its header is there, and `*type` and `*payload` on kOk.
FrameStatus CheckRecord(absl::string_view data, size_t* size, uint8_t* type,
                        absl::string_view* payload) {
  if (data.size() < kRecordHeaderSize) return FrameStatus::kTruncated;
  Decoder header(data);
  const uint32_t length = header.U32();
  const uint32_t crc = header.U32();
  *size = kRecordHeaderSize + static_cast<size_t>(length);
  if (data.size() < *size) return FrameStatus::kTruncated;
  if (Crc32cExtend(0, data.data() + 8, 1 + static_cast<size_t>(length)) != crc) {
    return FrameStatus::kCorrupt;
  }
  *type = static_cast<uint8_t>(data[8]);
  *payload = data.substr(kRecordHeaderSize, length);
  return FrameStatus::kOk;
}

void PutDeadLetter(const StoredDeadLetter& letter, Encoder* e) {
  e->U32(letter.deliveries);
  e->U32(letter.deadline_expiries);
  e->U32(letter.negative_acknowledgements);
  e->U64(static_cast<uint64_t>(absl::ToUnixNanos(letter.dead_at)));
  e->Bytes(letter.last_reason);
}

StoredDeadLetter GetDeadLetter(Decoder* d) {
  StoredDeadLetter letter;
  letter.deliveries = d->U32();
  letter.deadline_expiries = d->U32();
  letter.negative_acknowledgements = d->U32();
  letter.dead_at = absl::FromUnixNanos(static_cast<int64_t>(d->U64()));
  letter.last_reason = d->Bytes();
  return letter;
}

std::string SnapshotFile(uint64_t generation, const ConsumerSnapshot& state) {
  Encoder e;
  e.U64(generation);
  e.Bytes(state.config);
  e.U64(state.ack_floor);
  e.Count(state.acknowledged.size());
  for (uint64_t s : state.acknowledged) e.U64(s);
  e.Count(state.dead_letters.size());
  for (const auto& [sequence, letter] : state.dead_letters) {
    e.U64(sequence);
    PutDeadLetter(letter, &e);
  }
  std::string out(kSnapshotMagic);
  AppendRecord(kSnapshot, e.out(), &out);
  return out;
}

// Decodes a whole snapshot file; an empty string or why it is unreadable.
std::string DecodeSnapshotFile(absl::string_view data, uint64_t* generation,
                               ConsumerSnapshot* state) {
  if (!absl::StartsWith(data, kSnapshotMagic)) return "no snapshot magic at offset 0";
  data.remove_prefix(kSnapshotMagic.size());
  size_t size = 0;
  uint8_t type = 0;
  absl::string_view payload;
  switch (CheckRecord(data, &size, &type, &payload)) {
    case FrameStatus::kTruncated:
      return absl::StrCat("the record at offset ", kSnapshotMagic.size(), " is cut short");
    case FrameStatus::kCorrupt:
      return absl::StrCat("the record at offset ", kSnapshotMagic.size(), " has a bad CRC");
    case FrameStatus::kOk:
      break;
  }
  if (type != kSnapshot || size != data.size()) {
    return absl::StrCat("unexpected record of type ", type, " and ", size, " bytes at offset ",
                        kSnapshotMagic.size(), " (", data.size(), " bytes follow the magic)");
  }
  Decoder d(payload);
  *generation = d.U64();
  state->config = d.Bytes();
  state->ack_floor = d.U64();
  for (uint32_t n = d.Count(8); n > 0 && d.ok(); --n) state->acknowledged.insert(d.U64());
  for (uint32_t n = d.Count(8 + 12 + 8 + 4); n > 0 && d.ok(); --n) {
    const uint64_t sequence = d.U64();
    state->dead_letters[sequence] = GetDeadLetter(&d);
  }
  if (!d.done()) {
    return absl::StrCat("the record at offset ", kSnapshotMagic.size(), " does not decode");
  }
  return {};
}

std::string JournalHeader(uint64_t generation) {
  Encoder e;
  e.U64(generation);
  std::string out(kJournalMagic);
  AppendRecord(kJournalHeader, e.out(), &out);
  HB_CHECK(out.size() == kJournalHeaderSize);
  return out;
}

// ---- The state changes, shared by the calls and the journal's replay --------

void ApplyAcknowledge(ConsumerSnapshot* s, const std::vector<uint64_t>& sequences, uint64_t floor) {
  s->ack_floor = std::max(s->ack_floor, floor);
  for (uint64_t sequence : sequences) {
    if (sequence > s->ack_floor) s->acknowledged.insert(sequence);
  }
  s->acknowledged.erase(s->acknowledged.begin(), s->acknowledged.upper_bound(s->ack_floor));
}

void ApplySeek(ConsumerSnapshot* s, uint64_t floor) {
  s->ack_floor = floor;
  s->acknowledged.clear();
}

// Applies one journal record; false if its payload does not decode.
bool ApplyRecord(uint8_t type, absl::string_view payload, ConsumerSnapshot* s) {
  Decoder d(payload);
  switch (type) {
    case kAcknowledge: {
      const uint64_t floor = d.U64();
      std::vector<uint64_t> sequences(d.Count(8));
      for (uint64_t& sequence : sequences) sequence = d.U64();
      if (!d.done()) return false;
      ApplyAcknowledge(s, sequences, floor);
      return true;
    }
    case kAddDeadLetter: {
      const uint64_t sequence = d.U64();
      StoredDeadLetter letter = GetDeadLetter(&d);
      if (!d.done()) return false;
      s->dead_letters[sequence] = std::move(letter);
      return true;
    }
    case kRemoveDeadLetters: {
      std::vector<uint64_t> sequences(d.Count(8));
      for (uint64_t& sequence : sequences) sequence = d.U64();
      if (!d.done()) return false;
      for (uint64_t sequence : sequences) s->dead_letters.erase(sequence);
      return true;
    }
    case kSeek: {
      const uint64_t floor = d.U64();
      if (!d.done()) return false;
      ApplySeek(s, floor);
      return true;
    }
    default:
      return false;
  }
}

// ---- Files --------------------------------------------------------------------

// "<what> <path>: <reason>", from an Env error ("<path>: <reason>").
std::string Failed(absl::string_view what, const absl::Status& status) {
  return absl::StrCat(what, " ", status.message());
}

std::string JoinPath(const std::string& dir, absl::string_view name) {
  return (std::filesystem::path(dir) / std::string(name)).string();
}

struct Paths {
  explicit Paths(const ConsumerStore::Options& options)
      : snapshot(JoinPath(options.dir, absl::StrCat(options.name, kSnapshotSuffix))),
        journal(JoinPath(options.dir, absl::StrCat(options.name, kJournalSuffix))) {}
  std::string snapshot;
  std::string journal;
};

absl::Status CheckName(absl::string_view name) {
  if (IsConsumerName(name)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid consumer name \"", absl::CHexEscape(name),
      "\": 1 to 63 characters of a-z, 0-9, '_', '.' and '-', starting with a letter or digit"));
}

// Writes all of `data`, continuing after short writes.
absl::Status WriteAll(WritableFile& file, absl::string_view data) {
  while (!data.empty()) {
    absl::StatusOr<size_t> n = file.Write(data);
    if (!n.ok()) return absl::UnavailableError(Failed("cannot write", n.status()));
    HB_CHECK(*n > 0 && *n <= data.size());  // the Env's contract
    data.remove_prefix(*n);
  }
  return absl::OkStatus();
}

// Reads the whole file `path`; the Env's error (NOT_FOUND if it is missing).
absl::Status ReadFile(Env& env, const std::string& path, std::string* out) {
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> file = env.NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  absl::StatusOr<uint64_t> size = (*file)->Size();
  if (!size.ok()) return size.status();
  out->resize(static_cast<size_t>(*size));
  size_t done = 0;
  while (done < out->size()) {
    absl::StatusOr<size_t> n = (*file)->Read(done, out->size() - done, out->data() + done);
    if (!n.ok()) return n.status();
    if (*n == 0) break;  // shrank meanwhile
    done += *n;
  }
  out->resize(done);
  return absl::OkStatus();
}

// Replaces `path` with `contents` durably: a temp file, synced, renamed over
// `path`, the directory synced. UNAVAILABLE naming the file on failure.
absl::Status ReplaceFile(Env& env, Directory& dir, const std::string& path,
                         absl::string_view contents) {
  const std::string temp = absl::StrCat(path, kTempSuffix);
  absl::StatusOr<std::unique_ptr<WritableFile>> file = env.NewWritableFile(temp);
  if (!file.ok()) return absl::UnavailableError(Failed("cannot create", file.status()));
  if (absl::Status s = WriteAll(**file, contents); !s.ok()) return s;
  if (absl::Status s = (*file)->Sync(); !s.ok()) {
    return absl::UnavailableError(Failed("cannot fdatasync", s));
  }
  file->reset();
  if (absl::Status s = env.RenameFile(temp, path); !s.ok()) {
    return absl::UnavailableError(Failed("cannot rename", s));
  }
  if (absl::Status s = dir.Sync(); !s.ok()) {
    return absl::UnavailableError(Failed("cannot sync the directory", s));
  }
  return absl::OkStatus();
}

// Removes `path`; OK if it does not exist.
absl::Status RemoveIfExists(Env& env, const std::string& path) {
  absl::Status s = env.RemoveFile(path);
  if (s.ok() || absl::IsNotFound(s)) return absl::OkStatus();
  return absl::UnavailableError(Failed("cannot remove", s));
}

}  // namespace

// ---- The store ------------------------------------------------------------------

class ConsumerStore::Impl {
 public:
  Impl(const Options& options, Env* env, std::unique_ptr<Directory> dir, ConsumerSnapshot state,
       uint64_t generation, std::unique_ptr<WritableFile> journal, uint64_t journal_bytes)
      : options_(options),
        env_(env),
        paths_(options),
        dir_(std::move(dir)),
        state_(std::move(state)),
        journal_bytes_(journal_bytes),
        generation_(generation),
        journal_(std::move(journal)) {
    writer_ = std::thread([this] { WriterLoop(); });
  }

  ~Impl() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
      wake_.Signal();
    }
    writer_.join();
  }

  absl::Status failure() {
    absl::MutexLock lock(&mu_);
    return failure_;
  }
  const ConsumerSnapshot& state() const { return state_; }
  ConsumerSnapshot* mutable_state() { return &state_; }

  // Serializes the public calls that change the state (they may come from
  // several threads: the members of a consumer acknowledge concurrently).
  absl::Mutex calls_mu;

  // Queues a record made after its change was applied to state_.
  void Record(RecordType type, absl::string_view payload, std::function<void(absl::Status)> done);

 private:
  // Records that are written together, and the snapshot to compact into
  // once they are durable (the state right after the last of them).
  struct Batch {
    std::string bytes;
    std::vector<std::function<void(absl::Status)>> dones;
    std::shared_ptr<const ConsumerSnapshot> compact;
  };

  void WriterLoop();
  // Writes and syncs `batches`, running the dones of each group once it is
  // durable and compacting where asked; stops at the first error, leaving
  // the batches not yet durable in `batches`.
  absl::Status Commit(std::deque<Batch>* batches);
  // Writes `snapshot` as the next generation's and starts its journal.
  absl::Status Compact(const ConsumerSnapshot& snapshot);
  // Fails `batches`, everything queued and everything later with `status`.
  void Fail(std::deque<Batch>* batches, const absl::Status& status);

  const Options options_;
  Env* const env_;
  const Paths paths_;
  const std::unique_ptr<Directory> dir_;

  // The callers' side, serialized by them (see the header).
  ConsumerSnapshot state_;
  // The journal's size once everything queued is written (the size it
  // restarts at when a compaction is queued).
  uint64_t journal_bytes_;

  absl::Mutex mu_;
  absl::CondVar wake_;
  std::deque<Batch> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Set by the first failed write, sync or compaction.
  absl::Status failure_ ABSL_GUARDED_BY(mu_);

  // The writer thread's.
  uint64_t generation_;
  std::unique_ptr<WritableFile> journal_;
  std::string buffer_;
  std::thread writer_;
};

void ConsumerStore::Impl::Record(RecordType type, absl::string_view payload,
                                 std::function<void(absl::Status)> done) {
  std::string frame;
  AppendRecord(type, payload, &frame);
  journal_bytes_ += frame.size();
  std::shared_ptr<const ConsumerSnapshot> compact;
  if (journal_bytes_ > options_.compact_bytes) {
    // Copied here, where the state is exactly the journal's up to this
    // record; the writer cannot read state_.
    compact = std::make_shared<const ConsumerSnapshot>(state_);
    journal_bytes_ = kJournalHeaderSize;
  }
  absl::MutexLock lock(&mu_);
  if (queue_.empty() || queue_.back().compact != nullptr) queue_.emplace_back();
  Batch& batch = queue_.back();
  batch.bytes += frame;
  batch.dones.push_back(std::move(done));
  batch.compact = std::move(compact);
  wake_.Signal();
}

void ConsumerStore::Impl::WriterLoop() {
  for (;;) {
    std::deque<Batch> batches;
    absl::Status failure;
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) wake_.Wait(&mu_);
      if (queue_.empty()) return;  // stopping, and everything is done
      batches.swap(queue_);
      failure = failure_;
    }
    if (failure.ok()) failure = Commit(&batches);
    if (!failure.ok()) Fail(&batches, failure);
  }
}

absl::Status ConsumerStore::Impl::Commit(std::deque<Batch>* batches) {
  while (!batches->empty()) {
    // The batches up to the first one to compact after share a write and a
    // sync.
    buffer_.clear();
    size_t n = 0;
    while (n < batches->size()) {
      buffer_ += (*batches)[n].bytes;
      if ((*batches)[n++].compact != nullptr) break;
    }
    if (absl::Status s = WriteAll(*journal_, buffer_); !s.ok()) return s;
    if (absl::Status s = journal_->Sync(); !s.ok()) {
      return absl::UnavailableError(Failed("cannot fdatasync", s));
    }
    std::vector<std::function<void(absl::Status)>> dones;
    std::shared_ptr<const ConsumerSnapshot> compact = (*batches)[n - 1].compact;
    for (size_t i = 0; i < n; ++i) {
      for (auto& done : batches->front().dones) dones.push_back(std::move(done));
      batches->pop_front();
    }
    for (auto& done : dones) done(absl::OkStatus());
    if (compact != nullptr) {
      if (absl::Status s = Compact(*compact); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ConsumerStore::Impl::Compact(const ConsumerSnapshot& snapshot) {
  const uint64_t next = generation_ + 1;
  // The snapshot first: from its rename on it holds everything, and a
  // journal of an older generation is ignored.
  if (absl::Status s = ReplaceFile(*env_, *dir_, paths_.snapshot, SnapshotFile(next, snapshot));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ReplaceFile(*env_, *dir_, paths_.journal, JournalHeader(next)); !s.ok()) {
    return s;
  }
  journal_.reset();
  absl::StatusOr<std::unique_ptr<WritableFile>> journal = env_->NewAppendableFile(paths_.journal);
  if (!journal.ok()) return absl::UnavailableError(Failed("cannot open", journal.status()));
  journal_ = *std::move(journal);
  generation_ = next;
  return absl::OkStatus();
}

void ConsumerStore::Impl::Fail(std::deque<Batch>* batches, const absl::Status& status) {
  absl::Status failure;
  {
    absl::MutexLock lock(&mu_);
    if (failure_.ok()) {
      // Fail-stop, as the file log: after a failed write or fdatasync
      // nothing about the journal's tail can be trusted until it is
      // recovered by a reopen.
      failure_ = absl::UnavailableError(
          absl::StrCat("the store of consumer ", options_.name,
                       " failed and records nothing more until reopened: ", status.message()));
    }
    failure = failure_;
    for (Batch& batch : queue_) batches->push_back(std::move(batch));
    queue_.clear();
  }
  for (Batch& batch : *batches) {
    for (auto& done : batch.dones) done(failure);
  }
  batches->clear();
}

// ---- ConsumerStore ----------------------------------------------------------------

ConsumerStore::ConsumerStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConsumerStore::~ConsumerStore() = default;

absl::StatusOr<std::unique_ptr<ConsumerStore>> ConsumerStore::Open(const Options& options) {
  if (absl::Status s = CheckName(options.name); !s.ok()) return s;
  Env* const env = EnvOrDefault(options.env);
  const Paths paths(options);

  std::string data;
  if (absl::Status s = ReadFile(*env, paths.snapshot, &data); !s.ok()) {
    if (absl::IsNotFound(s)) {
      return absl::NotFoundError(
          absl::StrCat("consumer ", options.name, " has no store in ", options.dir));
    }
    return absl::FailedPreconditionError(Failed("cannot read", s));
  }
  ConsumerSnapshot state;
  uint64_t generation = 0;
  if (std::string error = DecodeSnapshotFile(data, &generation, &state); !error.empty()) {
    return absl::DataLossError(absl::StrCat(paths.snapshot, " is corrupt: ", error));
  }

  absl::StatusOr<std::unique_ptr<Directory>> dir = env->NewDirectory(options.dir);
  if (!dir.ok()) return absl::FailedPreconditionError(Failed("cannot open", dir.status()));
  // Left by a crash during a replacement; never needed.
  for (const std::string* path : {&paths.snapshot, &paths.journal}) {
    if (absl::Status s = RemoveIfExists(*env, absl::StrCat(*path, kTempSuffix)); !s.ok()) {
      return absl::FailedPreconditionError(s.message());
    }
  }

  bool fresh = false;  // the journal is to be started afresh
  uint64_t journal_bytes = kJournalHeaderSize;
  uint64_t truncate_at = 0;
  if (absl::Status s = ReadFile(*env, paths.journal, &data); absl::IsNotFound(s)) {
    fresh = true;  // a crash in Create after the snapshot
  } else if (!s.ok()) {
    return absl::FailedPreconditionError(Failed("cannot read", s));
  } else {
    size_t size = 0;
    uint8_t type = 0;
    absl::string_view payload;
    Decoder header(payload);
    if (absl::StartsWith(data, kJournalMagic) &&
        CheckRecord(absl::string_view(data).substr(kJournalMagic.size()), &size, &type, &payload) ==
            FrameStatus::kOk &&
        type == kJournalHeader) {
      header = Decoder(payload);
    }
    const uint64_t journal_generation = header.U64();
    if (!header.done()) {
      return absl::DataLossError(
          absl::StrCat(paths.journal, " is corrupt: no valid journal header at offset 0"));
    }
    if (journal_generation < generation) {
      fresh = true;  // a crash in a compaction after the snapshot: stale
    } else if (journal_generation > generation) {
      return absl::DataLossError(absl::StrCat(paths.journal, " is of generation ",
                                              journal_generation, ", newer than ", paths.snapshot,
                                              " (", generation, ")"));
    } else {
      size_t offset = kJournalHeaderSize;
      while (offset < data.size()) {
        const absl::string_view rest = absl::string_view(data).substr(offset);
        const FrameStatus status = CheckRecord(rest, &size, &type, &payload);
        if (status == FrameStatus::kOk) {
          if (!ApplyRecord(type, payload, &state)) {
            return absl::DataLossError(absl::StrCat(paths.journal,
                                                    " is corrupt: the record at offset ", offset,
                                                    " (type ", type, ") does not decode"));
          }
          offset += size;
          continue;
        }
        // A torn last write: cut short, or a bad CRC on the very last
        // record, or zeros (a file extended by a crash before its data
        // reached the disk). Anything else is corruption of records that
        // may have been confirmed. (A corrupt length that points past the
        // end cannot be told from a torn write: it is cut off too, as
        // leveldb's log does.)
        const bool torn = status == FrameStatus::kTruncated || size == rest.size() ||
                          rest.find_first_not_of('\0') == absl::string_view::npos;
        if (!torn) {
          return absl::DataLossError(absl::StrCat(paths.journal,
                                                  " is corrupt: bad CRC in the record at offset ",
                                                  offset, " of ", data.size(), " bytes"));
        }
        truncate_at = offset;
        break;
      }
      journal_bytes = offset;
    }
  }

  if (fresh) {
    if (absl::Status s = ReplaceFile(*env, **dir, paths.journal, JournalHeader(generation));
        !s.ok()) {
      return absl::FailedPreconditionError(s.message());
    }
  } else if (truncate_at > 0) {
    // Appending after the torn bytes would bury good records behind them.
    if (absl::Status s = env->TruncateFile(paths.journal, truncate_at); !s.ok()) {
      return absl::FailedPreconditionError(Failed("cannot truncate", s));
    }
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> journal = env->NewAppendableFile(paths.journal);
  if (!journal.ok()) return absl::FailedPreconditionError(Failed("cannot open", journal.status()));
  return std::unique_ptr<ConsumerStore>(
      new ConsumerStore(std::make_unique<Impl>(options, env, *std::move(dir), std::move(state),
                                               generation, *std::move(journal), journal_bytes)));
}

absl::StatusOr<std::unique_ptr<ConsumerStore>> ConsumerStore::Create(const Options& options,
                                                                     std::string config,
                                                                     uint64_t ack_floor) {
  if (absl::Status s = CheckName(options.name); !s.ok()) return s;
  Env* const env = EnvOrDefault(options.env);
  const Paths paths(options);
  if (absl::Status s = env->CreateDirs(options.dir); !s.ok()) {
    return absl::FailedPreconditionError(Failed("cannot create", s));
  }
  absl::StatusOr<std::unique_ptr<Directory>> dir = env->NewDirectory(options.dir);
  if (!dir.ok()) return absl::FailedPreconditionError(Failed("cannot open", dir.status()));
  if (absl::StatusOr<std::unique_ptr<RandomAccessFile>> existing =
          env->NewRandomAccessFile(paths.snapshot);
      existing.ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("consumer ", options.name, " already has a store in ", options.dir));
  } else if (!absl::IsNotFound(existing.status())) {
    return absl::FailedPreconditionError(Failed("cannot read", existing.status()));
  }

  ConsumerSnapshot state;
  state.config = std::move(config);
  state.ack_floor = ack_floor;
  constexpr uint64_t kGeneration = 1;
  // The journal first (replacing one left by an interrupted Remove), the
  // snapshot last: the consumer exists once its snapshot does.
  for (const std::string* path : {&paths.snapshot, &paths.journal}) {
    if (absl::Status s = RemoveIfExists(*env, absl::StrCat(*path, kTempSuffix)); !s.ok()) return s;
  }
  if (absl::Status s = ReplaceFile(*env, **dir, paths.journal, JournalHeader(kGeneration));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ReplaceFile(*env, **dir, paths.snapshot, SnapshotFile(kGeneration, state));
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<WritableFile>> journal = env->NewAppendableFile(paths.journal);
  if (!journal.ok()) return absl::UnavailableError(Failed("cannot open", journal.status()));
  return std::unique_ptr<ConsumerStore>(new ConsumerStore(
      std::make_unique<Impl>(options, env, *std::move(dir), std::move(state), kGeneration,
                             *std::move(journal), kJournalHeaderSize)));
}

absl::Status ConsumerStore::Remove(const Options& options) {
  if (absl::Status s = CheckName(options.name); !s.ok()) return s;
  Env* const env = EnvOrDefault(options.env);
  const Paths paths(options);
  // The snapshot first: without it the consumer no longer exists, whatever
  // else a crash leaves (Create replaces it).
  const absl::Status removed = env->RemoveFile(paths.snapshot);
  if (!removed.ok() && !absl::IsNotFound(removed)) {
    return absl::UnavailableError(Failed("cannot remove", removed));
  }
  for (const std::string& path : {paths.journal, absl::StrCat(paths.snapshot, kTempSuffix),
                                  absl::StrCat(paths.journal, kTempSuffix)}) {
    if (absl::Status s = RemoveIfExists(*env, path); !s.ok()) return s;
  }
  if (absl::IsNotFound(removed)) {
    return absl::NotFoundError(
        absl::StrCat("consumer ", options.name, " has no store in ", options.dir));
  }
  absl::StatusOr<std::unique_ptr<Directory>> dir = env->NewDirectory(options.dir);
  absl::Status synced = dir.ok() ? (*dir)->Sync() : dir.status();
  if (!synced.ok()) return absl::UnavailableError(Failed("cannot sync the directory", synced));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ConsumerStore::List(Env* env, const std::string& dir) {
  absl::StatusOr<std::vector<std::string>> children = EnvOrDefault(env)->GetChildren(dir);
  if (absl::IsNotFound(children.status())) return std::vector<std::string>();
  if (!children.ok())
    return absl::FailedPreconditionError(Failed("cannot list", children.status()));
  std::vector<std::string> names;
  for (absl::string_view child : *children) {
    if (absl::ConsumeSuffix(&child, kSnapshotSuffix) && IsConsumerName(child)) {
      names.emplace_back(child);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool IsConsumerName(absl::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
  }
  return true;
}

const ConsumerSnapshot& ConsumerStore::state() const { return impl_->state(); }

absl::Status ConsumerStore::failure() const { return impl_->failure(); }

void ConsumerStore::Acknowledge(std::vector<uint64_t> sequences, uint64_t ack_floor,
                                std::function<void(absl::Status)> done) {
  absl::MutexLock calls(&impl_->calls_mu);
  ConsumerSnapshot* state = impl_->mutable_state();
  ApplyAcknowledge(state, sequences, ack_floor);
  // What the call changed: the floor as it is now and the sequences kept.
  Encoder e;
  e.U64(state->ack_floor);
  sequences.erase(std::remove_if(sequences.begin(), sequences.end(),
                                 [&](uint64_t s) { return s <= state->ack_floor; }),
                  sequences.end());
  e.Count(sequences.size());
  for (uint64_t s : sequences) e.U64(s);
  impl_->Record(kAcknowledge, e.out(), std::move(done));
}

void ConsumerStore::AddDeadLetter(uint64_t sequence, StoredDeadLetter letter,
                                  std::function<void(absl::Status)> done) {
  absl::MutexLock calls(&impl_->calls_mu);
  Encoder e;
  e.U64(sequence);
  PutDeadLetter(letter, &e);
  impl_->mutable_state()->dead_letters[sequence] = std::move(letter);
  impl_->Record(kAddDeadLetter, e.out(), std::move(done));
}

void ConsumerStore::RemoveDeadLetters(std::vector<uint64_t> sequences,
                                      std::function<void(absl::Status)> done) {
  absl::MutexLock calls(&impl_->calls_mu);
  Encoder e;
  e.Count(sequences.size());
  for (uint64_t s : sequences) {
    e.U64(s);
    impl_->mutable_state()->dead_letters.erase(s);
  }
  impl_->Record(kRemoveDeadLetters, e.out(), std::move(done));
}

void ConsumerStore::Seek(uint64_t ack_floor, std::function<void(absl::Status)> done) {
  absl::MutexLock calls(&impl_->calls_mu);
  ApplySeek(impl_->mutable_state(), ack_floor);
  Encoder e;
  e.U64(ack_floor);
  impl_->Record(kSeek, e.out(), std::move(done));
}

}  // namespace hookbridge
