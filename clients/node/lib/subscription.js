'use strict';
// A subscription: the Subscribe stream, re-established after every
// retryable end at the position reached, handed out one event at a time.

const { ReconnectingStream, StreamReader } = require('./stream');
const { Position, toSequence } = require('./sequence');
const { START_AFTER_HEADER, sequenceFrom } = require('./status');

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
class Subscription extends ReconnectingStream {
  constructor(client, options = {}) {
    const starts = ['afterSequence', 'since', 'earliest'].filter(
      (key) => options[key] !== undefined && options[key] !== null && options[key] !== false,
    );
    if (starts.length > 1) throw new TypeError(`subscribe: ${starts.join(' and ')} exclude each other`);
    const filters = {
      types: list(options.types, 'types'),
      sources: list(options.sources, 'sources'),
      environment_ids: list(options.environmentIds, 'environmentIds'),
      subjects: list(options.subjects, 'subjects'),
    };
    const afterSequence =
      options.afterSequence !== undefined && options.afterSequence !== null
        ? toSequence(options.afterSequence, 'afterSequence')
        : null;
    const since = options.since !== undefined && options.since !== null ? toTimestamp(options.since) : null;
    super(client, options);
    this._filters = filters;
    this._since = since;
    this._store = options.cursorStore || null;
    this._position = new Position(afterSequence);
    this._saved = new Position(null);
    this._handed = null;
  }

  // The position: the last event handed out, or the later sequence the
  // server said every matching event up to was delivered (a decimal string;
  // null before anything is known).
  get position() {
    return this._position.value;
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

  // Saves `sequence` in the store when it is later than what was saved.
  async _save(sequence) {
    if (!this._store || sequence === null || this._saved.covers(sequence)) return;
    await this._store.save(sequence);
    this._saved.advance(sequence);
  }

  async _begin(signal) {
    if (this._store && !signal.aborted) {
      const stored = await this._store.load();
      if (stored !== null && stored !== undefined) {
        this._position = new Position(toSequence(stored, 'cursor store'));
        this._saved = new Position(this._position.value);
      }
    }
  }

  _open(prepared) {
    return new StreamReader(this._client._openSubscribe(this._request(), prepared.receiveLimit), {
      maxQueued: this._options.maxBufferedResponses,
    });
  }

  async _established(metadata) {
    const startAfter = sequenceFrom(metadata, START_AFTER_HEADER);
    if (startAfter !== undefined) {
      this._position.advance(startAfter);
      await this._notify('subscribed', this._options.onSubscribed, startAfter);
    }
  }

  async *_deliver(response) {
    const signal = this._controller.signal;
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
      await this._notify('heartbeat', this._options.onHeartbeat, response.heartbeat);
    }
    if (response.gap) {
      await this._notify('gap', this._options.onGap, response.gap);
      // Those sequences will never arrive.
      this._position.advance(response.gap.last_sequence);
      await this._save(this._position.value);
    }
  }

  _ended(ended) {
    if (ended.resumeAfter !== undefined) this._position.advance(ended.resumeAfter);
  }

  async _end() {
    // Leaving the loop (break, return, throw) counts the last event handed
    // out as handled.
    await this._save(this._handed);
  }
}

module.exports = { Subscription, toTimestamp };
