// The event log over NATS JetStream: for running several identical
// hookbridge replicas that share one replicated stream. Any replica may take
// a webhook and any replica may serve a subscriber; the stream sequence is
// the event sequence.
//
// Appends: each event is published to `<subject_prefix>.<source>.<type
// tokens>` with the header `Nats-Msg-Id: <source>:<id>`, so JetStream's
// duplicate window stores a delivery taken by two replicas once (the second
// append is acknowledged with the first one's sequence). An append succeeds
// only with the stream's PubAck; without one within `ack_timeout`, or while
// the connection is down, it fails with Unavailable.
//
// Stored messages hold the event without its sequence (the stream assigns
// it) followed by its raw body field; the header `Hookbridge-Event-Bytes`
// says where the event ends. Readers get records whose event bytes carry the
// stream sequence, as with the other backends.
//
// Reads: one ordered consumer per process follows the stream from the end
// and keeps the most recent records in memory, so live subscribers never
// reach the server and records appended by other replicas reach this one's
// subscribers; waiters are woken as its records arrive. Older records are
// fetched from the stream in batches (an ephemeral pull consumer per batch).
//
// Faults: while the connection is down, Stats().failure is Unavailable,
// appends fail and reads fail (so subscribers end with UNAVAILABLE and can
// resume elsewhere); the client library reconnects by itself and the
// failure clears once it has.
#ifndef HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_LOG_H_
#define HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bridge/log/env.h"
#include "bridge/log/event_log.h"

namespace hookbridge {

class JetStreamLog : public EventLog {
 public:
  // The `jetstream` backend's options: what `log:` configures (its keys are
  // in jetstream_backend.h) with hookbridge's defaults, and a few settings
  // for tests.
  struct Options {
    // Server URL(s), comma-separated: "nats://host:4222,nats://other:4222".
    std::string url = "nats://127.0.0.1:4222";
    // Connection name shown by the server's monitoring.
    std::string connection_name = "hookbridge";
    std::string stream = "HOOKBRIDGE";
    // The stream takes `<subject_prefix>.>`.
    std::string subject_prefix = "hookbridge";
    // Stream settings, applied when the stream is created or differs.
    int replicas = 1;
    // Retention: InfiniteDuration() / 0 mean no limit.
    absl::Duration max_age = absl::Hours(24 * 7);
    uint64_t max_bytes = 10ull << 30;
    absl::Duration duplicate_window = absl::Minutes(2);
    // How long an append waits for the stream's PubAck.
    absl::Duration ack_timeout = absl::Seconds(5);
    // Connecting at Open() and each JetStream API request.
    absl::Duration request_timeout = absl::Seconds(5);
    absl::Duration reconnect_wait = absl::Seconds(1);
    // Recent records kept in memory for subscribers.
    uint64_t tail_cache_bytes = 64ull << 20;
    // Appends waiting for a PubAck; more are refused with Unavailable.
    size_t max_pending_appends = 16384;
    // Records fetched from the server per batch by catch-up readers.
    size_t fetch_batch = 512;
    // The clock for append deadlines, stream refreshes and fetch rounds (the
    // log touches no files); null means Env::Default(). Not owned; must
    // outlive the log.
    Env* env = nullptr;
  };

  // Connects, creates the stream or checks (and updates) its settings, and
  // starts following it. Unavailable when the server cannot be reached;
  // FailedPrecondition when the stream exists with other subjects or cannot
  // be created or updated.
  static absl::StatusOr<std::unique_ptr<JetStreamLog>> Open(Options options);

  // Fails appends still waiting for a PubAck, then closes the connection.
  ~JetStreamLog() override;

  void Append(EncodedEvent event, AppendCallback done) override;
  absl::Status Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                    const std::shared_ptr<LogWaiter>& waiter) override;
  // Fetches older records through a consumer filtered on
  // SelectorSubject(selector), so the server skips the others.
  absl::Status ReadSelected(uint64_t after, size_t max, const ReadSelector& selector,
                            std::vector<RecordPtr>* out, uint64_t* through,
                            const std::shared_ptr<LogWaiter>& waiter) override;
  absl::StatusOr<uint64_t> PositionAt(absl::Time since) override;
  LogStats Stats() override;
  bool shared() const override { return true; }
  // The NATS server's max_payload, less room for the message's headers.
  uint64_t max_record_bytes() const override;
  std::string DescribeRecordLimit(uint64_t needed) const override;

  // The one subject filter (nats-server 2.9 takes one per consumer) that
  // takes every event `selector` selects: `<prefix>.<source>.<type tokens>`
  // with `*` for several sources and `>` from the first type token holding
  // a `*`, or for several type patterns that differ there. Events it takes
  // but the selector does not are filtered out by the reader.
  static std::string SelectorSubject(absl::string_view prefix, const ReadSelector& selector);

  // The servers of a `url` option: its comma-separated entries, trimmed,
  // without empty ones.
  static std::vector<std::string> ServerUrls(absl::string_view url);

  // The subject an event of `source` and `type` is published to: the type's
  // dot-separated tokens, with characters NATS does not allow in a token
  // (whitespace, '*', '>') replaced by '_' and empty tokens written as '_'.
  static std::string EventSubject(absl::string_view prefix, absl::string_view source,
                                  absl::string_view type);

 private:
  struct Core;
  explicit JetStreamLog(std::unique_ptr<Core> core);

  // The connection and all state; the client library's callbacks point at
  // it, so it lives until the connection is closed.
  std::unique_ptr<Core> core_;
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_LOG_JETSTREAM_JETSTREAM_LOG_H_
