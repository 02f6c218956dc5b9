"""GitHub Markdown: one pipe table per section, under a `##` heading when grouped.

Cells are escaped so they stay one cell of plain text: Markdown and HTML punctuation gets
a backslash (CommonMark's escape for ASCII punctuation), line breaks become `<br>`.
"""

from __future__ import annotations

import re

from summarizer.tables.rows import Row, cell_text
from summarizer.tables.table import SectionHead, Table, TableHead
from summarizer.tables.writer import render_whole

# Characters that would end a cell (|), start markup (* _ ` [ ] ~ $ for math) or HTML
# (< > &), plus the backslash itself so the text's own backslashes stay literal.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$&#])")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def escape_markdown(text: str) -> str:
    """Text as the content of one GitHub Markdown table cell, shown literally."""
    escaped = _SPECIAL.sub(r"\\\1", text)
    return _LINE_BREAK.sub("<br>", escaped).strip()


def _line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |\n"


class MarkdownWriter:
    """A table as GitHub Markdown, written section by section and row by row."""

    def __init__(self, head: TableHead) -> None:
        self.head = head
        columns = head.reader_columns()
        self._cells = tuple(
            (position, head.view.link_position(column)) for position, column in columns
        )
        self._header = _line([escape_markdown(column.label) for _, column in columns])
        self._header += _line(["---:" if column.numeric else "---" for _, column in columns])
        self._sections = 0

    def begin(self) -> str:
        """Nothing comes before the first section."""
        return ""

    def open_section(self, section: SectionHead) -> str:
        """A blank line after the previous section, the `## name` heading, the header."""
        gap = "\n" if self._sections else ""
        self._sections += 1
        heading = f"## {escape_markdown(section.name)}\n\n" if section.name is not None else ""
        return gap + heading + self._header

    def row(self, row: Row) -> str:
        """One table line; a linked cell reads `[text](<url>)`."""
        cells = []
        for position, link_at in self._cells:
            text = escape_markdown(cell_text(row[position]))
            link = row[link_at] if link_at is not None else None
            # <...> keeps ( ) in the address; links.py has percent-encoded < > | and spaces.
            cells.append(f"[{text}](<{link}>)" if isinstance(link, str) and text else text)
        return _line(cells)

    def close_section(self) -> str:
        """Nothing ends a section."""
        return ""

    def end(self) -> str:
        """A lone newline for a table with no section (no cards)."""
        return "" if self._sections else "\n"


def render_markdown(table: Table) -> str:
    """The table as GitHub Markdown, sections under `## name` headings."""
    return render_whole(MarkdownWriter, table)
