// The durable part of a durable consumer's state, kept in a directory next
// to the file log: how far it is acknowledged (the ack floor and the
// acknowledged sequences above it), its dead letters, and its config as
// created. Acknowledgements are appended to a journal and group-committed
// like the log's appends: a confirmed acknowledgement (its callback ran
// with OK) survives a power cut. The journal is compacted into a snapshot
// when it grows.
//
// Reaches the OS only through an Env, so tests inject failed writes and
// syncs and cut power (tests/bridge/log/fault_env.h).
//
// Files: <dir>/<name>.snapshot (the state as of the last compaction, always
// replaced whole: temp file, sync, rename, directory sync) and
// <dir>/<name>.journal (the records since), both framed with CRC-32C; the
// format is described in consumer_store.cc.
//
// Threads: state() and the four recording calls are not synchronized with
// each other; their owner serializes them (the consumer's lock). Each store
// has one writer thread; every `done` runs on it, never inside the call
// that made the record (so a caller may hold its own lock while recording,
// and `done` may take it), and never with a lock of the store held.
#ifndef HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_STORE_H_
#define HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/log/env.h"

namespace hookbridge {

// A dead letter as stored: the event is in the log; this is why it died.
struct StoredDeadLetter {
  uint32_t deliveries = 0;
  uint32_t deadline_expiries = 0;
  uint32_t negative_acknowledgements = 0;
  std::string last_reason;
  absl::Time dead_at;
};

// What a consumer's store holds.
struct ConsumerSnapshot {
  // The consumer's config as created: opaque bytes (a serialized
  // hookbridge.v1.ConsumerConfig), compared on reload.
  std::string config;
  // Every matching event up to here is acknowledged or dead.
  uint64_t ack_floor = 0;
  // Acknowledged sequences above the floor.
  std::set<uint64_t> acknowledged;
  // Dead letters, by sequence (all above or at most the floor: a dead
  // letter stays until redriven, whatever the floor).
  std::map<uint64_t, StoredDeadLetter> dead_letters;
};

// Whether `name` is a consumer name: [a-z0-9][a-z0-9_.-]{0,62} (a metric
// label and a file name).
bool IsConsumerName(absl::string_view name);

class ConsumerStore {
 public:
  struct Options {
    Env* env = nullptr;  // null: Env::Default()
    // The consumers' directory (e.g. <log dir>/consumers); the store is the
    // file(s) <dir>/<name>.*
    std::string dir;
    std::string name;
    // The journal is compacted into a new snapshot once it holds this many
    // bytes.
    uint64_t compact_bytes = 4u << 20;
  };

  // Opens the consumer's store, recovering it after a crash (a torn last
  // journal record is cut off; a corrupt one is an error naming the file).
  // NOT_FOUND when the consumer has no store yet (see Create); DATA_LOSS
  // naming the file and offset when a record before the journal's last one,
  // or the snapshot, is corrupt; INVALID_ARGUMENT for a name that is not
  // [a-z0-9][a-z0-9_.-]{0,62} (as for Create and Remove).
  static absl::StatusOr<std::unique_ptr<ConsumerStore>> Open(const Options& options);
  // Creates the store of a new consumer with `config` and `ack_floor`
  // (its start position), durably; ALREADY_EXISTS if there is one.
  static absl::StatusOr<std::unique_ptr<ConsumerStore>> Create(const Options& options,
                                                               std::string config,
                                                               uint64_t ack_floor);
  // Removes the consumer's files (DeleteConsumer); NOT_FOUND if it has no
  // store. Not while a ConsumerStore of it is open.
  static absl::Status Remove(const Options& options);
  // The names of the consumers with a store (a snapshot) in `dir`, sorted;
  // none if `dir` does not exist.
  static absl::StatusOr<std::vector<std::string>> List(Env* env, const std::string& dir);

  ~ConsumerStore();

  // The state as recovered by Open/Create, updated by every call below
  // (whether or not it is durable yet). Read it only while no call below
  // runs; the calls themselves may come from several threads at once. After a failure it goes on
  // being updated while nothing more is durable: it may be ahead of what a reopen recovers (which
  // has every record confirmed with OK, and may have some that failed).
  const ConsumerSnapshot& state() const;

  // Not OK once a write, sync or compaction failed: nothing more becomes
  // durable until the store is reopened (a restart recovers it).
  absl::Status failure() const;

  // Records `sequences` as acknowledged and the floor as `ack_floor`
  // (which never goes down); acknowledged sequences at or below the floor
  // are dropped from the state. `done` runs once the record is durable (OK)
  // or failed; records made while a sync is in progress share the next one
  // (group commit). After a failure every later call fails too (the store
  // must be reopened), like the file log: `done` gets UNAVAILABLE naming
  // the file and what failed. When the journal has grown past
  // compact_bytes, the writer compacts it after the record is durable.
  // The destructor completes (writes, syncs, runs `done` for) every record
  // made before it.
  void Acknowledge(std::vector<uint64_t> sequences, uint64_t ack_floor,
                   std::function<void(absl::Status)> done);
  // Records a dead letter (durable when `done` runs with OK).
  void AddDeadLetter(uint64_t sequence, StoredDeadLetter letter,
                     std::function<void(absl::Status)> done);
  // Removes dead letters (redriven: delivered again as if new).
  void RemoveDeadLetters(std::vector<uint64_t> sequences, std::function<void(absl::Status)> done);
  // Moves the consumer (SeekConsumer): the floor becomes `ack_floor`,
  // even lower than before, and the acknowledged set is cleared.
  void Seek(uint64_t ack_floor, std::function<void(absl::Status)> done);

 private:
  class Impl;
  explicit ConsumerStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CONSUMER_CONSUMER_STORE_H_
