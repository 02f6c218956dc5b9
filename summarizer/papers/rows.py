"""A row of a JSONL or CSV reading list (a mapping of fields) as a Record.

`title` and `abstract` are matched case-insensitively (Zotero's CSV export calls the
abstract "Abstract Note"); every other field is kept as metadata, and the ones that
identify the paper (url, doi, arxiv_id, authors, year) also fill its Source.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from summarizer.papers import identifiers as ids
from summarizer.papers.model import BAD_RECORD, NO_ABSTRACT, Record, Skipped

_JSON_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}
# Column names (lower case) that carry each field, in order of preference.
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "abstract": ("abstract", "abstract note"),
    "url": ("url", "link"),
    "doi": ("doi",),
    "arxiv_id": ("arxiv_id", "arxiv", "arxivid", "eprint"),
    "authors": ("authors", "author"),
    "year": ("year", "publication year", "date", "published"),
}


def find_column(names: list[str], field: str) -> str | None:
    """The first of `names` that carries `field` (case and spacing ignored)."""
    by_lower = {name.strip().lower(): name for name in reversed(names)}
    return next((by_lower[alias] for alias in _ALIASES[field] if alias in by_lower), None)


def _kind(value: object) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _authors(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        names = [item.get("name") if isinstance(item, dict) else item for item in value]
        return ids.clean_authors(names)
    if isinstance(value, str):
        separator = ";" if ";" in value else r"\s+and\s+" if " and " in value else ","
        return ids.clean_authors(re.split(separator, value))
    return ()


def record_from_row(row: Mapping[Any, Any], where: str) -> Record | Skipped:
    """The row's Record, or why it is skipped (no abstract, or a bad title or abstract)."""
    fields: dict[str, Any] = {}
    for key, value in row.items():
        if key is not None:
            fields.setdefault(str(key).strip(), value)
    title_key = find_column(list(fields), "title")
    abstract_key = find_column(list(fields), "abstract")
    title = fields.pop(title_key, None) if title_key else None
    abstract = fields.pop(abstract_key, None) if abstract_key else None
    if title is None or (isinstance(title, str) and not title.strip()):
        return Skipped(where, "no 'title' field with text")
    if not isinstance(title, str):
        return Skipped(where, f"'title' is {_kind(title)}, not text")
    title = " ".join(title.split())
    if abstract is None or (isinstance(abstract, str) and not abstract.strip()):
        return Skipped(where, "no abstract", kind=NO_ABSTRACT, title=title)
    if not isinstance(abstract, str):
        return Skipped(where, f"'abstract' is {_kind(abstract)}, not text", BAD_RECORD, title)

    def field(name: str) -> Any:
        key = find_column(list(fields), name)
        return fields.get(key) if key else None

    doi = ids.normalize_doi(field("doi"))
    arxiv_id = ids.find_arxiv_id([field("arxiv_id"), field("url"), doi])
    return Record(
        title=title,
        abstract=" ".join(abstract.split()),
        metadata={key: value for key, value in fields.items() if value not in (None, "")},
        url=ids.web_url(field("url")),
        doi=doi,
        arxiv_id=arxiv_id,
        authors=_authors(field("authors")),
        year=ids.year_from(field("year")),
    )
