"""JSON reading lists (.json): CSL-JSON as Zotero exports it, or a saved Hugging Face
daily-papers list (the items the daily_papers API returns).

Both are one JSON array of items. Items are decoded one at a time, so each is named by
the line it starts on; an item that is not a paper is skipped and the rest read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from summarizer.errors import InputError
from summarizer.papers import identifiers as ids
from summarizer.papers.model import BAD_RECORD, NO_ABSTRACT, FileReading, Record, Skipped

_WHITESPACE = " \t\r\n"


def _items(text: str, name: str) -> Iterator[tuple[int, Any]]:
    """(line, item) of each element of the top-level array, decoded one by one."""
    decoder = json.JSONDecoder()
    position = len(text) - len(text.lstrip(_WHITESPACE))
    if not text.startswith("[", position):
        raise InputError(
            name,
            "a .json file must hold a JSON array of items",
            hint="export CSL JSON from Zotero, or save a daily_papers API answer",
        )
    position += 1
    expect_item = True
    while True:
        while position < len(text) and text[position] in _WHITESPACE:
            position += 1
        line = text.count("\n", 0, position) + 1
        if text.startswith("]", position):
            return
        if not expect_item:
            if not text.startswith(",", position):
                raise InputError(f"{name}:{line}", "not valid JSON (expected ',' or ']')")
            position += 1
            expect_item = True
            continue
        try:
            item, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{exc.lineno}", f"not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(f"{name}:{line}", "not valid JSON (nested too deeply)") from None
        expect_item = False
        yield line, item


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _csl_name(person: object) -> str:
    if not isinstance(person, dict):
        return ""
    if isinstance(person.get("literal"), str):
        return _text(person["literal"])
    parts = [person.get(key) for key in ("given", "non-dropping-particle", "family", "suffix")]
    return " ".join(_text(part) for part in parts if _text(part))


def _csl_year(issued: object) -> int | None:
    if not isinstance(issued, dict):
        return ids.year_from(issued)
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        return ids.year_from(parts[0][0])
    return ids.year_from(issued.get("raw") or issued.get("literal"))


def _csl_record(item: dict[str, Any], where: str) -> Record | Skipped:
    title = _text(item.get("title"))
    if not title:
        return Skipped(where, "item has no title")
    abstract = _text(item.get("abstract"))
    if not abstract:
        return Skipped(where, "no abstract", kind=NO_ABSTRACT, title=title)
    url = ids.web_url(item.get("URL"))
    doi = ids.normalize_doi(item.get("DOI"))
    authors = item.get("author") if isinstance(item.get("author"), list) else []
    metadata = {key: item[key] for key in ("id", "type") if isinstance(item.get(key), str)}
    if _text(item.get("container-title")):
        metadata["venue"] = _text(item.get("container-title"))
    return Record(
        title=title,
        abstract=abstract,
        metadata=metadata,
        url=url,
        doi=doi,
        # Zotero puts a preprint's id in "number" ("arXiv:2401.01234") and "note".
        arxiv_id=ids.find_arxiv_id([url, doi], [item.get("number"), item.get("note")]),
        authors=tuple(name for name in map(_csl_name, authors or []) if name),
        year=_csl_year(item.get("issued")),
    )


def hf_daily_record(item: dict[str, Any], where: str) -> Record | Skipped:
    """A daily_papers item: the arXiv id, title, abstract (summary) and authors of its paper."""
    paper = item.get("paper") if isinstance(item.get("paper"), dict) else {}
    assert isinstance(paper, dict)
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        return Skipped(where, "item has no title")
    abstract = _text(paper.get("summary")) or _text(item.get("summary"))
    if not abstract:
        return Skipped(where, "no abstract", kind=NO_ABSTRACT, title=title)
    arxiv_id = ids.normalize_arxiv_id(paper.get("id"))
    authors = paper.get("authors") if isinstance(paper.get("authors"), list) else []
    names = [person.get("name") for person in authors or [] if isinstance(person, dict)]
    upvotes = paper.get("upvotes")
    return Record(
        title=title,
        abstract=abstract,
        metadata={"upvotes": upvotes} if isinstance(upvotes, int | float) else {},
        url=ids.arxiv_url(arxiv_id) if arxiv_id else None,
        arxiv_id=arxiv_id,
        authors=ids.clean_authors(names),
        year=ids.year_from(paper.get("publishedAt") or item.get("publishedAt")),
    )


def records_of_items(items: Iterator[tuple[str, Any]]) -> FileReading:
    """Each (where, item) as a record: daily_papers items (with a "paper"), else CSL."""
    reads: list[Record | Skipped] = []
    for where, item in items:
        if not isinstance(item, dict):
            reads.append(Skipped(where, "an item must be a JSON object", BAD_RECORD))
        elif isinstance(item.get("paper"), dict):
            reads.append(hf_daily_record(item, where))
        else:
            reads.append(_csl_record(item, where))
    return FileReading.of(reads)


def read_json_list(text: str, name: str) -> FileReading:
    """Every item's record, in order; items that are not papers are skipped."""
    reading = records_of_items((f"{name}:{line}", item) for line, item in _items(text, name))
    if not reading.records and not reading.skipped:
        raise InputError(name, "the list is empty")
    return reading
