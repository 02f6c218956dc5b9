"""Batches: their life on the server's clock, their lines' answers, and the files they leave.

A batch moves validating -> in_progress -> finalizing -> completed, or ends failed (its
input broke a rule), expired (its lines were not all done `expiry_seconds` after its
creation) or cancelled (through cancelling). Nothing runs in the background: every call
first brings each batch up to the clock's time, answering the lines that are due by then
with the server's chat logic, and stamping each change with the time it was due. So a
test that moves a ManualClock sees exactly the states a poller would, without sleeping.

A batch may instead follow a script of statuses: each retrieve shows the next one (see
`BatchBook.script_statuses`).

Output and error files are written when a batch ends, in OpenAI's line format
(BatchRequestOutput): `{"id", "custom_id", "response": {"status_code", "request_id",
"body"}, "error": null}`. Answers with a 2xx status go to the output file, the others to
the error file; lines that never ran (expired, cancelled) go to the error file with
`"response": null` and an `error` code, and count neither as completed nor as failed.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from summarizer.testserver.batch_input import BatchLine, InputProblem, read_batch_input
from summarizer.testserver.config import ServerConfig
from summarizer.testserver.files import FileStore

TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
SUPPORTED_ENDPOINT = "/v1/chat/completions"
# Every endpoint OpenAI's batches accept (openai.types.BatchCreateParams.endpoint).
OPENAI_ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
)
COMPLETION_WINDOW = "24h"
# The limit a scripted "failed" names when the config sets none.
SCRIPTED_TOKEN_LIMIT = 90_000
MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512

# Lines that never ran: OpenAI's code and message for expiry (platform.openai.com/docs/
# guides/batch, "Batch expiration"); the cancelled one follows the same pattern.
UNRUN_ERRORS = {
    "expired": (
        "batch_expired",
        "This request could not be executed before the completion window expired.",
    ),
    "cancelled": ("batch_cancelled", "This request was not executed: the batch was cancelled."),
}

# Which status a scripted batch may show after which.
_SCRIPT_NEXT: dict[str, frozenset[str]] = {
    "validating": frozenset({"validating", "in_progress", "failed", "cancelling"}),
    "in_progress": frozenset({"in_progress", "finalizing", "completed", "expired", "cancelling"}),
    "finalizing": frozenset({"finalizing", "completed"}),
    "cancelling": frozenset({"cancelling", "cancelled"}),
}


@dataclass(frozen=True)
class LineAnswer:
    """What the chat logic answered one line: an HTTP status and its JSON body."""

    status_code: int
    body: dict[str, Any]
    request_id: str


# Answers a line as if it ran at the given time (seconds since the epoch).
LineAnswerer = Callable[[BatchLine, float], LineAnswer]


class BatchRefused(Exception):
    """A Batch API call the server turns down with an HTTP error."""

    def __init__(
        self, status: int, message: str, *, param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code


@dataclass
class Batch:
    """One batch and everything it has done so far."""

    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None
    # The input file as it was when the batch was created.
    content: bytes
    created_at: float
    expires_at: float
    status: str = "validating"
    times: dict[str, float] = field(default_factory=dict)
    errors: list[dict[str, Any]] | None = None
    model: str | None = None
    lines: list[BatchLine] = field(default_factory=list)
    # When each line's answer is due (in_progress only).
    due: list[float] = field(default_factory=list)
    done: int = 0
    completed: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    outputs: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    output_file_id: str | None = None
    error_file_id: str | None = None
    # A scripted batch: the statuses its next retrieves show, and how many are in_progress.
    script: deque[str] | None = None
    script_runs: int = 0
    script_runs_seen: int = 0

    @property
    def prompt_tokens(self) -> int:
        return sum(line.prompt_tokens for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        """OpenAI's Batch object (openai.types.Batch)."""
        stamps = {
            name: _stamp(self.times.get(name))
            for name in (
                "in_progress_at",
                "finalizing_at",
                "completed_at",
                "failed_at",
                "expired_at",
                "cancelling_at",
                "cancelled_at",
            )
        }
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "model": self.model,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": _stamp(self.created_at),
            "expires_at": _stamp(self.expires_at),
            **stamps,
            "request_counts": {
                "total": len(self.lines),
                "completed": self.completed,
                "failed": self.failed,
            },
            "usage": {
                "input_tokens": self.input_tokens,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": self.output_tokens,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": self.input_tokens + self.output_tokens,
            },
            "metadata": self.metadata,
        }


class BatchBook:
    """Every batch of the server: created, advanced on the clock, listed and cancelled.

    Used from the server's event loop only.
    """

    def __init__(self, config: ServerConfig, files: FileStore, answer: LineAnswerer) -> None:
        self._config = config
        self._files = files
        self._answer = answer
        self._batches: dict[str, Batch] = {}
        self._numbers = itertools.count(1)
        self._line_numbers = itertools.count(1)
        self._scripts: deque[list[str]] = deque()
        self._script_steps: dict[str, Callable[[Batch, float], None]] = {
            "in_progress": self._script_in_progress,
            "finalizing": self._script_finalizing,
            "completed": self._script_completed,
            "failed": self._script_failed,
            "expired": self._script_expired,
            "cancelling": self._script_cancelling,
            "cancelled": self._script_cancelled,
        }

    # --- the API ----------------------------------------------------------------------

    def create(
        self,
        *,
        input_file_id: Any,
        endpoint: Any,
        completion_window: Any,
        metadata: Any = None,
    ) -> Batch:
        """A new batch, validating; BatchRefused if the request cannot make one."""
        _check_create(input_file_id, endpoint, completion_window, metadata)
        record = self._files.get(input_file_id)
        if record is None:
            raise BatchRefused(400, f"No such File object: {input_file_id}", param="input_file_id")
        if record.purpose != "batch":
            raise BatchRefused(
                400,
                f"The file {input_file_id} has purpose '{record.purpose}'; "
                "a batch's input file must have purpose 'batch'.",
                param="input_file_id",
            )
        now = self._now()
        self._advance_all(now)
        batch = Batch(
            id=f"batch_test{next(self._numbers):08d}",
            input_file_id=input_file_id,
            endpoint=endpoint,
            completion_window=completion_window,
            metadata=dict(metadata) if metadata is not None else None,
            content=record.content,
            created_at=now,
            expires_at=now + self._config.batch.expiry_seconds,
        )
        if self._scripts:
            statuses = self._scripts.popleft()
            batch.script = deque(statuses)
            batch.script_runs = statuses.count("in_progress")
        self._batches[batch.id] = batch
        return batch

    def get(self, batch_id: str) -> Batch:
        """The batch as it is now (a scripted one takes its next step); KeyError if none."""
        batch = self._batches[batch_id]
        now = self._now()
        self._advance_all(now)
        if batch.script is not None:
            self._take_script_step(batch, now)
        return batch

    def page(self, *, limit: int, after: str | None) -> tuple[list[Batch], bool]:
        """Up to `limit` batches, newest first, after the batch `after`; and whether more."""
        self._advance_all(self._now())
        newest_first = list(self._batches.values())[::-1]
        if after is not None:
            ids = [batch.id for batch in newest_first]
            if after not in ids:
                raise BatchRefused(400, f"No batch found with id '{after}'.", param="after")
            newest_first = newest_first[ids.index(after) + 1 :]
        return newest_first[:limit], len(newest_first) > limit

    def cancel(self, batch_id: str) -> Batch:
        """Start cancelling the batch (KeyError if none; BatchRefused once it has ended)."""
        batch = self._batches[batch_id]
        now = self._now()
        self._advance_all(now)
        if batch.status in ("cancelling", "cancelled"):
            return batch
        if batch.status not in ("validating", "in_progress"):
            raise BatchRefused(409, f"Cannot cancel a batch with status '{batch.status}'.")
        batch.script = None
        self._cancel(batch, now)
        return batch

    def script_statuses(self, statuses: Iterable[str]) -> None:
        """Make the next batch created show `statuses`, one per retrieve, then stay.

        The path starts from validating and must follow the real life cycle (ValueError
        otherwise). Lines are answered as the script goes: the k-th in_progress of m shows
        k/(m+1) of them done; finalizing or completed does the rest; expired and cancelled
        leave the rest unrun. A failed after validating fails as OpenAI does when a
        model's enqueued-token limit is reached; an input file that breaks a rule fails
        the batch at its first in_progress whatever the script says.
        """
        checked = list(statuses)
        previous = "validating"
        for status in checked:
            if status not in _SCRIPT_NEXT.get(previous, frozenset()):
                raise ValueError(f"a batch cannot go from {previous!r} to {status!r}")
            previous = status
        self._scripts.append(checked)

    def forget_scripts(self) -> None:
        """Drop the scripts not yet taken by a batch."""
        self._scripts.clear()

    # --- the clock --------------------------------------------------------------------

    def _now(self) -> float:
        return self._config.clock()

    def _advance_all(self, now: float) -> None:
        for batch in self._batches.values():
            if batch.script is None:
                self._advance(batch, now)

    def _advance(self, batch: Batch, now: float) -> None:
        """Do what the batch had to do by `now`, stamping each change with its due time."""
        timing = self._config.batch
        while batch.status not in TERMINAL:
            if batch.status == "validating":
                due = min(batch.created_at + timing.validation_seconds, batch.expires_at)
                if now < due:
                    return
                self._validate(batch, due)
            elif batch.status == "in_progress":
                self._run(batch, until=min(now, batch.expires_at))
                if batch.done == len(batch.lines):
                    self._set(batch, "finalizing", batch.due[-1])
                elif now >= batch.expires_at:
                    self._end(batch, "expired", batch.expires_at)
                else:
                    return
            elif batch.status == "finalizing":
                due = batch.times["finalizing_at"] + timing.finalizing_seconds
                if now < due:
                    return
                self._end(batch, "completed", due)
            else:  # cancelling
                due = batch.times["cancelling_at"] + timing.cancelling_seconds
                if now < due:
                    return
                self._end(batch, "cancelled", due)

    def _validate(self, batch: Batch, at: float) -> None:
        lines, problems = read_batch_input(
            batch.content, endpoint=batch.endpoint, max_requests=self._config.batch.max_requests
        )
        if not problems:
            batch.model = next((line.model for line in lines if line.model), None)
            problems = self._over_enqueued_limit(batch.model, lines)
        if problems:
            batch.errors = [problem.to_dict() for problem in problems]
            self._set(batch, "failed", at)
            return
        batch.lines = lines
        self._start(batch, at)

    def _over_enqueued_limit(self, model: str | None, lines: list[BatchLine]) -> list[InputProblem]:
        """OpenAI's token_limit_exceeded when the model's running batches hold too much."""
        limit = self._config.batch.enqueued_token_limit
        if limit is None:
            return []
        enqueued = sum(
            other.prompt_tokens
            for other in self._batches.values()
            if other.model == model and other.status in ("in_progress", "finalizing")
        )
        if enqueued + sum(line.prompt_tokens for line in lines) <= limit:
            return []
        return [_token_limit_problem(model, limit)]

    def _start(self, batch: Batch, at: float) -> None:
        timing = self._config.batch
        count = len(batch.lines)
        duration = timing.seconds + timing.seconds_per_request * count
        batch.due = [at + duration * (index + 1) / count for index in range(count)]
        self._set(batch, "in_progress", at)

    def _run(
        self,
        batch: Batch,
        *,
        until: float | None = None,
        stop: int | None = None,
        at: float | None = None,
    ) -> None:
        """Answer the lines due by `until` (or up to index `stop`, all at time `at`)."""
        end = len(batch.lines) if stop is None else stop
        while batch.done < end and (until is None or batch.due[batch.done] <= until):
            line = batch.lines[batch.done]
            answer = self._answer(line, batch.due[batch.done] if at is None else at)
            record = {
                "id": f"batch_req_test{next(self._line_numbers):08d}",
                "custom_id": line.custom_id,
                "response": {
                    "status_code": answer.status_code,
                    "request_id": answer.request_id,
                    "body": answer.body,
                },
                "error": None,
            }
            if 200 <= answer.status_code < 300:
                batch.outputs.append(record)
                batch.completed += 1
                usage = answer.body.get("usage") or {}
                batch.input_tokens += int(usage.get("prompt_tokens", 0))
                batch.output_tokens += int(usage.get("completion_tokens", 0))
            else:
                batch.failures.append(record)
                batch.failed += 1
            batch.done += 1

    def _cancel(self, batch: Batch, at: float) -> None:
        if batch.status == "validating":
            # Nothing ran; its lines (those readable) are reported as not executed.
            batch.lines, _ = read_batch_input(
                batch.content, endpoint=batch.endpoint, max_requests=len(batch.content) + 1
            )
            batch.due = [at] * len(batch.lines)
        self._set(batch, "cancelling", at)

    def _end(self, batch: Batch, status: str, at: float) -> None:
        """Finish the batch: write its output and error files, and stamp `status`."""
        unrun: list[dict[str, Any]] = []
        if status in UNRUN_ERRORS:
            code, message = UNRUN_ERRORS[status]
            unrun = [
                {
                    "id": f"batch_req_test{next(self._line_numbers):08d}",
                    "custom_id": line.custom_id,
                    "response": None,
                    "error": {"code": code, "message": message},
                }
                for line in batch.lines[batch.done :]
            ]
        outputs, errors = list(batch.outputs), batch.failures + unrun
        if self._config.batch.shuffle_output:
            rng = random.Random(f"{self._config.seed}-{batch.id}")
            rng.shuffle(outputs)
            rng.shuffle(errors)
        batch.output_file_id = self._write(batch, "output", outputs, at)
        batch.error_file_id = self._write(batch, "error", errors, at)
        self._set(batch, status, at)

    def _write(
        self, batch: Batch, kind: str, records: list[dict[str, Any]], at: float
    ) -> str | None:
        if not records:
            return None
        content = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        stored = self._files.add(
            filename=f"{batch.id}_{kind}.jsonl",
            purpose="batch_output",
            content=content.encode("utf-8"),
            created_at=int(at),
        )
        return stored.id

    @staticmethod
    def _set(batch: Batch, status: str, at: float) -> None:
        batch.status = status
        batch.times[f"{status}_at"] = at

    # --- scripts ----------------------------------------------------------------------

    def _take_script_step(self, batch: Batch, now: float) -> None:
        if not batch.script or batch.status in TERMINAL:
            return
        status = batch.script.popleft()
        if status == batch.status and status != "in_progress":
            return
        if batch.status == "validating" and status == "in_progress":
            self._validate(batch, now)
            if batch.status == "failed":
                batch.script.clear()
                return
        self._script_steps[status](batch, now)

    def _script_in_progress(self, batch: Batch, now: float) -> None:
        batch.script_runs_seen += 1
        share = batch.script_runs_seen / (batch.script_runs + 1)
        self._run(batch, stop=math.floor(len(batch.lines) * share), at=now)

    def _script_finalizing(self, batch: Batch, now: float) -> None:
        self._run(batch, at=now)
        self._set(batch, "finalizing", now)

    def _script_completed(self, batch: Batch, now: float) -> None:
        self._run(batch, at=now)
        batch.times.setdefault("finalizing_at", now)
        self._end(batch, "completed", now)

    def _script_failed(self, batch: Batch, now: float) -> None:
        lines, _ = read_batch_input(batch.content, endpoint=batch.endpoint, max_requests=1)
        batch.model = next((line.model for line in lines if line.model), None)
        limit = self._config.batch.enqueued_token_limit or SCRIPTED_TOKEN_LIMIT
        batch.errors = [_token_limit_problem(batch.model, limit).to_dict()]
        self._set(batch, "failed", now)

    def _script_expired(self, batch: Batch, now: float) -> None:
        self._end(batch, "expired", now)

    def _script_cancelling(self, batch: Batch, now: float) -> None:
        self._cancel(batch, now)

    def _script_cancelled(self, batch: Batch, now: float) -> None:
        self._end(batch, "cancelled", now)


def _token_limit_problem(model: str | None, limit: int) -> InputProblem:
    """OpenAI's words (seen in openai/openai-python#2084), for the test organization."""
    return InputProblem(
        "token_limit_exceeded",
        f"Enqueued token limit reached for {model or 'this model'} in organization "
        f"org-test. Limit: {limit:,} enqueued tokens. Please try again once some "
        "in_progress batches have been completed.",
    )


def _check_create(input_file_id: Any, endpoint: Any, window: Any, metadata: Any) -> None:
    for name, value in (
        ("input_file_id", input_file_id),
        ("endpoint", endpoint),
        ("completion_window", window),
    ):
        if value is None:
            raise BatchRefused(400, f"Missing required parameter: '{name}'.", param=name)
        if not isinstance(value, str):
            raise BatchRefused(400, f"Invalid type for '{name}': expected a string.", param=name)
    if endpoint not in OPENAI_ENDPOINTS:
        raise BatchRefused(
            400,
            f"Invalid value: '{endpoint}'. Supported values are: "
            + ", ".join(f"'{name}'" for name in OPENAI_ENDPOINTS)
            + ".",
            param="endpoint",
            code="invalid_value",
        )
    if endpoint != SUPPORTED_ENDPOINT:
        raise BatchRefused(
            400,
            f"The test server runs only {SUPPORTED_ENDPOINT} batches, not {endpoint}.",
            param="endpoint",
        )
    if window != COMPLETION_WINDOW:
        raise BatchRefused(
            400,
            f"Invalid value: '{window}'. Supported values are: '{COMPLETION_WINDOW}'.",
            param="completion_window",
            code="invalid_value",
        )
    _check_metadata(metadata)


def _check_metadata(metadata: Any) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise BatchRefused(
            400, "Invalid type for 'metadata': expected an object.", param="metadata"
        )
    if len(metadata) > MAX_METADATA_PAIRS:
        raise BatchRefused(
            400,
            f"Invalid 'metadata': too many properties. Expected at most {MAX_METADATA_PAIRS}, "
            f"but got {len(metadata)} instead.",
            param="metadata",
        )
    for key, value in metadata.items():
        if len(key) > MAX_METADATA_KEY:
            raise BatchRefused(
                400,
                f"Invalid 'metadata': key '{key[:20]}...' is longer than {MAX_METADATA_KEY}.",
                param="metadata",
            )
        if not isinstance(value, str) or len(value) > MAX_METADATA_VALUE:
            raise BatchRefused(
                400,
                f"Invalid 'metadata.{key}': expected a string of at most "
                f"{MAX_METADATA_VALUE} characters.",
                param=f"metadata.{key}",
            )


def _stamp(moment: float | None) -> int | None:
    return None if moment is None else int(moment)
