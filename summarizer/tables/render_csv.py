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

from summarizer.tables.rows import cell_text
from summarizer.tables.table import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(text: str) -> str:
    """`text` as a spreadsheet will show it without running it: `'` before formula starts."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _keep(text: str) -> str:
    return text


def render_csv(table: Table, *, raw: bool = False) -> str:
    """The table as CSV text with a header row; formula-like cells neutralised unless `raw`."""
    guard = _keep if raw else neutralise_formula
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    group = ["group"] if table.grouped else []
    writer.writerow([*group, *table.view.column_names])
    for section in table.sections:
        prefix = [guard(section.name or "")] if table.grouped else []
        for row in section.rows:
            writer.writerow([*prefix, *(guard(cell_text(cell)) for cell in row)])
    return buffer.getvalue()
