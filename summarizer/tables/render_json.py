"""JSON: an array of row objects keyed by column name, values as plain JSON values."""

from __future__ import annotations

import json
from typing import Any

from summarizer.tables.table import Table


def render_json(table: Table) -> str:
    """The table as a JSON array; a grouped table's rows start with a `group` key."""
    names = table.view.column_names
    records: list[dict[str, Any]] = []
    for section in table.sections:
        group = {"group": section.name} if table.grouped else {}
        records.extend({**group, **dict(zip(names, row, strict=True))} for row in section.rows)
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
