"""Backoff: exponential bounds from 100 ms to 10 s, full jitter, reset."""

from __future__ import annotations

import random
import statistics
import unittest

import hookbridge


class BackoffTest(unittest.TestCase):
    def test_defaults(self):
        backoff = hookbridge.Backoff()
        self.assertEqual((backoff.initial, backoff.maximum, backoff.multiplier), (0.1, 10.0, 2.0))

    def test_bounds_grow_exponentially_up_to_the_maximum(self):
        backoff = hookbridge.Backoff(rng=random.Random(1))
        ceilings = []
        for _ in range(12):
            ceilings.append(backoff.ceiling())
            delay = backoff.next_delay()
            self.assertGreaterEqual(delay, 0.0)
            self.assertLessEqual(delay, ceilings[-1])
        self.assertEqual(ceilings[:8], [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10.0])
        self.assertEqual(ceilings[8:], [10.0] * 4)

    def test_many_attempts_stay_bounded(self):
        backoff = hookbridge.Backoff()
        for _ in range(5000):
            self.assertLessEqual(backoff.next_delay(), 10.0)
        self.assertEqual(backoff.ceiling(), 10.0)

    def test_full_jitter(self):
        # Each wait is uniform over [0, ceiling]: spread over the whole range.
        samples = []
        for seed in range(2000):
            backoff = hookbridge.Backoff(rng=random.Random(seed))
            for _ in range(9):
                backoff.next_delay()
            samples.append(backoff.next_delay())  # ceiling 10 s
        self.assertLess(min(samples), 0.5)
        self.assertGreater(max(samples), 9.5)
        self.assertAlmostEqual(statistics.mean(samples), 5.0, delta=0.4)
        self.assertGreater(len(set(samples)), 1900)

    def test_jitter_differs_between_instances(self):
        a = [hookbridge.Backoff().next_delay() for _ in range(20)]
        self.assertGreater(len(set(a)), 1)

    def test_reset_starts_over(self):
        backoff = hookbridge.Backoff(rng=random.Random(3))
        for _ in range(6):
            backoff.next_delay()
        self.assertEqual(backoff.attempt, 6)
        backoff.reset()
        self.assertEqual(backoff.attempt, 0)
        self.assertEqual(backoff.ceiling(), 0.1)
        self.assertLessEqual(backoff.next_delay(), 0.1)

    def test_invalid_parameters(self):
        for args in ((0, 1), (2, 1), (0.1, 1, 0.5)):
            with self.assertRaises(ValueError):
                hookbridge.Backoff(*args)


if __name__ == "__main__":
    unittest.main()
