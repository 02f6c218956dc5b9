"""Read every paper of some inputs: files, folders, `-` (stdin) and references.

Each input is read by its format (formats.py); its records become Papers with their
Source filled; duplicates across every input are marked; unreadable inputs and skipped
entries are collected, so one bad input or record never stops the others.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from summarizer.errors import InputError
from summarizer.papers.formats import FORMATS, Format, format_for_suffix, sniff_format, suffix_list
from summarizer.papers.identifiers import best_url
from summarizer.papers.identity import DuplicateMarker, paper_id_for
from summarizer.papers.model import BAD_RECORD, FileReading, Paper, ReadResult, Record, Skipped
from summarizer.papers.quality import quality_warnings
from summarizer.papers.remote.http import Fetcher
from summarizer.papers.remote.references import Reference, RemoteInputs, parse_reference
from summarizer.papers.text import (
    check_looks_like_text,
    decode_text,
    empty_file_error,
    not_utf8_error,
)
from summarizer.source import Source

STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class _Input:
    """One input read: its name in Source.file, where its problems point, its records."""

    name: str
    where: str
    collection: str | None
    reading: FileReading


def read_text(text: str, name: str, suffix: str = ".txt") -> FileReading:
    """The records of one input's text, read by the format its suffix names."""
    found = format_for_suffix(suffix)
    if found is None:
        raise _unknown_format(name, suffix)
    return found.read(text, name)


def _unknown_format(name: str, suffix: str) -> InputError:
    what = f"an unknown file type ({suffix})" if suffix else "no file extension to tell its format"
    return InputError(name, what, hint=f"give {suffix_list()} files (see docs/inputs.md)")


# --- paths ----------------------------------------------------------------------------


def _folder_files(folder: Path, raw: str) -> list[str]:
    """A folder's readable files, sorted by name; hidden files (".DS_Store", "._x") skipped."""
    try:
        children = list(folder.iterdir())
    except OSError as exc:
        raise InputError(raw, f"cannot list this folder ({exc.strerror})") from None
    found = sorted(
        str(child)
        for child in children
        if child.suffix.lower() in FORMATS and not child.name.startswith(".") and child.is_file()
    )
    if not found:
        raise InputError(
            raw, f"no {suffix_list()} files in this folder", hint="give files or a folder"
        )
    return found


def _files_of(raw: str) -> list[str]:
    """The files one path argument names, or an InputError saying why there are none."""
    if raw == STDIN:
        return [STDIN]
    path = Path(raw)
    if path.is_dir():
        return _folder_files(path, raw)
    if path.is_file():
        return [raw]
    if path.exists():
        raise InputError(raw, "not a regular file")
    raise InputError(raw, "no such file or folder")


def expand_paths(paths: Sequence[str]) -> tuple[list[str], list[InputError]]:
    """Files to read, in argument order (a folder's readable files sorted by name)."""
    files: list[str] = []
    problems: list[InputError] = []
    for raw in paths:
        if parse_reference(raw) is not None:
            continue
        try:
            files.extend(_files_of(raw))
        except InputError as problem:
            problems.append(problem)
    return files, problems


def _read_file(path: str, stdin: io.BufferedIOBase | None) -> _Input:
    if path == STDIN:
        text = decode_text((stdin or sys.stdin.buffer).read(), STDIN_NAME)
        return _Input(STDIN_NAME, STDIN_NAME, None, sniff_format(text).read(text, STDIN_NAME))
    suffix = Path(path).suffix
    found: Format | None = format_for_suffix(suffix)
    if found is None:
        raise _unknown_format(path, suffix)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    reading = found.read(decode_text(data, path), path)
    collection = Path(path).stem if found.named_by_file else None
    return _Input(Path(path).name, path, collection, reading)


# --- reading --------------------------------------------------------------------------


def _checked(read: _Input, strict: bool) -> _Input:
    """The input, or an InputError when --strict meets a bad record or nothing was read."""
    bad = [skip for skip in read.reading.skipped if skip.kind == BAD_RECORD]
    if strict and bad:
        raise bad[0].as_error()
    if read.reading.records:
        return read
    skipped = read.reading.skipped
    if bad:
        more = len(skipped) - 1
        tail = f" (and {more} more entries skipped)" if more else ""
        raise InputError(bad[0].where, bad[0].reason + tail, hint=bad[0].hint)
    raise InputError(
        read.where,
        f"none of its {len(skipped)} entries has an abstract" if skipped else "no papers found",
        hint="export the abstracts too (see docs/inputs.md)",
    )


class _CountedLines:
    """A text file's lines, counted as they are read (to place a decoding error)."""

    def __init__(self, handle: TextIO) -> None:
        self._handle = handle
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._handle:
            self.count += 1
            yield line


@contextmanager
def _opened(path: str) -> Iterator[BinaryIO]:
    try:
        handle = Path(path).open("rb")  # noqa: SIM115 (closed below; opening is what may fail)
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    with handle:
        yield handle


# Bytes read to check that a streamed file is text at all before reading it line by line.
_HEAD_BYTES = 65_536


def _stream_file(path: str, found: Format, strict: bool) -> Iterator[Paper | Skipped]:
    """A reading list read one record at a time (constant memory), as papers and skipped
    entries; InputError as `_checked` raises it for a whole file."""
    assert found.stream is not None
    name = Path(path).name
    collection = Path(path).stem if found.named_by_file else None
    with _opened(path) as binary:
        head = binary.read(_HEAD_BYTES)
        check_looks_like_text(head, path)
        if len(head) < _HEAD_BYTES and not head.strip():
            raise empty_file_error(path)
        binary.seek(0)
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline=found.newline)
        lines = _CountedLines(text)
        records = 0
        # Entries skipped before the first paper wait: a file of nothing but bad records
        # is one error (as when a whole file is read), not a list of skips.
        waiting: list[Skipped] = []
        try:
            for read in found.stream(lines, path):
                if isinstance(read, Skipped):
                    if strict and read.kind == BAD_RECORD:
                        raise read.as_error()
                    if records:
                        yield read
                    else:
                        waiting.append(read)
                    continue
                if not records:
                    yield from waiting
                    waiting = []
                yield _paper(read, records, name, collection)
                records += 1
        except UnicodeDecodeError as exc:
            raise not_utf8_error(path, exc.object[exc.start], lines.count + 1) from None
        if not records:
            _checked(_Input(name, path, collection, FileReading([], waiting)), strict)


def _items_of(read: _Input, strict: bool) -> Iterator[Paper | Skipped]:
    """The papers and skipped entries of an input read whole."""
    checked = _checked(read, strict)
    for index, record in enumerate(checked.reading.records):
        yield _paper(record, index, checked.name, checked.collection)
    yield from checked.reading.skipped


def _items_of_argument(
    raw: str, stdin: io.BufferedIOBase | None, remote: RemoteInputs | None, strict: bool
) -> Iterator[Paper | Skipped | InputError]:
    """The papers, skipped entries and failed inputs of one argument, in order."""
    reference = parse_reference(raw)
    if reference is not None and remote is not None:
        try:
            got = remote.read(reference)
            yield from _items_of(_Input(got.name, raw, got.collection, got.reading), strict)
        except InputError as problem:
            yield problem
        return
    try:
        files = _files_of(raw)
    except InputError as problem:
        yield problem
        return
    for path in files:
        try:
            found = format_for_suffix(Path(path).suffix) if path != STDIN else None
            if found is not None and found.stream is not None:
                yield from _stream_file(path, found, strict)
            else:
                yield from _items_of(_read_file(path, stdin), strict)
        except InputError as problem:
            yield problem


def _paper(record: Record, index: int, name: str, collection: str | None) -> Paper:
    return Paper(
        paper_id=paper_id_for(record.title),
        title=record.title,
        abstract=record.abstract,
        source=Source(
            file=name,
            index=index,
            url=best_url(record.url, record.arxiv_id, record.doi),
            doi=record.doi,
            arxiv_id=record.arxiv_id,
            authors=record.authors,
            year=record.year,
            collection=collection,
        ),
        warnings=quality_warnings(record.title, record.abstract),
        metadata=record.metadata,
    )


def _default_fetch_cache(cache_dir: str | Path | None) -> Path:
    from summarizer.settings import cache_dir_setting

    return cache_dir_setting(cache_dir) / "fetch"


def iter_read(
    paths: Sequence[str],
    *,
    strict: bool = False,
    stdin: io.BufferedIOBase | None = None,
    cache_dir: str | Path | None = None,
) -> Iterator[Paper | Skipped | InputError]:
    """Read the given files, folders, `-` (stdin) and references one item at a time:
    papers (duplicates of earlier ones marked), entries that became no paper, and inputs
    that could not be read (raised instead with `strict=True`).

    JSONL and CSV files are read record by record, so a reading list of any length takes
    constant memory; of the papers only a short hash per identity is kept (duplicates).
    """
    references: list[Reference] = [ref for ref in map(parse_reference, paths) if ref]
    fetcher = Fetcher(_default_fetch_cache(cache_dir)) if references else None
    remote = RemoteInputs(references, fetcher) if fetcher is not None else None
    marker = DuplicateMarker()
    try:
        for raw in paths:
            for item in _items_of_argument(raw, stdin, remote, strict):
                if isinstance(item, InputError) and strict:
                    raise item
                yield marker.mark(item) if isinstance(item, Paper) else item
    finally:
        if fetcher is not None:
            fetcher.close()


def read_papers(
    paths: Sequence[str],
    *,
    strict: bool = False,
    stdin: io.BufferedIOBase | None = None,
    cache_dir: str | Path | None = None,
) -> ReadResult:
    """Read every paper of the given files, folders, `-` (stdin) and references
    (`arxiv:ID`, `arxiv:FILE`, `hf-daily:YYYY-MM-DD`), in input order.

    A bad input is collected in `problems` (in argument order) and the others are still
    read; entries that became no paper (no abstract, a bad record) are in `skipped`.
    With `strict=True` the first bad input or bad record raises its InputError instead.
    Fetched answers are cached in `cache_dir`/fetch (default: the summarizer cache).
    """
    papers: list[Paper] = []
    problems: list[InputError] = []
    skipped: list[Skipped] = []
    for item in iter_read(paths, strict=strict, stdin=stdin, cache_dir=cache_dir):
        if isinstance(item, Paper):
            papers.append(item)
        elif isinstance(item, Skipped):
            skipped.append(item)
        else:
            problems.append(item)
    return ReadResult(papers=papers, problems=problems, skipped=skipped)
