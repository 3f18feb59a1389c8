#include "bridge/log/jetstream/jetstream_log.h"

#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "bridge/config_section.h"
#include "bridge/error_info.h"
#include "bridge/library_log.h"
#include "bridge/log/jetstream/jetstream_record.h"
#include "bridge/log/tail_window.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

// How long one fetch request may wait before it is asked again.
constexpr absl::Duration kFetchRound = absl::Milliseconds(500);

// How often waiting appends are checked against their deadline.
constexpr absl::Duration kExpiryInterval = absl::Milliseconds(100);
// How often the stream's state (first sequence, size) is refreshed, and
// how long one refresh may wait: a request made while the stream has no
// leader must not hold back the next one.
constexpr absl::Duration kInfoInterval = absl::Seconds(1);
// A tail consumer behind the stream that has delivered nothing for this
// long is stalled (its server died, say): it is replaced, at most this
// often, and each replacement may wait this long for the server.
constexpr absl::Duration kTailStallAfter = absl::Seconds(1);
// Room left in the server's max_payload for the headers Append sets
// (Nats-Msg-Id, the event's size).
constexpr int64_t kHeaderRoom = 1024;
// The log's connection, in log lines (the consumers' is "consumers").
constexpr char kLogConnection[] = "log";
// Ephemeral consumers of catch-up reads are removed by the server after
// this long unused, should this process die before removing them.
constexpr absl::Duration kEphemeralInactiveThreshold = absl::Minutes(1);

int64_t Millis(absl::Duration d) { return absl::ToInt64Milliseconds(d); }
int64_t Nanos(absl::Duration d) {
  return d == absl::InfiniteDuration() ? 0 : absl::ToInt64Nanoseconds(d);
}

bool ValidTokenChar(char c) {
  return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != '*' && c != '>' && c != '.';
}

void AppendToken(absl::string_view token, std::string* out) {
  out->push_back('.');
  if (token.empty()) {
    out->push_back('_');
    return;
  }
  for (char c : token) out->push_back(ValidTokenChar(c) ? c : '_');
}

// The record of a message delivered by a JetStream consumer. InvalidArgument
// for a message hookbridge did not write.
absl::StatusOr<std::shared_ptr<LogRecord>> RecordFromMessage(natsMsg* msg) {
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
    return absl::InvalidArgumentError("a stream message without JetStream metadata");
  }
  const uint64_t sequence = meta->Sequence.Stream;
  const absl::Time stored_at = absl::FromUnixNanos(meta->Timestamp);
  jsMsgMetaData_Destroy(meta);
  return RecordFromStoredMessage(msg, sequence, stored_at);
}

// The server `nc` is connected to ("" when it is not).
std::string ConnectedUrl(natsConnection* nc) {
  char url[256] = "";
  if (nc == nullptr || natsConnection_GetConnectedUrl(nc, url, sizeof url) != NATS_OK) return "";
  return url;
}

// The connection's last error ("" if none).
std::string LastError(natsConnection* nc) {
  const char* text = nullptr;
  if (nc == nullptr || natsConnection_GetLastError(nc, &text) == NATS_OK || text == nullptr) {
    return "";
  }
  return text;
}

// The callbacks NewNatsOptions sets; `closure` is the connection's name.
void OnNatsDisconnected(natsConnection* nc, void* closure) {
  LogNatsConnectionEvent(nc, NatsConnectionEvent::kDisconnected, static_cast<char*>(closure));
}
void OnNatsReconnected(natsConnection* nc, void* closure) {
  LogNatsConnectionEvent(nc, NatsConnectionEvent::kReconnected, static_cast<char*>(closure));
}
void OnNatsClosed(natsConnection* nc, void* closure) {
  LogNatsConnectionEvent(nc, NatsConnectionEvent::kClosed, static_cast<char*>(closure));
}
void OnNatsLameDuck(natsConnection* nc, void* closure) {
  LibraryLog(LibraryLogLevel::kWarn, "nats",
             "nats server entering lame duck mode: it will close its connections soon",
             {{"connection", static_cast<char*>(closure)}, {"server", ConnectedUrl(nc)}});
}
void OnNatsError(natsConnection* nc, natsSubscription* subscription, natsStatus err,
                 void* closure) {
  const char* subject =
      subscription != nullptr ? natsSubscription_GetSubject(subscription) : nullptr;
  LibraryLog(LibraryLogLevel::kError, "nats", "nats client error",
             {{"connection", static_cast<char*>(closure)},
              {"error", natsStatus_GetText(err)},
              {"subject", subject != nullptr ? subject : ""},
              {"server", ConnectedUrl(nc)}});
}

}  // namespace

void LogNatsConnectionEvent(natsConnection* nc, NatsConnectionEvent event, const char* connection) {
  switch (event) {
    case NatsConnectionEvent::kDisconnected:
      LibraryLog(LibraryLogLevel::kWarn, "nats", "nats connection lost; reconnecting",
                 {{"connection", connection}, {"error", LastError(nc)}});
      return;
    case NatsConnectionEvent::kReconnected:
      LibraryLog(LibraryLogLevel::kInfo, "nats", "nats connection restored",
                 {{"connection", connection}, {"server", ConnectedUrl(nc)}});
      return;
    case NatsConnectionEvent::kClosed:
      LibraryLog(LibraryLogLevel::kInfo, "nats", "nats connection closed",
                 {{"connection", connection}});
      return;
  }
}

// The client library's message for `s`, with its last error's details.
std::string NatsError(absl::string_view what, natsStatus s) {
  const char* detail = nats_GetLastError(nullptr);
  return absl::StrCat(what, ": ", natsStatus_GetText(s),
                      detail != nullptr && *detail != '\0' ? absl::StrCat(" (", detail, ")") : "");
}

absl::StatusOr<natsOptions*> NewNatsOptions(const JetStreamLog::Options& options,
                                            const std::string& name, const char* connection) {
  // natsOptions_SetURL takes one URL: a list goes to SetServers.
  const std::vector<std::string> urls = JetStreamLog::ServerUrls(options.url);
  std::vector<const char*> servers;
  for (const std::string& url : urls) servers.push_back(url.c_str());
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK) s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetName(opts, name.c_str());
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, Millis(options.request_timeout));
  if (s == NATS_OK) s = natsOptions_SetAllowReconnect(opts, true);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);  // forever
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, Millis(options.reconnect_wait));
  void* closure = const_cast<char*>(connection);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, &OnNatsDisconnected, closure);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, &OnNatsReconnected, closure);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, &OnNatsClosed, closure);
  if (s == NATS_OK) s = natsOptions_SetLameDuckModeCB(opts, &OnNatsLameDuck, closure);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(opts, &OnNatsError, closure);
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return absl::InvalidArgumentError(NatsError("log.url", s));
  }
  return opts;
}

absl::StatusOr<std::shared_ptr<LogRecord>> RecordFromStoredMessage(natsMsg* msg, uint64_t sequence,
                                                                   absl::Time stored_at) {
  const char* value = nullptr;
  uint64_t event_size = 0;
  const int size = natsMsg_GetDataLength(msg);
  if (natsMsgHeader_Get(msg, kEventBytesHeader, &value) != NATS_OK ||
      !absl::SimpleAtoi(value, &event_size) || event_size > static_cast<uint64_t>(size)) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream message ", sequence, " was not written by hookbridge"));
  }
  const absl::string_view data(natsMsg_GetData(msg), static_cast<size_t>(size));
  v1::Event event;
  if (!event.ParseFromArray(data.data(), static_cast<int>(event_size))) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream message ", sequence, " does not hold an event"));
  }
  EncodedEvent encoded;
  encoded.id = std::move(*event.mutable_id());
  encoded.type = std::move(*event.mutable_type());
  encoded.source = std::move(*event.mutable_source());
  encoded.environment_id = std::move(*event.mutable_environment_id());
  encoded.subject = std::move(*event.mutable_subject());
  // Room for the sequence field MakeRecord appends.
  encoded.body.reserve(event_size + 11);
  encoded.body.assign(data.data(), event_size);
  encoded.raw_body_field = std::string(data.substr(event_size));
  RecordPtr record = MakeRecord(std::move(encoded), sequence, stored_at);
  return std::const_pointer_cast<LogRecord>(record);
}

struct JetStreamLog::Core {
  explicit Core(Options o)
      : options(std::move(o)), env(EnvOrDefault(options.env)), cache(options.tail_cache_bytes) {}

  const Options options;
  Env* const env;
  std::string filter_subject;  // "<prefix>.>"

  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  // The server's max_payload (headers and data of one message), once
  // connected.
  std::atomic<int64_t> max_payload{0};
  // The tail consumer's subscription. Set by Open, then replaced only by
  // the maintenance thread, which joins before the destructor reads it.
  natsSubscription* tail = nullptr;
  absl::Notification closed;

  struct PendingAppend {
    AppendCallback done;
    absl::Time deadline;
  };

  absl::Mutex mu;
  absl::CondVar stop_cv;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  // Appends waiting for their PubAck, by the message published.
  absl::flat_hash_map<natsMsg*, PendingAppend> pending ABSL_GUARDED_BY(mu);
  // The newest record the tail consumer delivered; every record up to it is
  // in the cache or on the server.
  uint64_t tail_last ABSL_GUARDED_BY(mu) = 0;
  absl::Time tail_appended_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  // When the tail last delivered a record or was seen at known_last: if it
  // stays behind known_last for kTailStallAfter, it is stalled.
  absl::Time tail_moved_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  // The stream holds no record the tail has not delivered up to here (they
  // were deleted): being behind known_last up to it is no stall.
  uint64_t tail_floor ABSL_GUARDED_BY(mu) = 0;
  // Not OK from when the tail is found stalled until it delivers again.
  absl::Status stalled ABSL_GUARDED_BY(mu);
  uint64_t tail_restarts ABSL_GUARDED_BY(mu) = 0;
  // Tail subscriptions whose message handler may still run (their
  // completion callback has not come yet); the destructor waits for none.
  int tails_running ABSL_GUARDED_BY(mu) = 0;
  // The newest sequence known to exist (PubAcks, stream state).
  uint64_t known_last ABSL_GUARDED_BY(mu) = 0;
  // The stream's state as of the last refresh.
  uint64_t first_sequence ABSL_GUARDED_BY(mu) = 0;
  uint64_t messages ABSL_GUARDED_BY(mu) = 0;
  uint64_t bytes ABSL_GUARDED_BY(mu) = 0;
  absl::Time last_stored_at ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  uint64_t corrupt_records ABSL_GUARDED_BY(mu) = 0;
  // The newest records the tail consumer delivered: one contiguous range.
  TailWindow cache ABSL_GUARDED_BY(mu);
  LogWaiters waiters ABSL_GUARDED_BY(mu);
  absl::Status failure ABSL_GUARDED_BY(mu);
  // When the stream this process follows was created; a stream found with
  // another creation time was deleted and created again under it.
  int64_t stream_created = 0;
  // Set, for good, when the stream went away: `failure` stays this.
  absl::Status lost ABSL_GUARDED_BY(mu);

  std::thread maintenance;

  absl::Status Connect();
  absl::Status EnsureStream(uint64_t* last_sequence);
  // Subscribes an ordered consumer to the records after `after` and makes
  // it the tail; `wait` bounds the request that creates it.
  absl::Status StartTail(uint64_t after, absl::Duration wait);
  // Finds whether the tail is stalled behind the stream and, if so (at most
  // every kTailStallAfter, from `*next_restart` on), replaces it with a
  // consumer from where it stopped.
  void CheckTail(absl::Time* next_restart);
  // Refreshes the stream's state; `wait` bounds the request.
  absl::Status RefreshInfo(absl::Duration wait);
  // Fails the log for good, with `why`.
  void MarkLost(absl::Status why);
  void Maintain();
  void FailPending(const absl::Status& status);
  // Fetches up to `batch` records on `subject` from `start_sequence` on.
  // `*drained` tells whether the stream had no more after the last one.
  absl::Status Fetch(uint64_t start_sequence, int batch, const std::string& subject,
                     std::vector<RecordPtr>* out, bool* drained);
  // Read and ReadSelected: `subject` is filter_subject for all records.
  absl::Status Read(uint64_t after, size_t max, const std::string& subject,
                    std::vector<RecordPtr>* out, uint64_t* through,
                    const std::shared_ptr<LogWaiter>& waiter);
  // When the stream stored the message at `sequence`; NotFound when it no
  // longer holds it.
  absl::StatusOr<absl::Time> StoredAt(uint64_t sequence);

  static void OnDisconnected(natsConnection*, void* closure);
  static void OnReconnected(natsConnection*, void* closure);
  static void OnClosed(natsConnection*, void* closure);
  static void OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* closure);
  static void OnTailMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure);
  static void OnTailDone(void* closure);
};

absl::Status JetStreamLog::Core::Connect() {
  natsOptions* opts = nullptr;
  HB_ASSIGN_OR_RETURN(opts, NewNatsOptions(options, options.connection_name, kLogConnection));
  natsStatus s = natsOptions_SetPingInterval(opts, 5000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts, 2);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, &Core::OnDisconnected, this);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, &Core::OnReconnected, this);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, &Core::OnClosed, this);
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return absl::InvalidArgumentError(NatsError("log.url", s));
  }
  s = natsConnection_Connect(&conn, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    conn = nullptr;
    return absl::UnavailableError(NatsError(absl::StrCat("cannot connect to ", options.url), s));
  }
  max_payload = natsConnection_GetMaxPayload(conn);
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = Millis(options.request_timeout);
  js_opts.PublishAsync.MaxPending = static_cast<int64_t>(options.max_pending_appends) + 1024;
  js_opts.PublishAsync.AckHandler = &Core::OnPubAck;
  js_opts.PublishAsync.AckHandlerClosure = this;
  s = natsConnection_JetStream(&js, conn, &js_opts);
  if (s != NATS_OK) return absl::UnavailableError(NatsError("cannot use JetStream", s));
  return absl::OkStatus();
}

absl::Status JetStreamLog::Core::EnsureStream(uint64_t* last_sequence) {
  const char* subjects[] = {filter_subject.c_str()};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = options.stream.c_str();
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Retention = js_LimitsPolicy;
  config.Storage = js_FileStorage;
  config.Discard = js_DiscardOld;
  config.Replicas = options.replicas;
  config.MaxAge = Nanos(options.max_age);
  config.MaxBytes = options.max_bytes == 0 ? -1 : static_cast<int64_t>(options.max_bytes);
  config.Duplicates = Nanos(options.duplicate_window);

  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js, options.stream.c_str(), nullptr, &jerr);
  if (s == NATS_NOT_FOUND) {
    s = js_AddStream(&info, js, &config, nullptr, &jerr);
    if (s != NATS_OK) {
      return absl::FailedPreconditionError(
          NatsError(absl::StrCat("cannot create the stream ", options.stream), s));
    }
  } else if (s != NATS_OK) {
    return absl::UnavailableError(
        NatsError(absl::StrCat("cannot look up the stream ", options.stream), s));
  } else {
    const jsStreamConfig& have = *info->Config;
    if (have.SubjectsLen != 1 || filter_subject != have.Subjects[0]) {
      jsStreamInfo_Destroy(info);
      return absl::FailedPreconditionError(
          absl::StrCat("the stream ", options.stream, " exists but does not take exactly ",
                       filter_subject, "; use another log.stream or log.subject_prefix"));
    }
    if (have.Replicas != config.Replicas || have.MaxAge != config.MaxAge ||
        have.MaxBytes != config.MaxBytes || have.Duplicates != config.Duplicates) {
      jsStreamInfo_Destroy(info);
      info = nullptr;
      s = js_UpdateStream(&info, js, &config, nullptr, &jerr);
      if (s != NATS_OK) {
        return absl::FailedPreconditionError(NatsError(
            absl::StrCat("cannot update the settings of the stream ", options.stream), s));
      }
    }
  }
  stream_created = info->Created;
  absl::MutexLock lock(&mu);
  *last_sequence = info->State.LastSeq;
  known_last = info->State.LastSeq;
  first_sequence = info->State.FirstSeq;
  messages = info->State.Msgs;
  bytes = info->State.Bytes;
  jsStreamInfo_Destroy(info);
  return absl::OkStatus();
}

absl::Status JetStreamLog::Core::StartTail(uint64_t after, absl::Duration wait) {
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = Millis(wait);
  jsSubOptions sub_opts;
  jsSubOptions_Init(&sub_opts);
  sub_opts.Stream = options.stream.c_str();
  sub_opts.Ordered = true;
  sub_opts.Config.DeliverPolicy = js_DeliverByStartSequence;
  sub_opts.Config.OptStartSeq = after + 1;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsSubscription* sub = nullptr;
  natsStatus s = js_Subscribe(&sub, js, filter_subject.c_str(), &Core::OnTailMessage, this,
                              &js_opts, &sub_opts, &jerr);
  if (s != NATS_OK) return absl::UnavailableError(NatsError("cannot follow the stream", s));
  if (natsSubscription_SetOnCompleteCB(sub, &Core::OnTailDone, this) == NATS_OK) {
    absl::MutexLock lock(&mu);
    ++tails_running;
  }
  // The library's pending limits bound what waits for this process; when
  // they are exceeded, the ordered consumer notices the gap and restarts
  // from the last record delivered. It also restarts when its heartbeats
  // stop, but only after 10 s: CheckTail is quicker.
  natsSubscription* old = tail;
  tail = sub;
  // Without asking the server to delete the old consumer, which may be on
  // a server that is gone: the server drops ephemeral consumers nobody
  // listens to. Records both deliver are taken once (OnTailMessage).
  if (old != nullptr) natsSubscription_Destroy(old);
  return absl::OkStatus();
}

void JetStreamLog::Core::CheckTail(absl::Time* next_restart) {
  const absl::Time now = env->NowTime();
  uint64_t after = 0;
  {
    absl::MutexLock lock(&mu);
    if (std::max(tail_last, tail_floor) >= known_last || !lost.ok()) {
      tail_moved_at = now;
      return;
    }
    if (now - tail_moved_at < kTailStallAfter) return;
    if (stalled.ok()) {
      stalled = absl::UnavailableError(absl::StrCat(
          "the consumer following the stream ", options.stream, " has delivered nothing past ",
          tail_last, " for ", FormatConfigDuration(now - tail_moved_at), " while the stream has ",
          known_last, " (its NATS server may be gone); replacing it"));
    }
    if (now < *next_restart || !failure.ok()) return;
    after = tail_last;
  }
  *next_restart = now + kTailStallAfter;
  if (!StartTail(after, kTailStallAfter).ok()) return;
  {
    absl::MutexLock lock(&mu);
    ++tail_restarts;
  }
  // A consumer with nothing to deliver that has passed the stream's last
  // sequence: the records after `after` were deleted, not missed.
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = Millis(kTailStallAfter);
  jsConsumerInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  uint64_t passed = 0;
  if (natsSubscription_GetConsumerInfo(&info, tail, &js_opts, &jerr) == NATS_OK &&
      info->NumPending == 0) {
    passed = info->Delivered.Stream;
  }
  jsConsumerInfo_Destroy(info);
  absl::MutexLock lock(&mu);
  if (passed > tail_last && tail_last == after) {
    tail_floor = std::max(tail_floor, passed);
    if (tail_floor >= known_last) stalled = absl::OkStatus();
  }
}

absl::Status JetStreamLog::Core::RefreshInfo(absl::Duration wait) {
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = Millis(wait);
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js, options.stream.c_str(), &js_opts, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
    MarkLost(absl::UnavailableError(absl::StrCat(
        "the stream ", options.stream,
        " was deleted while this process used it; restart hookbridge to create it again")));
    return absl::UnavailableError(absl::StrCat("the stream ", options.stream, " is gone"));
  }
  if (s != NATS_OK) {
    return absl::UnavailableError(
        NatsError(absl::StrCat("cannot read the state of the stream ", options.stream), s));
  }
  if (info->Created != stream_created) {
    jsStreamInfo_Destroy(info);
    MarkLost(absl::UnavailableError(
        absl::StrCat("the stream ", options.stream,
                     " was deleted and created again while this process used it, so its "
                     "sequences started over; restart hookbridge to follow the new stream")));
    return absl::UnavailableError(absl::StrCat("the stream ", options.stream, " was replaced"));
  }
  absl::MutexLock lock(&mu);
  first_sequence = info->State.FirstSeq;
  messages = info->State.Msgs;
  bytes = info->State.Bytes;
  known_last = std::max(known_last, info->State.LastSeq);
  if (info->State.Msgs > 0) {
    last_stored_at = std::max(last_stored_at, absl::FromUnixNanos(info->State.LastTime));
  }
  cache.DropBefore(first_sequence);
  jsStreamInfo_Destroy(info);
  return absl::OkStatus();
}

void JetStreamLog::Core::MarkLost(absl::Status why) {
  std::vector<std::shared_ptr<LogWaiter>> to_wake;
  {
    absl::MutexLock lock(&mu);
    if (!lost.ok()) return;
    lost = why;
    failure = why;
    to_wake = waiters.TakeAll();
  }
  // The 2xx for appends still waiting would name sequences of a stream
  // that is gone: the senders retry, on a replica that works.
  FailPending(why);
  LogWaiters::WakeAll(to_wake);
}

void JetStreamLog::Core::Maintain() {
  absl::Time next_info = env->NowTime() + kInfoInterval;
  absl::Time next_tail_restart = absl::InfinitePast();
  for (;;) {
    std::vector<AppendCallback> expired;
    bool connected = false;
    {
      absl::MutexLock lock(&mu);
      stop_cv.WaitWithTimeout(&mu, kExpiryInterval);
      if (stopping) return;
      const absl::Time now = env->NowTime();
      for (auto it = pending.begin(); it != pending.end();) {
        if (it->second.deadline <= now) {
          expired.push_back(std::move(it->second.done));
          pending.erase(it++);
        } else {
          ++it;
        }
      }
      connected = failure.ok();
    }
    for (AppendCallback& done : expired) {
      done(absl::UnavailableError(
          absl::StrCat("the stream ", options.stream, " did not acknowledge the event in time")));
    }
    if (connected && env->NowTime() >= next_info) {
      // A failure here is the connection's, reported by its callbacks, or
      // the stream's while it elects a leader: the next round asks again.
      RefreshInfo(kInfoInterval).IgnoreError();
      next_info = env->NowTime() + kInfoInterval;
    }
    CheckTail(&next_tail_restart);
  }
}

void JetStreamLog::Core::FailPending(const absl::Status& status) {
  std::vector<AppendCallback> failed;
  {
    absl::MutexLock lock(&mu);
    for (auto& [msg, p] : pending) failed.push_back(std::move(p.done));
    pending.clear();
  }
  for (AppendCallback& done : failed) done(status);
}

absl::StatusOr<absl::Time> JetStreamLog::Core::StoredAt(uint64_t sequence) {
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetMsg(&msg, js, options.stream.c_str(), sequence, nullptr, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSNoMessageFoundErr) {
    return absl::NotFoundError(absl::StrCat("stream message ", sequence, " is gone"));
  }
  if (s != NATS_OK) {
    return absl::UnavailableError(NatsError("cannot read from the stream", s));
  }
  const absl::Time stored_at = absl::FromUnixNanos(natsMsg_GetTime(msg));
  natsMsg_Destroy(msg);
  return stored_at;
}

absl::Status JetStreamLog::Core::Fetch(uint64_t start_sequence, int batch,
                                       const std::string& subject, std::vector<RecordPtr>* out,
                                       bool* drained) {
  *drained = false;
  jsSubOptions sub_opts;
  jsSubOptions_Init(&sub_opts);
  sub_opts.Stream = options.stream.c_str();
  sub_opts.Config.DeliverPolicy = js_DeliverByStartSequence;
  sub_opts.Config.OptStartSeq = std::max<uint64_t>(start_sequence, 1);
  sub_opts.Config.AckPolicy = js_AckNone;
  sub_opts.Config.MemoryStorage = true;
  sub_opts.Config.InactiveThreshold = Nanos(kEphemeralInactiveThreshold);
  natsSubscription* sub = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, js, subject.c_str(), nullptr, nullptr, &sub_opts, &jerr);
  if (s != NATS_OK) {
    return absl::UnavailableError(NatsError("cannot read from the stream", s));
  }
  // A request that reaches a consumer still positioning itself can be held
  // by the server until it expires, even with NoWait and messages there:
  // ask in short rounds, up to the request timeout.
  const absl::Time deadline = env->NowTime() + options.request_timeout;
  natsMsgList list = {nullptr, 0};
  for (;;) {
    jsFetchRequest request;
    jsFetchRequest_Init(&request);
    request.Batch = batch;
    request.NoWait = true;
    request.Expires =
        Nanos(std::max(absl::Milliseconds(100), std::min(kFetchRound, deadline - env->NowTime())));
    s = natsSubscription_FetchRequest(&list, sub, &request);
    if (s != NATS_TIMEOUT || list.Count > 0 || env->NowTime() >= deadline) break;
    natsMsgList_Destroy(&list);
    list = {nullptr, 0};
  }
  absl::Status status;
  if (s != NATS_OK && s != NATS_NOT_FOUND && !(s == NATS_TIMEOUT && list.Count > 0)) {
    status = absl::UnavailableError(NatsError("cannot read from the stream", s));
  } else if (list.Count == 0) {
    *drained = s == NATS_NOT_FOUND;
  } else {
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, list.Msgs[list.Count - 1]) == NATS_OK) {
      *drained = meta->NumPending == 0;
      jsMsgMetaData_Destroy(meta);
    }
  }
  for (int i = 0; i < list.Count && status.ok(); ++i) {
    absl::StatusOr<std::shared_ptr<LogRecord>> record = RecordFromMessage(list.Msgs[i]);
    if (record.ok()) {
      out->push_back(*std::move(record));
    } else {
      absl::MutexLock lock(&mu);
      ++corrupt_records;
    }
  }
  natsMsgList_Destroy(&list);
  // Deletes the ephemeral consumer.
  natsSubscription_Unsubscribe(sub);
  natsSubscription_Destroy(sub);
  return status;
}

void JetStreamLog::Core::OnDisconnected(natsConnection* nc, void* closure) {
  LogNatsConnectionEvent(nc, NatsConnectionEvent::kDisconnected, kLogConnection);
  Core* core = static_cast<Core*>(closure);
  const absl::Status failure = absl::UnavailableError(
      absl::StrCat("lost the connection to NATS (", core->options.url, "); reconnecting"));
  std::vector<std::shared_ptr<LogWaiter>> to_wake;
  {
    absl::MutexLock lock(&core->mu);
    core->failure = failure;
    // Waiting readers come back and get the failure.
    to_wake = core->waiters.TakeAll();
  }
  // Their PubAcks would be lost with the connection: the senders retry, and
  // the duplicate window stores each event once.
  core->FailPending(failure);
  LogWaiters::WakeAll(to_wake);
}

void JetStreamLog::Core::OnReconnected(natsConnection* nc, void* closure) {
  LogNatsConnectionEvent(nc, NatsConnectionEvent::kReconnected, kLogConnection);
  Core* core = static_cast<Core*>(closure);
  absl::MutexLock lock(&core->mu);
  core->failure = core->lost;
}

void JetStreamLog::Core::OnClosed(natsConnection* nc, void* closure) {
  LogNatsConnectionEvent(nc, NatsConnectionEvent::kClosed, kLogConnection);
  Core* core = static_cast<Core*>(closure);
  if (!core->closed.HasBeenNotified()) core->closed.Notify();
}

void JetStreamLog::Core::OnTailDone(void* closure) {
  Core* core = static_cast<Core*>(closure);
  absl::MutexLock lock(&core->mu);
  --core->tails_running;
}

void JetStreamLog::Core::OnPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                                  void* closure) {
  Core* core = static_cast<Core*>(closure);
  AppendCallback done;
  {
    absl::MutexLock lock(&core->mu);
    auto it = core->pending.find(msg);
    if (it != core->pending.end()) {
      done = std::move(it->second.done);
      core->pending.erase(it);
      if (ack != nullptr) core->known_last = std::max(core->known_last, ack->Sequence);
    }
  }
  natsMsg_Destroy(msg);
  if (!done) return;  // already failed (timed out or disconnected)
  if (ack != nullptr) {
    done(ack->Sequence);
    return;
  }
  std::string reason = error != nullptr && error->ErrText != nullptr ? error->ErrText
                       : error != nullptr ? natsStatus_GetText(error->Err)
                                          : "no acknowledgement";
  done(absl::UnavailableError(
      absl::StrCat("the stream ", core->options.stream, " did not take the event: ", reason)));
}

void JetStreamLog::Core::OnTailMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                                       void* closure) {
  Core* core = static_cast<Core*>(closure);
  absl::StatusOr<std::shared_ptr<LogRecord>> record = RecordFromMessage(msg);
  natsMsg_Destroy(msg);
  std::vector<std::shared_ptr<LogWaiter>> to_wake;
  {
    absl::MutexLock lock(&core->mu);
    if (!record.ok()) {
      ++core->corrupt_records;
      return;
    }
    LogRecord& r = **record;
    if (r.sequence <= core->tail_last) return;  // redelivered after a consumer reset
    if (r.sequence != core->tail_last + 1) {
      // A gap (deleted messages): the cache holds one contiguous range.
      core->cache.Clear();
    }
    // Times must not go backwards for PositionAt's binary search.
    r.appended_at = std::max(r.appended_at, core->tail_appended_at);
    core->tail_appended_at = r.appended_at;
    core->tail_last = r.sequence;
    core->tail_moved_at = core->env->NowTime();
    core->stalled = absl::OkStatus();
    core->known_last = std::max(core->known_last, r.sequence);
    // Keeps the stream's state current between refreshes (which correct it
    // for evictions).
    if (core->messages == 0) core->first_sequence = r.sequence;
    ++core->messages;
    core->bytes += r.event_bytes.size() + r.raw_body_field.size();
    core->last_stored_at = std::max(core->last_stored_at, r.appended_at);
    core->cache.Push(*std::move(record));
    to_wake = core->waiters.TakeAll();
  }
  LogWaiters::WakeAll(to_wake);
}

absl::StatusOr<std::unique_ptr<JetStreamLog>> JetStreamLog::Open(Options options) {
  if (options.subject_prefix.empty() || options.stream.empty()) {
    return absl::InvalidArgumentError("the stream name and subject prefix must not be empty");
  }
  auto core = std::make_unique<Core>(std::move(options));
  core->filter_subject = absl::StrCat(core->options.subject_prefix, ".>");
  // From here on the destructor closes whatever was opened.
  std::unique_ptr<JetStreamLog> log(new JetStreamLog(std::move(core)));
  Core& c = *log->core_;
  if (absl::Status s = c.Connect(); !s.ok()) return s;
  uint64_t last = 0;
  if (absl::Status s = c.EnsureStream(&last); !s.ok()) return s;
  {
    absl::MutexLock lock(&c.mu);
    c.tail_last = last;
  }
  if (absl::Status s = c.StartTail(last, c.options.request_timeout); !s.ok()) return s;
  c.maintenance = std::thread([&c] { c.Maintain(); });
  return log;
}

JetStreamLog::JetStreamLog(std::unique_ptr<Core> core) : core_(std::move(core)) {}

uint64_t JetStreamLog::max_record_bytes() const {
  const int64_t payload = core_->max_payload.load();
  return payload > kHeaderRoom ? static_cast<uint64_t>(payload - kHeaderRoom) : 0;
}

std::string JetStreamLog::DescribeRecordLimit(uint64_t needed) const {
  // In the NATS server's config, "MB" is 2^20 bytes. It refuses a
  // max_payload over max_pending (64MB unless raised).
  const uint64_t mb = (needed + kHeaderRoom + (1 << 20) - 1) >> 20;
  return absl::StrCat("the NATS server's max_payload is ",
                      FormatConfigBytes(core_->max_payload.load()),
                      ", less 1KiB for headers. Raise max_payload to ", mb,
                      "MB or more in the NATS server's config",
                      mb > 64 ? " (with max_pending at least as high)" : "");
}

JetStreamLog::~JetStreamLog() {
  Core& c = *core_;
  {
    absl::MutexLock lock(&c.mu);
    c.stopping = true;
    c.stop_cv.Signal();
  }
  if (c.maintenance.joinable()) c.maintenance.join();
  if (c.tail != nullptr) {
    natsSubscription_Unsubscribe(c.tail);
  }
  c.FailPending(absl::UnavailableError("the event log is closing"));
  if (c.conn != nullptr) {
    // Closing runs the closed callback once the library's threads no longer
    // deliver to this log.
    natsConnection_Close(c.conn);
    c.closed.WaitForNotificationWithTimeout(absl::Seconds(10));
  }
  {
    // The message handlers of the tail subscriptions, current and
    // replaced, use this core until they are done.
    absl::MutexLock lock(&c.mu);
    auto done = [&c]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(c.mu) { return c.tails_running <= 0; };
    c.mu.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(10));
  }
  if (c.tail != nullptr) natsSubscription_Destroy(c.tail);
  if (c.js != nullptr) jsCtx_Destroy(c.js);
  if (c.conn != nullptr) natsConnection_Destroy(c.conn);
}

std::vector<std::string> JetStreamLog::ServerUrls(absl::string_view url) {
  std::vector<std::string> out;
  for (absl::string_view entry : absl::StrSplit(url, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    if (!entry.empty()) out.emplace_back(entry);
  }
  return out;
}

std::string JetStreamLog::EventSubject(absl::string_view prefix, absl::string_view source,
                                       absl::string_view type) {
  std::string subject(prefix);
  subject.reserve(prefix.size() + source.size() + type.size() + 4);
  AppendToken(source, &subject);
  for (absl::string_view token : absl::StrSplit(type, '.')) AppendToken(token, &subject);
  return subject;
}

std::string JetStreamLog::SelectorSubject(absl::string_view prefix, const ReadSelector& selector) {
  // The type tokens: literal ones stay; from the first token with a `*` on
  // (it may match any run of characters, dots included) anything goes.
  std::string type;
  for (const std::string& pattern : selector.type_patterns) {
    std::string tokens;
    for (absl::string_view token : absl::StrSplit(pattern, '.')) {
      if (absl::StrContains(token, '*')) {
        tokens.append(".>");
        break;
      }
      AppendToken(token, &tokens);
    }
    if (!type.empty() && type != tokens) {
      type = ".>";  // patterns that differ: one subject cannot say which
      break;
    }
    type = std::move(tokens);
  }
  if (type.empty()) type = ".>";
  if (selector.sources.size() != 1 && type == ".>") return absl::StrCat(prefix, ".>");
  std::string subject(prefix);
  if (selector.sources.size() == 1) {
    AppendToken(selector.sources[0], &subject);
  } else {
    subject.append(".*");
  }
  subject.append(type);
  return subject;
}

void JetStreamLog::Append(EncodedEvent event, AppendCallback done) {
  Core& c = *core_;
  const std::string subject = EventSubject(c.options.subject_prefix, event.source, event.type);
  const std::string msg_id = absl::StrCat(event.source, ":", event.id);
  std::string data = std::move(event.body);
  const std::string event_size = absl::StrCat(data.size());
  data.append(event.raw_body_field);

  natsMsg* msg = nullptr;
  natsStatus s =
      natsMsg_Create(&msg, subject.c_str(), nullptr, data.data(), static_cast<int>(data.size()));
  if (s == NATS_OK) s = natsMsgHeader_Set(msg, kEventBytesHeader, event_size.c_str());
  if (s != NATS_OK) {
    natsMsg_Destroy(msg);
    done(absl::UnavailableError(NatsError("cannot build the stream message", s)));
    return;
  }
  absl::Status refused;
  {
    absl::MutexLock lock(&c.mu);
    refused = c.failure;
    if (refused.ok() && c.pending.size() >= c.options.max_pending_appends) {
      refused = absl::UnavailableError(absl::StrCat(c.options.max_pending_appends,
                                                    " events are already waiting for the stream"));
    }
    if (refused.ok()) {
      c.pending.emplace(
          msg, Core::PendingAppend{std::move(done), c.env->NowTime() + c.options.ack_timeout});
    }
  }
  if (!refused.ok()) {
    natsMsg_Destroy(msg);
    done(refused);
    return;
  }
  jsPubOptions pub_opts;
  jsPubOptions_Init(&pub_opts);
  pub_opts.MsgId = msg_id.c_str();
  pub_opts.MaxWait = Millis(c.options.ack_timeout);
  natsMsg* owned = msg;
  s = js_PublishMsgAsync(c.js, &owned, &pub_opts);
  if (s != NATS_OK) {
    AppendCallback failed;
    {
      absl::MutexLock lock(&c.mu);
      auto it = c.pending.find(msg);
      if (it != c.pending.end()) {
        failed = std::move(it->second.done);
        c.pending.erase(it);
      }
    }
    natsMsg_Destroy(owned);  // no-op if the library took the message
    if (failed) failed(absl::UnavailableError(NatsError("cannot publish to the stream", s)));
  }
}

absl::Status JetStreamLog::Read(uint64_t after, size_t max, std::vector<RecordPtr>* out,
                                const std::shared_ptr<LogWaiter>& waiter) {
  uint64_t through = 0;
  return core_->Read(after, max, core_->filter_subject, out, &through, waiter);
}

absl::Status JetStreamLog::ReadSelected(uint64_t after, size_t max, const ReadSelector& selector,
                                        std::vector<RecordPtr>* out, uint64_t* through,
                                        const std::shared_ptr<LogWaiter>& waiter) {
  const std::string subject = SelectorSubject(core_->options.subject_prefix, selector);
  return core_->Read(after, max, subject, out, through, waiter);
}

absl::Status JetStreamLog::Core::Read(uint64_t after, size_t max, const std::string& subject,
                                      std::vector<RecordPtr>* out, uint64_t* through,
                                      const std::shared_ptr<LogWaiter>& waiter) {
  *through = after;
  uint64_t fetch_end = 0;  // the last sequence to fetch from the server
  bool refresh = false;
  {
    absl::MutexLock lock(&mu);
    if (!failure.ok()) return failure;
    if (after >= tail_last) {
      if (after <= known_last) {
        // At the end, or ahead of the tail by records it has yet to deliver.
        if (waiter != nullptr) waiters.Add(waiter);
        return absl::OkStatus();
      }
      refresh = true;
    } else if (after + 1 < first_sequence) {
      return NotRetainedError(after, first_sequence);
    } else if (max == 0) {
      return absl::OkStatus();
    } else if (cache.Covers(after)) {
      // Recent records come from memory, unselected: the reader filters.
      cache.Read(after, max, out);
      if (!out->empty()) *through = out->back()->sequence;
      return absl::OkStatus();
    } else {
      fetch_end = cache.empty() ? tail_last : cache.first_sequence() - 1;
    }
  }
  if (refresh) {
    // Beyond everything this process has seen: ask the stream.
    HB_RETURN_IF_ERROR(RefreshInfo(options.request_timeout));
    {
      absl::MutexLock lock(&mu);
      if (after > known_last) {
        return AfterEndError(after, known_last);
      }
    }
    // known_last >= after now: no second refresh.
    return Read(after, max, subject, out, through, waiter);
  }

  // Older records come from the stream; with a narrower subject than the
  // stream's, the server leaves out the records the reader does not want.
  const bool selected = subject != filter_subject;
  const size_t want = std::min<uint64_t>({max, options.fetch_batch, fetch_end - after});
  std::vector<RecordPtr> fetched;
  bool drained = false;
  HB_RETURN_IF_ERROR(Fetch(after + 1, static_cast<int>(want), subject, &fetched, &drained));
  if (fetched.empty() || fetched.front()->sequence != after + 1) {
    // The next record is gone (evicted since the last refresh, or deleted),
    // or, for a selected read, was not selected.
    HB_RETURN_IF_ERROR(RefreshInfo(options.request_timeout));
    absl::MutexLock lock(&mu);
    if (after + 1 < first_sequence) return NotRetainedError(after, first_sequence);
    if (fetched.empty() && !(selected && drained)) {
      return absl::UnavailableError(
          absl::StrCat("could not read the events after ", after, " from the stream"));
    }
  }
  bool past_end = false;
  for (RecordPtr& r : fetched) {
    if (r->sequence > fetch_end) {
      past_end = true;
      break;
    }
    out->push_back(std::move(r));
  }
  if (selected && (drained || past_end)) {
    // Every selected record up to fetch_end was delivered.
    *through = fetch_end;
  } else if (!out->empty()) {
    *through = out->back()->sequence;
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> JetStreamLog::PositionAt(absl::Time since) {
  Core& c = *core_;
  {
    absl::MutexLock lock(&c.mu);
    if (!c.failure.ok()) return c.failure;
    // A record in the window appended at or after `since` is the answer.
    // Without one, the stream may hold records the window has not received
    // yet (it follows the stream asynchronously, behind the PubAcks): ask
    // the stream.
    if (c.cache.CoversTime(since)) {
      const uint64_t at = c.cache.PositionAt(since, c.tail_last);
      if (at < c.tail_last) return at;
    }
  }
  HB_RETURN_IF_ERROR(c.RefreshInfo(c.options.request_timeout));
  uint64_t lo = 0;
  uint64_t hi = 0;
  {
    // Nothing stored since then: the position is the end.
    absl::MutexLock lock(&c.mu);
    const uint64_t end = std::max(c.tail_last, c.known_last);
    if (c.messages == 0 || c.last_stored_at < since) return end;
    lo = c.first_sequence;
    hi = end;
  }
  // The stream stores in time order: binary search for the first message
  // stored at or after `since`, reading each probe's store time from the
  // stream (a few dozen requests at most, none holding a consumer).
  const uint64_t oldest = lo;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    absl::StatusOr<absl::Time> stored_at = c.StoredAt(mid);
    if (absl::IsNotFound(stored_at.status())) {
      // Removed since the search began: removal takes the oldest first.
      lo = mid + 1;
      continue;
    }
    HB_RETURN_IF_ERROR(stored_at.status());
    if (*stored_at < since) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // The stream does not say when its removed records were stored: if the
  // first match is the oldest retained record and older ones were removed,
  // some of them may have matched too.
  if (oldest > 1 && lo <= oldest) {
    return WithErrorMetadata(absl::OutOfRangeError(absl::StrCat(
                                 "events since ", absl::FormatTime(since),
                                 " may no longer all be retained; the oldest is ", oldest)),
                             kReasonEventsNotRetained, "oldest_sequence", absl::StrCat(oldest));
  }
  return lo - 1;
}

LogStats JetStreamLog::Stats() {
  Core& c = *core_;
  absl::MutexLock lock(&c.mu);
  LogStats stats;
  stats.last_sequence = std::max(c.tail_last, c.known_last);
  stats.events = c.messages;
  stats.bytes = c.bytes;
  stats.first_sequence = c.messages == 0 ? 0 : c.first_sequence;
  if (c.messages == 0 && c.known_last > c.tail_last) {
    // Records acknowledged since the stream was last seen empty, that the
    // tail has yet to deliver: `earliest` must start before them.
    stats.events = c.known_last - c.tail_last;
    stats.first_sequence = c.tail_last + 1;
  }
  stats.corrupt_records = c.corrupt_records;
  stats.failure = c.failure;
  stats.restart_needed = !c.lost.ok();
  stats.stalled = c.stalled;
  stats.follower_restarts = c.tail_restarts;
  return stats;
}

}  // namespace hookbridge
