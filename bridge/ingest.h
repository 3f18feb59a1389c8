// The ingest path of one webhook: find the source, verify, decode,
// de-duplicate, append. Everything between the HTTP parser and the log, with
// no networking: the HTTP layer turns an IngestResult into a response.
#ifndef HOOKBRIDGE_BRIDGE_INGEST_H_
#define HOOKBRIDGE_BRIDGE_INGEST_H_

#include <atomic>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "bridge/config_types.h"
#include "bridge/crypto.h"
#include "bridge/dedup.h"
#include "bridge/follower.h"
#include "bridge/log/event_log.h"
#include "bridge/ordering.h"
#include "bridge/outcome.h"
#include "bridge/providers/provider.h"
#include "bridge/providers/registry.h"
#include "bridge/rate_limit.h"

namespace hookbridge {

struct IngestResult {
  Outcome outcome = Outcome::kAccepted;
  // Why the request was rejected (empty when accepted).
  std::string reason;
  // Set once the body was decoded.
  std::string event_id;
  std::string type;
  bool typed = false;
  // The assigned sequence, for kAccepted.
  uint64_t sequence = 0;
  // For kRateLimited: how long until the source's bucket has a token again.
  absl::Duration retry_after;
  // For kBadSignature with request.diagnose: Source::DiagnoseSignature.
  std::string diagnosis;
  // For kAnswered: the source's own answer to the provider's check.
  std::optional<ProviderAnswer> answer;
  // For a request that may carry several events (a CloudEvents batch):
  // event_id and type are left empty, and these count its events and
  // those of them already stored (a batch of duplicates only is
  // kDuplicate). `sequence` is then the last one appended.
  bool batch = false;
  size_t events = 0;
  size_t duplicates = 0;
  // The type of each event appended, and whether it arrived typed (for
  // the per-type counters).
  std::vector<std::pair<std::string, bool>> appended;
};

// A configured source as the HTTP layer sees it.
struct SourceInfo {
  std::string name;
  const ProviderInfo* provider;
  // Whether its URL carries a secret path token (/webhooks/<name>/<token>).
  bool has_path_token = false;
};

class SourceSet;

// Where a request target leads. The pointers stay valid as long as the Route
// (which holds the source set it was resolved in) lives, whatever a config
// reload does meanwhile.
struct Route {
  // The source, or nullptr when the target names none: answer 404.
  const SourceInfo* source = nullptr;
  // The target names a source that has a path token, but the token is
  // missing or wrong. Answer exactly as for an unknown source (404, same
  // body): a stranger must not learn that the source exists.
  bool bad_token = false;
  // The configured source the target names, whether or not its path token
  // is right (nullptr when none is).
  const SourceInfo* named = nullptr;
  // The source name in the target (for metrics; may be unconfigured).
  absl::string_view name;
  // The sources in force when the target was resolved (never null from
  // Resolve); keeps `source` and `named` alive.
  std::shared_ptr<const SourceSet> set;
};

// Webhook paths start with this; the source name follows.
inline constexpr absl::string_view kWebhookPathPrefix = "/webhooks/";

// The configured sources, built from one config and immutable afterwards:
// a config reload builds a new set and swaps it in whole, so a request sees
// one consistent set from start to end. Rate-limit buckets of sources whose
// limit did not change carry over to the next set.
class SourceSet {
 public:
  // InvalidArgument when a source cannot be built from its config. Buckets
  // are taken over from `previous` (may be null) for sources of the same
  // name and limit.
  static absl::StatusOr<std::shared_ptr<const SourceSet>> Create(const Config& config,
                                                                 const SourceSet* previous);

  // In config order.
  const std::vector<SourceInfo>& infos() const { return infos_; }

 private:
  friend class Ingestor;
  struct Entry {
    SourceInfo info;
    std::unique_ptr<Source> source;
    // SHA-256 of the path token, if the source has one. Comparing digests
    // keeps the comparison constant-time whatever the token's length.
    std::optional<Sha256Digest> token_digest;
    // The source's rate limit, taken at the request's receive time.
    std::shared_ptr<TokenBucket> bucket;
  };
  SourceSet() = default;

  std::vector<SourceInfo> infos_;
  absl::flat_hash_map<std::string, Entry> entries_;
};

// Thread-safe: Handle may be called concurrently from any thread, and
// concurrently with Reconfigure.
class Ingestor {
 public:
  // InvalidArgument when a source cannot be built from its config, or when
  // the log cannot store an event of a body as large as
  // http.max_body_bytes (see StoredEventBytes; the message says what to
  // change). `log` must outlive the ingestor. Reads the log's recent
  // records to recognise redeliveries of events stored before a restart.
  static absl::StatusOr<std::unique_ptr<Ingestor>> Create(const Config& config, EventLog* log);

  // The encoded size (as Handle counts it: with the raw body, and the two
  // bytes `superseded` may add) up to which the event of a `body_bytes`
  // body is stored: the raw body, plus its decoded event, which is no
  // larger than the body (JSON keys become field numbers) plus
  // kEventFieldsBytes for the envelope's own fields. Bodies that decode
  // larger than that (google.protobuf.Struct spends 11 bytes on each
  // number of an array, "0," in JSON) may be over a log's limit (413).
  static uint64_t StoredEventBytes(uint64_t body_bytes);
  // The largest body whose stored event (as above) fits `event_bytes`.
  static uint64_t LargestBodyFor(uint64_t event_bytes);
  // The envelope's fields besides the payload: ids, names, timestamps.
  static constexpr uint64_t kEventFieldsBytes = 4 << 10;

  // Checks that every source of `config` can be built, without applying
  // anything.
  static absl::Status Validate(const Config& config);

  // Applies `config`'s sources (added, removed, secrets, tolerances, path
  // tokens, rate limits) and http.max_json_depth. Requests already being
  // handled finish with the set they started with. InvalidArgument, with
  // nothing changed, when a source cannot be built.
  absl::Status Reconfigure(const Config& config);

  // Resolves a request target (`/webhooks/<source>[/<path token>][?query]`)
  // to its source, checking the path token in constant time.
  Route Resolve(absl::string_view target) const;

  // The sources in force now, in config order.
  std::vector<SourceInfo> sources() const;

  // The largest event accepted, encoded with its raw body:
  // grpc.max_event_bytes, or less if the log cannot store that much.
  uint64_t max_event_bytes() const { return max_event_bytes_; }

  // Stops following a shared log (see LogFollower). Call before the log is
  // closed; the ingestor itself must outlive the log's last callbacks.
  void StopFollowing();

  // Saves the de-duplication window and the ordering guard with the log
  // (EventLog::SaveState), so that the next start restores them instead of
  // reading the last dedup.max_entries records (and every record of a
  // source remembered by time within dedup.window) again. For a clean stop:
  // FailedPrecondition while appends are in flight (the state would not
  // match the log), OK without saving for a shared log (each replica learns
  // from the log) or an empty one.
  absl::Status SaveState();

  // The answer to an OPTIONS request to `route.source` (not null):
  // Source::Preflight with the source's rate limit, or nullopt when the
  // source takes no OPTIONS.
  std::optional<ProviderAnswer> Preflight(const Route& route, const WebhookRequest& request) const;

  // Runs the ingest path for `request` posted to `source`: verify, rate
  // limit (only genuine requests spend a source's budget), check the JSON
  // text (UTF-8, http.max_json_depth), decode, de-duplicate, append. Calls
  // `done` exactly once: inline for rejections and duplicates, else when
  // the log has stored the event (possibly on another thread). `request`
  // need only stay valid until Handle returns.
  void Handle(absl::string_view source, const WebhookRequest& request,
              std::function<void(IngestResult)> done);
  // The same for a request already resolved to `route.source` (not null),
  // in the source set the route holds: the HTTP layer's path, which looks
  // the source up once per request.
  void Handle(const Route& route, const WebhookRequest& request,
              std::function<void(IngestResult)> done);

 private:
  Ingestor(EventLog* log, const DedupConfig& dedup, int max_json_depth, uint64_t max_event_bytes);

  std::shared_ptr<const SourceSet> Snapshot() const;
  // Handle for the source `entry` of a set the caller holds.
  void HandleEntry(const SourceSet::Entry& entry, const WebhookRequest& request,
                   std::function<void(IngestResult)> done);

 public:
  ~Ingestor();

 private:
  // Rebuilds the de-duplication window and the ordering guard from the log,
  // so both survive a restart: from the state SaveState left (and the
  // records appended after it) when there is a valid one, else from the
  // ids of the last dedup.max_entries records and those of sources without
  // signed timestamps appended within dedup.window. Returns the last
  // sequence it read.
  absl::StatusOr<uint64_t> Warm(const DedupConfig& dedup);
  // The sequence the saved state covers, once the window and the guard
  // hold it; nullopt (nothing changed) if there is none or it is not this
  // log's, not for these limits, or torn.
  std::optional<uint64_t> Restore(const DedupConfig& dedup, const LogStats& stats);
  // Adds a record appended to the log (by this process or, for a shared
  // log, another) to the de-duplication window and the ordering guard.
  void Remember(const LogRecord& record);
  // Whether `source`'s ids are remembered for dedup.window: its provider
  // signs no timestamp, so nothing else stops a replay.
  static bool RemembersByTime(const SourceSet& set, absl::string_view source);
  // The provider of the source named `source` in `set`, or nullptr.
  static const ProviderInfo* ProviderOf(const SourceSet& set, absl::string_view source);

  EventLog* const log_;
  const uint64_t max_event_bytes_;
  std::atomic<int> max_json_depth_;
  const DedupConfig dedup_config_;
  DedupWindow dedup_;
  OrderingGuard ordering_;
  // Appends started and not yet answered: SaveState needs none.
  std::atomic<int64_t> in_flight_{0};
  mutable absl::Mutex sources_mu_;
  std::shared_ptr<const SourceSet> sources_ ABSL_GUARDED_BY(sources_mu_);
  // Declared last: stopped and joined first, while the rest still exists.
  // With a shared log: remembers what other processes append.
  std::unique_ptr<LogFollower> follower_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_INGEST_H_
