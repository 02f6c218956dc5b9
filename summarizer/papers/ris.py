"""RIS reading lists (.ris), as Zotero, Mendeley, EndNote and Paperpile export them.

The file is cut into records here ("TY  -" to "ER  -"), so each bad record is named by
its line and skipped; each record's tags are read by rispy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from summarizer.errors import InputError
from summarizer.papers import identifiers as ids
from summarizer.papers.model import NO_ABSTRACT, FileReading, Record, Skipped

_OUTSIDE = "text outside a record"
_UNCLOSED = "record not closed by 'ER  -'"
_RECORD_HINT = "a RIS record starts with 'TY  - ' and ends with 'ER  - '"
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: |$)")
# rispy's names for the tags that may say "arXiv:2401.01234" in free text
# (N1 notes, M1/M3 misc, AN accession number, T2/JO the "journal").
_ARXIV_TEXT_KEYS = (
    "notes",
    "note",
    "type_of_work",
    "accession_number",
    "secondary_title",
    "journal_name",
)


def _chunks(text: str, name: str) -> Iterator[tuple[int, list[str]] | Skipped]:
    """(first line number, lines) of each record, or a Skipped for what is not one."""
    record: list[str] = []
    start = 0
    stray_at: int | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        tag = _TAG.match(line)
        if tag and tag.group(1) == "TY":
            if record:
                yield Skipped(f"{name}:{start}", f"{_UNCLOSED} before the next 'TY'")
            record, start, stray_at = [line], number, None
        elif record:
            record.append(line)
            if tag and tag.group(1) == "ER":
                yield start, record
                record = []
        elif line.strip() and stray_at is None:
            stray_at = number
            yield Skipped(f"{name}:{number}", _OUTSIDE, hint=_RECORD_HINT)
    if record:
        yield Skipped(f"{name}:{start}", f"{_UNCLOSED} at the end of the file")


def _first(fields: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = fields.get(key)
        if isinstance(value, list):
            value = next((item for item in value if isinstance(item, str) and item.strip()), None)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _record(fields: dict[str, Any], where: str) -> Record | Skipped:
    title = _first(fields, "title", "primary_title", "translated_title", "short_title")
    if not title:
        return Skipped(where, "record has no title (TI or T1)")
    abstract = _first(fields, "abstract", "notes_abstract")
    if not abstract:
        return Skipped(where, "no abstract", kind=NO_ABSTRACT, title=title)
    urls = [url for url in map(ids.web_url, fields.get("urls") or []) if url]
    doi = ids.normalize_doi(_first(fields, "doi"))
    authors = [*(fields.get("authors") or []), *(fields.get("first_authors") or [])]
    return Record(
        title=title,
        abstract=abstract,
        metadata={
            key: value
            for key, value in (
                ("type", _first(fields, "type_of_reference")),
                ("venue", _first(fields, "secondary_title", "journal_name", "alternate_title3")),
            )
            if value
        },
        url=urls[0] if urls else None,
        doi=doi,
        arxiv_id=ids.find_arxiv_id([*urls, doi], [fields.get(key) for key in _ARXIV_TEXT_KEYS]),
        authors=ids.clean_authors(authors),
        year=ids.year_from(_first(fields, "year", "publication_year", "date")),
    )


def read_ris(text: str, name: str) -> FileReading:
    """Every record's Record, in file order; bad records and ones without abstract skipped."""
    from rispy import RisParser

    parser = RisParser()
    reads: list[Record | Skipped] = []
    for chunk in _chunks(text, name):
        if isinstance(chunk, Skipped):
            reads.append(chunk)
            continue
        start, lines = chunk
        where = f"{name}:{start}"
        try:
            [fields] = parser.parse_lines(iter(lines))
        except Exception as exc:  # rispy's errors are not part of its API
            reads.append(Skipped(where, f"not a valid RIS record ({exc})"))
            continue
        reads.append(_record(fields, where))
    if all(isinstance(read, Skipped) and read.reason == _OUTSIDE for read in reads):
        raise InputError(name, "no RIS records in the file", hint=_RECORD_HINT)
    return FileReading.of(reads)
