"""A batch's output and error files, read into one outcome per custom_id.

OpenAI writes `{"id", "custom_id", "response": {"status_code", "request_id", "body"},
"error"}` per line: a 2xx answer in the output file, an HTTP error in the error file,
and a line that never ran (expired, cancelled) with `"response": null` and an `error`
code. Other servers bend this (OGX writes `body` as a JSON string, and a failed line with
no `response` and `{"type": "request_failed", "message": "Error code: 400 - ..."}`), so
every field is read defensively; a line that cannot be read counts as unreadable and
its custom_id as unanswered. A custom_id in neither file did not run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.batch_api.provider import chat_completion

# "Error code: 400 - {...}": how the openai SDK words an HTTP error, which OGX copies.
_STATUS_IN_MESSAGE = re.compile(r"\bError code: (\d{3})\b")
MISSING = "missing"


@dataclass(frozen=True)
class Answered:
    """The line ran and the model answered (the answer may still be unusable)."""

    completion: Any  # openai.types.chat.ChatCompletion


@dataclass(frozen=True)
class Refused:
    """The line ran and got an HTTP error: its status and the error body."""

    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Unanswered:
    """The line did not run (expired, cancelled, missing) or failed with no status."""

    code: str
    message: str


Outcome = Answered | Refused | Unanswered


class LineHTTPError(Exception):
    """A result line's HTTP error, shaped like the SDK's APIStatusError (`status_code`,
    the inner error as `body`), so online error handling reads it the same way."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        inner = body.get("error", body)
        self.status_code = status
        self.body: Any = dict(inner) if isinstance(inner, Mapping) else inner
        self.message = f"Error code: {status} - {self.body}"
        self.response = None  # no headers: a Retry-After means nothing in a batch
        super().__init__(self.message)


class ResultIndex:
    """Where each custom_id's line is in a batch's result files on disk (output and error,
    any order, either may be absent), read line by line: memory holds an offset per
    custom_id, and a line is parsed again when its outcome is asked for. A custom_id
    with an answer keeps it over any failure written for it too."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)
        self.unreadable = 0
        # custom_id -> (file number, offset, whether it is an answer)
        self._where: dict[str, tuple[int, int, bool]] = {}
        for number, path in enumerate(self.paths):
            self._index(number, path)

    def _index(self, number: int, path: Path) -> None:
        with path.open("rb") as handle:
            offset = 0
            for raw in handle:
                here, offset = offset, offset + len(raw)
                if not raw.strip():
                    continue
                parsed = _parse_line(raw, build=False)
                if parsed is None:
                    self.unreadable += 1
                    continue
                custom_id, outcome = parsed
                answered = isinstance(outcome, Answered)
                known = self._where.get(custom_id)
                if known is None or (answered and not known[2]):
                    self._where[custom_id] = (number, here, answered)

    def outcome(self, custom_id: str) -> Outcome:
        """The custom_id's outcome (Unanswered "missing" if neither file has it)."""
        where = self._where.get(custom_id)
        if where is None:
            return Unanswered(MISSING, "in neither the output nor the error file")
        number, offset, _ = where
        with self.paths[number].open("rb") as handle:
            handle.seek(offset)
            parsed = _parse_line(handle.readline())
        assert parsed is not None  # it was read once already
        return parsed[1]


def _parse_line(raw: bytes, *, build: bool = True) -> tuple[str, Outcome] | None:
    """A line's custom_id and outcome (an answer's completion left None unless `build`)."""
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("custom_id"), str):
        return None
    custom_id = record["custom_id"]
    response = record.get("response")
    if isinstance(response, dict):
        outcome = _from_response(response, build=build)
        if outcome is not None:
            return custom_id, outcome
    error = record.get("error")
    if isinstance(error, dict):
        return custom_id, _from_error(error)
    return None


def _from_response(response: dict[str, Any], *, build: bool) -> Outcome | None:
    status = response.get("status_code")
    body = response.get("body")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            body = {"error": {"message": body}}
    if not isinstance(body, dict):
        return None
    if not isinstance(status, int):
        status = 200 if "choices" in body else None
    if status is None:
        return None
    if 200 <= status < 300:
        if not isinstance(body.get("choices"), list):
            return Unanswered("unreadable_answer", "a 2xx line whose body is no chat completion")
        return Answered(chat_completion(body) if build else None)
    return Refused(status, body)


def _from_error(error: dict[str, Any]) -> Outcome:
    code = str(error.get("code") or error.get("type") or "error")
    message = str(error.get("message") or "")
    status = _STATUS_IN_MESSAGE.search(message)
    if status is not None:
        return Refused(int(status.group(1)), {"error": {"message": message, "code": code}})
    return Unanswered(code, message)
