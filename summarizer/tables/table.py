"""A table ready to render: a view's rows for some cards, grouped into sections and sorted.

Grouping and sorting are deterministic: sections come in a fixed order (inputs by
collection or file name, contributions in the spec's order) and rows keep the cards'
order unless sorted, with ties kept in that order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from summarizer.cards import CONTRIBUTIONS
from summarizer.errors import ConfigError
from summarizer.tables.rows import VIEWS, Cell, Column, Row, View

if TYPE_CHECKING:
    from summarizer.cards import PaperCard

NO_SOURCE = "(no source file)"

# A group: its place among the sections, and its heading (None when not grouped).
GroupKey = tuple[tuple[int, str], str | None]


# A trailing content hash, as page dumps are saved (`000_7a3839734a59cdb6.txt`): eight or
# more hex digits with at least one letter and one digit, so a date (20240501) stays.
_HASH_TAIL = re.compile(r"[_-](?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{8,}$")


def readable_file_name(file: str) -> str:
    """A file's name as a section heading: no extension, no trailing hash.

    `reading-list.bib` reads `reading-list`; a numbered page dump `003_29c641b9941a17c6.txt`
    (numbered from 000 by the tool that saves them) reads `page 4`.
    """
    stem = PurePath(file).stem or file
    name = _HASH_TAIL.sub("", stem) or stem
    return f"page {int(name) + 1}" if name.isdigit() else name


def section_name(card: PaperCard) -> str:
    """The heading of a card's input: its collection's name, else its file's, readable."""
    if card.source is None:
        return NO_SOURCE
    return card.source.collection or readable_file_name(card.source.file)


def _group_by_file(card: PaperCard) -> GroupKey:
    if card.source is None:
        return (1, ""), NO_SOURCE
    return (0, card.source.collection or card.source.file), section_name(card)


def _group_by_contribution(card: PaperCard) -> GroupKey:
    return (CONTRIBUTIONS.index(card.contribution), card.contribution), card.contribution


def _no_groups(card: PaperCard) -> GroupKey:
    return (0, ""), None


GROUPINGS: dict[str, Callable[[PaperCard], GroupKey]] = {
    "file": _group_by_file,
    "contribution": _group_by_contribution,
    "none": _no_groups,
}


@dataclass(frozen=True)
class TableHead:
    """What a renderer needs before the first row: the view, the grouping and the counts."""

    view: View
    group_by: str
    papers: int
    rows: int

    @property
    def grouped(self) -> bool:
        """Whether rows are split into named sections."""
        return self.group_by != "none"

    def reader_columns(self) -> tuple[tuple[int, Column], ...]:
        """The columns a reader sees (machine-only ids left out), with their positions."""
        return tuple(
            (position, column)
            for position, column in enumerate(self.view.columns)
            if not column.machine
        )


@dataclass(frozen=True)
class SectionHead:
    """A section's heading (None when the table is not grouped) and how many rows follow."""

    name: str | None
    rows: int


@dataclass(frozen=True)
class SectionStream:
    """A section whose rows are read once, in order, as they are rendered."""

    head: SectionHead
    rows: Iterable[Row]


@dataclass(frozen=True)
class TableStream:
    """A table whose sections (and their rows) are read once, in order: nothing is held."""

    head: TableHead
    sections: Iterable[SectionStream]


@dataclass(frozen=True)
class Section:
    """The rows under one heading (`name` is None when the table is not grouped)."""

    name: str | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Table:
    """A view's rows for some cards, in sections, all in memory."""

    view: View
    group_by: str
    sections: tuple[Section, ...]
    papers: int

    @property
    def head(self) -> TableHead:
        """The table's view, grouping and counts."""
        rows = sum(len(section.rows) for section in self.sections)
        return TableHead(self.view, self.group_by, self.papers, rows)

    @property
    def grouped(self) -> bool:
        """Whether rows are split into named sections."""
        return self.head.grouped

    def reader_columns(self) -> tuple[tuple[int, Column], ...]:
        """The columns a reader sees (machine-only ids left out), with their positions."""
        return self.head.reader_columns()

    def stream(self) -> TableStream:
        """The table as a stream, for the renderers."""
        return TableStream(
            self.head,
            (
                SectionStream(SectionHead(section.name, len(section.rows)), section.rows)
                for section in self.sections
            ),
        )


def _choose(kind: str, name: str, choices: Sequence[str]) -> None:
    if name not in choices:
        raise ConfigError(
            kind, f"unknown {kind} {name!r}", hint=f"use one of: {', '.join(choices)}"
        )


_DIGITS = re.compile(r"(\d+)")


def _text_key(text: str) -> tuple[tuple[str | int, ...], str]:
    # Natural order ("stage 2" before "stage 10"), case-insensitive, then the exact text.
    parts = _DIGITS.split(text.casefold())
    natural = tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
    return natural, text


def _number_key(cell: Cell) -> float:
    return float(cell) if isinstance(cell, int | float) else 0.0


@dataclass(frozen=True)
class SortOrder:
    """Sort by the column at `position`, descending or not."""

    position: int
    numeric: bool
    descending: bool

    def positions(self, cells: Sequence[Cell]) -> list[int]:
        """The indices of `cells` in this order; stable, and empty cells always last."""
        present = [at for at, cell in enumerate(cells) if cell not in (None, "")]
        empty = [at for at, cell in enumerate(cells) if cell in (None, "")]
        if self.numeric:
            present.sort(key=lambda at: _number_key(cells[at]), reverse=self.descending)
        else:
            present.sort(key=lambda at: _text_key(str(cells[at])), reverse=self.descending)
        return present + empty

    def apply(self, rows: Sequence[Row]) -> tuple[Row, ...]:
        """The rows in this order (by the cell at `position`)."""
        return tuple(rows[at] for at in self.positions([row[self.position] for row in rows]))


def sort_order(view: View, sort: str) -> SortOrder:
    """The order `sort` names: a column of the view, `-column` for descending.

    Numeric columns sort by value, text columns in natural, case-insensitive order.
    An unknown column raises ConfigError naming the valid ones.
    """
    name = sort.removeprefix("-")
    if name not in view.column_names:
        raise ConfigError(
            "sort",
            f"unknown field {name!r} for the {view.name} view",
            hint=f"sort by one of: {', '.join(view.column_names)}; prefix - for descending",
        )
    position = view.column_names.index(name)
    return SortOrder(position, view.columns[position].numeric, sort.startswith("-"))


def section_headings(
    names: Mapping[tuple[int, str], str | None],
) -> list[tuple[tuple[int, str], str | None]]:
    """Each group's place and heading, in section order.

    Two inputs whose headings read the same (a.txt and a.bib) keep them apart by name.
    """
    counts = Counter(names.values())
    return [
        (place, f"{name} ({place[1]})" if name is not None and counts[name] > 1 else name)
        for place, name in sorted(names.items())
    ]


def check_table_options(view: str, group_by: str, sort: str | None) -> SortOrder | None:
    """ConfigError for an unknown view, grouping or sort field; the sort order, if any."""
    _choose("view", view, tuple(VIEWS))
    _choose("group-by", group_by, tuple(GROUPINGS))
    return sort_order(VIEWS[view], sort) if sort is not None else None


def table_of_groups(
    view: View,
    group_by: str,
    groups: Iterable[tuple[str | None, Sequence[PaperCard]]],
    *,
    papers: int,
    order: SortOrder | None = None,
) -> Table:
    """The rows of `view` for cards already in sections (heading, cards), in that order."""
    sections = []
    for name, members in groups:
        rows: tuple[Row, ...] = tuple(row for card in members for row in view.rows(card))
        sections.append(Section(name, order.apply(rows) if order else rows))
    return Table(view, group_by, tuple(sections), papers)


def build_table(
    cards: Sequence[PaperCard],
    *,
    view: str = "overview",
    group_by: str = "none",
    sort: str | None = None,
) -> Table:
    """The rows of `view` for `cards`, in sections by `group_by`, sorted by `sort`."""
    order = check_table_options(view, group_by, sort)
    key_of = GROUPINGS[group_by]
    names: dict[tuple[int, str], str | None] = {}
    members: dict[tuple[int, str], list[PaperCard]] = {}
    for card in cards:
        place, name = key_of(card)
        names.setdefault(place, name)
        members.setdefault(place, []).append(card)
    groups = [(heading, members[place]) for place, heading in section_headings(names)]
    return table_of_groups(VIEWS[view], group_by, groups, papers=len(cards), order=order)
