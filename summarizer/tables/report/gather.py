"""Everything report.html shows, gathered from the cards: one model, no markup.

Papers appear in the overview's order (its grouping and sort), numbered from 1 (a part
of a report in parts goes on from the part before); the number names each paper's place
in the page (`#paper-7`), so the overview, the chart and the stage matrix all lead to the
same paper. A paper_id seen twice keeps its first card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.cards import STAGE_KINDS
from summarizer.outputs import unique_by_id
from summarizer.tables.links import paper_url
from summarizer.tables.report.chart import GainsChart, gains_chart
from summarizer.tables.report.marks import Piece, marked_pieces
from summarizer.tables.rows import PIPELINE_ARROW, VIEWS, Cell, describe_gain
from summarizer.tables.table import Table, build_table

if TYPE_CHECKING:
    from summarizer.cards import PaperCard


@dataclass(frozen=True)
class GainNote:
    """One claimed gain as the paper's entry lists it."""

    number: int
    text: str
    baseline: str | None
    quote: str
    marked: bool  # whether its quote is marked in the abstract


@dataclass(frozen=True)
class Paper:
    """One paper's entry: its card, its place, its link and its marked abstract."""

    number: int
    anchor: str
    card: PaperCard
    section: str | None
    url: str | None
    facts: tuple[tuple[str, str], ...]
    gains: tuple[GainNote, ...]
    abstract: tuple[Piece, ...] | None


@dataclass(frozen=True)
class MatrixRow:
    """A paper's stage positions per kind ("2, 3": its 2nd and 3rd stages are that kind)."""

    anchor: str
    title: str
    cells: tuple[Cell, ...]
    pipeline: str


@dataclass(frozen=True)
class PartPlace:
    """Where a part stands in a report too big for one page (parts.py): its number, and
    the addresses, relative to it, of the index page and of the parts before and after."""

    number: int
    parts: int
    papers: int  # in the whole report
    index: str
    previous: str | None
    next: str | None


@dataclass(frozen=True)
class Report:
    """The whole page's content."""

    heading: str
    summary: tuple[str, ...]
    overview: Table
    anchors: dict[str, str]  # paper_id -> anchor
    chart: GainsChart
    kinds: tuple[str, ...]
    kind_counts: tuple[int, ...]
    matrix: tuple[MatrixRow, ...]
    sections: tuple[tuple[str | None, tuple[Paper, ...]], ...]
    part: PartPlace | None = None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _facts(card: PaperCard, url: str | None) -> tuple[tuple[str, str], ...]:
    facts: list[tuple[str, str]] = [("contribution", card.contribution)]
    if card.method_name:
        facts.append(("method", card.method_name))
    source = card.source
    if source is not None:
        if source.authors:
            shown = ", ".join(source.authors[:3])
            facts.append(("authors", shown + (" et al." if len(source.authors) > 3 else "")))
        if source.year is not None:
            facts.append(("year", str(source.year)))
        if source.arxiv_id:
            facts.append(("arXiv", source.arxiv_id))
        if source.doi:
            facts.append(("DOI", source.doi))
        if source.url and source.url != url:
            facts.append(("URL", source.url))  # shown as text: not an http(s) link
        facts.append(("input", f"{source.file}, paper {source.index + 1}"))
    engine = card.provenance.engine + (
        f" ({card.provenance.model})" if card.provenance.model else ""
    )
    facts.append(("engine", engine))
    return tuple(facts)


def _paper(number: int, anchor: str, card: PaperCard, section: str | None) -> Paper:
    url = paper_url(card)
    spans = [gain.span for gain in card.claimed_gains]
    pieces = marked_pieces(card.abstract, spans) if card.abstract else None
    marked = {number for piece in pieces or [] for number in piece.gains}
    gains = tuple(
        GainNote(at, describe_gain(gain), gain.baseline, gain.quote, at in marked)
        for at, gain in enumerate(card.claimed_gains, start=1)
    )
    return Paper(
        number=number,
        anchor=anchor,
        card=card,
        section=section,
        url=url,
        facts=_facts(card, url),
        gains=gains,
        abstract=tuple(pieces) if pieces is not None else None,
    )


def _matrix_row(anchor: str, card: PaperCard) -> MatrixRow:
    (row,) = VIEWS["stages"].rows(card)
    cells = row[1 : 1 + len(STAGE_KINDS)]
    names = PIPELINE_ARROW.join(stage.name for stage in card.stages)
    return MatrixRow(anchor, card.title, cells, names)


def gather_report(
    cards: Sequence[PaperCard], *, group_by: str = "file", sort: str | None = None
) -> Report:
    """The report's content for `cards`: overview grouped and sorted as asked."""
    unique = unique_by_id(cards)
    overview = build_table(unique, view="overview", group_by=group_by, sort=sort)
    return gather_overview(overview, unique, repeated=len(cards) - len(unique))


def gather_overview(
    overview: Table,
    cards: Sequence[PaperCard],
    *,
    repeated: int = 0,
    first: int = 1,
    part: PartPlace | None = None,
) -> Report:
    """The report's content for an overview of `cards` (unique), in the overview's order.

    Papers are numbered from `first`; `repeated` cards were left out. A `part` page says
    which papers of the whole report it holds.
    """
    by_id = {card.paper_id: card for card in cards}
    id_at = overview.view.column_names.index("paper_id")
    anchors: dict[str, str] = {}
    sections = []
    for section in overview.sections:
        papers = []
        for row in section.rows:
            paper_id = str(row[id_at])
            anchor = anchors.setdefault(paper_id, f"paper-{first + len(anchors)}")
            number = first - 1 + len(anchors)
            papers.append(_paper(number, anchor, by_id[paper_id], section.name))
        sections.append((section.name, tuple(papers)))
    ordered = [(paper.anchor, paper.card) for _, papers in sections for paper in papers]
    chart = gains_chart(ordered)
    matrix = tuple(_matrix_row(anchor, card) for anchor, card in ordered if card.stages)
    kind_counts = tuple(
        sum(1 for _, card in ordered if any(stage.kind == kind for stage in card.stages))
        for kind in STAGE_KINDS
    )
    gains = sum(len(card.claimed_gains) for card in cards)
    inputs = [name for name, _ in sections if name is not None]
    from_inputs = f" from {_plural(len(inputs), 'input')}: {', '.join(inputs)}." if inputs else "."
    if part is None:
        heading = f"Report on {_plural(len(cards), 'paper')}"
        papers_line = _plural(len(cards), "paper") + from_inputs
    else:
        heading = f"Report on {_plural(part.papers, 'paper')}, part {part.number} of {part.parts}"
        papers_line = f"Papers {first} to {first + len(cards) - 1} of {part.papers}" + from_inputs
    summary = [
        papers_line,
        f"{_plural(gains, 'claimed gain')}, {chart.gains} with a number "
        f"(from {_plural(chart.papers, 'paper')}); {len(matrix)} of the papers "
        "describe stages.",
    ]
    if repeated:
        summary.append(f"{_plural(repeated, 'repeated card')} left out.")
    return Report(
        heading=heading,
        summary=tuple(summary),
        overview=overview,
        anchors=anchors,
        chart=chart,
        kinds=STAGE_KINDS,
        kind_counts=kind_counts,
        matrix=matrix,
        sections=tuple(sections),
        part=part,
    )
