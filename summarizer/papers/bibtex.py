"""BibTeX reading lists (.bib), as Zotero, Better BibTeX, JabRef and Mendeley export them.

Parsed by bibtexparser 2 (which resolves @string macros and skips comments), LaTeX
decoded by pylatexenc ({\\"u} -> ü, \\% -> %, math kept as written). A block that
does not parse is skipped and named by its line; the entries after it are still read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from summarizer.errors import InputError
from summarizer.papers import identifiers as ids
from summarizer.papers.model import NO_ABSTRACT, FileReading, Record, Skipped

if TYPE_CHECKING:
    from bibtexparser.model import Block, Entry

# Fields whose text may say "arXiv:2401.01234" (Google Scholar's journal, Zotero's note).
_ARXIV_TEXT_FIELDS = ("journal", "note", "howpublished", "annote", "number")


def _latex_decoder() -> Callable[[str], str]:
    from pylatexenc.latex2text import LatexNodes2Text

    # Math stays as written ("$\times$"), as abstracts elsewhere carry it.
    decoder = LatexNodes2Text(math_mode="verbatim")

    def decode(text: str) -> str:
        try:
            return " ".join(str(decoder.latex_to_text(text)).split())
        except Exception:  # pylatexenc rejects some broken markup: keep the raw text
            return " ".join(text.split())

    return decode


def _top_level_parts(name: str) -> list[str]:
    """The name split at commas outside braces: "{Barnes and Noble, Inc.}" is one part."""
    parts, depth, start = [], 0, 0
    for position, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(name[start:position].strip())
            start = position + 1
    return [*parts, name[start:].strip()]


def _author(name: str, decode: Callable[[str], str]) -> str:
    """ "Family, Given" as "Given Family", decoded; other forms decoded as written."""
    parts = _top_level_parts(name)
    if len(parts) == 2 and all(parts):
        return f"{decode(parts[1])} {decode(parts[0])}"
    return decode(name)


def _metadata(key: str, entry_type: str, venue: str) -> dict[str, str]:
    metadata = {"citation_key": key, "entry_type": entry_type.lower()}
    return {**metadata, "venue": venue} if venue else metadata


def _entry_record(entry: Entry, where: str, decode: Callable[[str], str]) -> Record | Skipped:
    fields: dict[str, Any] = {}
    for item in entry.fields:
        fields.setdefault(item.key.lower(), item.value)

    def text(key: str) -> str:
        value = fields.get(key)
        return decode(value) if isinstance(value, str) else ""

    title = text("title")
    if not title:
        return Skipped(where, f"entry '{entry.key}' has no title")
    abstract = text("abstract")
    if not abstract:
        return Skipped(where, "no abstract", kind=NO_ABSTRACT, title=title)
    authors = fields.get("author", [])
    names = [_author(name, decode) for name in authors] if isinstance(authors, list) else []
    eprint = fields.get("eprint")
    prefix = str(fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv")
    doi = ids.normalize_doi(text("doi"))
    url = ids.web_url(text("url"))
    return Record(
        title=title,
        abstract=abstract,
        metadata=_metadata(entry.key, entry.entry_type, text("journal") or text("booktitle")),
        url=url,
        doi=doi,
        arxiv_id=ids.find_arxiv_id(
            [eprint if prefix.lower() == "arxiv" else None, url, doi],
            [text(key) for key in _ARXIV_TEXT_FIELDS],
        ),
        authors=tuple(name for name in names if name),
        year=ids.year_from(text("year") or text("date")),
    )


def _failed_block_record(
    block: Block, where: str, decode: Callable[[str], str]
) -> Record | Skipped:
    from bibtexparser.exceptions import BlockAbortedException
    from bibtexparser.model import (
        DuplicateBlockKeyBlock,
        DuplicateFieldKeyBlock,
        Entry,
        ParsingFailedBlock,
    )

    assert isinstance(block, ParsingFailedBlock)
    # A repeated citation key or field is still a readable entry (the title decides
    # duplicates): read it rather than lose the paper.
    if isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
        entry = block.ignore_error_block
        if isinstance(entry, Entry):
            return _entry_record(entry, where, decode)
    error = block.error
    reason = error.abort_reason if isinstance(error, BlockAbortedException) else str(error)
    first_line = (block.raw or "").strip().split("\n", 1)[0][:60]
    return Skipped(
        where,
        f"not valid BibTeX ({' '.join(reason.split()) or 'unreadable block'})",
        hint=f"the block starts {first_line!r}" if first_line else None,
    )


def read_bibtex(text: str, name: str) -> FileReading:
    """Every entry's record, in file order; bad blocks and entries without abstract skipped."""
    from bibtexparser.entrypoint import parse_string
    from bibtexparser.middlewares import SeparateCoAuthors
    from bibtexparser.model import Entry, ParsingFailedBlock

    # bibtexparser logs each bad block as a warning; they are reported as skipped entries.
    logger = logging.getLogger("bibtexparser")
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
    # "and" splits authors before LaTeX decoding removes the braces that protect
    # "{Barnes and Noble}"; names are decoded one by one after.
    try:
        library = parse_string(text, append_middleware=[SeparateCoAuthors()])
    except Exception as exc:  # the parser's own "invalid state" errors end the file
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise InputError(name, f"not valid BibTeX ({reason})") from None
    decode = _latex_decoder()
    reads: list[Record | Skipped] = []
    for block in library.blocks:
        where = f"{name}:{(block.start_line or 0) + 1}"
        if isinstance(block, Entry):
            reads.append(_entry_record(block, where, decode))
        elif isinstance(block, ParsingFailedBlock):
            reads.append(_failed_block_record(block, where, decode))
    if not reads:
        raise InputError(name, "no BibTeX entries in the file")
    return FileReading.of(reads)
