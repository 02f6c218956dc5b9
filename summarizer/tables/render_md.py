"""GitHub Markdown: one pipe table per section, under a `##` heading when grouped.

Cells are escaped so they stay one cell of plain text: Markdown and HTML punctuation gets
a backslash (CommonMark's escape for ASCII punctuation), line breaks become `<br>`.
"""

from __future__ import annotations

import re

from summarizer.tables.rows import Column, Row, cell_text
from summarizer.tables.table import Table

# Characters that would end a cell (|), start markup (* _ ` [ ] ~ $ for math) or HTML
# (< > &), plus the backslash itself so the text's own backslashes stay literal.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$&#])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def escape_markdown(text: str) -> str:
    """Text as the content of one GitHub Markdown table cell, shown literally."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _LINE_BREAK.sub("<br>", escaped).strip()


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(table: Table, row: Row, position: int, column: Column) -> str:
    text = escape_markdown(cell_text(row[position]))
    link_at = table.view.link_position(column)
    link = row[link_at] if link_at is not None else None
    if isinstance(link, str) and text:
        # <...> keeps ( ) in the address; links.py has percent-encoded < > | and spaces.
        return f"[{text}](<{link}>)"
    return text


def render_markdown(table: Table) -> str:
    """The table as GitHub Markdown, sections under `## name` headings."""
    columns = table.reader_columns()
    header = _line([escape_markdown(column.label) for _, column in columns])
    rule = _line(["---:" if column.numeric else "---" for _, column in columns])
    blocks = []
    for section in table.sections:
        lines = [f"## {escape_markdown(section.name)}", ""] if section.name is not None else []
        lines += [header, rule]
        lines += [
            _line([_cell(table, row, position, column) for position, column in columns])
            for row in section.rows
        ]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
