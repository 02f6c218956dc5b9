"""The claimed-gains chart: every quantified gain of the cards as a dot, laid out for SVG.

One panel per unit (%, pp, x, abs, none), each with its own axis: linear, from zero, for
percentages and points; logarithmic for factors and for absolute values that span more
than two orders of magnitude. In a panel, gains are grouped by metric (the biggest group
first) and each paper gets one row per metric, its gains as dots on that row (largest
first), so a reader sees who claims what and how much. This module only computes the
geometry; the template draws it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from summarizer.cards import UNITS
from summarizer.tables.rows import describe_gain, format_number

if TYPE_CHECKING:
    from summarizer.cards import CardGain, PaperCard

# Geometry, in SVG user units (pixels at the chart's natural width).
WIDTH = 1100.0
LABEL_RIGHT = 330.0  # paper titles end here
PLOT_LEFT = 345.0
PLOT_RIGHT = 890.0
VALUES_LEFT = 905.0  # the row's values, as text
ROW = 19.0
GROUP_HEAD = 26.0
PANEL_HEAD = 40.0
AXIS = 20.0
PANEL_GAP = 26.0
DOT_RADIUS = 4.5
LABEL_CHARS = 48
VALUES_CHARS = 28

UNIT_ORDER = (*UNITS, None)
PANEL_TITLES: dict[str | None, str] = {
    "%": "Relative change (%)",
    "pp": "Percentage points (pp)",
    "x": "Factor (x)",
    "abs": "Absolute values (each metric in its own units)",
    None: "Values with no unit",
}
_SUFFIXES: dict[str | None, str] = {"%": "%", "pp": " pp", "x": "x", "abs": "", None: ""}
# Linear below this ratio of largest to smallest value, logarithmic above.
_LOG_FROM_RATIO = 100.0


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# --- scales -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    """A gridline at `x` and its label."""

    x: float
    label: str


@dataclass(frozen=True)
class Scale:
    """Values to x positions over [low, high], linear or logarithmic, with tick values."""

    low: float
    high: float
    log: bool
    ticks: tuple[float, ...]

    def x(self, value: float) -> float:
        """The x position of `value` (clamped into the axis)."""
        convert: Callable[[float], float] = math.log10 if self.log else float
        low, high = convert(self.low), convert(self.high)
        at = convert(min(max(value, self.low), self.high))
        share: float = (at - low) / (high - low) if high > low else 0.5
        position: float = PLOT_LEFT + share * (PLOT_RIGHT - PLOT_LEFT)
        return round(position, 1)

    @property
    def base(self) -> float:
        """Where a row's line starts: zero, or the axis's low end when zero is not on it."""
        return self.low if self.log or self.low > 0 else 0.0


def _nice_step(span: float, count: int = 6) -> float:
    raw = span / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= raw)


def linear_scale(values: Sequence[float]) -> Scale:
    """A linear axis from zero (or below it, for negative values) to past the largest."""
    low, high = min(0.0, *values), max(0.0, *values)
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    count = round((high - low) / step)
    return Scale(low, high, False, tuple(round(low + n * step, 10) for n in range(count + 1)))


def log_scale(values: Sequence[float]) -> Scale:
    """A base-10 axis over whole decades around the values (all positive)."""
    low = 10.0 ** math.floor(math.log10(min(values)))
    high = 10.0 ** math.ceil(math.log10(max(values)))
    if high == low:
        high = low * 10
    decades = round(math.log10(high / low))
    steps = (1,) if decades > 2 else (1, 2, 5)
    ticks = sorted(
        {
            round(low * 10**n * step, 10)
            for n in range(decades + 1)
            for step in steps
            if low * 10**n * step <= high
        }
    )
    return Scale(low, high, True, tuple(ticks))


def scale_for(unit: str | None, values: Sequence[float]) -> Scale:
    """Factors on a log axis; other units linear unless they span two orders of magnitude."""
    positive = all(value > 0 for value in values)
    wide = positive and max(values) / min(values) > _LOG_FROM_RATIO
    if positive and (unit == "x" or (unit in ("abs", None) and wide)):
        return log_scale(values)
    return linear_scale(values)


# --- layout -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dot:
    """One gain: where it is drawn, which way is better, and its hover text."""

    x: float
    y: float
    direction: str
    tip: str


@dataclass(frozen=True)
class Row:
    """One paper's gains on one metric."""

    y: float
    label: str
    title: str
    anchor: str
    values: str
    line_from: float
    line_to: float
    dots: tuple[Dot, ...]


@dataclass(frozen=True)
class Group:
    """The heading of one metric's rows in a panel."""

    y: float
    metric: str
    gains: int
    papers: int


@dataclass(frozen=True)
class Panel:
    """One unit's axis, metric groups and rows, from `top` to `bottom`."""

    top: float
    bottom: float
    title: str
    scale_note: str
    ticks: tuple[Tick, ...]
    groups: tuple[Group, ...]
    rows: tuple[Row, ...]
    gains: int

    @property
    def axis_top(self) -> float:
        """The y of the upper axis line."""
        return self.top + PANEL_HEAD

    @property
    def axis_bottom(self) -> float:
        """The y of the lower axis line."""
        return self.bottom - AXIS


@dataclass(frozen=True)
class GainsChart:
    """The whole chart: its size, panels and counts."""

    width: float
    height: float
    panels: tuple[Panel, ...]
    gains: int
    papers: int
    unquantified: int


@dataclass(frozen=True)
class _Claim:
    anchor: str
    card: PaperCard
    gain: CardGain
    value: float


def _tip(claim: _Claim) -> str:
    gain = claim.gain
    lines = [claim.card.title, describe_gain(gain)]
    if gain.baseline:
        lines.append(f"vs {gain.baseline}")
    return "\n".join(lines)


def metric_key(metric: str) -> str:
    """A metric as the chart groups it: case and spacing ignored."""
    return " ".join(metric.casefold().split())


def _row(scale: Scale, suffix: str, top: float, claims: list[_Claim]) -> Row:
    """One paper's claims on one metric (largest first) as a row starting at `top`."""
    middle = top + ROW / 2
    dots: list[Dot] = []
    placed: list[float] = []
    for claim in claims:
        x = scale.x(claim.value)
        # Equal or close values on one row: nudge up and down so each stays visible.
        crowd = len([other for other in placed if abs(other - x) < DOT_RADIUS * 1.5])
        nudge = (0, -4, 4, -8, 8)[min(crowd, 4)]
        placed.append(x)
        dots.append(Dot(x, middle + nudge, claim.gain.direction, _tip(claim)))
    values = ", ".join(format_number(claim.value) + suffix for claim in claims)
    return Row(
        y=middle,
        label=shorten(claims[0].card.title, LABEL_CHARS),
        title=claims[0].card.title,
        anchor=claims[0].anchor,
        values=shorten(values, VALUES_CHARS),
        line_from=scale.x(scale.base),
        line_to=max(dot.x for dot in dots),
        dots=tuple(dots),
    )


def _panel(unit: str | None, claims: list[_Claim], top: float) -> Panel:
    scale = scale_for(unit, [claim.value for claim in claims])
    suffix = _SUFFIXES[unit]
    by_metric: dict[str, list[_Claim]] = {}
    for claim in claims:
        by_metric.setdefault(metric_key(claim.gain.metric), []).append(claim)
    metrics = sorted(by_metric, key=lambda key: (-len(by_metric[key]), key))
    groups: list[Group] = []
    rows: list[Row] = []
    y = top + PANEL_HEAD + AXIS
    for key in metrics:
        members = by_metric[key]
        by_paper: dict[str, list[_Claim]] = {}
        for claim in members:
            by_paper.setdefault(claim.anchor, []).append(claim)
        groups.append(Group(y, members[0].gain.metric, len(members), len(by_paper)))
        y += GROUP_HEAD
        papers = sorted(
            by_paper.values(), key=lambda own: (-max(abs(c.value) for c in own), own[0].anchor)
        )
        for paper_claims in papers:
            row = _row(scale, suffix, y, sorted(paper_claims, key=lambda claim: -claim.value))
            rows.append(row)
            y += ROW
    ticks = tuple(Tick(scale.x(value), format_number(value) + suffix) for value in scale.ticks)
    note = "logarithmic scale" if scale.log else "linear scale"
    bottom = y + AXIS
    return Panel(
        top, bottom, PANEL_TITLES[unit], note, ticks, tuple(groups), tuple(rows), len(claims)
    )


def gains_chart(papers: Sequence[tuple[str, PaperCard]]) -> GainsChart:
    """The chart of every quantified gain of `papers` ((anchor, card) pairs, in order)."""
    claims: dict[str | None, list[_Claim]] = {unit: [] for unit in UNIT_ORDER}
    unquantified = 0
    for anchor, card in papers:
        for gain in card.claimed_gains:
            if gain.value is None:
                unquantified += 1
            else:
                claims[gain.unit].append(_Claim(anchor, card, gain, gain.value))
    panels = []
    top = 0.0
    for unit in UNIT_ORDER:
        if claims[unit]:
            panel = _panel(unit, claims[unit], top)
            panels.append(panel)
            top = panel.bottom + PANEL_GAP
    quantified = sum(len(found) for found in claims.values())
    papers_with = len({claim.anchor for found in claims.values() for claim in found})
    height = (panels[-1].bottom if panels else 0.0) + 4
    return GainsChart(WIDTH, height, tuple(panels), quantified, papers_with, unquantified)
