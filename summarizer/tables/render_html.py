"""HTML: one self-contained page (inline CSS and JS, nothing fetched), readable without JS.

Every value goes through Jinja2's autoescaping. The page's Content-Security-Policy allows
only its own style and script (by hash), so even a value that escaped escaping could not
run code or fetch anything. With JS on, headings sort and a box filters the rows.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from summarizer.tables.assets import asset, inline_assets
from summarizer.tables.rows import Cell, Column, Row, cell_text
from summarizer.tables.table import Table

if TYPE_CHECKING:
    import jinja2


@cache
def _page() -> tuple[jinja2.Template, dict[str, str]]:
    import jinja2

    environment = jinja2.Environment(autoescape=True, keep_trailing_newline=True)
    template = environment.from_string(asset("table.html.j2"))
    return template, inline_assets(asset("table.css"), asset("table.js"))


_LINE_BREAK = re.compile(r"\r\n?")


def html_text(cell: Cell) -> str:
    """A cell as the page's text (line breaks as LF)."""
    # Browsers read CR and CRLF as LF anyway; writing LF keeps the page's bytes plain.
    return _LINE_BREAK.sub("\n", cell_text(cell))


def column_classes(column: Column) -> str:
    """The CSS classes of a column's cells: its name, and its kind (num, narrow, ...)."""
    kind = "num" if column.numeric else column.width
    return f"col-{column.name} {kind}"


def html_cells(table: Table, row: Row) -> list[tuple[str, str, str | None]]:
    """A row's shown cells as (text, CSS classes, link or None), for the page templates."""
    cells = []
    for position, column in table.reader_columns():
        link_at = table.view.link_position(column)
        link = row[link_at] if link_at is not None else None
        href = link if isinstance(link, str) and row[position] not in (None, "") else None
        cells.append((html_text(row[position]), column_classes(column), href))
    return cells


def render_html(table: Table) -> str:
    """The table as a self-contained HTML page, one section per group."""
    template, assets = _page()
    columns = table.reader_columns()
    rows = sum(len(section.rows) for section in table.sections)
    papers = f"{table.papers} paper{'' if table.papers == 1 else 's'}"
    grouping = f", grouped by {table.group_by}" if table.grouped else ""
    text: str = template.render(
        heading=f"{table.view.name.capitalize()} of {papers}",
        summary=f"{table.view.name} view: {rows} row{'' if rows == 1 else 's'}{grouping}.",
        view=table.view.name,
        columns=[
            {"label": column.label, "classes": column_classes(column)} for _, column in columns
        ],
        sections=[
            {
                "name": section.name,
                "rows": [html_cells(table, row) for row in section.rows],
            }
            for section in table.sections
        ],
        **assets,
    )
    return text
