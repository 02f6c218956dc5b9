"""JSON: an array of row objects keyed by column name, values as plain JSON values."""

from __future__ import annotations

import json
from typing import Any

from summarizer.tables.rows import Row
from summarizer.tables.table import SectionHead, Table, TableHead
from summarizer.tables.writer import render_whole


class JsonWriter:
    """A table as a JSON array (two-space indent), one object per row as it comes."""

    def __init__(self, head: TableHead) -> None:
        self.head = head
        self._group: dict[str, Any] = {}
        self._rows = 0

    def begin(self) -> str:
        """Nothing until the first row: an empty table is `[]`."""
        return ""

    def open_section(self, section: SectionHead) -> str:
        """Nothing: a grouped table's rows start with a `group` key."""
        self._group = {"group": section.name} if self.head.grouped else {}
        return ""

    def row(self, row: Row) -> str:
        """One object, as `json.dumps` indents it inside the array."""
        names = self.head.view.column_names
        record = {**self._group, **dict(zip(names, row, strict=True))}
        # json.dumps escapes line breaks inside strings: every newline here is indentation.
        text = json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        opening = ",\n  " if self._rows else "[\n  "
        self._rows += 1
        return opening + text

    def close_section(self) -> str:
        """Nothing ends a section."""
        return ""

    def end(self) -> str:
        """The array's end."""
        return "\n]\n" if self._rows else "[]\n"


def render_json(table: Table) -> str:
    """The table as a JSON array; a grouped table's rows start with a `group` key."""
    return render_whole(JsonWriter, table)
