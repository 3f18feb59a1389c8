// A streamed HTTP response body, shared by a handler (which writes) and the
// server's connection (which sends). No Beast here: handlers include this
// without the server's machinery.
#ifndef HOOKBRIDGE_SERVER_HTTP_HTTP_STREAM_H_
#define HOOKBRIDGE_SERVER_HTTP_HTTP_STREAM_H_

#include <cstddef>
#include <functional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hookbridge {

// The body of a streamed response (Server-Sent Events): written to the
// client as the handler produces it, for as long as both sides keep the
// connection. The handler keeps a reference and calls Write from any
// thread; the connection writes what is queued, at most one write in flight.
// The queue is bounded: a client that does not keep up is disconnected
// (Write returns false and overflowed() is true), it never grows memory.
//
// The stream ends when the handler calls Close (after writing what is
// queued), when the client goes away or a write fails or times out
// (http read_timeout), when the queue overflows, or when the server drains
// or stops. Once ended, Write returns false: the handler learns of the end
// from that or from done(), and drops its reference.
//
// Thread-safe. The connection refers to the stream, never the reverse, so a
// handler holding a stream does not keep the connection (or the server's
// sockets) alive.
class HttpStream {
 public:
  struct Options {
    // Bytes queued and not yet written; beyond this the stream ends.
    size_t max_queued_bytes = 1 << 20;
    // Written when nothing else was written for `keepalive_interval` (e.g.
    // ": keepalive\n\n" for Server-Sent Events); nothing when empty. Keeps
    // proxies from closing the idle connection and finds dead peers.
    std::string keepalive;
    absl::Duration keepalive_interval = absl::Seconds(15);
  };

  explicit HttpStream(Options options) : options_(std::move(options)) {}
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  // Queues `data`. False if the stream has ended, or if `data` does not fit
  // the queue's bound (then it ends now, as overflowed).
  bool Write(std::string data);
  // Ends the stream once what is queued has been written.
  void Close();
  // Whether the stream has ended (or is ending): Write no longer takes data.
  bool done() const;
  // Whether it ended because the client did not read fast enough.
  bool overflowed() const;
  const Options& options() const { return options_; }

  // For the server's connection, not for handlers: it attaches a wake-up
  // (called, under the stream's lock, when there is something to write or
  // the stream ends), takes what is queued (and whether the stream has
  // ended once that is written), and detaches when the connection ends,
  // which ends the stream.
  void Attach(std::function<void()> wake);
  struct Pending {
    std::string data;
    bool end = false;
  };
  Pending Take();
  void Detach();

 private:
  const Options options_;
  mutable absl::Mutex mu_;
  std::string queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;  // no more writes
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  std::function<void()> wake_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hookbridge

#endif  // HOOKBRIDGE_SERVER_HTTP_HTTP_STREAM_H_
