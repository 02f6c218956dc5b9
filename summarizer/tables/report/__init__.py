"""report.html: one self-contained page about a set of cards.

The overview table, a chart of every quantified gain (inline SVG), the stage matrix, and
each paper's card with its abstract, the quoted evidence marked. `gather` collects what
the page shows, `chart` lays out the SVG, `marks` cuts abstracts at the evidence spans,
`render` fills the template. See docs/tables.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from summarizer.tables.report.gather import gather_report
from summarizer.tables.report.render import render_report_page

if TYPE_CHECKING:
    from summarizer.cards import PaperCard


def render_report(
    cards: Sequence[PaperCard], *, group_by: str = "file", sort: str | None = None
) -> str:
    """The report page for `cards`, its overview grouped and sorted as asked; deterministic."""
    return render_report_page(gather_report(cards, group_by=group_by, sort=sort))


__all__ = ["render_report"]
