"""Render cards as a table in one of the formats: the format and view dispatch tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError
from summarizer.tables.render_csv import render_csv
from summarizer.tables.render_html import render_html
from summarizer.tables.render_json import render_json
from summarizer.tables.render_latex import render_latex
from summarizer.tables.render_md import render_markdown
from summarizer.tables.report import render_report
from summarizer.tables.table import Table, build_table

if TYPE_CHECKING:
    from summarizer.cards import PaperCard

FORMATS: dict[str, Callable[[Table], str]] = {
    "md": render_markdown,
    "csv": render_csv,
    "html": render_html,
    "latex": render_latex,
    "json": render_json,
}
EXTENSIONS = {"md": "md", "csv": "csv", "html": "html", "latex": "tex", "json": "json"}
# Not a table of one view but a page about the cards (summarizer/tables/report/).
REPORT = "report"
OUTPUT_FORMATS = (*FORMATS, REPORT)


def renderer(fmt: str) -> Callable[[Table], str]:
    """The function rendering a table in `fmt`; ConfigError for an unknown format."""
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ConfigError(
            "format", f"unknown format {fmt!r}", hint=f"use one of: {', '.join(OUTPUT_FORMATS)}"
        ) from None


def render_table(
    cards: Sequence[PaperCard],
    *,
    view: str | None = None,
    fmt: str = "md",
    group_by: str = "none",
    sort: str | None = None,
    raw_csv: bool = False,
) -> str:
    """The cards as a table: `view` rows in `fmt`, grouped and sorted; deterministic.

    `view` defaults to the overview. `fmt="report"` gives report.html, which holds every
    view (so `view` must be left out; `group_by` and `sort` order its overview and its
    papers). CSV cells that a spreadsheet would run as formulas are neutralised unless
    `raw_csv` (docs/tables.md); `raw_csv` with another format is a ConfigError.
    """
    if raw_csv and fmt != "csv":
        raise ConfigError("raw-csv", f"applies to the csv format, not {fmt}", hint="drop --raw-csv")
    if fmt == REPORT:
        if view is not None:
            raise ConfigError(
                "view", "the report shows every view", hint="leave out --view for the report"
            )
        return render_report(cards, group_by=group_by, sort=sort)
    render = partial(render_csv, raw=True) if raw_csv else renderer(fmt)
    return render(build_table(cards, view=view or "overview", group_by=group_by, sort=sort))
