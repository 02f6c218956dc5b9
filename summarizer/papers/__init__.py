"""Read inputs into Paper records.

Files by format (formats.py: page dumps, JSONL, CSV, BibTeX, RIS, CSL-JSON, arXiv Atom
feeds), a folder by its files' suffixes, `-` (stdin) by sniffing, and references
fetched over the network (remote/: `arxiv:ID`, `hf-daily:DATE`). Every paper keeps what
identifies it (URL, DOI, arXiv id, authors, year) in its Source; duplicates are matched
by title, DOI or arXiv id (identity.py).
"""

from summarizer.papers.dump import parse_dump
from summarizer.papers.identity import mark_duplicates, normalize_title, paper_id_for, unique_papers
from summarizer.papers.model import (
    BAD_RECORD,
    NO_ABSTRACT,
    FileReading,
    Paper,
    ReadResult,
    Record,
    Skipped,
)
from summarizer.papers.quality import (
    NOT_ABSTRACT,
    NOT_ENGLISH,
    STARTS_MID_SENTENCE,
    TRUNCATED,
    quality_warnings,
)
from summarizer.papers.reader import STDIN, expand_paths, iter_read, read_papers, read_text
from summarizer.papers.text import decode_text

__all__ = [
    "BAD_RECORD",
    "NOT_ABSTRACT",
    "NOT_ENGLISH",
    "NO_ABSTRACT",
    "STARTS_MID_SENTENCE",
    "STDIN",
    "TRUNCATED",
    "FileReading",
    "Paper",
    "ReadResult",
    "Record",
    "Skipped",
    "decode_text",
    "expand_paths",
    "iter_read",
    "mark_duplicates",
    "normalize_title",
    "paper_id_for",
    "parse_dump",
    "quality_warnings",
    "read_papers",
    "read_text",
    "unique_papers",
]
