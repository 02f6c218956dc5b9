"""Inputs named by reference instead of by file: `arxiv:ID`, `arxiv:FILE` (a file of
ids, one per line) and `hf-daily:YYYY-MM-DD`.

Every arXiv id of one read is fetched together, in as few requests as the batch size
allows, before the first arXiv input is read; inputs keep their argument order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from summarizer.errors import FetchError, InputError
from summarizer.papers import identifiers as ids
from summarizer.papers.model import BAD_RECORD, FileReading, Record, Skipped
from summarizer.papers.remote.arxiv import arxiv_api, fetch_arxiv
from summarizer.papers.remote.hf_daily import fetch_hf_daily, hf_daily_api
from summarizer.papers.remote.http import Fetcher
from summarizer.papers.text import decode_text

ARXIV = "arxiv"
HF_DAILY = "hf-daily"
ARXIV_COLLECTION = "arXiv"


@dataclass(frozen=True)
class Reference:
    """One `scheme:value` argument."""

    raw: str
    scheme: str
    value: str


@dataclass(frozen=True)
class RemoteInput:
    """What one reference read: its name in Source.file, its collection, its records."""

    name: str
    collection: str
    reading: FileReading


def parse_reference(raw: str) -> Reference | None:
    """The reference an argument names (`arxiv:...`, `hf-daily:...`), or None for a path."""
    scheme, separator, value = raw.partition(":")
    if separator and scheme.lower() in (ARXIV, HF_DAILY) and value.strip():
        return Reference(raw, scheme.lower(), value.strip())
    return None


@dataclass(frozen=True)
class _IdLine:
    where: str
    arxiv_id: str | None  # None: the line is not an id


def _id_lines(reference: Reference) -> list[_IdLine]:
    """The ids an `arxiv:` reference names: one id, or each line of a file of ids."""
    single = ids.normalize_arxiv_id(reference.value)
    if single is not None:
        return [_IdLine(reference.raw, single)]
    path = Path(reference.value)
    if not path.is_file():
        raise InputError(
            reference.raw,
            "neither an arXiv id nor a file of ids",
            hint="write arxiv:2401.01234, or arxiv:FILE with one id per line",
        )
    try:
        text = decode_text(path.read_bytes(), reference.value)
    except OSError as exc:
        raise InputError(reference.value, f"cannot read ({exc.strerror})") from None
    lines: list[_IdLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            lines.append(_IdLine(f"{reference.value}:{number}", ids.normalize_arxiv_id(entry)))
    if not lines:
        raise InputError(reference.value, "no arXiv ids in the file")
    return lines


class RemoteInputs:
    """The references of one read, fetched through one Fetcher."""

    def __init__(self, references: Sequence[Reference], fetcher: Fetcher) -> None:
        self._references = list(references)
        self._fetcher = fetcher
        self._arxiv: dict[str, Record] | None = None
        self._arxiv_error: FetchError | None = None

    def _fetch_every_arxiv_id(self) -> None:
        wanted: list[str] = []
        for reference in self._references:
            if reference.scheme == ARXIV:
                try:
                    wanted += [line.arxiv_id for line in _id_lines(reference) if line.arxiv_id]
                except InputError:
                    continue  # reported when that reference is read
        try:
            self._arxiv = fetch_arxiv(wanted, self._fetcher, arxiv_api()) if wanted else {}
        except FetchError as error:
            self._arxiv, self._arxiv_error = {}, error

    def _read_arxiv(self, reference: Reference) -> FileReading:
        lines = _id_lines(reference)
        if self._arxiv is None:
            self._fetch_every_arxiv_id()
        if self._arxiv_error is not None:
            error = self._arxiv_error
            raise InputError(reference.raw, error.message, hint=error.hint)
        found = self._arxiv or {}
        reads: list[Record | Skipped] = []
        for line in lines:
            if line.arxiv_id is None:
                reads.append(Skipped(line.where, "not an arXiv id", BAD_RECORD))
            elif line.arxiv_id in found:
                reads.append(found[line.arxiv_id])
            else:
                reads.append(Skipped(line.where, f"{line.arxiv_id} not found on arXiv"))
        reading = FileReading.of(reads)
        if len(lines) == 1 and not reading.records:
            raise reading.skipped[0].as_error()
        return reading

    def _read_hf_daily(self, reference: Reference) -> FileReading:
        try:
            day = date.fromisoformat(reference.value)
        except ValueError:
            raise InputError(
                reference.raw, "not a date", hint="write hf-daily:YYYY-MM-DD"
            ) from None
        try:
            return fetch_hf_daily(day, self._fetcher, hf_daily_api(), reference.raw)
        except FetchError as error:
            raise InputError(reference.raw, error.message, hint=error.hint) from None

    def read(self, reference: Reference) -> RemoteInput:
        """The papers one reference names; an InputError when it yields none."""
        if reference.scheme == ARXIV:
            name = (
                reference.raw
                if ids.normalize_arxiv_id(reference.value)
                else (f"{ARXIV}:{Path(reference.value).name}")
            )
            return RemoteInput(name, ARXIV_COLLECTION, self._read_arxiv(reference))
        collection = f"Hugging Face daily papers, {reference.value}"
        return RemoteInput(reference.raw, collection, self._read_hf_daily(reference))
