'use strict';
// A subscription: the Subscribe stream, re-established after every
// retryable end at the position reached, handed out one event at a time.

const { EventEmitter } = require('node:events');
const { status: Status } = require('@grpc/grpc-js');
const { Backoff } = require('./backoff');
const { Position, toSequence } = require('./sequence');
const {
  START_AFTER_HEADER,
  isRetryable,
  codeName,
  sequenceFrom,
  describeStatus,
  SubscriptionError,
} = require('./status');

// Reads one Subscribe call into a queue that the subscription drains at its
// own pace; the call's end is queued after every response that came before
// it.
//
// The call is never paused: grpc-js drops the messages it has not handed
// to a paused stream when the status arrives, which would lose events the
// server counts as delivered (its resume-after trailer includes them).
// Instead, when `maxQueued` responses wait, the reader cancels the call
// (`overflowed`) and the subscription resubscribes from its position once
// the queue is drained.
class StreamReader {
  constructor(call, { maxQueued = 64 } = {}) {
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

function toTimestamp(since) {
  if (since instanceof Date) {
    const ms = since.getTime();
    if (Number.isNaN(ms)) throw new TypeError('since: invalid Date');
    const seconds = Math.floor(ms / 1000);
    return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1e6 };
  }
  if (since && typeof since === 'object' && 'seconds' in since) {
    return { seconds: String(since.seconds), nanos: Number(since.nanos || 0) };
  }
  if (typeof since === 'string') return toTimestamp(new Date(since));
  throw new TypeError('since: expected a Date, an RFC 3339 string or {seconds, nanos}');
}

function list(value, name) {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new TypeError(`${name}: expected an array of strings`);
  }
  return [...value];
}

// Options of Client.subscribe():
//   types, sources, environmentIds, subjects   filters (arrays of strings)
//   afterSequence | since | earliest           where to start (default: live)
//   includeRaw, allowGaps                      as in SubscribeRequest
//   cursorStore   {load(), save(sequence)}: resume after its sequence when
//                 it has one (the start position then does not apply), and
//                 save the position as events are handled and on heartbeats
//   signal        AbortSignal: ends the subscription cleanly
//   onSubscribed(startAfter), onGap(gap), onReconnecting(info), onHeartbeat(hb)
//                 callbacks (awaited), also emitted as the events
//                 'subscribed', 'gap', 'reconnecting', 'heartbeat'
//   backoff       {initialMs, maxMs, multiplier, random} (100 ms .. 10 s)
//   idleTimeoutMs reconnect after this long without a message (default:
//                 3 x the server's heartbeat_interval; 0: never)
//   maxBufferedResponses  responses read ahead of the consumer (default 64);
//                 past that the stream is ended and resumed when they
//                 are consumed
class Subscription extends EventEmitter {
  constructor(client, options = {}) {
    super();
    const starts = ['afterSequence', 'since', 'earliest'].filter(
      (key) => options[key] !== undefined && options[key] !== null && options[key] !== false,
    );
    if (starts.length > 1) throw new TypeError(`subscribe: ${starts.join(' and ')} exclude each other`);
    this._client = client;
    this._options = options;
    this._filters = {
      types: list(options.types, 'types'),
      sources: list(options.sources, 'sources'),
      environment_ids: list(options.environmentIds, 'environmentIds'),
      subjects: list(options.subjects, 'subjects'),
    };
    this._afterSequence =
      options.afterSequence !== undefined && options.afterSequence !== null
        ? toSequence(options.afterSequence, 'afterSequence')
        : null;
    this._since = options.since !== undefined && options.since !== null ? toTimestamp(options.since) : null;
    this._backoff = new Backoff(options.backoff);
    this._store = options.cursorStore || null;
    this._position = new Position(this._afterSequence);
    this._saved = new Position(null);
    this._handed = null;
    this._reader = null;
    this.serverInfo = null;
    this._controller = new AbortController();
    this._userSignal = options.signal || null;
    this._onUserAbort = () => this.cancel();
    if (this._userSignal) {
      if (this._userSignal.aborted) this.cancel();
      else this._userSignal.addEventListener('abort', this._onUserAbort, { once: true });
    }
    this._controller.signal.addEventListener('abort', () => {
      if (this._reader) this._reader.cancel();
    });
    this._iterator = this._run();
  }

  // The position: the last event handed out, or the later sequence the
  // server said every matching event up to was delivered (a decimal string;
  // null before anything is known).
  get position() {
    return this._position.value;
  }

  // Ends the subscription: a pending next() resolves as done, the stream is
  // cancelled, nothing more is delivered. Idempotent.
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

  _request() {
    const request = { ...this._filters };
    if (this._options.includeRaw) request.include_raw = true;
    if (this._options.allowGaps) request.allow_gaps = true;
    if (this._position.value !== null) request.after_sequence = this._position.value;
    else if (this._since) request.since = this._since;
    else if (this._options.earliest) request.earliest = true;
    return request;
  }

  async _notify(event, callback, value) {
    if (callback) await callback(value);
    this.emit(event, value);
  }

  // Saves `sequence` in the store when it is later than what was saved.
  async _save(sequence) {
    if (!this._store || sequence === null || this._saved.covers(sequence)) return;
    await this._store.save(sequence);
    this._saved.advance(sequence);
  }

  async *_run() {
    const signal = this._controller.signal;
    const options = this._options;
    try {
      if (this._store && !signal.aborted) {
        const stored = await this._store.load();
        if (stored !== null && stored !== undefined) {
          this._position = new Position(toSequence(stored, 'cursor store'));
          this._saved = new Position(this._position.value);
        }
      }
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
          const reader = new StreamReader(this._client._openSubscribe(this._request(), prepared.receiveLimit), {
            maxQueued: options.maxBufferedResponses,
          });
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
                const startAfter = sequenceFrom(item.metadata, START_AFTER_HEADER);
                if (startAfter !== undefined) {
                  this._position.advance(startAfter);
                  await this._notify('subscribed', options.onSubscribed, startAfter);
                }
              } else {
                const response = item.response;
                this._backoff.reset();
                for (const event of response.events || []) {
                  // Never twice: the server does not resend, this is a guard.
                  if (this._position.covers(event.sequence)) continue;
                  this._position.advance(event.sequence);
                  this._handed = event.sequence;
                  yield event;
                  // The next event was asked for: this one was handled.
                  await this._save(this._handed);
                  if (signal.aborted) return;
                }
                if (response.heartbeat) {
                  this._position.advance(response.heartbeat.resume_after);
                  await this._save(this._position.value);
                  await this._notify('heartbeat', options.onHeartbeat, response.heartbeat);
                }
                if (response.gap) {
                  await this._notify('gap', options.onGap, response.gap);
                  // Those sequences will never arrive.
                  this._position.advance(response.gap.last_sequence);
                  await this._save(this._position.value);
                }
              }
            }
          } finally {
            reader.cancel();
            this._reader = null;
          }
        }
        if (signal.aborted) return;
        // The consumer fell behind and the buffered responses were all
        // handed out: continue from the position at once.
        if (overflowed) continue;
        if (ended.resumeAfter !== undefined) this._position.advance(ended.resumeAfter);
        if (ended.code === Status.OK) {
          ended = { ...ended, codeName: 'OK', details: ended.details || 'the server ended the stream' };
        } else if (!isRetryable(ended.code)) {
          throw new SubscriptionError(ended);
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
      // Leaving the loop (break, return, throw) counts the last event handed
      // out as handled.
      await this._save(this._handed);
      if (this._userSignal) this._userSignal.removeEventListener('abort', this._onUserAbort);
      this._client._forget(this);
    }
  }
}

module.exports = { Subscription, StreamReader, toTimestamp };
