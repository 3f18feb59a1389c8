'use strict';
// Sequences are uint64: the library carries them as decimal strings (they
// may exceed Number.MAX_SAFE_INTEGER) and compares them as BigInts.

const DECIMAL = /^\d+$/;

// A sequence given as a string, number or bigint, as a decimal string;
// throws on anything else.
function toSequence(value, what = 'sequence') {
  if (typeof value === 'bigint' && value >= 0n && value < 2n ** 64n) return value.toString();
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && DECIMAL.test(value.trim()) && BigInt(value.trim()) < 2n ** 64n) {
    return BigInt(value.trim()).toString();
  }
  throw new TypeError(`${what}: not a uint64 sequence: ${String(value)}`);
}

function compareSequences(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

// The stream position: every matching event up to it was handed to the
// application (or is known never to come), so a new Subscribe with
// after_sequence = position continues without gap or duplicate. It only
// moves forward.
class Position {
  constructor(initial = null) {
    this.value = initial === null || initial === undefined ? null : toSequence(initial);
  }

  // Takes `sequence` when it is later than the position (or there is none
  // yet); returns whether it moved.
  advance(sequence) {
    if (sequence === null || sequence === undefined) return false;
    const next = toSequence(sequence);
    if (this.value !== null && compareSequences(next, this.value) <= 0) return false;
    this.value = next;
    return true;
  }

  // Whether an event with `sequence` was already handed out (or skipped over):
  // it would be a duplicate.
  covers(sequence) {
    return this.value !== null && compareSequences(sequence, this.value) <= 0;
  }
}

// The distinct `sequences` (decimal strings), ascending, as single ones and
// contiguous runs of two or more: an Acknowledge's `sequences` and
// `ranges` ({first, last}).
function sequenceRuns(sequences) {
  const sorted = [...new Set(sequences)].map((s) => BigInt(s)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const singles = [];
  const runs = [];
  let first = null;
  let last = null;
  const close = () => {
    if (first === null) return;
    if (first === last) singles.push(first.toString());
    else runs.push({ first: first.toString(), last: last.toString() });
  };
  for (const s of sorted) {
    if (last !== null && s === last + 1n) {
      last = s;
      continue;
    }
    close();
    first = s;
    last = s;
  }
  close();
  return { singles, runs };
}

module.exports = { toSequence, compareSequences, sequenceRuns, Position };
