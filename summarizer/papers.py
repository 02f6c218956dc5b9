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
from summarizer.language import is_english
from summarizer.source import Source

READABLE_SUFFIXES = (".txt", ".jsonl", ".csv")
STDIN = "-"

# Warning codes a paper can carry.
NOT_ABSTRACT = "not_abstract"
STARTS_MID_SENTENCE = "starts_mid_sentence"
TRUNCATED = "truncated"
NOT_ENGLISH = "not_english"


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
    # A title of punctuation only normalizes to ""; hash its own text so that two such
    # titles do not share an id.
    hashed = normalized or " ".join(title.split())
    digest = hashlib.sha256(hashed.encode()).hexdigest()[:8]
    ascii_words = re.findall(r"[a-z0-9]+", normalized.encode("ascii", "ignore").decode())
    slug = ""
    for word in ascii_words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > 24:
            break
        slug = candidate
    return f"{slug}-{digest}" if slug else digest


def _duplicate_key(title: str) -> str:
    return normalize_title(title) or " ".join(title.split())


# --- quality flags --------------------------------------------------------------------

# Line numbers of a PDF's text layer run into the words ("have453 incorrect"); the
# lookbehinds keep decimals ("3.08", "0.81") and names ("CIFAR-100") out.
_GLUED_NUMBER = re.compile(r"(?<=[A-Za-z,.;:)\]])(?<!\d[.,])(\d{2,4})(?=\s|$)")
_NOT_ABSTRACT_TITLE = re.compile(
    r"^(?:(?:appendix|supplementary material)(?![a-z]).*|table of contents|contents|"
    r"references|bibliography|acknowledg(?:e)?ments)$",
    re.I,
)
_CONNECTIVE_START = re.compile(
    r"^(?:however|moreover|furthermore|therefore|thus|hence|additionally|consequently|"
    r"nevertheless|nonetheless|meanwhile|in addition|in contrast(?!\s+(?:to|with)\b)|"
    r"on the other hand|and|but|or|yet|also|which|whereas|while this)\b",
    re.I,
)
# A plain lower-case word: "and", "models", "state-of-the-art". Not "mRNA", "k-means",
# "word2vec" or "iPhone", which abstracts do start with.
_LOWERCASE_WORD = re.compile(r"[a-z]{2,}(?:[-'\u2019][a-z]+)*")
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019)\]\u300d\u300f\uff09]*$")
# Abbreviations that end in a period but never end a sentence.
_OPEN_ABBREVIATION_END = re.compile(r"\b(?:e\.g|i\.e|cf|vs|w\.r\.t|fig|figs|eq|eqs|sec)\.$", re.I)
# "i.i.d." ends a sentence as a predicate ("samples are i.i.d.") but not after a
# preposition or article ("the risks posed by non-i.i.d.").
_DANGLING_IID = re.compile(
    r"\b(?:by|of|for|with|to|in|on|from|under|over|between|the|a|an|and|or)\s+"
    r"(?:non-?)?i\.i\.d\.$",
    re.I,
)
# A closing "Code is at https://..." sentence often lacks a final period.
_URL = re.compile(r"://|\bwww\.|\b[\w-]+\.[a-z]{2,}/\S", re.I)


def _has_line_numbers(text: str, run: int = 3) -> bool:
    """True when numbers glued to words count upwards, as a PDF's line numbers do."""
    numbers = [int(found) for found in _GLUED_NUMBER.findall(text)]
    longest = current = 1
    for previous, number in itertools.pairwise(numbers):
        current = current + 1 if 0 < number - previous <= 3 else 1
        longest = max(longest, current)
    return len(numbers) >= run and longest >= run


def _starts_mid_sentence(text: str) -> bool:
    first = text[:1]
    if first in (",", ";", ":", ")", "]", "}"):
        return True
    first_word = text.split(maxsplit=1)[0].rstrip(",;:.") if text else ""
    return bool(_LOWERCASE_WORD.fullmatch(first_word) or _CONNECTIVE_START.match(text))


def _is_truncated(text: str) -> bool:
    # Only the end matters; looking at the tail keeps very long texts fast.
    tail = text[-500:]
    if tail.endswith(("...", "\u2026")):
        return True
    if _OPEN_ABBREVIATION_END.search(tail) or _DANGLING_IID.search(tail):
        return True
    last_sentence = re.split(r"[.!?]\s+(?=[A-Z])", tail)[-1]
    return not (_SENTENCE_END.search(tail) or _URL.search(last_sentence))


def quality_warnings(title: str, abstract: str) -> tuple[str, ...]:
    """Warning codes for text that is not a clean, whole abstract."""
    text = " ".join(abstract.split())
    checks: tuple[tuple[str, Callable[[], bool]], ...] = (
        (NOT_ABSTRACT, lambda: bool(_NOT_ABSTRACT_TITLE.match(title.strip()))),
        (NOT_ABSTRACT, lambda: _has_line_numbers(text)),
        (STARTS_MID_SENTENCE, lambda: _starts_mid_sentence(text)),
        (TRUNCATED, lambda: bool(text) and _is_truncated(text)),
        (NOT_ENGLISH, lambda: not is_english(text)),
    )
    codes: list[str] = []
    for code, check in checks:
        if code not in codes and check():
            codes.append(code)
    return tuple(codes)


# --- page dumps -----------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_BOILERPLATE = re.compile(
    r"^(?:new|subscribe|daily papers|papers|trending|submit|search|"
    r"get trending papers.*|by\s*ak\b.*|"
    rf"{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|"
    r"\d{4}-\d{2}-\d{2}|previous|next|load more)$",
    re.I,
)
# The page's "Subscribe" button runs into the first title: "SubscribeOS-R1: ...".
# Not "Subscriber Churn ...": the cut needs a capital, a digit or a symbol after it.
_GLUED_SUBSCRIBE = re.compile(r"^(?:Subscribe)+(?=[^\sa-z])")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z(]")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")


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


def _reads_as_prose(line: str) -> bool:
    """A short line that is a sentence, not a title: ends with '.', mostly lower-case words."""
    words: list[str] = _WORD.findall(line)
    if len(words) < 6 or not _SENTENCE_END.search(line) or line.endswith(("?", "?)")):
        return False
    capitalized = sum(word[0].isupper() for word in words)
    return capitalized * 2 < len(words)


def _content_lines(text: str) -> list[str]:
    """The dump's lines with spacing collapsed, boilerplate and letterless lines dropped."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = _GLUED_SUBSCRIBE.sub("", " ".join(raw.split()))
        if line and not _is_boilerplate(line) and any(ch.isalpha() for ch in line):
            lines.append(line)
    return lines


def parse_dump(text: str) -> list[tuple[str, str]]:
    """(title, abstract) pairs of a page dump, in page order.

    A title is the last short line before an abstract line. An abstract is a long line,
    or a short sentence right after a title when no long line follows it; body lines
    right after an abstract continue it (a second paragraph). Short lines with no
    abstract after them (section headings, stray labels) are skipped.
    """
    lines = _content_lines(text)
    pairs: list[tuple[str, str]] = []
    pending_title: str | None = None
    for position, line in enumerate(lines):
        following = lines[position + 1] if position + 1 < len(lines) else None
        is_body = _looks_like_abstract(line) or (
            _reads_as_prose(line) and (following is None or not _looks_like_abstract(following))
        )
        if is_body and pending_title is not None:
            pairs.append((pending_title, line))
            pending_title = None
        elif is_body and pairs:
            title, abstract = pairs[-1]
            pairs[-1] = (title, f"{abstract} {line}")
        elif not is_body:
            pending_title = line
    return pairs


# --- decoding -------------------------------------------------------------------------

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text of a file's bytes, or an InputError saying why it is not text."""
    if data.startswith(_UTF16_BOMS):
        raise InputError(
            name, "UTF-16 text, not UTF-8", hint="convert it, e.g. iconv -f UTF-16 -t UTF-8"
        )
    if data.startswith(b"%PDF-"):
        raise InputError(name, "a PDF, not text", hint="extract its text first, e.g. pdftotext")
    if b"\x00" in data:
        raise InputError(name, "binary file, not text", hint="give a .txt, .jsonl or .csv file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            name,
            f"not UTF-8 text (bad byte 0x{data[exc.start]:02x} on line {line})",
            hint="convert it to UTF-8, e.g. iconv -f LATIN1 -t UTF-8",
        ) from None
    if not text.strip():
        raise InputError(name, "the file is empty", hint="give a file with papers in it")
    return text


# --- record readers -------------------------------------------------------------------

RawRecord = tuple[str, str, dict[str, Any]]  # title, abstract, metadata

_JSON_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}


def _records_from_dump(text: str, name: str) -> list[RawRecord]:
    pairs = parse_dump(text)
    if not pairs:
        raise InputError(
            name,
            "no papers found (only page boilerplate or no title/abstract pairs)",
            hint="a dump holds a title line followed by its abstract line",
        )
    return [(title, abstract, {}) for title, abstract in pairs]


def _text_field(fields: dict[str, Any], key: str, where: str) -> str:
    value = fields.pop(key, None)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(where, f"no '{key}' field with text")
    if not isinstance(value, str):
        kind = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
        raise InputError(where, f"'{key}' is {kind}, not text")
    return " ".join(value.split())


def _record_from_mapping(row: Mapping[Any, Any], name: str, where: str) -> RawRecord:
    """Title and abstract (matched case-insensitively); other fields kept as metadata."""
    fields: dict[str, Any] = {}
    for key, value in row.items():
        if key is not None:
            fields.setdefault(str(key).strip(), value)
    for wanted in ("title", "abstract"):
        if wanted not in fields:
            found = next((key for key in fields if key.lower() == wanted), None)
            if found is not None:
                fields[wanted] = fields.pop(found)
    location = f"{name}:{where}"
    title = _text_field(fields, "title", location)
    abstract = _text_field(fields, "abstract", location)
    metadata = {key: value for key, value in fields.items() if value not in (None, "")}
    return title, abstract, metadata


def _no_json_constant(constant: str) -> None:
    # NaN and Infinity are not JSON; Python accepts them but could not write them back.
    return None


def _records_from_jsonl(text: str, name: str) -> list[RawRecord]:
    records: list[RawRecord] = []
    # Only "\n" ends a JSONL line: U+2028 and friends may sit inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line, parse_constant=_no_json_constant)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}", f"not valid JSON ({exc.msg})") from None
        except (ValueError, RecursionError) as exc:
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise InputError(f"{name}:{number}", f"not valid JSON ({reason})") from None
        if not isinstance(row, dict):
            raise InputError(f"{name}:{number}", "each line must be a JSON object")
        records.append(_record_from_mapping(row, name, str(number)))
    if not records:
        raise InputError(name, "no records in the file")
    return records


# The csv module refuses fields over 128 KiB by default; a reading list may carry long
# text columns. 2**31 - 1 is the largest limit every platform's C long accepts.
_CSV_FIELD_LIMIT = 2**31 - 1


def _records_from_csv(text: str, name: str) -> list[RawRecord]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    records: list[RawRecord] = []
    # strict: an unclosed quote is an error, not a field that swallows the rest of the file.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [column.strip().lower() for column in (reader.fieldnames or [])]
        if "title" not in header or "abstract" not in header:
            found = ", ".join(repr(column) for column in (reader.fieldnames or [])[:6])
            raise InputError(
                name,
                "a CSV needs 'title' and 'abstract' columns in its header",
                hint=f"found {found or 'no columns'}; the separator must be a comma",
            )
        for row in reader:
            where = str(reader.line_num)
            if row.get(None):
                raise InputError(
                    f"{name}:{where}",
                    "more cells than header columns",
                    hint="quote fields that contain commas",
                )
            records.append(_record_from_mapping(row, name, where))
    except csv.Error as exc:
        raise InputError(
            f"{name}:{reader.reader.line_num}",
            f"not valid CSV ({exc})",
            hint="check the quotes: a quoted field ends with a quote and a comma",
        ) from None
    if not records:
        raise InputError(name, "no records in the file")
    return records


_READERS: dict[str, Callable[[str, str], list[RawRecord]]] = {
    ".txt": _records_from_dump,
    ".jsonl": _records_from_jsonl,
    ".csv": _records_from_csv,
}


def _suffix_for_stdin(text: str) -> str:
    """Stdin has no name: JSONL starts with '{', CSV with a header naming title and abstract."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return ".jsonl"
    first_line = stripped.split("\n", 1)[0]
    try:
        header = {cell.strip().lower() for cell in next(csv.reader([first_line]))}
    except (csv.Error, StopIteration):
        return ".txt"
    return ".csv" if {"title", "abstract"} <= header else ".txt"


def read_text(text: str, name: str, suffix: str = ".txt") -> list[RawRecord]:
    """The raw records of one input's text, read by the format its suffix names."""
    reader = _READERS.get(suffix.lower(), _records_from_dump)
    return reader(text, name)


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
        if child.suffix.lower() in READABLE_SUFFIXES
        and not child.name.startswith(".")
        and child.is_file()
    )
    if not found:
        raise InputError(
            raw, "no .txt, .jsonl or .csv files in this folder", hint="give files or a folder"
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
        try:
            files.extend(_files_of(raw))
        except InputError as problem:
            problems.append(problem)
    return files, problems


def _read_one(path: str, stdin: io.BufferedIOBase | None) -> tuple[str, list[RawRecord]]:
    if path == STDIN:
        name = "<stdin>"
        text = decode_text((stdin or sys.stdin.buffer).read(), name)
        return name, read_text(text, name, _suffix_for_stdin(text))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read ({exc.strerror})") from None
    text = decode_text(data, path)
    return Path(path).name, read_text(text, path, Path(path).suffix)


def read_papers(
    paths: Sequence[str],
    *,
    strict: bool = False,
    stdin: io.BufferedIOBase | None = None,
) -> ReadResult:
    """Read every paper of the given files, folders or `-` (stdin), in input order.

    A bad input is collected in `problems` (in argument order) and the others are still
    read; with `strict=True` the first bad input raises its InputError instead.
    """
    files_read: list[tuple[str, list[RawRecord]]] = []
    problems: list[InputError] = []
    for raw in paths:
        try:
            files = _files_of(raw)
        except InputError as problem:
            if strict:
                raise
            problems.append(problem)
            continue
        for path in files:
            try:
                files_read.append(_read_one(path, stdin))
            except InputError as problem:
                if strict:
                    raise
                problems.append(problem)
    return ReadResult(papers=_mark_duplicates(files_read), problems=problems)


def _mark_duplicates(files_read: list[tuple[str, list[RawRecord]]]) -> list[Paper]:
    papers: list[Paper] = []
    first_seen: dict[str, str] = {}
    for file_name, records in files_read:
        for index, (title, abstract, metadata) in enumerate(records):
            paper_id = paper_id_for(title)
            key = _duplicate_key(title)
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
