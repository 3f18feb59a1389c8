'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Backoff } = require('..');

test('ceilings grow exponentially from 100 ms to 10 s', () => {
  const backoff = new Backoff({ random: () => 1 });
  const waits = Array.from({ length: 10 }, () => backoff.next());
  assert.deepEqual(waits, [100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000]);
});

test('full jitter: each wait is uniform in [0, ceiling]', () => {
  const low = new Backoff({ random: () => 0 });
  assert.deepEqual([low.next(), low.next(), low.next()], [0, 0, 0]);
  const half = new Backoff({ random: () => 0.5 });
  assert.deepEqual([half.next(), half.next(), half.next()], [50, 100, 200]);
  const real = new Backoff();
  const seen = new Set();
  for (let i = 0; i < 200; i += 1) {
    const ceiling = real.ceiling();
    const wait = real.next();
    assert.ok(wait >= 0 && wait <= ceiling && wait <= 10000, `${wait} within [0, ${ceiling}]`);
    seen.add(wait);
  }
  assert.ok(seen.size > 20, 'waits vary');
});

test('reset starts over; a RetryInfo delay is the least wait', () => {
  const backoff = new Backoff({ random: () => 1 });
  backoff.next();
  backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 100);
  assert.equal(new Backoff({ random: () => 0 }).next(1500), 1500);
  assert.equal(new Backoff({ random: () => 1 }).next(20), 100);
  assert.equal(new Backoff({ random: () => 1, maxMs: 10000 }).next(30000), 30000);
});

test('rejects nonsensical bounds', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 100, maxMs: 50 }), RangeError);
});
