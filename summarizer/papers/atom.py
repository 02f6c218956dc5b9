"""Atom feeds (.atom, .xml), as the arXiv API returns them, read with the standard
library's ElementTree.

Each entry's id (http://arxiv.org/abs/2401.01234v2) gives the arXiv id without its
version; `arxiv:doi` the DOI. The API reports a bad query as a feed whose one entry is
titled "Error": that is an error for the whole input, not a paper.

Not feedparser: it reads `<arxiv:doi xmlns:arxiv="...">` (the namespace declared on
the element, as the API has long answered) as that element's attributes, not its text,
unless a private class attribute is patched. ElementTree resolves namespaces as XML does.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from summarizer.errors import InputError
from summarizer.papers import identifiers as ids
from summarizer.papers.model import NO_ABSTRACT, FileReading, Record, Skipped

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ARXIV_ERROR_ID = "arxiv.org/api/errors"


def _text(element: ET.Element | None) -> str:
    """An element's whole text (children included), spacing collapsed; "" when absent."""
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _entry_record(entry: ET.Element, where: str) -> Record | Skipped:
    title = _text(entry.find(f"{_ATOM}title"))
    if not title:
        return Skipped(where, "entry has no title")
    abstract = _text(entry.find(f"{_ATOM}summary")) or _text(entry.find(f"{_ATOM}content"))
    if not abstract:
        return Skipped(where, "no abstract", kind=NO_ABSTRACT, title=title)
    entry_id = _text(entry.find(f"{_ATOM}id"))
    links = [
        link.get("href")
        for link in entry.findall(f"{_ATOM}link")
        if link.get("rel", "alternate") == "alternate"
    ]
    arxiv_id = ids.find_arxiv_id([entry_id, *links])
    primary = entry.find(f"{_ARXIV}primary_category")
    category = primary.get("term") if primary is not None else None
    link = next(filter(None, map(ids.web_url, [*links, entry_id])), None)
    return Record(
        title=title,
        abstract=abstract,
        metadata={"primary_category": category} if category else {},
        url=ids.arxiv_url(arxiv_id) if arxiv_id else link,
        doi=ids.normalize_doi(_text(entry.find(f"{_ARXIV}doi"))),
        arxiv_id=arxiv_id,
        authors=ids.clean_authors(
            _text(author.find(f"{_ATOM}name")) for author in entry.findall(f"{_ATOM}author")
        ),
        year=ids.year_from(_text(entry.find(f"{_ATOM}published"))),
    )


def parse_atom(text: str, name: str) -> FileReading:
    """Every entry's record, in feed order (perhaps none); entries without title or
    abstract skipped. Not an Atom feed, or the arXiv API's error entry: an InputError."""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        line = exc.position[0]
        reason = str(exc).split(":", 1)[0]
        raise InputError(
            f"{name}:{line}", f"not an Atom feed (not valid XML: {reason})", hint=_HINT
        ) from None
    if root.tag != f"{_ATOM}feed":
        found = root.tag.rsplit("}", 1)[-1]
        raise InputError(name, f"not an Atom feed (its root is <{found}>)", hint=_HINT)
    entries = root.findall(f"{_ATOM}entry")
    for entry in entries:
        if _ARXIV_ERROR_ID in _text(entry.find(f"{_ATOM}id")):
            error = _text(entry.find(f"{_ATOM}summary")) or "no reason given"
            raise InputError(name, f"the arXiv API answered with an error: {error}")
    return FileReading.of(
        _entry_record(entry, f"{name}: entry {number}") for number, entry in enumerate(entries, 1)
    )


_HINT = "give an Atom feed as the arXiv API returns it"


def read_atom(text: str, name: str) -> FileReading:
    """A feed file's records; a feed with no entry is an InputError."""
    reading = parse_atom(text, name)
    if not reading.records and not reading.skipped:
        raise InputError(name, "the feed has no entries")
    return reading
