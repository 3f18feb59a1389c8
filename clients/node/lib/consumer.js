'use strict';
// Durable consumers: one member of a consumer's group, on a Consume stream.

const { ReconnectingStream, StreamReader } = require('./stream');
const { compareSequences, sequenceRuns } = require('./sequence');
const { SubscriptionError } = require('./status');

// A status that ended consumption (NOT_FOUND for an unknown consumer,
// PERMISSION_DENIED, INVALID_ARGUMENT, ...).
class ConsumerError extends SubscriptionError {
  constructor(described) {
    super(described);
    this.name = 'ConsumerError';
  }
}

function toDuration(ms) {
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}

// One Consume call: the requests it sends (the start, then what its
// messages queue, in batches written once the current turn of the event
// loop is over, or at once on flush) and the acknowledgements it sent that
// the server has not answered yet. `changed` is called on every change a
// flush may wait for.
class ConsumeStream {
  constructor(call, changed) {
    this.call = call;
    this.closing = false; // half-closed: no more requests
    this.closed = false; // the call is over
    this._changed = changed;
    this._acks = new Set();
    this._nacks = new Map(); // `${delayMs}/${reason}` -> {delayMs, reason, sequences}
    this._extends = new Set();
    this._queued = 0;
    this._scheduled = false;
    this._unanswered = new Map(); // sequence -> times sent
    this.done = null; // the promise of its closing, once begun
  }

  queue(message, kind, delayMs, reason) {
    if (this.closing || this.closed || message._settled) return false;
    const sequence = message.sequence;
    if (kind === 'extend') {
      this._extends.add(sequence);
    } else {
      message._settled = true;
      this._extends.delete(sequence); // no use any more
      if (kind === 'ack') {
        this._acks.add(sequence);
      } else {
        const key = `${delayMs ?? ''}/${reason}`;
        if (!this._nacks.has(key)) this._nacks.set(key, { delayMs, reason, sequences: [] });
        this._nacks.get(key).sequences.push(sequence);
      }
    }
    this._queued += 1;
    if (!this._scheduled) {
      this._scheduled = true;
      setImmediate(() => {
        this._scheduled = false;
        this.sendNow();
      });
    }
    return true;
  }

  // Writes what is queued: extensions first (an acknowledgement written
  // before would make them rejected), then nacks, then one Acknowledge.
  sendNow() {
    if (this._queued === 0 || this.closing || this.closed) return;
    if (this._extends.size > 0) this.call.write({ extend: { sequences: [...this._extends] } });
    for (const { delayMs, reason, sequences } of this._nacks.values()) {
      const nack = { sequences };
      if (reason) nack.reason = reason;
      if (delayMs !== undefined && delayMs !== null) nack.delay = toDuration(delayMs);
      this.call.write({ nack });
    }
    if (this._acks.size > 0) {
      const { singles, runs } = sequenceRuns(this._acks);
      this.call.write({ ack: { sequences: singles, ranges: runs } });
      for (const s of this._acks) this._unanswered.set(s, (this._unanswered.get(s) || 0) + 1);
    }
    this._acks.clear();
    this._nacks.clear();
    this._extends.clear();
    this._queued = 0;
    this._changed();
  }

  // Nothing queued and every acknowledgement answered (or the call is over).
  settled() {
    return this.closed || (this._queued === 0 && this._unanswered.size === 0);
  }

  // The server answered these acknowledgements: how many sequences.
  answer(sequences = [], ranges = []) {
    let count = 0;
    for (const s of sequences) {
      count += 1;
      this._forget(s);
    }
    for (const { first, last } of ranges) {
      count += Number(BigInt(last) - BigInt(first) + 1n);
      for (const s of [...this._unanswered.keys()]) {
        if (compareSequences(first, s) <= 0 && compareSequences(s, last) <= 0) this._forget(s);
      }
    }
    this._changed();
    return count;
  }

  _forget(sequence) {
    const n = this._unanswered.get(sequence);
    if (n > 1) this._unanswered.set(sequence, n - 1);
    else this._unanswered.delete(sequence);
  }

  // Sends what is queued, then ends the requests: the server answers what
  // it read and ends the call.
  halfClose() {
    if (this.closing || this.closed) return;
    this.sendNow();
    this.closing = true;
    this.call.end();
  }

  // The call is over; returns how many acknowledgements it drops (queued,
  // or sent and never answered).
  close() {
    if (this.closed) return 0;
    this.closed = true;
    let dropped = this._acks.size;
    for (const n of this._unanswered.values()) dropped += n;
    this._acks.clear();
    this._nacks.clear();
    this._extends.clear();
    this._unanswered.clear();
    this._queued = 0;
    this._changed();
    return dropped;
  }
}

// One event handed to this member: `event`, its `deliveryAttempt` (1 for
// the first delivery to the consumer), and what to do with it. ack(),
// nack() and extend() queue a request on the stream the event came on and
// return true; they return false and do nothing once the message was
// acknowledged or negatively acknowledged, or when its stream has ended
// (the server gives the event to the group again). extend() may be
// repeated.
class ConsumerMessage {
  constructor(consumedEvent, stream) {
    // The ConsumedEvent as received ({event, delivery_attempt}).
    this.consumedEvent = consumedEvent;
    this._stream = stream;
    this._settled = false;
  }

  get event() {
    return this.consumedEvent.event;
  }

  get deliveryAttempt() {
    return this.consumedEvent.delivery_attempt;
  }

  get sequence() {
    return this.consumedEvent.event.sequence;
  }

  ack() {
    return this._stream.queue(this, 'ack');
  }

  // Gives the event back, delivered again (to any member) after `delayMs`
  // (default: at once); `reason` is kept if it becomes a dead letter.
  nack({ delayMs, reason = '' } = {}) {
    if (delayMs !== undefined && delayMs !== null && !(delayMs >= 0)) {
      throw new RangeError(`nack: delayMs is not a non-negative number: ${delayMs}`);
    }
    return this._stream.queue(this, 'nack', delayMs, String(reason));
  }

  extend() {
    return this._stream.queue(this, 'extend');
  }
}

// Options of Client.consume(consumer, options):
//   memberId      names the member (default: the server chooses)
//   signal        AbortSignal: ends consumption cleanly (after the flush)
//   onConsuming(), onRejected(rejected), onGap(gap), onReconnecting(info)
//                 callbacks, also emitted as 'consuming', 'rejected', 'gap',
//                 'reconnecting'; onRejected runs as the response arrives
//                 (it throwing ends consumption with its error), the others
//                 in stream order and awaited
//   backoff, idleTimeoutMs   as for a subscription
//   flushTimeoutMs  how long closing waits for confirmations (default 5000)
class Consumer extends ReconnectingStream {
  constructor(client, name, options = {}) {
    if (typeof name !== 'string' || name === '') throw new TypeError('consume: the consumer name is required');
    super(client, options);
    this.name = name;
    this.memberId = options.memberId || null;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 5000;
    // Acknowledgements confirmed durable, and sequences rejected, on every stream.
    this.confirmed = 0;
    this.rejected = 0;
    this._current = null;
    this._dropped = 0; // acknowledgements dropped with their stream
    this._droppedFlushed = 0; // ... as of the last flush
    this._waiters = new Set();
    this._failure = null; // what onRejected threw
  }

  // Writes what is queued now and resolves once every acknowledgement sent
  // was answered (confirmed, or rejected): true, or false when
  // acknowledgements were dropped with an ended stream since the previous
  // flush; false when `timeoutMs` (default: no bound) passed first.
  flush(timeoutMs) {
    const stream = this._current;
    if (stream) stream.sendNow();
    return this._until(() => !stream || stream.settled(), timeoutMs).then((settled) => {
      if (!settled) return false;
      const kept = this._dropped === this._droppedFlushed;
      this._droppedFlushed = this._dropped;
      return kept;
    });
  }

  // Cancels, then flushes, half-closes and waits for the server to end the
  // stream, all within `timeoutMs` (default flushTimeoutMs).
  async close(timeoutMs) {
    const closing = this._current ? this._closeStream(this._current, timeoutMs) : undefined;
    this.cancel();
    await closing;
  }

  _error(ended) {
    return new ConsumerError(ended);
  }

  // Resolves true once `condition()` holds (checked on every change), false
  // after `timeoutMs`.
  _until(condition, timeoutMs) {
    return new Promise((resolve) => {
      let timer = null;
      const check = (timedOut) => {
        const done = !timedOut && condition();
        if (!done && !timedOut) return;
        this._waiters.delete(check);
        if (timer) clearTimeout(timer);
        resolve(done);
      };
      this._waiters.add(check);
      if (timeoutMs !== undefined && timeoutMs !== null && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => check(true), Math.max(0, timeoutMs));
      }
      check(false);
    });
  }

  _changed() {
    for (const check of [...this._waiters]) check(false);
  }

  _open(prepared) {
    const call = this._client._openConsume(prepared.receiveLimit);
    const stream = new ConsumeStream(call, () => this._changed());
    call.on('status', () => {
      this._dropped += stream.close();
    });
    call.write({ start: this.memberId ? { consumer: this.name, member_id: this.memberId } : { consumer: this.name } });
    this._current = stream;
    return new StreamReader(call, {
      maxQueued: Infinity, // the server sends at most max_outstanding events
      intercept: (response) => this._answered(stream, response),
    });
  }

  // Confirmations and rejections are counted as they arrive, whatever the
  // application is doing.
  _answered(stream, response) {
    if (response.acknowledged) {
      const { sequences, ranges } = response.acknowledged;
      this.confirmed += stream.answer(sequences, ranges);
      return true;
    }
    if (response.rejected) {
      this.rejected += stream.answer(response.rejected.sequences);
      this._notify('rejected', this._options.onRejected, response.rejected).catch((error) => {
        this._failure = this._failure || error;
        stream.call.cancel();
      });
      return true;
    }
    return false;
  }

  async _established() {
    await this._notify('consuming', this._options.onConsuming, undefined);
  }

  async *_deliver(response) {
    const stream = this._current;
    const signal = this._controller.signal;
    for (const consumed of response.events || []) {
      // Of a stream that ended: the server gives it to the group again.
      if (stream.closed) break;
      yield new ConsumerMessage(consumed, stream);
      if (signal.aborted) return;
    }
    if (response.gap) await this._notify('gap', this._options.onGap, response.gap);
  }

  _ended() {
    if (this._failure) throw this._failure;
  }

  _aborted() {
    if (this._current) this._closeStream(this._current);
  }

  async _release(reader) {
    // Leaving the stream (cancelled, or it ended): flush and end it first.
    const stream = this._current;
    if (stream && stream.call === reader.call) await this._closeStream(stream);
  }

  // Flushes, half-closes and waits for the server to end the call, within
  // `timeoutMs`; then cancels it. Once per stream.
  _closeStream(stream, timeoutMs = this.flushTimeoutMs) {
    if (!stream.done) {
      stream.done = (async () => {
        if (stream.closed) return;
        const deadline = Date.now() + timeoutMs;
        await this.flush(timeoutMs);
        stream.halfClose();
        await this._until(() => stream.closed, deadline - Date.now());
        stream.call.cancel();
      })();
    }
    return stream.done;
  }
}

module.exports = { Consumer, ConsumerMessage, ConsumerError };
