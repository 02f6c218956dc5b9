"""CSV (RFC 4180): every column, machine ids included, one row per table row.

Quoting follows RFC 4180 (fields with commas, quotes or line breaks are quoted, quotes
doubled, CRLF line ends); a grouped table gets a leading `group` column.
"""

from __future__ import annotations

import csv
import io

from summarizer.tables.rows import cell_text
from summarizer.tables.table import Table


def render_csv(table: Table) -> str:
    """The table as CSV text with a header row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    group = ["group"] if table.grouped else []
    writer.writerow([*group, *table.view.column_names])
    for section in table.sections:
        prefix = [section.name or ""] if table.grouped else []
        for row in section.rows:
            writer.writerow([*prefix, *(cell_text(cell) for cell in row)])
    return buffer.getvalue()
