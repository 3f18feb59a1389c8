'use strict';
// Waits between reconnection attempts: exponential growth with full jitter.

class Backoff {
  // The n-th wait (from 0) is uniform in [0, min(maxMs, initialMs * multiplier^n)].
  constructor({ initialMs = 100, maxMs = 10000, multiplier = 2, random = Math.random } = {}) {
    if (!(initialMs > 0) || !(maxMs >= initialMs) || !(multiplier >= 1)) {
      throw new RangeError('backoff: need 0 < initialMs <= maxMs and multiplier >= 1');
    }
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.multiplier = multiplier;
    this.random = random;
    this.attempt = 0;
  }

  // The upper bound of the next wait.
  ceiling() {
    return Math.min(this.maxMs, this.initialMs * this.multiplier ** this.attempt);
  }

  // The next wait in milliseconds, at least `minimumMs` (a server's
  // RetryInfo), and counts the attempt.
  next(minimumMs = 0) {
    const wait = Math.round(this.random() * this.ceiling());
    if (this.ceiling() < this.maxMs) this.attempt += 1;
    return Math.max(wait, Math.ceil(minimumMs || 0));
  }

  // Back to the first, shortest wait (after a stream delivered).
  reset() {
    this.attempt = 0;
  }
}

module.exports = { Backoff };
