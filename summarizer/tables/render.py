"""Render cards as a table in one of the formats: the format and view dispatch tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
) -> str:
    """The cards as a table: `view` rows in `fmt`, grouped and sorted; deterministic."""
    render = renderer(fmt)
    return render(build_table(cards, view=view, group_by=group_by, sort=sort))
