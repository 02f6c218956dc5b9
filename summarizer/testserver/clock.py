"""A clock a test moves by hand, so a batch's day passes without sleeping."""

from __future__ import annotations

import threading


class ManualClock:
    """Seconds since the epoch that only move when told to; safe across threads.

    Pass it as `ServerConfig(clock=ManualClock())`: the Batch API reads the time from it,
    so `clock.advance(3600)` makes an hour pass for every batch at once.
    """

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._lock = threading.Lock()
        self._now = start

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the time forward by `seconds` (>= 0); returns the new time."""
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        with self._lock:
            self._now += seconds
            return self._now
