"""Which reader reads which input: the file suffix decides, stdin is sniffed."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from summarizer.papers.atom import read_atom
from summarizer.papers.bibtex import read_bibtex
from summarizer.papers.csljson import read_json_list
from summarizer.papers.csvfile import has_paper_columns, read_csv, stream_csv
from summarizer.papers.dump import read_dump
from summarizer.papers.jsonl import read_jsonl, stream_jsonl
from summarizer.papers.model import FileReading, Record, Skipped
from summarizer.papers.ris import read_ris


@dataclass(frozen=True)
class Format:
    """One input format: its name, its reader, and whether it is a reading list."""

    name: str
    read: Callable[[str, str], FileReading]
    # A reading list (a .bib, a CSV) is known by its file's name: "My Library.bib" gives
    # its papers the collection "My Library". A page dump states no name of its own.
    named_by_file: bool = True
    # For formats with a record per line or row: read a file one record at a time, so a
    # reading list of any length takes constant memory. Others read the whole text.
    stream: Callable[[Iterable[str], str], Iterator[Record | Skipped]] | None = None
    # How the file must be opened for `stream` (JSONL lines end only at "\n").
    newline: str | None = None


DUMP = Format("page dump", read_dump, named_by_file=False)
JSONL = Format("JSONL", read_jsonl, stream=stream_jsonl, newline="\n")
CSV = Format("CSV", read_csv, stream=stream_csv, newline="")
BIBTEX = Format("BibTeX", read_bibtex)
RIS = Format("RIS", read_ris)
JSON_LIST = Format("CSL-JSON or daily-papers JSON", read_json_list)
ATOM = Format("Atom feed", read_atom)

FORMATS: dict[str, Format] = {
    ".txt": DUMP,
    ".jsonl": JSONL,
    ".csv": CSV,
    ".bib": BIBTEX,
    ".ris": RIS,
    ".json": JSON_LIST,
    ".atom": ATOM,
    ".xml": ATOM,
}

_BIBTEX_START = re.compile(r"(?:[ \t]*(?:%[^\n]*)?\n)*[ \t]*@[A-Za-z]+[ \t]*[{(]")
_RIS_START = re.compile(r"(?:[ \t\r]*\n)*TY  -")


def suffix_list() -> str:
    """The readable suffixes, for messages: ".txt, .jsonl, ... or .xml"."""
    suffixes = list(FORMATS)
    return f"{', '.join(suffixes[:-1])} or {suffixes[-1]}"


def format_for_suffix(suffix: str) -> Format | None:
    """The format a file suffix names (any case), or None."""
    return FORMATS.get(suffix.lower())


def sniff_format(text: str) -> Format:
    """The format of unnamed text (stdin), from how it starts; a page dump otherwise."""
    stripped = text.lstrip()
    starts: tuple[tuple[bool, Format], ...] = (
        (stripped.startswith("<"), ATOM),
        (stripped.startswith("["), JSON_LIST),
        (stripped.startswith("{"), JSONL),
        (bool(_BIBTEX_START.match(text)), BIBTEX),
        (bool(_RIS_START.match(text)), RIS),
    )
    found = next((format_ for matches, format_ in starts if matches), None)
    if found is not None:
        return found
    first_line = stripped.split("\n", 1)[0]
    try:
        header = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        return DUMP
    return CSV if has_paper_columns(header) else DUMP
