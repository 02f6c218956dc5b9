"""Render cards as a table in one of the formats: the format and view dispatch tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from summarizer.errors import ConfigError
from summarizer.tables.render_csv import CsvWriter, render_csv
from summarizer.tables.render_html import HtmlWriter
from summarizer.tables.render_json import JsonWriter
from summarizer.tables.render_latex import LatexWriter
from summarizer.tables.render_md import MarkdownWriter
from summarizer.tables.report import render_report
from summarizer.tables.table import Table, build_table
from summarizer.tables.writer import WriterFactory, render_whole

if TYPE_CHECKING:
    from summarizer.cards import PaperCard

# Each format writes a table piece by piece (writer.py); FORMATS joins the pieces.
WRITERS: dict[str, WriterFactory] = {
    "md": MarkdownWriter,
    "csv": CsvWriter,
    "html": HtmlWriter,
    "latex": LatexWriter,
    "json": JsonWriter,
}
FORMATS: dict[str, Callable[[Table], str]] = {
    fmt: partial(render_whole, make_writer) for fmt, make_writer in WRITERS.items()
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


def check_format_options(fmt: str, *, view: str | None, raw_csv: bool) -> None:
    """ConfigError for options `fmt` does not take: --raw-csv but for CSV, a view for the report."""
    if raw_csv and fmt != "csv":
        raise ConfigError("raw-csv", f"applies to the csv format, not {fmt}", hint="drop --raw-csv")
    if fmt == REPORT and view is not None:
        raise ConfigError(
            "view", "the report shows every view", hint="leave out --view for the report"
        )


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
    check_format_options(fmt, view=view, raw_csv=raw_csv)
    if fmt == REPORT:
        return render_report(cards, group_by=group_by, sort=sort)
    render = partial(render_csv, raw=True) if raw_csv else renderer(fmt)
    return render(build_table(cards, view=view or "overview", group_by=group_by, sort=sort))
