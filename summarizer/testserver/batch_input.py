"""Reading a batch input file: one request per JSONL line, or the errors that fail the batch.

Each line is `{"custom_id": ..., "method": "POST", "url": <the batch's endpoint>,
"body": {...}}` (OpenAI's BatchRequestInput); custom_ids are unique and every body names
the same model. A file that breaks any rule fails its batch with OpenAI's `errors` list,
one `{"code", "message", "param", "line"}` per problem (line numbers count from 1).
Blank lines are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from summarizer.testserver.chat import estimate_tokens

# A batch object carries at most this many errors; the rest are dropped.
MAX_REPORTED_ERRORS = 100
_FIELDS = ("custom_id", "method", "url", "body")


@dataclass(frozen=True)
class BatchLine:
    """One request of a batch, as the input file gave it."""

    number: int
    custom_id: str
    body: dict[str, Any]
    # The body's JSON length, from which its prompt tokens are estimated.
    size: int

    @property
    def prompt_tokens(self) -> int:
        return estimate_tokens(self.size)

    @property
    def model(self) -> str | None:
        model = self.body.get("model")
        return model if isinstance(model, str) else None


@dataclass
class InputProblem(Exception):
    """A reason the whole input file is refused: one BatchError."""

    code: str
    message: str
    param: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "param": self.param, "line": self.line}


def read_batch_input(
    content: bytes, *, endpoint: str, max_requests: int
) -> tuple[list[BatchLine], list[InputProblem]]:
    """The requests of an input file, and every problem found in it (none: it is valid)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return [], [InputProblem("invalid_file_format", "The file is not UTF-8 text.")]
    lines: list[BatchLine] = []
    problems: list[InputProblem] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = _read_line(raw, number, endpoint)
        except InputProblem as problem:
            problems.append(problem)
            continue
        if line.custom_id in seen:
            problems.append(
                InputProblem(
                    "duplicate_custom_id",
                    f"The custom_id '{line.custom_id}' appears more than once in the file; "
                    "each request needs its own.",
                    "custom_id",
                    number,
                )
            )
            continue
        seen.add(line.custom_id)
        lines.append(line)
    problems.extend(_file_problems(lines, problems, max_requests))
    return lines, problems[:MAX_REPORTED_ERRORS]


def _read_line(raw: str, number: int, endpoint: str) -> BatchLine:
    try:
        item = json.loads(raw)
    except ValueError:
        item = None
    if not isinstance(item, dict):
        raise InputProblem(
            "invalid_json_line", "This line is not parseable as valid JSON.", None, number
        )
    for name in _FIELDS:
        if name not in item:
            raise InputProblem(
                "missing_required_parameter",
                f"Missing required parameter: '{name}'.",
                name,
                number,
            )
    custom_id, method, url, body = (item[name] for name in _FIELDS)
    if not isinstance(custom_id, str) or not custom_id:
        raise InputProblem(
            "invalid_type", "'custom_id' must be a non-empty string.", "custom_id", number
        )
    if method != "POST":
        raise InputProblem(
            "invalid_value",
            f"Invalid method {method!r}: only 'POST' is supported.",
            "method",
            number,
        )
    if url != endpoint:
        raise InputProblem(
            "url_mismatch",
            f"The url {url!r} does not match the batch's endpoint {endpoint!r}.",
            "url",
            number,
        )
    if not isinstance(body, dict):
        raise InputProblem("invalid_type", "'body' must be a JSON object.", "body", number)
    # Measured as the SDK sends a body (compact JSON), so tokens match the online estimate.
    size = len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return BatchLine(number=number, custom_id=custom_id, body=body, size=size)


def _file_problems(
    lines: list[BatchLine], problems: list[InputProblem], max_requests: int
) -> list[InputProblem]:
    """What is wrong with the file as a whole: empty, too long, or several models."""
    if not lines and not problems:
        return [InputProblem("empty_file", "The input file has no requests.")]
    found: list[InputProblem] = []
    if len(lines) > max_requests:
        found.append(
            InputProblem(
                "too_many_tasks",
                f"The input file has {len(lines)} requests; a batch may hold at most "
                f"{max_requests}.",
            )
        )
    models = [line.model for line in lines if line.model is not None]
    for line in lines:
        if line.model is not None and line.model != models[0]:
            found.append(
                InputProblem(
                    "mismatched_model",
                    f"The model {line.model!r} differs from {models[0]!r}: every request of "
                    "a batch must use the same model.",
                    "body.model",
                    line.number,
                )
            )
    return found
