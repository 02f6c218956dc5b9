"""Read inputs into Paper records: daily-paper page dumps, JSONL and CSV reading lists.

A dump is the text of a daily-papers page: titles and abstracts, one per line, either
separated by blank lines or consecutive, mixed with the page's boilerplate. The reader
never raises on odd text: it returns what it can and flags doubtful records.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.errors import InputError

READABLE_SUFFIXES = (".txt", ".jsonl", ".csv")
STDIN = "-"

# Warning codes a paper can carry.
NOT_ABSTRACT = "not_abstract"
STARTS_MID_SENTENCE = "starts_mid_sentence"
TRUNCATED = "truncated"


@dataclass(frozen=True)
class Source:
    """Where a paper came from: the file's name and its position among that file's papers."""

    file: str
    index: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "index": self.index}


@dataclass(frozen=True)
class Paper:
    """One paper as read from an input: the unit every engine summarizes."""

    paper_id: str
    title: str
    abstract: str
    source: Source
    warnings: tuple[str, ...] = ()
    duplicate_of: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "paper_id": self.paper_id,
            "title": self.title,
            "abstract": self.abstract,
            "source": self.source.to_dict(),
            "warnings": list(self.warnings),
            "duplicate_of": self.duplicate_of,
        }
        if self.metadata:
            record["metadata"] = dict(self.metadata)
        return record


@dataclass(frozen=True)
class ReadResult:
    """The papers read from some inputs, and the inputs that could not be read."""

    papers: list[Paper]
    problems: list[InputError]


# --- identity -------------------------------------------------------------------------


def normalize_title(title: str) -> str:
    """The title as compared for duplicates: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"[^\W_]+", text))


def paper_id_for(title: str) -> str:
    """A short, stable, file-name-safe id: a slug of the title's first words plus a hash."""
    normalized = normalize_title(title)
    digest = hashlib.sha256(normalized.encode()).hexdigest()[:8]
    ascii_words = re.findall(r"[a-z0-9]+", normalized.encode("ascii", "ignore").decode())
    slug = ""
    for word in ascii_words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > 24:
            break
        slug = candidate
    return f"{slug}-{digest}" if slug else digest


# --- quality flags --------------------------------------------------------------------

# Line numbers of a PDF's text layer run into the words ("have453 incorrect").
_GLUED_NUMBER = re.compile(r"(?<=[A-Za-z,.;:)\]])(\d{2,4})(?=\s|$)")
_NOT_ABSTRACT_TITLE = re.compile(r"^(appendix|table of contents|contents|references)\b", re.I)
_CONNECTIVE_START = re.compile(
    r"^(however|moreover|furthermore|therefore|thus|hence|additionally|consequently|"
    r"nevertheless|nonetheless|meanwhile|in addition|in contrast|on the other hand|"
    r"and|but|or|yet|also|which|whereas|while this)\b",
    re.I,
)
# Abbreviations that end in a period but do not end a sentence.
_ABBREVIATION_END = re.compile(r"(\b(e\.g|i\.e|i\.i\.d|et al|cf|vs|resp|w\.r\.t|fig|eq)\.)$", re.I)
_SENTENCE_END = re.compile(r"[.!?](?:[\"'\u201d\u2019)\]]*)$")


def _has_line_numbers(text: str, run: int = 3) -> bool:
    """True when numbers glued to words count upwards, as a PDF's line numbers do."""
    numbers = [int(found) for found in _GLUED_NUMBER.findall(text)]
    longest = current = 1
    for previous, number in itertools.pairwise(numbers):
        current = current + 1 if 0 < number - previous <= 3 else 1
        longest = max(longest, current)
    return len(numbers) >= run and longest >= run


def quality_warnings(title: str, abstract: str) -> tuple[str, ...]:
    """Warning codes for text that is not a clean, whole abstract."""
    codes: list[str] = []
    text = abstract.strip()
    if _NOT_ABSTRACT_TITLE.match(title.strip()) or _has_line_numbers(text):
        codes.append(NOT_ABSTRACT)
    first = text[:1]
    if first and (first.islower() or first in ",;:)]" or _CONNECTIVE_START.match(text)):
        codes.append(STARTS_MID_SENTENCE)
    # A closing "Code is at https://..." sentence often lacks a final period.
    last_sentence = text[max(text.rfind(". "), text.rfind("? "), text.rfind("! ")) + 1 :]
    ends_cleanly = bool(_SENTENCE_END.search(text)) or "://" in last_sentence
    if text.endswith(("...", "…")) or not ends_cleanly or _ABBREVIATION_END.search(text):
        codes.append(TRUNCATED)
    return tuple(codes)


# --- page dumps -----------------------------------------------------------------------

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_BOILERPLATE = re.compile(
    r"^(new|subscribe|daily papers|papers|trending|submit|search|"
    r"get trending papers.*|by\s*ak\b.*|"
    rf"{_MONTH}\s+\d{{1,2}}(,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(\s+\d{{4}})?|"
    r"\d{4}-\d{2}-\d{2}|previous|next|load more)$",
    re.I,
)
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=\S)")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z(]")


def _is_boilerplate(line: str) -> bool:
    return bool(_BOILERPLATE.match(line))


def _looks_like_abstract(line: str) -> bool:
    """A body line: long, or several sentences. Titles are short and rarely end in '.'."""
    words = len(line.split())
    if len(line) >= 300 or words >= 45:
        return True
    if words >= 15 and line.endswith((".", "!")) and _SENTENCE_BREAK.search(line):
        return True
    return words >= 25 and line.endswith(".")


def parse_dump(text: str) -> list[tuple[str, str]]:
    """(title, abstract) pairs of a page dump, in page order.

    A title is the last short line before an abstract line; short lines with no abstract
    after them (section headings, stray labels) and abstracts with no title are skipped.
    """
    pairs: list[tuple[str, str]] = []
    pending_title: str | None = None
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line or _is_boilerplate(line):
            continue
        line = _GLUED_SUBSCRIBE.sub("", line)
        if _is_boilerplate(line):
            continue
        if _looks_like_abstract(line):
            if pending_title is not None:
                pairs.append((pending_title, line))
                pending_title = None
        else:
            pending_title = line
    return pairs


# --- decoding -------------------------------------------------------------------------


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text of a file's bytes, or an InputError saying why it is not text."""
    if not data.strip():
        raise InputError(name, "the file is empty", hint="give a file with papers in it")
    if b"\x00" in data:
        raise InputError(name, "binary file, not text", hint="give a .txt, .jsonl or .csv file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            name,
            f"not UTF-8 text (bad byte at offset {exc.start})",
            hint="convert it to UTF-8, e.g. iconv -t UTF-8",
        ) from None


# --- record readers -------------------------------------------------------------------

RawRecord = tuple[str, str, dict[str, Any]]  # title, abstract, metadata


def _records_from_dump(text: str, name: str) -> list[RawRecord]:
    pairs = parse_dump(text)
    if not pairs:
        raise InputError(
            name,
            "no papers found (only page boilerplate or no title/abstract pairs)",
            hint="a dump holds a title line followed by its abstract line",
        )
    return [(title, abstract, {}) for title, abstract in pairs]


def _record_from_mapping(row: Mapping[str, Any], name: str, where: str) -> RawRecord:
    fields = {str(key).strip().lower(): value for key, value in row.items() if key is not None}
    title = fields.pop("title", None)
    abstract = fields.pop("abstract", None)
    if not isinstance(abstract, str) or not abstract.strip():
        raise InputError(f"{name}:{where}", "no 'abstract' field with text")
    if not isinstance(title, str) or not title.strip():
        raise InputError(f"{name}:{where}", "no 'title' field with text")
    metadata = {key: value for key, value in fields.items() if value not in (None, "")}
    return " ".join(title.split()), " ".join(abstract.split()), metadata


def _records_from_jsonl(text: str, name: str) -> list[RawRecord]:
    records: list[RawRecord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}", f"not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise InputError(f"{name}:{number}", "each line must be a JSON object")
        records.append(_record_from_mapping(row, name, str(number)))
    if not records:
        raise InputError(name, "no records in the file")
    return records


def _records_from_csv(text: str, name: str) -> list[RawRecord]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [column.strip().lower() for column in (reader.fieldnames or [])]
        if "title" not in header or "abstract" not in header:
            raise InputError(name, "a CSV needs 'title' and 'abstract' columns in its header")
        records = [_record_from_mapping(row, name, str(reader.line_num)) for row in reader]
    except csv.Error as exc:
        raise InputError(name, f"not valid CSV ({exc})") from None
    if not records:
        raise InputError(name, "no records in the file")
    return records


_READERS: dict[str, Callable[[str, str], list[RawRecord]]] = {
    ".txt": _records_from_dump,
    ".jsonl": _records_from_jsonl,
    ".csv": _records_from_csv,
}


def _reader_for_stdin(text: str) -> Callable[[str, str], list[RawRecord]]:
    return _records_from_jsonl if text.lstrip().startswith("{") else _records_from_dump


def read_text(text: str, name: str, suffix: str = ".txt") -> list[RawRecord]:
    """The raw records of one input's text, read by the format its suffix names."""
    reader = _READERS.get(suffix.lower(), _records_from_dump)
    return reader(text, name)


# --- paths ----------------------------------------------------------------------------


def expand_paths(paths: Sequence[str]) -> tuple[list[str], list[InputError]]:
    """Files to read, in argument order (a folder's readable files sorted by name)."""
    files: list[str] = []
    problems: list[InputError] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                str(child)
                for child in path.iterdir()
                if child.is_file() and child.suffix.lower() in READABLE_SUFFIXES
            )
            if not found:
                problems.append(InputError(raw, "no .txt, .jsonl or .csv files in this folder"))
            files.extend(found)
        elif path.is_file():
            files.append(raw)
        elif path.exists():
            problems.append(InputError(raw, "not a regular file"))
        else:
            problems.append(InputError(raw, "no such file or folder"))
    return files, problems


def _read_one(path: str, stdin: io.BufferedIOBase | None) -> tuple[str, list[RawRecord]]:
    if path == STDIN:
        data = (stdin or sys.stdin.buffer).read()
        text = decode_text(data, "<stdin>")
        return "<stdin>", _reader_for_stdin(text)(text, "<stdin>")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    name = Path(path).name
    text = decode_text(data, path)
    return name, read_text(text, path, Path(path).suffix)


def read_papers(
    paths: Sequence[str],
    *,
    strict: bool = False,
    stdin: io.BufferedIOBase | None = None,
) -> ReadResult:
    """Read every paper of the given files, folders or `-` (stdin), in input order.

    A bad input is collected in `problems` and the others are still read; with
    `strict=True` the first bad input raises its InputError instead.
    """
    files, problems = expand_paths(paths)
    if strict and problems:
        raise problems[0]
    records: list[tuple[str, RawRecord]] = []
    for path in files:
        try:
            name, raw_records = _read_one(path, stdin)
        except InputError as problem:
            if strict:
                raise
            problems.append(problem)
            continue
        records.extend((name, record) for record in raw_records)
    return ReadResult(papers=_mark_duplicates(records), problems=problems)


def _mark_duplicates(records: list[tuple[str, RawRecord]]) -> list[Paper]:
    papers: list[Paper] = []
    first_seen: dict[str, str] = {}
    positions: dict[str, int] = {}
    for file_name, (title, abstract, metadata) in records:
        index = positions.get(file_name, 0)
        positions[file_name] = index + 1
        paper_id = paper_id_for(title)
        key = normalize_title(title) or title
        original = first_seen.get(key)
        if original is None:
            first_seen[key] = paper_id
        papers.append(
            Paper(
                paper_id=paper_id,
                title=title,
                abstract=abstract,
                source=Source(file=file_name, index=index),
                warnings=quality_warnings(title, abstract),
                duplicate_of=original,
                metadata=metadata,
            )
        )
    return papers


def unique_papers(papers: Iterable[Paper]) -> list[Paper]:
    """The papers that are not duplicates of an earlier one."""
    return [paper for paper in papers if paper.duplicate_of is None]
