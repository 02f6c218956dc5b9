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

    The Batch API's counters are apart: `files_uploaded` and `bytes_uploaded`,
    `file_downloads` (file contents fetched), `batches_created`, `batch_lines` (requests
    answered inside batches), `by_batch_outcome`, the tokens billed on their 200 answers,
    and `batch_custom_ids`: how many times each custom_id was answered, over all
    batches (so a test can check that no paper was sent twice).
    """

    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    reasks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_mode: dict[str, int] = field(default_factory=dict)
    files_uploaded: int = 0
    bytes_uploaded: int = 0
    file_downloads: int = 0
    batches_created: int = 0
    batch_lines: int = 0
    batch_prompt_tokens: int = 0
    batch_completion_tokens: int = 0
    by_batch_outcome: dict[str, int] = field(default_factory=dict)
    batch_custom_ids: dict[str, int] = field(default_factory=dict)

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
        self._files_uploaded = 0
        self._bytes_uploaded = 0
        self._file_downloads = 0
        self._batches_created = 0
        self._batch_lines = 0
        self._batch_prompt_tokens = 0
        self._batch_completion_tokens = 0
        self._by_batch_outcome: Counter[str] = Counter()
        self._batch_custom_ids: Counter[str] = Counter()

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

    def uploaded(self, size: int) -> None:
        with self._lock:
            self._files_uploaded += 1
            self._bytes_uploaded += size

    def downloaded(self) -> None:
        with self._lock:
            self._file_downloads += 1

    def batch_created(self) -> None:
        with self._lock:
            self._batches_created += 1

    def batch_line(
        self, custom_id: str, outcome: str, prompt_tokens: int, completion_tokens: int
    ) -> None:
        """Count a line answered inside a batch, and the tokens billed for it."""
        with self._lock:
            self._batch_lines += 1
            self._by_batch_outcome[outcome] += 1
            self._batch_custom_ids[custom_id] += 1
            self._batch_prompt_tokens += prompt_tokens
            self._batch_completion_tokens += completion_tokens

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
                files_uploaded=self._files_uploaded,
                bytes_uploaded=self._bytes_uploaded,
                file_downloads=self._file_downloads,
                batches_created=self._batches_created,
                batch_lines=self._batch_lines,
                batch_prompt_tokens=self._batch_prompt_tokens,
                batch_completion_tokens=self._batch_completion_tokens,
                by_batch_outcome=dict(self._by_batch_outcome),
                batch_custom_ids=dict(self._batch_custom_ids),
            )
