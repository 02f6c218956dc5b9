"""A cards file read for tables in bounded memory: indexed once, then read section by section.

The first pass parses every line (so a bad line is an error before anything is written)
and keeps only small keys: the set of paper_ids seen (a repeated id keeps its first card,
as `unique_by_id` does), and per section the file offsets of its cards (and, when sorted,
each card's sort value). Sections and their order are those `build_table` makes from the
same cards. `CardIndex.read` then reads the cards at some offsets, one at a time.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from summarizer.cards import PaperCard, parse_card_line
from summarizer.errors import CardFileError
from summarizer.tables.rows import VIEWS, Cell
from summarizer.tables.table import (
    GROUPINGS,
    SortOrder,
    check_table_options,
    section_headings,
)

Place = tuple[int, str]
# Called with each kept card (and its section's place) as the index is made.
CardVisitor = Callable[[Place, PaperCard], None]


@dataclass(frozen=True)
class IndexedSection:
    """A section's place, its heading, and where its cards are, in the table's order."""

    place: Place
    name: str | None
    offsets: Sequence[int]


@dataclass(frozen=True)
class CardIndex:
    """A cards file's unique cards as sections of offsets; `papers` cards in all."""

    path: Path
    sections: tuple[IndexedSection, ...]
    papers: int
    repeated: int  # lines whose paper_id an earlier line had: left out

    def read(self, offsets: Iterable[int]) -> Iterator[PaperCard]:
        """The cards at `offsets`, one at a time, in that order."""
        name = str(self.path)
        try:
            with self.path.open("rb") as handle:
                for offset in offsets:
                    handle.seek(offset)
                    yield PaperCard.model_validate_json(handle.readline())
        except OSError as exc:
            raise CardFileError(name, f"cannot read ({exc.strerror})") from None
        except ValidationError:
            # Every line was a card when the index was made.
            raise CardFileError(name, "changed while it was being read; try again") from None


@dataclass
class _Group:
    name: str | None
    offsets: array[int] = field(default_factory=lambda: array("q"))
    keys: list[Cell] = field(default_factory=list)


def _sort_value(order: SortOrder) -> Callable[[PaperCard], Cell]:
    overview = VIEWS["overview"]

    def value(card: PaperCard) -> Cell:
        (row,) = overview.rows(card)
        return row[order.position]

    return value


def _ordered(group: _Group, order: SortOrder | None) -> Sequence[int]:
    if order is None:
        return group.offsets
    return array("q", (group.offsets[at] for at in order.positions(group.keys)))


def index_cards(
    path: Path,
    *,
    group_by: str = "file",
    sort: str | None = None,
    visit: CardVisitor | None = None,
) -> CardIndex:
    """Index the cards file at `path`: sections by `group_by`, sorted by an overview column.

    A line that is not a card raises CardFileError naming its line number; blank lines
    are skipped. `visit` is called with each kept card, in file order.
    """
    order = check_table_options("overview", group_by, sort)
    key_of = GROUPINGS[group_by]
    sort_value = _sort_value(order) if order is not None else None
    name = str(path)
    groups: dict[Place, _Group] = {}
    seen: set[str] = set()
    repeated = 0
    offset = 0
    try:
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                at, offset = offset, offset + len(raw)
                line = raw.decode("utf-8")
                if not line.strip():
                    continue
                card = parse_card_line(line, name, number)
                if card.paper_id in seen:
                    repeated += 1
                    continue
                seen.add(card.paper_id)
                place, heading = key_of(card)
                group = groups.setdefault(place, _Group(heading))
                group.offsets.append(at)
                if sort_value is not None:
                    group.keys.append(sort_value(card))
                if visit is not None:
                    visit(place, card)
    except OSError as exc:
        raise CardFileError(name, f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CardFileError(name, "not UTF-8 text") from None
    headings = section_headings({place: group.name for place, group in groups.items()})
    sections = tuple(
        IndexedSection(place, heading, _ordered(groups[place], order))
        for place, heading in headings
    )
    return CardIndex(path, sections, len(seen), repeated)
