"""How a run uses a provider's Batch API. None of these change a card (its recipe is the
online one), so they are options of a batch run, not settings."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from summarizer.batch_api.requests import BatchLimits
from summarizer.errors import ConfigError

# Where a line that failed inside a batch is asked again.
RetryVia = Literal["online", "batch"]
RETRY_CHOICES: tuple[RetryVia, ...] = ("online", "batch")
DEFAULT_POLL_SECONDS = 10.0
# Polling slows down by this factor while nothing changes, up to the longest interval.
POLL_BACKOFF = 1.5
LONGEST_POLL_SECONDS = 120.0
# With --batch-retry batch, a paper's lines that got no answer (expired, cancelled, an
# HTTP error) are sent in at most this many batches before it is given up as failed.
MAX_UNANSWERED_LINES = 3


@dataclass(frozen=True)
class BatchAPIOptions:
    """A run through the provider's Batch API (`summarizer batch --batch-api`)."""

    # False: submit, collect what has already ended, and return (--no-wait).
    wait: bool = True
    # Lines that failed inside a batch (an HTTP error, no answer, an invalid or
    # ungrounded answer): asked again online (the normal re-ask), or in a follow-up batch.
    retry: RetryVia = "online"
    limits: BatchLimits = field(default_factory=BatchLimits)
    # Seconds before the first poll; slower while nothing changes (see LONGEST_POLL_SECONDS).
    poll_seconds: float = DEFAULT_POLL_SECONDS
    # How to wait between polls, and the time in Unix seconds: a test or a simulation
    # passes its own clock so a batch's day passes without sleeping.
    sleep: Callable[[float], Awaitable[None]] = field(
        default=asyncio.sleep, repr=False, compare=False
    )
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.retry not in RETRY_CHOICES:
            raise ConfigError(
                "batch-retry", f"unknown value {self.retry!r}", hint="online or batch"
            )
        if self.poll_seconds < 0:
            raise ConfigError("poll-interval", "must be at least 0")
        limits = self.limits
        if limits.max_requests < 1 or limits.max_bytes < 1:
            raise ConfigError("batch limits", "requests and bytes per batch must be at least 1")
        if limits.max_tokens is not None and limits.max_tokens < 1:
            raise ConfigError("batch-max-tokens", "must be at least 1")

    def poll_delays(self) -> PollSchedule:
        """A fresh schedule of waits between polls."""
        return PollSchedule(self.poll_seconds)


class PollSchedule:
    """Waits between polls: the first interval, longer by POLL_BACKOFF each time nothing
    changed (up to LONGEST_POLL_SECONDS, or the first interval if longer), back to the
    first when something did."""

    def __init__(self, first: float) -> None:
        self.first = first
        self.longest = max(first, LONGEST_POLL_SECONDS)
        self.current: float | None = None

    def next(self, *, changed: bool) -> float:
        """The wait before the next poll, after a poll that did or did not see a change."""
        if changed or self.current is None:
            self.current = self.first
        else:
            self.current = min(self.longest, self.current * POLL_BACKOFF)
        return self.current
