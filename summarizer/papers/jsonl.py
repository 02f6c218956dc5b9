"""JSONL reading lists: one JSON object per line with title and abstract fields."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from summarizer.errors import InputError
from summarizer.papers.model import FileReading, Record, Skipped
from summarizer.papers.rows import record_from_row


def _no_json_constant(constant: str) -> None:
    # NaN and Infinity are not JSON; Python accepts them but could not write them back.
    return None


def _parse_line(line: str, where: str) -> Record | Skipped:
    try:
        row = json.loads(line, parse_constant=_no_json_constant)
    except json.JSONDecodeError as exc:
        return Skipped(where, f"not valid JSON ({exc.msg})")
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return Skipped(where, f"not valid JSON ({reason})")
    if not isinstance(row, dict):
        return Skipped(where, "each line must be a JSON object")
    return record_from_row(row, where)


def stream_jsonl(lines: Iterable[str], name: str) -> Iterator[Record | Skipped]:
    """Each non-blank line's record, or why it is skipped (named file:line), one at a
    time: a reading list of any length is read in constant memory."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield _parse_line(line, f"{name}:{number}")


def read_jsonl(text: str, name: str) -> FileReading:
    """Every line's record; a bad line is skipped (named file:line) and the rest read."""
    # Only "\n" ends a JSONL line: U+2028 and friends may sit inside JSON strings.
    reads = list(stream_jsonl(text.split("\n"), name))
    if not reads:
        raise InputError(name, "no records in the file")
    return FileReading.of(reads)
