"""CSV (RFC 4180): every column, machine ids included, one row per table row.

Quoting follows RFC 4180 (fields with commas, quotes or line breaks are quoted, quotes
doubled, CRLF line ends); a grouped table gets a leading `group` column.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return opens as a formula in
spreadsheet programs (OWASP "CSV injection"), so by default such a cell gets a leading
apostrophe, which spreadsheets read as "this is text" and do not show. Numbers such as
`-3.2` are left alone. `raw=True` writes every value exactly.
"""

from __future__ import annotations

import csv
import io
import re
from functools import partial

from summarizer.tables.rows import Row, cell_text
from summarizer.tables.table import SectionHead, Table, TableHead
from summarizer.tables.writer import render_whole

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(text: str) -> str:
    """`text` as a spreadsheet will show it without running it: `'` before formula starts."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _keep(text: str) -> str:
    return text


class CsvWriter:
    """A table as CSV, one record per call; formula-like cells neutralised unless `raw`."""

    def __init__(self, head: TableHead, *, raw: bool = False) -> None:
        self.head = head
        self._guard = _keep if raw else neutralise_formula
        self._buffer = io.StringIO(newline="")
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._prefix: list[str] = []

    def _record(self, fields: list[str]) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(fields)
        return self._buffer.getvalue()

    def begin(self) -> str:
        """The header record (a leading `group` column when grouped)."""
        group = ["group"] if self.head.grouped else []
        return self._record([*group, *self.head.view.column_names])

    def open_section(self, section: SectionHead) -> str:
        """Nothing: the section's name goes into each of its records."""
        self._prefix = [self._guard(section.name or "")] if self.head.grouped else []
        return ""

    def row(self, row: Row) -> str:
        """One record."""
        return self._record([*self._prefix, *(self._guard(cell_text(cell)) for cell in row)])

    def close_section(self) -> str:
        """Nothing ends a section."""
        return ""

    def end(self) -> str:
        """Nothing ends the file."""
        return ""


def render_csv(table: Table, *, raw: bool = False) -> str:
    """The table as CSV text with a header row; formula-like cells neutralised unless `raw`."""
    return render_whole(partial(CsvWriter, raw=raw), table)
