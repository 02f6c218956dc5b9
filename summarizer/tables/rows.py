"""Table views: the columns of a table and the rows of plain values each card gives.

A view is data, not code paths: a tuple of columns and one function from a card to its
rows. Every format renders from these rows, so a value looks the same wherever it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from summarizer.cards import STAGE_KINDS
from summarizer.tables.links import paper_url

if TYPE_CHECKING:
    from summarizer.cards import Gain, PaperCard

Cell = str | int | float | None
Row = tuple[Cell, ...]
Width = Literal["narrow", "normal", "wide"]

PIPELINE_ARROW = " → "
_DIRECTION_ARROWS = {"higher": "↑", "lower": "↓"}
_UNIT_FORMATS = {"%": "{}%", "pp": "{} pp", "x": "{}x", "abs": "{}", None: "{}"}


@dataclass(frozen=True)
class Column:
    """One column of a view.

    `width` tells reading formats how much room the text needs: `narrow` for a small
    fixed vocabulary (kept on one line), `normal` for short free text, `wide` for prose.
    A `machine` column (an id to join on, a URL) appears only in CSV and JSON. A column
    with a `link` shows its text as a link to the URL in the column of that name, in the
    formats that have links (HTML, Markdown, LaTeX).
    """

    name: str
    numeric: bool = False
    width: Width = "normal"
    machine: bool = False
    link: str | None = None

    @property
    def label(self) -> str:
        """The header shown to a reader."""
        return self.name.replace("_", " ")


@dataclass(frozen=True)
class View:
    """A table's columns and the function giving a card's rows (0, 1 or more)."""

    name: str
    columns: tuple[Column, ...]
    rows: Callable[[PaperCard], Iterable[Row]]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Every column's name, in order (the valid `--sort` fields)."""
        return tuple(column.name for column in self.columns)

    def link_position(self, column: Column) -> int | None:
        """Where the URL of a linked column's cells is in each row; None if not linked."""
        return self.column_names.index(column.link) if column.link else None


# --- headline gain ----------------------------------------------------------------------


def _factor_as_percent(value: float) -> float:
    # 2x and 0.5x ("halves the latency") are the same size of claim: a 100% change.
    factor = abs(value)
    if 0 < factor < 1:
        factor = 1 / factor
    return (factor - 1) * 100 if factor else 0.0


_PERCENT_SCALE: dict[str | None, Callable[[float], float]] = {
    "%": abs,
    "pp": abs,
    "x": _factor_as_percent,
}


def gain_size(gain: Gain) -> float | None:
    """A gain's size on a common percent scale, or None if it has no such scale.

    `%` and `pp` count at face value, a factor `x` as the percent change it means
    (2x and 0.5x are both 100). Unquantified gains and `abs` quantities (or a value
    with no unit) have no common scale.
    """
    scale = _PERCENT_SCALE.get(gain.unit)
    if gain.value is None or scale is None:
        return None
    return scale(gain.value)


def headline_gain(gains: Sequence[Gain]) -> Gain | None:
    """The largest quantified gain of a card, or None if no gain has a number.

    Sizes are compared with `gain_size` (percent, points and factors on one scale);
    a gain with no common scale (`abs`, or no unit) is chosen only when the card has no
    other quantified gain, then the largest absolute value wins. Ties go to the gain
    stated first. A card's `value` is the size of the claim as the abstract states it,
    so a level ("to 39.9%") is not turned into a difference.
    """
    sized = [(size, gain) for gain in gains if (size := gain_size(gain)) is not None]
    if not sized:
        sized = [(abs(gain.value), gain) for gain in gains if gain.value is not None]
    if not sized:
        return None
    return max(sized, key=lambda pair: pair[0])[1]


def describe_gain(gain: Gain) -> str:
    """A gain as one short phrase: metric, ↑/↓ (which way is better), value, condition."""
    text = f"{gain.metric} {_DIRECTION_ARROWS[gain.direction]}"
    if gain.value is not None:
        text += " " + _UNIT_FORMATS[gain.unit].format(format_number(gain.value))
    if gain.condition:
        text += f" ({gain.condition})"
    return text


# --- cell values ------------------------------------------------------------------------


def format_number(value: int | float) -> str:
    """A number as text: integers without `.0`, other floats as Python spells them."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def cell_text(cell: Cell) -> str:
    """A cell as text for the text formats (None is empty)."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    return format_number(cell)


# --- views ------------------------------------------------------------------------------

_TITLE = Column("title", link="url")
_PAPER_ID = Column("paper_id", machine=True)
_URL = Column("url", machine=True)


def _overview_rows(card: PaperCard) -> Iterator[Row]:
    headline = headline_gain(card.claimed_gains)
    yield (
        card.title,
        card.contribution,
        card.method_name,
        card.problem,
        card.method,
        len(card.stages),
        describe_gain(headline) if headline is not None else None,
        card.paper_id,
        paper_url(card),
    )


def _stages_rows(card: PaperCard) -> Iterator[Row]:
    positions = {
        kind: ", ".join(
            str(number) for number, stage in enumerate(card.stages, start=1) if stage.kind == kind
        )
        for kind in STAGE_KINDS
    }
    yield (
        card.title,
        *(positions[kind] or None for kind in STAGE_KINDS),
        PIPELINE_ARROW.join(stage.kind for stage in card.stages) or None,
        PIPELINE_ARROW.join(stage.name for stage in card.stages) or None,
        card.paper_id,
        paper_url(card),
    )


def _gains_rows(card: PaperCard) -> Iterator[Row]:
    url = paper_url(card)
    for gain in card.claimed_gains:
        yield (
            card.title,
            gain.metric,
            gain.value,
            gain.unit,
            gain.direction,
            gain.baseline,
            gain.condition,
            gain.quote,
            card.paper_id,
            url,
        )


OVERVIEW = View(
    "overview",
    (
        _TITLE,
        Column("contribution", width="narrow"),
        Column("method_name"),
        Column("problem", width="wide"),
        Column("method", width="wide"),
        Column("stages", numeric=True),
        Column("headline_gain"),
        _PAPER_ID,
        _URL,
    ),
    _overview_rows,
)

STAGES = View(
    "stages",
    (
        _TITLE,
        *(Column(kind, width="narrow") for kind in STAGE_KINDS),
        Column("pipeline"),
        Column("stage_names", width="wide"),
        _PAPER_ID,
        _URL,
    ),
    _stages_rows,
)

GAINS = View(
    "gains",
    (
        _TITLE,
        Column("metric"),
        Column("value", numeric=True),
        Column("unit", width="narrow"),
        Column("direction", width="narrow"),
        Column("baseline"),
        Column("condition"),
        Column("quote", width="wide"),
        _PAPER_ID,
        _URL,
    ),
    _gains_rows,
)

VIEWS: dict[str, View] = {view.name: view for view in (OVERVIEW, STAGES, GAINS)}
