'use strict';
// What a subscription and a consumer share: a stream re-established after
// every retryable end (GetServerInfo for the receive limit and the idle
// timeout, backoff with RetryInfo, cancellation by AbortSignal), read by a
// StreamReader and handed out through an async iterator.

const { EventEmitter } = require('node:events');
const { status: Status } = require('@grpc/grpc-js');
const { Backoff } = require('./backoff');
const { isRetryable, codeName, describeStatus, SubscriptionError } = require('./status');

// Reads one call into a queue that the stream drains at its own pace; the
// call's end is queued after every response that came before it.
//
// The call is never paused: grpc-js drops the messages it has not handed
// to a paused stream when the status arrives, which would lose events the
// server counts as delivered (its resume-after trailer includes them).
// Instead, when `maxQueued` responses wait, the reader cancels the call
// (`overflowed`) and the subscription resubscribes from its position once
// the queue is drained. `intercept(response)`, when given, sees each
// response first; those it returns true for are not queued.
class StreamReader {
  constructor(call, { maxQueued = 64, intercept } = {}) {
    this.call = call;
    this.maxQueued = maxQueued;
    this.queue = [];
    this.waiter = null;
    this.overflowed = false;
    this.status = null;
    this.ended = false;
    this.finished = false;
    this.lastActivity = Date.now();
    call.on('metadata', (metadata) => this._push({ kind: 'metadata', metadata }));
    call.on('data', (response) => {
      if (intercept && intercept(response)) {
        this.lastActivity = Date.now();
        return;
      }
      this._push({ kind: 'response', response });
      if (this.queue.length >= this.maxQueued && !this.overflowed) {
        this.overflowed = true;
        call.cancel();
      }
    });
    // A failed call emits 'error' and 'status'; the status says it all.
    call.on('error', () => {});
    call.on('status', (status) => {
      this.status = status;
      this._maybeFinish();
    });
    // 'end' comes once every received response was emitted.
    call.on('end', () => {
      this.ended = true;
      this._maybeFinish();
    });
  }

  _maybeFinish() {
    if (this.finished || !this.status || !this.ended) return;
    this.finished = true;
    this._push({ kind: 'end', status: this.status });
  }

  _push(item) {
    this.lastActivity = Date.now();
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = null;
      wake(item);
    } else {
      this.queue.push(item);
    }
  }

  // The next item: {kind: 'metadata' | 'response' | 'end' | 'idle' |
  // 'aborted'}. 'idle' when nothing arrived for idleMs (0: never), counted
  // from the last arrival or, when the queue held something, from now.
  next(idleMs, signal) {
    if (this.queue.length > 0) {
      const item = this.queue.shift();
      if (this.queue.length === 0) this.lastActivity = Date.now();
      return Promise.resolve(item);
    }
    return new Promise((resolve) => {
      let timer;
      const finish = (item) => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiter = null;
        resolve(item);
      };
      const onAbort = () => finish({ kind: 'aborted' });
      if (signal.aborted) {
        resolve({ kind: 'aborted' });
        return;
      }
      this.waiter = finish;
      signal.addEventListener('abort', onAbort, { once: true });
      if (idleMs > 0) {
        const left = Math.max(0, this.lastActivity + idleMs - Date.now());
        timer = setTimeout(() => finish({ kind: 'idle' }), left);
      }
    });
  }

  cancel() {
    if (!this.finished) this.call.cancel();
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

// The stream, re-established until it ends with a status not worth
// retrying or is cancelled. Options used here: signal, backoff,
// idleTimeoutMs, onReconnecting. Subclasses implement:
//   _open(prepared)          opens the call, returns its StreamReader
//   _deliver(response)       an async generator: what to yield for a response
// and may implement:
//   _begin(signal)           before the first attempt
//   _established(metadata)   the call's initial metadata arrived
//   _ended(ended)            the call ended (describeStatus), before the retry
//   _release(reader)         before the reader of an ended attempt is cancelled
//   _end()                   once the iteration is over
//   _aborted()               cancel() was called (default: cancel the call)
//   _error(ended)            the error a non-retryable status ends it with
class ReconnectingStream extends EventEmitter {
  constructor(client, options = {}) {
    super();
    this._client = client;
    this._options = options;
    this._backoff = new Backoff(options.backoff);
    this._reader = null;
    this.serverInfo = null;
    this._controller = new AbortController();
    this._userSignal = options.signal || null;
    this._onUserAbort = () => this.cancel();
    this._controller.signal.addEventListener('abort', () => this._aborted());
    if (this._userSignal) {
      if (this._userSignal.aborted) this.cancel();
      else this._userSignal.addEventListener('abort', this._onUserAbort, { once: true });
    }
    this._iterator = this._run();
  }

  // Ends the stream: a pending next() resolves as done, nothing more is
  // delivered. Idempotent.
  cancel() {
    this._controller.abort();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  next() {
    return this._iterator.next();
  }

  return(value) {
    return this._iterator.return(value);
  }

  throw(error) {
    return this._iterator.throw(error);
  }

  async _notify(event, callback, value) {
    if (callback) await callback(value);
    this.emit(event, value);
  }

  async _begin() {}

  async _established() {}

  _ended() {}

  async _release() {}

  async _end() {}

  _aborted() {
    if (this._reader) this._reader.cancel();
  }

  _error(ended) {
    return new SubscriptionError(ended);
  }

  async *_run() {
    const signal = this._controller.signal;
    const options = this._options;
    try {
      await this._begin(signal);
      while (!signal.aborted) {
        let ended = null;
        let prepared = null;
        let overflowed = false;
        try {
          prepared = await this._client._prepareStream(signal);
        } catch (error) {
          if (signal.aborted) return;
          if (typeof error.code !== 'number') throw error;
          ended = describeStatus(error);
        }
        if (prepared) {
          this.serverInfo = prepared.info;
          const idleMs = options.idleTimeoutMs ?? prepared.heartbeatMs * 3;
          const reader = this._open(prepared);
          this._reader = reader;
          try {
            while (!ended) {
              const item = await reader.next(idleMs, signal);
              if (item.kind === 'aborted' || signal.aborted) return;
              if (item.kind === 'idle') {
                reader.cancel();
                ended = {
                  code: Status.DEADLINE_EXCEEDED,
                  codeName: codeName(Status.DEADLINE_EXCEEDED),
                  details: `no event or heartbeat for ${idleMs} ms`,
                };
              } else if (item.kind === 'end') {
                if (reader.overflowed) {
                  overflowed = true;
                  break;
                }
                ended = describeStatus(item.status);
              } else if (item.kind === 'metadata') {
                await this._established(item.metadata);
              } else {
                this._backoff.reset();
                yield* this._deliver(item.response);
                if (signal.aborted) return;
              }
            }
          } finally {
            await this._release(reader);
            reader.cancel();
            this._reader = null;
          }
        }
        if (signal.aborted) return;
        // The consumer fell behind and the buffered responses were all
        // handed out: continue from the position at once.
        if (overflowed) continue;
        this._ended(ended);
        if (ended.code === Status.OK) {
          ended = { ...ended, codeName: 'OK', details: ended.details || 'the server ended the stream' };
        } else if (!isRetryable(ended.code)) {
          throw this._error(ended);
        }
        const delayMs = this._backoff.next(ended.retryDelayMs);
        await this._notify('reconnecting', options.onReconnecting, {
          delayMs,
          code: ended.code,
          codeName: ended.codeName,
          details: ended.details,
          resumeAfter: ended.resumeAfter,
          retryDelayMs: ended.retryDelayMs,
        });
        await sleep(delayMs, signal);
      }
    } finally {
      await this._end();
      if (this._userSignal) this._userSignal.removeEventListener('abort', this._onUserAbort);
      this._client._forget(this);
    }
  }
}

module.exports = { ReconnectingStream, StreamReader, sleep };
