'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Position, toSequence, compareSequences, sequenceRuns } = require('..');

test('toSequence normalizes strings, numbers and bigints', () => {
  assert.equal(toSequence('007'), '7');
  assert.equal(toSequence(0), '0');
  assert.equal(toSequence(2n ** 64n - 1n), '18446744073709551615');
  for (const bad of [-1, 1.5, '', 'x', '-3', 2n ** 64n, null, Number.MAX_SAFE_INTEGER + 2]) {
    assert.throws(() => toSequence(bad), TypeError, String(bad));
  }
});

test('compareSequences is numeric, past 2^53', () => {
  assert.equal(compareSequences('9', '10'), -1);
  assert.equal(compareSequences('9007199254740993', '9007199254740992'), 1);
  assert.equal(compareSequences('5', '5'), 0);
});

test('the position only moves forward', () => {
  const p = new Position();
  assert.equal(p.value, null);
  assert.equal(p.covers('1'), false);
  assert.equal(p.advance('5'), true);
  assert.equal(p.advance('3'), false); // an earlier trailer or heartbeat: ignored
  assert.equal(p.advance('5'), false);
  assert.equal(p.value, '5');
  assert.equal(p.advance('9007199254740993'), true);
  assert.equal(p.value, '9007199254740993');
  assert.equal(p.covers('9007199254740992'), true);
  assert.equal(p.covers('9007199254740994'), false);
  assert.equal(p.advance(undefined), false);
  assert.equal(new Position('0').covers('0'), true);
});

test('sequenceRuns: distinct sequences as singles and contiguous runs', () => {
  assert.deepEqual(sequenceRuns([]), { singles: [], runs: [] });
  assert.deepEqual(sequenceRuns(['5']), { singles: ['5'], runs: [] });
  assert.deepEqual(sequenceRuns(['3', '1', '2', '2', '7', '9', '10']), {
    singles: ['7'],
    runs: [
      { first: '1', last: '3' },
      { first: '9', last: '10' },
    ],
  });
  assert.deepEqual(sequenceRuns(['18446744073709551615', '18446744073709551614']), {
    singles: [],
    runs: [{ first: '18446744073709551614', last: '18446744073709551615' }],
  });
});
