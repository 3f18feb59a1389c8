'use strict';
// The consumer against an in-process fake server: acknowledgements batched
// into ranges, confirmations and flush, rejections, nacks and extensions,
// reconnects (the same ConsumeStart, stale acknowledgements dropped),
// errors, cancellation.

const test = require('node:test');
const assert = require('node:assert/strict');
const grpc = require('@grpc/grpc-js');
const { Client, ConsumerError, ConsumerMessage, SubscriptionError } = require('..');
const { startServer, fail, consumed, acked, until } = require('./fake-server');

const FAST = { initialMs: 1, maxMs: 5 };

// The server's initial metadata, sent once ConsumeStart named a consumer.
function accept(call) {
  call.sendMetadata(new grpc.Metadata());
}

function confirm(call, sequences, ranges = []) {
  call.write({ acknowledged: { sequences: sequences.map(String), ranges } });
}

// The end the real server gives a member that half-closed.
async function endOnHalfClose(call) {
  await until(call, (c) => c.clientDone);
  call.end();
}

// A Consume script: accepts, sends these events, confirms them once they
// are all acknowledged, and ends the call when the client half-closes.
function confirming(sequences) {
  return async (call) => {
    accept(call);
    call.write(consumed(sequences));
    await until(call, (c) => acked(c).length >= sequences.length);
    confirm(call, sequences);
    await endOnHalfClose(call);
  };
}

// A promise and the function that resolves it.
function gate() {
  let open;
  const opened = new Promise((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

async function take(consumer, n) {
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const { value, done } = await consumer.next();
    assert.equal(done, false, `message ${i + 1} of ${n}`);
    out.push(value);
  }
  return out;
}

async function setup(t, consume, serverOptions = {}) {
  const server = await startServer({ consume, ...serverOptions });
  const client = new Client(server.target, { token: 'secret' });
  t.after(async () => {
    await client.close();
    server.close();
  });
  return { server, client };
}

test('acknowledgements are batched into one Acknowledge, contiguous runs as ranges, and confirmed', async (t) => {
  const { server, client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1, 2, 3, 4, 5, 7, 8, 10]));
    await until(call, (c) => acked(c).length >= 8);
    confirm(call, [10], [{ first: '1', last: '5' }, { first: '7', last: '8' }]);
    await endOnHalfClose(call);
  });
  const consumer = client.consume('indexer', { memberId: 'm-1', backoff: FAST });
  const messages = await take(consumer, 8);
  assert.deepEqual(messages.map((m) => m.sequence), ['1', '2', '3', '4', '5', '7', '8', '10']);
  assert.deepEqual(messages.map((m) => m.deliveryAttempt), [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.ok(messages[0] instanceof ConsumerMessage);
  assert.equal(messages[0].event.type, 'comment.added');
  for (const m of [...messages].reverse()) assert.equal(m.ack(), true);
  assert.equal(await consumer.flush(10000), true);
  assert.equal(consumer.confirmed, 8);
  const [call] = server.consumeCalls;
  assert.equal(call.requests.length, 1, JSON.stringify(call.requests));
  assert.deepEqual(call.requests[0].ack.sequences, ['10']);
  assert.deepEqual(call.requests[0].ack.ranges, [{ first: '1', last: '5' }, { first: '7', last: '8' }]);
  assert.deepEqual(call.start, { consumer: 'indexer', member_id: 'm-1' });
  assert.equal(call.metadata.get('authorization')[0], 'Bearer secret');
  await consumer.close();
});

test('acknowledgements go out once the event loop turns, without a flush', async (t) => {
  const { server, client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1, 2]));
    await until(call, (c) => acked(c).length >= 2);
    call.write(consumed([3]));
    confirm(call, [1, 2]);
    await until(call, (c) => acked(c).length >= 3);
    confirm(call, [3]);
    await endOnHalfClose(call);
  });
  const consumer = client.consume('indexer', { backoff: FAST });
  for await (const message of consumer) {
    message.ack();
    if (message.sequence === '3') break;
  }
  const [call] = server.consumeCalls;
  assert.equal(call.requests.filter((r) => r.ack).length, 2);
  assert.deepEqual(call.requests[0].ack.ranges, [{ first: '1', last: '2' }]);
  assert.equal(consumer.confirmed, 3);
});

test('flush waits for the confirmations', async (t) => {
  const confirmable = gate();
  const { client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1, 2]));
    await until(call, (c) => acked(c).length >= 2);
    await confirmable.opened;
    confirm(call, [1, 2]);
    await endOnHalfClose(call);
  });
  const consumer = client.consume('indexer', { backoff: FAST });
  for (const m of await take(consumer, 2)) m.ack();
  assert.equal(await consumer.flush(300), false); // sent, not yet confirmed
  assert.equal(consumer.confirmed, 0);
  confirmable.open();
  assert.equal(await consumer.flush(10000), true);
  assert.equal(consumer.confirmed, 2);
  assert.equal(await consumer.flush(0), true); // nothing left
  await consumer.close();
});

test('rejections are reported, counted and never an error', async (t) => {
  const { client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1, 2]));
    await until(call, (c) => acked(c).length >= 2);
    call.write({ rejected: { sequences: ['2'], reason: 'redelivered elsewhere' } });
    confirm(call, [1]);
    call.write(consumed([3]));
    await endOnHalfClose(call);
  });
  const rejected = [];
  const emitted = [];
  const reconnects = [];
  const consumer = client.consume('indexer', {
    backoff: FAST,
    onRejected: (r) => rejected.push(r),
    onReconnecting: (i) => reconnects.push(i),
  });
  consumer.on('rejected', (r) => emitted.push(r));
  for (const m of await take(consumer, 2)) m.ack();
  assert.equal(await consumer.flush(10000), true);
  const [third] = await take(consumer, 1);
  assert.equal(third.sequence, '3');
  assert.deepEqual([consumer.confirmed, consumer.rejected], [1, 1]);
  assert.deepEqual(rejected.map((r) => [r.sequences, r.reason]), [[['2'], 'redelivered elsewhere']]);
  assert.equal(emitted.length, 1);
  assert.deepEqual(reconnects, []);
  await consumer.close();
});

test('an onRejected that throws ends consumption with its error', async (t) => {
  const { client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1]));
    await until(call, (c) => acked(c).length >= 1);
    call.write({ rejected: { sequences: ['1'], reason: 'no' } });
  });
  const consumer = client.consume('indexer', {
    backoff: FAST,
    onRejected: () => {
      throw new Error('handler failed');
    },
  });
  const [message] = await take(consumer, 1);
  message.ack();
  await assert.rejects(consumer.next(), /handler failed/);
});

test('nack with delay and reason, extend, and a second settlement does nothing', async (t) => {
  const { server, client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1, 2, 3]));
    await until(call, (c) => acked(c).length >= 1);
    confirm(call, [2]);
    await endOnHalfClose(call);
  });
  const consumer = client.consume('indexer', { backoff: FAST });
  const [one, two, three] = await take(consumer, 3);
  assert.equal(one.nack({ delayMs: 1500, reason: 'busy' }), true);
  assert.equal(two.extend(), true);
  assert.equal(two.extend(), true); // extending again is fine
  assert.equal(three.nack(), true);
  assert.equal(one.nack(), false); // settled already: nothing
  assert.equal(one.ack(), false);
  assert.throws(() => two.nack({ delayMs: -1 }), RangeError);
  assert.equal(await consumer.flush(10000), true);
  const [call] = server.consumeCalls;
  await until(call, (c) => c.requests.length >= 3);
  assert.deepEqual(call.requests.map((r) => r.request), ['extend', 'nack', 'nack']);
  assert.deepEqual(call.requests[0].extend.sequences, ['2']);
  assert.deepEqual(call.requests[1].nack, { sequences: ['1'], reason: 'busy', delay: { seconds: '1', nanos: 500000000 } });
  assert.deepEqual(call.requests[2].nack, { sequences: ['3'] });
  assert.equal(two.ack(), true);
  assert.equal(two.extend(), false);
  assert.equal(await consumer.flush(10000), true);
  assert.deepEqual(acked(call), [2]);
  assert.equal(consumer.confirmed, 1);
  await consumer.close();
});

test('acknowledging after extending in one turn drops the extension', async (t) => {
  const { server, client } = await setup(t, confirming([1]));
  const consumer = client.consume('indexer', { backoff: FAST });
  const [message] = await take(consumer, 1);
  message.extend();
  message.ack();
  assert.equal(await consumer.flush(10000), true);
  assert.deepEqual(server.consumeCalls[0].requests.map((r) => r.request), ['ack']);
  await consumer.close();
});

test('gaps are reported in order; heartbeats and unknown responses are skipped', async (t) => {
  const { client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1]));
    call.write({ heartbeat: { resume_after: '1', head_sequence: '9' } });
    call.write({ gap: { first_sequence: '2', last_sequence: '4' } });
    call.write({});
    call.write(consumed([5]));
    await endOnHalfClose(call);
  });
  const gaps = [];
  const consumer = client.consume('indexer', { backoff: FAST, onGap: (g) => gaps.push(g) });
  const [first] = await take(consumer, 1);
  assert.equal(first.sequence, '1');
  assert.deepEqual(gaps, []);
  const [second] = await take(consumer, 1);
  assert.equal(second.sequence, '5');
  assert.deepEqual(gaps.map((g) => [g.first_sequence, g.last_sequence]), [['2', '4']]);
  await consumer.close();
});

test('a reconnect sends the same ConsumeStart and drops the stale acknowledgements', async (t) => {
  const ended = gate();
  const { server, client } = await setup(t, async (call, index) => {
    accept(call);
    if (index === 0) {
      call.write(consumed([1, 2]));
      await ended.opened;
      fail(call, grpc.status.UNAVAILABLE, 'shutting down', { retryDelayMs: 10 });
    } else {
      call.write(consumed([1], 2));
      await until(call, (c) => acked(c).length >= 1);
      confirm(call, [1]);
      await endOnHalfClose(call);
    }
  });
  const reconnects = [];
  const consuming = [];
  const consumer = client.consume('indexer', {
    memberId: 'pod-7',
    backoff: FAST,
    onReconnecting: (i) => reconnects.push(i),
    onConsuming: () => consuming.push(server.consumeCalls.length),
  });
  const [first, second] = await take(consumer, 2);
  assert.equal(first.ack(), true); // on the first stream, never confirmed there
  ended.open();
  const [again] = await take(consumer, 1); // from the second stream
  assert.deepEqual([again.sequence, again.deliveryAttempt], ['1', 2]);
  assert.equal(second.ack(), false); // its stream ended: nothing to do
  assert.equal(again.ack(), true);
  assert.equal(await consumer.flush(10000), false); // the first stream's acknowledgement was dropped
  assert.equal(consumer.confirmed, 1);
  assert.equal(await consumer.flush(10000), true);
  await consumer.close();
  assert.deepEqual(reconnects.map((i) => [i.codeName, i.details]), [['UNAVAILABLE', 'shutting down']]);
  assert.ok(reconnects[0].delayMs >= 10);
  assert.deepEqual(consuming, [1, 2]);
  const calls = server.consumeCalls;
  assert.deepEqual(calls.map((c) => c.start), [
    { consumer: 'indexer', member_id: 'pod-7' },
    { consumer: 'indexer', member_id: 'pod-7' },
  ]);
  assert.deepEqual(acked(calls[1]), [1]);
  assert.deepEqual(calls.map((c) => c.metadata.get('authorization')[0]), ['Bearer secret', 'Bearer secret']);
});

test('a silent stream is replaced after three heartbeat intervals', async (t) => {
  const { client } = await setup(
    t,
    (call, index) => {
      accept(call);
      call.write(consumed([index + 1])); // then silence
    },
    { info: { heartbeat_interval: { nanos: 50e6 } } },
  );
  const reconnects = [];
  const consumer = client.consume('indexer', { backoff: FAST, onReconnecting: (i) => reconnects.push(i) });
  const messages = await take(consumer, 2);
  assert.deepEqual(messages.map((m) => m.sequence), ['1', '2']);
  assert.equal(reconnects[0].codeName, 'DEADLINE_EXCEEDED');
  await consumer.close(0);
});

test('NOT_FOUND ends consumption with an error carrying the code and message', async (t) => {
  const { server, client } = await setup(t, (call) => fail(call, grpc.status.NOT_FOUND, 'no consumer "nope"'));
  const reconnects = [];
  const consuming = [];
  const consumer = client.consume('nope', { backoff: FAST, onReconnecting: (i) => reconnects.push(i) });
  consumer.on('consuming', () => consuming.push(true));
  await assert.rejects(consumer.next(), (error) => {
    assert.ok(error instanceof ConsumerError);
    assert.ok(error instanceof SubscriptionError);
    assert.equal(error.code, grpc.status.NOT_FOUND);
    assert.equal(error.message, 'NOT_FOUND: no consumer "nope"');
    return true;
  });
  assert.deepEqual(await consumer.next(), { value: undefined, done: true });
  assert.deepEqual(reconnects, []);
  assert.deepEqual(consuming, []);
  assert.deepEqual(server.consumeCalls[0].start, { consumer: 'nope' });
  assert.throws(() => client.consume(''), TypeError);
});

test('aborting flushes, half-closes and ends the iteration without an error', async (t) => {
  const { server, client } = await setup(t, confirming([1]));
  const controller = new AbortController();
  const reconnects = [];
  const consumer = client.consume('indexer', { signal: controller.signal, onReconnecting: (i) => reconnects.push(i) });
  const [message] = await take(consumer, 1);
  const pending = consumer.next();
  message.ack();
  const started = Date.now();
  controller.abort();
  assert.deepEqual(await pending, { value: undefined, done: true });
  assert.ok(Date.now() - started < 5000);
  assert.equal(consumer.confirmed, 1);
  const [call] = server.consumeCalls;
  assert.deepEqual(acked(call), [1]);
  await until(call, (c) => c.clientDone);
  assert.equal(call.halfClosed, true);
  assert.deepEqual(reconnects, []);
  assert.equal(message.ack(), false);
});

test('leaving the loop flushes the acknowledgements', async (t) => {
  const { server, client } = await setup(t, async (call) => {
    accept(call);
    call.write(consumed([1, 2, 3]));
    await until(call, (c) => acked(c).length >= 2);
    confirm(call, [1, 2]);
    await endOnHalfClose(call);
  });
  const consumer = client.consume('indexer');
  for await (const message of consumer) {
    message.ack();
    if (message.sequence === '2') break;
  }
  assert.equal(consumer.confirmed, 2);
  assert.deepEqual(acked(server.consumeCalls[0]), [1, 2]);
});

test('the flush on close is bounded', async (t) => {
  const { server, client } = await setup(t, (call) => {
    accept(call);
    call.write(consumed([1])); // never confirmed, never ended
  });
  const consumer = client.consume('indexer', { flushTimeoutMs: 200 });
  const [message] = await take(consumer, 1);
  message.ack();
  const started = Date.now();
  await consumer.close();
  assert.ok(Date.now() - started < 3000);
  assert.equal(consumer.confirmed, 0);
  await until(server.consumeCalls[0], (c) => c.clientDone);
});

test('cancel() during the backoff wait ends without a reconnect', async (t) => {
  const { server, client } = await setup(t, (call) => fail(call, grpc.status.UNAVAILABLE, 'later', { retryDelayMs: 30000 }));
  const consumer = client.consume('indexer', { onReconnecting: () => consumer.cancel() });
  const started = Date.now();
  assert.deepEqual(await consumer.next(), { value: undefined, done: true });
  assert.ok(Date.now() - started < 5000);
  assert.equal(server.consumeCalls.length, 1);
});

test('closing the client closes its consumers', async (t) => {
  const { server, client } = await setup(t, (call) => {
    accept(call);
    endOnHalfClose(call);
  });
  const consumer = client.consume('indexer', { onConsuming: () => client.close() });
  assert.deepEqual(await consumer.next(), { value: undefined, done: true });
  await until(server.consumeCalls[0], (c) => c.clientDone);
  assert.throws(() => client.consume('indexer'), /closed/);
});
