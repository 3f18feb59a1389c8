"""Waits between reconnection attempts."""

from __future__ import annotations

import random
from typing import Optional

__all__ = ["Backoff"]


class Backoff:
    """Exponential backoff with full jitter.

    The n-th wait since the last reset (n = 0, 1, ...) is drawn uniformly
    from [0, min(maximum, initial * multiplier**n)]: 100 ms, 200 ms, 400 ms...
    up to 10 s by default. `reset()` starts over (a subscription resets once
    a stream delivers).
    """

    def __init__(
        self,
        initial: float = 0.1,
        maximum: float = 10.0,
        multiplier: float = 2.0,
        *,
        rng: Optional[random.Random] = None,
    ):
        if not 0 < initial <= maximum or multiplier < 1:
            raise ValueError("need 0 < initial <= maximum and multiplier >= 1")
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self._rng = rng or random.Random()
        self._attempt = 0

    @property
    def attempt(self) -> int:
        """How many waits were drawn since the last reset."""
        return self._attempt

    def ceiling(self) -> float:
        """The upper bound of the next wait."""
        # Capped exponent: no float overflow however many attempts failed.
        return min(self.maximum, self.initial * self.multiplier ** min(self._attempt, 64))

    def next_delay(self) -> float:
        """The next wait in seconds; grows the bound for the one after."""
        delay = self._rng.uniform(0.0, self.ceiling())
        self._attempt += 1
        return delay

    def reset(self) -> None:
        self._attempt = 0
