"""Counters of what the test server saw and answered, readable from any thread."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class StatsSnapshot:
    """The counters at one moment (`GET /_stats` returns `to_dict()`).

    `requests` counts every chat-completion request, rejected ones included; `by_outcome`
    what each got (an outcome name, or "unauthorized", "over_capacity", "bad_request");
    `by_mode` the structured-output mode of each readable request; tokens are those
    billed on 200 answers.
    """

    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    reasks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_mode: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ServerStats:
    """Thread-safe counters; the server's event loop writes, tests and benchmarks read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self._requests = 0
        self._in_flight = 0
        self._max_in_flight = 0
        self._reasks = 0
        self._prompt_tokens = 0
        self._completion_tokens = 0
        self._by_outcome: Counter[str] = Counter()
        self._by_mode: Counter[str] = Counter()

    def started(self) -> int:
        """Count a request coming in; returns how many are now in flight, it included."""
        with self._lock:
            self._requests += 1
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            return self._in_flight

    def finished(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def read(self, mode: str, *, is_reask: bool) -> None:
        """Count a readable request's mode, and whether it was a re-ask."""
        with self._lock:
            self._by_mode[mode] += 1
            self._reasks += is_reask

    def outcome(self, name: str) -> None:
        with self._lock:
            self._by_outcome[name] += 1

    def billed(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self._prompt_tokens += prompt_tokens
            self._completion_tokens += completion_tokens

    def reset(self) -> None:
        """Zero every counter; requests in flight stay counted as in flight."""
        with self._lock:
            in_flight = self._in_flight
            self._clear()
            self._in_flight = in_flight

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            return StatsSnapshot(
                requests=self._requests,
                in_flight=self._in_flight,
                max_in_flight=self._max_in_flight,
                reasks=self._reasks,
                prompt_tokens=self._prompt_tokens,
                completion_tokens=self._completion_tokens,
                by_outcome=dict(self._by_outcome),
                by_mode=dict(self._by_mode),
            )
