"""The index page of a report in parts: what every part holds, and the whole set's counts.

A report too big for one page (parts.py) is an index page and parts. The index shows the
same counts the one page would (papers, inputs, gains, stages), tallied card by card as
the cards file is indexed, a table of the parts (their papers and inputs, linked), each
unit's quantified gains with their most frequent metrics (the parts draw the chart), and
how many papers have each stage kind (the parts hold the stage matrix).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from summarizer.cards import STAGE_KINDS
from summarizer.tables.assets import asset, csp_hash
from summarizer.tables.report.chart import PANEL_TITLES, UNIT_ORDER, metric_key

if TYPE_CHECKING:
    import jinja2

    from summarizer.cards import PaperCard

# How many metrics the index names for each unit.
TOP_METRICS = 8
# How many input names the summary line lists before "and N more".
LISTED_INPUTS = 10


@dataclass
class _UnitTally:
    gains: int = 0
    papers: int = 0
    metric_gains: Counter[str] = field(default_factory=Counter)
    metric_papers: Counter[str] = field(default_factory=Counter)
    spelling: dict[str, str] = field(default_factory=dict)  # metric key -> first spelling


@dataclass
class ReportTotals:
    """Counts over every card of a report, kept as each card is seen (a few per metric)."""

    papers: int = 0
    gains: int = 0
    quantified: int = 0
    papers_quantified: int = 0
    papers_with_stages: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    units: dict[str | None, _UnitTally] = field(default_factory=dict)

    def add(self, card: PaperCard) -> None:
        """Count one card."""
        self.papers += 1
        self.gains += len(card.claimed_gains)
        if card.stages:
            self.papers_with_stages += 1
            self.kinds.update({stage.kind for stage in card.stages})
        metrics_by_unit: dict[str | None, set[str]] = {}
        for gain in card.claimed_gains:
            if gain.value is None:
                continue
            self.quantified += 1
            tally = self.units.setdefault(gain.unit, _UnitTally())
            tally.gains += 1
            key = metric_key(gain.metric)
            tally.metric_gains[key] += 1
            tally.spelling.setdefault(key, gain.metric)
            metrics_by_unit.setdefault(gain.unit, set()).add(key)
        if metrics_by_unit:
            self.papers_quantified += 1
        for unit, keys in metrics_by_unit.items():
            self.units[unit].papers += 1
            self.units[unit].metric_papers.update(keys)


@dataclass(frozen=True)
class PartEntry:
    """One part as the index lists it."""

    number: int
    href: str
    first: int  # its first paper's number
    last: int
    inputs: tuple[str, ...]  # the first and last input it holds (one if the same)
    input_count: int
    gains: int
    quantified: int
    papers_with_stages: int


@dataclass(frozen=True)
class MetricCount:
    """A metric, its quantified gains and the papers claiming them."""

    metric: str
    gains: int
    papers: int


@dataclass(frozen=True)
class UnitSummary:
    """One unit's quantified gains: the chart panel a part draws for it, summarised."""

    title: str
    gains: int
    papers: int
    metrics: int
    top: tuple[MetricCount, ...]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def unit_summaries(totals: ReportTotals) -> list[UnitSummary]:
    """Each unit with quantified gains, in the chart's order, its metrics most claimed first."""
    summaries = []
    for unit in UNIT_ORDER:
        tally = totals.units.get(unit)
        if tally is None:
            continue
        ranked = sorted(tally.metric_gains, key=lambda key: (-tally.metric_gains[key], key))
        top = tuple(
            MetricCount(tally.spelling[key], tally.metric_gains[key], tally.metric_papers[key])
            for key in ranked[:TOP_METRICS]
        )
        summaries.append(
            UnitSummary(PANEL_TITLES[unit], tally.gains, tally.papers, len(ranked), top)
        )
    return summaries


def index_summary(totals: ReportTotals, inputs: Sequence[str], repeated: int) -> list[str]:
    """The header lines, as the one-page report would say them for the same cards."""
    listed = ", ".join(inputs[:LISTED_INPUTS])
    if len(inputs) > LISTED_INPUTS:
        listed += f" and {len(inputs) - LISTED_INPUTS} more"
    from_inputs = f" from {_plural(len(inputs), 'input')}: {listed}." if inputs else "."
    lines = [
        _plural(totals.papers, "paper") + from_inputs,
        f"{_plural(totals.gains, 'claimed gain')}, {totals.quantified} with a number "
        f"(from {_plural(totals.papers_quantified, 'paper')}); {totals.papers_with_stages} "
        "of the papers describe stages.",
    ]
    if repeated:
        lines.append(f"{_plural(repeated, 'repeated card')} left out.")
    return lines


@cache
def _page() -> tuple[jinja2.Template, str, str]:
    import jinja2

    environment = jinja2.Environment(
        autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    style = asset("table.css") + asset("report.css") + asset("report_index.css")
    return environment.from_string(asset("report_index.html.j2")), style, csp_hash(style)


def index_page_chunks(
    totals: ReportTotals,
    *,
    inputs: Sequence[str],
    repeated: int,
    part_size: int,
    parts: Sequence[PartEntry],
) -> Iterator[str]:
    """The index page, in pieces: header counts, the parts, gains by unit, stage kinds."""
    template, style, style_hash = _page()
    return template.generate(
        heading=f"Report on {_plural(totals.papers, 'paper')}",
        summary=index_summary(totals, inputs, repeated),
        part_size=part_size,
        parts=parts,
        units=unit_summaries(totals),
        kinds=STAGE_KINDS,
        kind_counts=[totals.kinds[kind] for kind in STAGE_KINDS],
        papers_with_stages=totals.papers_with_stages,
        style=style,
        style_hash=style_hash,
    )
