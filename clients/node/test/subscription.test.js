'use strict';
// The subscription against an in-process fake server: batch unpacking,
// position rules, reconnect and resume, gaps, errors, cancellation, the
// receive limit.

const test = require('node:test');
const assert = require('node:assert/strict');
const grpc = require('@grpc/grpc-js');
const { Client, MemoryCursorStore, SubscriptionError } = require('..');
const { startServer, event, startAfter, fail } = require('./fake-server');

const FAST = { initialMs: 1, maxMs: 5 };

async function collect(subscription, n) {
  const out = [];
  for await (const e of subscription) {
    out.push(e);
    if (out.length >= n) break;
  }
  return out;
}

test('unpacks batches into single events in order, with typed payloads', async (t) => {
  const server = await startServer({
    subscribe(call) {
      call.sendMetadata(startAfter(0));
      call.write({ events: [event(1), event(2), event(3)] });
      call.write({ events: [event(4, { ckeditor: { comment_added: { comment: { id: 'c-4' } } } })] });
    },
  });
  const client = new Client(server.target, { token: 'secret' });
  t.after(() => {
    client.close();
    server.close();
  });
  const events = await collect(client.subscribe({ earliest: true, types: ['comment.*'] }), 4);
  assert.deepEqual(events.map((e) => e.sequence), ['1', '2', '3', '4']);
  assert.equal(events[3].payload, 'ckeditor');
  assert.equal(events[3].ckeditor.event, 'comment_added');
  assert.equal(events[3].ckeditor.comment_added.comment.id, 'c-4');
  assert.deepEqual(server.requests[0].types, ['comment.*']);
  assert.equal(server.requests[0].earliest, true);
  assert.equal(server.metadata[0].get('authorization')[0], 'Bearer secret');
});

test('reconnects after a retryable end, resuming after the last event handed out', async (t) => {
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) {
        call.sendMetadata(startAfter(0));
        call.write({ events: [event(1), event(2)] });
        setTimeout(() => fail(call, grpc.status.UNAVAILABLE, 'shutting down'), 20);
      } else {
        call.sendMetadata(startAfter(call.request.after_sequence));
        // A duplicate the client must drop, then the next event.
        call.write({ events: [event(2), event(3)] });
      }
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const reconnects = [];
  const subscribed = [];
  const store = new MemoryCursorStore();
  const subscription = client.subscribe({
    earliest: true,
    cursorStore: store,
    backoff: FAST,
    onReconnecting: (info) => reconnects.push(info),
    onSubscribed: (n) => subscribed.push(n),
  });
  const events = await collect(subscription, 3);
  assert.deepEqual(events.map((e) => e.sequence), ['1', '2', '3']);
  assert.equal(server.requests[1].after_sequence, '2');
  assert.equal(server.requests[1].earliest, undefined);
  assert.equal(reconnects.length, 1);
  assert.equal(reconnects[0].codeName, 'UNAVAILABLE');
  assert.equal(reconnects[0].details, 'shutting down');
  assert.deepEqual(subscribed, ['0', '2']);
  assert.equal(store.load(), '3'); // saved as the loop ended
});

test('takes the resume-after trailer only when it is later than the position', async (t) => {
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) {
        call.write({ events: [event(5)] });
        setTimeout(() => fail(call, grpc.status.UNAVAILABLE, 'bye', { resumeAfter: 9 }), 20);
      } else if (index === 1) {
        call.write({ events: [event(12)] });
        setTimeout(() => fail(call, grpc.status.UNAVAILABLE, 'bye', { resumeAfter: 3 }), 20);
      } else {
        call.write({ events: [event(13)] });
      }
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const infos = [];
  const sub = client.subscribe({ afterSequence: 4, backoff: FAST, onReconnecting: (i) => infos.push(i) });
  const events = await collect(sub, 3);
  assert.deepEqual(events.map((e) => e.sequence), ['5', '12', '13']);
  assert.deepEqual(server.requests.map((r) => r.after_sequence), ['4', '9', '12']);
  assert.deepEqual(infos.map((i) => i.resumeAfter), ['9', '3']);
});

test('heartbeats advance and save the position only when later', async (t) => {
  const store = new MemoryCursorStore('10');
  const saves = [];
  const save = store.save.bind(store);
  store.save = (s) => {
    saves.push(s);
    save(s);
  };
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) {
        call.write({ heartbeat: { head_sequence: '20', resume_after: '7' } }); // earlier: ignored
        call.write({ heartbeat: { head_sequence: '20', resume_after: '15' } });
        setTimeout(() => fail(call, grpc.status.INTERNAL, 'oops'), 20);
      } else {
        call.write({ events: [event(16)] });
      }
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const heartbeats = [];
  const sub = client.subscribe({ earliest: true, cursorStore: store, backoff: FAST, onHeartbeat: (h) => heartbeats.push(h) });
  const events = await collect(sub, 1);
  assert.deepEqual(events.map((e) => e.sequence), ['16']);
  // The stored cursor wins over `earliest`; then the heartbeat's 15.
  assert.deepEqual(server.requests.map((r) => r.after_sequence), ['10', '15']);
  assert.equal(server.requests[0].earliest, undefined);
  assert.deepEqual(saves, ['15', '16']);
  assert.equal(heartbeats.length, 2);
});

test('a live subscription resumes after the start-after sequence', async (t) => {
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) {
        call.sendMetadata(startAfter(41));
        setTimeout(() => fail(call, grpc.status.UNAVAILABLE, 'restart'), 20);
      } else {
        call.sendMetadata(startAfter(call.request.after_sequence));
        call.write({ events: [event(42)] });
      }
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const events = await collect(client.subscribe({ backoff: FAST }), 1);
  assert.deepEqual(events.map((e) => e.sequence), ['42']);
  assert.equal(server.requests[0].after_sequence, undefined);
  assert.equal(server.requests[0].earliest, undefined);
  assert.equal(server.requests[1].after_sequence, '41');
});

test('reports gaps and goes on after them', async (t) => {
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) {
        call.write({ gap: { first_sequence: '3', last_sequence: '7' } });
        call.write({ events: [event(8)] });
        call.write({}); // a response with nothing known: skipped
        setTimeout(() => fail(call, grpc.status.ABORTED, 'again'), 20);
      } else {
        call.write({ events: [event(9)] });
      }
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const gaps = [];
  const emitted = [];
  const sub = client.subscribe({ afterSequence: 2, allowGaps: true, backoff: FAST, onGap: (g) => gaps.push(g) });
  sub.on('gap', (g) => emitted.push(g));
  const events = await collect(sub, 2);
  assert.deepEqual(events.map((e) => e.sequence), ['8', '9']);
  assert.deepEqual(gaps.map((g) => [g.first_sequence, g.last_sequence]), [['3', '7']]);
  assert.equal(emitted.length, 1);
  assert.equal(server.requests[0].allow_gaps, true);
  assert.equal(server.requests[1].after_sequence, '8');
});

test('a non-retryable status ends the subscription with its code, message and resume-after', async (t) => {
  const server = await startServer({
    subscribe(call) {
      call.write({ events: [event(1)] });
      setTimeout(
        () =>
          fail(call, grpc.status.OUT_OF_RANGE, 'sequence 50 is beyond the last sequence 2', {
            resumeAfter: 1,
            errorInfo: { reason: 'POSITION_AFTER_END', metadata: { last_sequence: '2' } },
          }),
        20,
      );
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const store = new MemoryCursorStore();
  const seen = [];
  await assert.rejects(
    (async () => {
      for await (const e of client.subscribe({ cursorStore: store, backoff: FAST })) seen.push(e.sequence);
    })(),
    (error) => {
      assert.ok(error instanceof SubscriptionError);
      assert.equal(error.code, grpc.status.OUT_OF_RANGE);
      assert.equal(error.codeName, 'OUT_OF_RANGE');
      assert.equal(error.details, 'sequence 50 is beyond the last sequence 2');
      assert.equal(error.resumeAfter, '1');
      assert.equal(error.errorInfo.reason, 'POSITION_AFTER_END');
      assert.equal(error.message, 'OUT_OF_RANGE: sequence 50 is beyond the last sequence 2 (hookbridge-resume-after: 1)');
      return true;
    },
  );
  assert.deepEqual(seen, ['1']);
  assert.equal(store.load(), '1');
  assert.equal(server.requests.length, 1);
});

test('UNAUTHENTICATED from GetServerInfo ends the subscription', async (t) => {
  const server = await startServer({
    subscribe() {},
    infoError: () => ({ code: grpc.status.UNAUTHENTICATED, details: 'no token' }),
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  await assert.rejects(collect(client.subscribe({ backoff: FAST }), 1), { code: grpc.status.UNAUTHENTICATED, resumeAfter: undefined });
  assert.equal(server.requests.length, 0);
});

test('RetryInfo sets the least wait before the next attempt', async (t) => {
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) fail(call, grpc.status.UNAVAILABLE, 'later', { retryDelayMs: 250 });
      else call.write({ events: [event(1)] });
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const infos = [];
  const started = Date.now();
  await collect(client.subscribe({ backoff: FAST, onReconnecting: (i) => infos.push(i) }), 1);
  assert.equal(infos[0].retryDelayMs, 250);
  assert.ok(infos[0].delayMs >= 250, `waited ${infos[0].delayMs}`);
  assert.ok(Date.now() - started >= 240);
});

test('reconnects when nothing arrives for the idle timeout', async (t) => {
  const server = await startServer({
    info: { heartbeat_interval: { nanos: 50e6 } }, // 50 ms: idle after 150 ms
    subscribe(call, index) {
      call.sendMetadata(startAfter(call.request.after_sequence || 0));
      if (index === 0) call.write({ events: [event(1)] }); // then silence
      else call.write({ events: [event(2)] });
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const infos = [];
  const events = await collect(client.subscribe({ afterSequence: 0, backoff: FAST, onReconnecting: (i) => infos.push(i) }), 2);
  assert.deepEqual(events.map((e) => e.sequence), ['1', '2']);
  assert.equal(infos[0].codeName, 'DEADLINE_EXCEEDED');
  assert.equal(server.requests[1].after_sequence, '1');
  assert.ok(server.calls[0].cancelled, 'the idle call was cancelled');
});

test('an AbortSignal ends a waiting subscription promptly, without an error', async (t) => {
  const server = await startServer({ subscribe(call) { call.sendMetadata(startAfter(0)); } });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const controller = new AbortController();
  const sub = client.subscribe({ signal: controller.signal, onSubscribed: () => setTimeout(() => controller.abort(), 10) });
  const started = Date.now();
  const events = await collect(sub, 1);
  assert.deepEqual(events, []);
  assert.ok(Date.now() - started < 2000);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(server.calls[0].cancelled, 'the stream was cancelled');
});

test('cancel() during the backoff wait ends without a reconnect', async (t) => {
  const server = await startServer({
    subscribe(call) {
      fail(call, grpc.status.UNAVAILABLE, 'down', { retryDelayMs: 10000 });
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const sub = client.subscribe({ onReconnecting: () => setTimeout(() => sub.cancel(), 10) });
  const started = Date.now();
  assert.deepEqual(await collect(sub, 1), []);
  assert.ok(Date.now() - started < 2000);
  assert.equal(server.requests.length, 1);
});

test('the receive limit follows max_response_bytes', async (t) => {
  const big = 'x'.repeat(5 << 20); // 5 MiB: over gRPC's default 4 MiB
  const server = await startServer({
    info: { max_response_bytes: String(6 << 20) },
    subscribe(call) {
      call.write({ events: [event(1, { decode_error: big })] });
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const [e] = await collect(client.subscribe({ afterSequence: 0 }), 1);
  assert.equal(e.decode_error.length, big.length);
  assert.deepEqual([...client._streamChannels.keys()], [6 << 20]);
});

test('include_raw and the filters reach the request; since becomes a Timestamp', async (t) => {
  const server = await startServer({ subscribe(call) { call.write({ events: [event(1, { raw_body: Buffer.from('{}') })] }); } });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const [e] = await collect(
    client.subscribe({
      since: new Date('2024-01-02T03:04:05.678Z'),
      includeRaw: true,
      sources: ['a'],
      subjects: ['doc-1'],
      environmentIds: ['env'],
    }),
    1,
  );
  assert.equal(e.raw_body.toString(), '{}');
  const r = server.requests[0];
  assert.equal(r.include_raw, true);
  assert.deepEqual(r.sources, ['a']);
  assert.deepEqual(r.subjects, ['doc-1']);
  assert.deepEqual(r.environment_ids, ['env']);
  assert.deepEqual(r.since, { seconds: String(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000), nanos: 678e6 });
});

test('start options exclude each other', () => {
  const client = new Client('127.0.0.1:1');
  try {
    assert.throws(() => client.subscribe({ earliest: true, afterSequence: 3 }), /exclude each other/);
    assert.throws(() => client.subscribe({ afterSequence: -1 }), /not a uint64/);
  } finally {
    client.close();
  }
});

test('a slow consumer gets every response received before the stream failed', async (t) => {
  const server = await startServer({
    subscribe(call, index) {
      if (index === 0) {
        for (let n = 1; n <= 40; n += 1) call.write({ events: [event(n)] });
        fail(call, grpc.status.UNAVAILABLE, 'gone', { resumeAfter: 40 });
      } else {
        call.write({ events: [event(41)] });
      }
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const seen = [];
  for await (const e of client.subscribe({ afterSequence: 0, backoff: FAST })) {
    seen.push(Number(e.sequence));
    await new Promise((r) => setTimeout(r, 2));
    if (seen.length === 41) break;
  }
  assert.deepEqual(seen, Array.from({ length: 41 }, (_, i) => i + 1));
  assert.deepEqual(server.requests.map((r) => r.after_sequence), ['0', '40']);
});

test('a consumer far behind is resumed from its position instead of buffering without bound', async (t) => {
  const server = await startServer({
    subscribe(call) {
      const after = Number(call.request.after_sequence || 0);
      for (let n = after + 1; n <= 20; n += 1) call.write({ events: [event(n)] });
    },
  });
  const client = new Client(server.target);
  t.after(() => {
    client.close();
    server.close();
  });
  const seen = [];
  const reconnects = [];
  const sub = client.subscribe({ afterSequence: 0, maxBufferedResponses: 4, onReconnecting: (i) => reconnects.push(i) });
  for await (const e of sub) {
    seen.push(Number(e.sequence));
    await new Promise((r) => setTimeout(r, 5));
    if (seen.length === 20) break;
  }
  assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => i + 1));
  assert.ok(server.requests.length > 1, 'resubscribed');
  assert.deepEqual(reconnects, []);
  const afters = server.requests.map((r) => Number(r.after_sequence));
  assert.deepEqual(afters, [...afters].sort((a, b) => a - b));
});
