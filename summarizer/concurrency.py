"""How many requests run at once: up to a maximum, fewer while the endpoint says 429.

Additive increase, multiplicative decrease (as TCP does): each rate limit halves the
number of requests allowed in flight; every `limit` successes in a row add one back,
up to the maximum the user asked for.
"""

from __future__ import annotations

import asyncio
from typing import Protocol


class Limiter(Protocol):
    """What a run of many papers takes a slot from before each request, and tells how
    requests fare (a `retries.RequestObserver`): `AdaptiveLimiter` in one process, a
    share of a cluster-wide budget on Ray (summarizer.scaleout.budget)."""

    async def acquire(self) -> None:
        """Wait for a free slot."""

    async def release(self) -> None:
        """Give a slot back."""

    def rate_limited(self, retry_after: float | None) -> None:
        """A request got HTTP 429 and will be retried."""

    def succeeded(self) -> None:
        """A request got an answer."""


class AdaptiveLimiter:
    """An async semaphore whose size shrinks on rate limits and grows back on success."""

    def __init__(self, maximum: int) -> None:
        if maximum < 1:
            raise ValueError("concurrency must be at least 1")
        self.maximum = maximum
        self.limit = maximum
        self.in_flight = 0
        self.rate_limits = 0
        self.lowest_limit = maximum
        self._successes = 0
        self._changed = asyncio.Condition()

    async def acquire(self) -> None:
        """Wait for a free slot under the current limit."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1

    async def release(self) -> None:
        """Give a slot back."""
        async with self._changed:
            self.in_flight -= 1
            self._changed.notify_all()

    def rate_limited(self, retry_after: float | None) -> None:
        """Halve the limit (not below 1): the endpoint asked us to slow down."""
        del retry_after  # the request itself waits for it; the limiter only shrinks
        self.rate_limits += 1
        self._successes = 0
        self.limit = max(1, self.limit // 2)
        self.lowest_limit = min(self.lowest_limit, self.limit)

    def succeeded(self) -> None:
        """Count a success; after `limit` of them in a row, allow one more in flight."""
        if self.limit >= self.maximum:
            return
        self._successes += 1
        if self._successes >= self.limit:
            self._successes = 0
            # Waiters see the new limit when the request that just succeeded releases.
            self.limit += 1
