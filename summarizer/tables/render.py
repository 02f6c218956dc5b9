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


def renderer(fmt: str) -> Callable[[Table], str]:
    """The function rendering a table in `fmt`; ConfigError for an unknown format."""
    try:
        return FORMATS[fmt]
    except KeyError:
        raise ConfigError(
            "format", f"unknown format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}"
        ) from None


def render_table(
    cards: Sequence[PaperCard],
    *,
    view: str = "overview",
    fmt: str = "md",
    group_by: str = "none",
    sort: str | None = None,
    raw_csv: bool = False,
) -> str:
    """The cards as a table: `view` rows in `fmt`, grouped and sorted; deterministic.

    CSV cells that a spreadsheet would run as formulas are neutralised unless `raw_csv`
    (docs/tables.md); `raw_csv` with another format is a ConfigError.
    """
    render = renderer(fmt)
    if raw_csv:
        if fmt != "csv":
            raise ConfigError(
                "raw-csv", f"applies to the csv format, not {fmt}", hint="drop --raw-csv"
            )
        render = partial(render_csv, raw=True)
    return render(build_table(cards, view=view, group_by=group_by, sort=sort))
