"""HTML: one self-contained page (inline CSS and JS, nothing fetched), readable without JS.

Every value goes through Jinja2's autoescaping. The page's Content-Security-Policy allows
only its own style and script (by hash), so even a value that escaped escaping could not
run code or fetch anything. With JS on, headings sort and a box filters the rows.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from summarizer.tables.assets import asset, inline_assets
from summarizer.tables.rows import Cell, Column, Row, View, cell_text
from summarizer.tables.table import SectionHead, Table, TableHead
from summarizer.tables.writer import render_whole


@cache
def _page() -> tuple[Any, dict[str, str]]:
    import jinja2

    environment = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    # The template is macros only: the page's start, a section's start, a row, ...
    macros = environment.from_string(asset("table.html.j2")).module
    return macros, inline_assets(asset("table.css"), asset("table.js"))


_LINE_BREAK = re.compile(r"\r\n?")


def html_text(cell: Cell) -> str:
    """A cell as the page's text (line breaks as LF)."""
    # Browsers read CR and CRLF as LF anyway; writing LF keeps the page's bytes plain.
    return _LINE_BREAK.sub("\n", cell_text(cell))


def column_classes(column: Column) -> str:
    """The CSS classes of a column's cells: its name, and its kind (num, narrow, ...)."""
    kind = "num" if column.numeric else column.width
    return f"col-{column.name} {kind}"


def page_columns(view: View) -> list[dict[str, str]]:
    """The shown columns' labels and classes, for the page templates' header rows."""
    return [
        {"label": column.label, "classes": column_classes(column)}
        for column in view.columns
        if not column.machine
    ]


class HtmlCells:
    """A view's rows as the page shows them: (text, CSS classes, link or None) per cell."""

    def __init__(self, view: View) -> None:
        self._plan = tuple(
            (position, column_classes(column), view.link_position(column))
            for position, column in enumerate(view.columns)
            if not column.machine
        )

    def __call__(self, row: Row) -> list[tuple[str, str, str | None]]:
        """A row's shown cells; a cell links only when it has text and its link is a URL."""
        cells = []
        for position, classes, link_at in self._plan:
            link = row[link_at] if link_at is not None else None
            href = link if isinstance(link, str) and row[position] not in (None, "") else None
            cells.append((html_text(row[position]), classes, href))
        return cells


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class HtmlWriter:
    """A table as a self-contained page, one `<tbody>` per section, written as it comes."""

    def __init__(self, head: TableHead) -> None:
        self.head = head
        self._macros, self._assets = _page()
        self._cells = HtmlCells(head.view)
        self._width = len(head.reader_columns())

    def begin(self) -> str:
        """The page up to the table's header row; the heading and summary give the counts."""
        head = self.head
        grouping = f", grouped by {head.group_by}" if head.grouped else ""
        return str(
            self._macros.page_start(
                f"{head.view.name.capitalize()} of {_plural(head.papers, 'paper')}",
                f"{head.view.name} view: {_plural(head.rows, 'row')}{grouping}.",
                head.view.name,
                page_columns(head.view),
                self._assets["style"],
                self._assets["style_hash"],
                self._assets["script_hash"],
            )
        )

    def open_section(self, section: SectionHead) -> str:
        """A `<tbody>`, with a heading row giving the section's name and row count."""
        return str(self._macros.section_start(section.name, section.rows, self._width))

    def row(self, row: Row) -> str:
        """One `<tr>`."""
        return str(self._macros.row(self._cells(row)))

    def close_section(self) -> str:
        """The `</tbody>`."""
        return str(self._macros.section_end())

    def end(self) -> str:
        """The rest of the page, with its script."""
        return str(self._macros.page_end(self._assets["script"]))


def render_html(table: Table) -> str:
    """The table as a self-contained HTML page, one section per group."""
    return render_whole(HtmlWriter, table)
