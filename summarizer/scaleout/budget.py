"""One concurrency budget for a whole cluster, so a provider's limits hold for the run.

`RunControl` runs as one small Ray actor per run. Every card-making actor takes a slot
from it before each request and gives it back after, so `--concurrency` bounds the
requests in flight over all actors together. A 429 anywhere halves the run's limit
(`AdaptiveLimiter`'s additive increase, multiplicative decrease), so the whole run slows
down, not the one actor that was told. It also carries the run's stop: an error every
further paper would meet, or Ctrl-C, and no actor starts another request.

`SharedLimiter` is an actor's side of it: a `concurrency.Limiter` for
`Summarizer.asummarize_many` that also caps the actor's own requests in flight.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from summarizer.concurrency import AdaptiveLimiter


@dataclass(frozen=True)
class BudgetStats:
    """What the budget saw over a run (for run.json)."""

    maximum: int
    lowest: int
    rate_limits: int
    stopped_by: str | None
    cache_problem: str | None


class RunControl:
    """The run's shared budget and stop flag (a Ray async actor; its methods are called
    remotely, so they take and return plain values)."""

    def __init__(self, maximum: int) -> None:
        # The limit's arithmetic (halve on 429, grow back on success) is the local one;
        # waiting is done here, so that a stop also wakes every waiter.
        self.limits = AdaptiveLimiter(maximum)
        self.in_flight = 0
        self.stopped_by: str | None = None
        self.cache_problem: str | None = None
        self._changed: asyncio.Condition | None = None

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:  # made on the actor's event loop, at first use
            self._changed = asyncio.Condition()
        return self._changed

    async def acquire(self) -> bool:
        """Wait for a slot under the run's current limit; False once the run stopped."""
        changed = self._condition()
        async with changed:
            await changed.wait_for(
                lambda: self.stopped_by is not None or self.in_flight < self.limits.limit
            )
            if self.stopped_by is not None:
                return False
            self.in_flight += 1
            return True

    async def release(self, successes: int = 0) -> None:
        """Give a slot back, counting the answers its holder got since its last release."""
        changed = self._condition()
        async with changed:
            for _ in range(successes):
                self.limits.succeeded()
            self.in_flight -= 1
            changed.notify_all()

    async def rate_limited(self, retry_after: float | None) -> None:
        """A request somewhere got a 429: fewer requests for the whole run."""
        self.limits.rate_limited(retry_after)

    async def stop(self, reason: str) -> None:
        """Start no more requests anywhere (the first reason is kept)."""
        changed = self._condition()
        async with changed:
            if self.stopped_by is None:
                self.stopped_by = reason
            changed.notify_all()

    async def is_stopped(self) -> bool:
        return self.stopped_by is not None

    async def stop_reason(self) -> str | None:
        return self.stopped_by

    async def note_cache_problem(self, problem: str) -> None:
        """An actor's cache was bypassed (the first problem is kept)."""
        if self.cache_problem is None:
            self.cache_problem = problem

    async def stats(self) -> BudgetStats:
        return BudgetStats(
            maximum=self.limits.maximum,
            lowest=self.limits.lowest_limit,
            rate_limits=self.limits.rate_limits,
            stopped_by=self.stopped_by,
            cache_problem=self.cache_problem,
        )


class SharedLimiter:
    """One actor's slots: at most `per_actor` requests of its own in flight, each also
    holding a slot of the run's `RunControl` (a Ray actor handle).

    When the run has stopped, `acquire` returns without a slot and sets `stop`, which
    `asummarize_many` reads right after: it gives that slot back and takes no new paper.
    """

    def __init__(self, control: Any, per_actor: int, stop: asyncio.Event) -> None:
        self._control = control
        self._own = asyncio.Semaphore(per_actor)
        self._stop = stop
        self._ungranted = 0  # acquisitions after the stop, that hold no shared slot
        self._successes = 0  # answers not yet reported to the budget

    async def acquire(self) -> None:
        await self._own.acquire()
        granted: bool = await self._control.acquire.remote()
        if not granted:
            self._ungranted += 1
            self._stop.set()

    async def release(self) -> None:
        # Decided before any await: the release that follows an ungranted acquire
        # (asummarize_many gives it back at once) is the one that finds it counted.
        if self._ungranted:
            self._ungranted -= 1
        else:
            successes, self._successes = self._successes, 0
            self._control.release.remote(successes)
        self._own.release()

    def rate_limited(self, retry_after: float | None) -> None:
        self._control.rate_limited.remote(retry_after)

    def succeeded(self) -> None:
        self._successes += 1
