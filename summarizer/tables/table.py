"""A table ready to render: a view's rows for some cards, grouped into sections and sorted.

Grouping and sorting are deterministic: sections come in a fixed order (inputs by
collection or file name, contributions in the spec's order) and rows keep the cards'
order unless sorted, with ties kept in that order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
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
class Section:
    """The rows under one heading (`name` is None when the table is not grouped)."""

    name: str | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Table:
    """A view's rows for some cards, in sections."""

    view: View
    group_by: str
    sections: tuple[Section, ...]
    papers: int

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

    def apply(self, rows: Sequence[Row]) -> tuple[Row, ...]:
        """The rows in this order; stable, and rows with an empty cell always last."""
        at = self.position
        present = [row for row in rows if row[at] not in (None, "")]
        empty = [row for row in rows if row[at] in (None, "")]
        if self.numeric:
            present.sort(key=lambda row: _number_key(row[at]), reverse=self.descending)
        else:
            present.sort(key=lambda row: _text_key(str(row[at])), reverse=self.descending)
        return (*present, *empty)


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


def build_table(
    cards: Sequence[PaperCard],
    *,
    view: str = "overview",
    group_by: str = "none",
    sort: str | None = None,
) -> Table:
    """The rows of `view` for `cards`, in sections by `group_by`, sorted by `sort`."""
    _choose("view", view, tuple(VIEWS))
    _choose("group-by", group_by, tuple(GROUPINGS))
    chosen = VIEWS[view]
    order = sort_order(chosen, sort) if sort is not None else None
    key_of = GROUPINGS[group_by]
    groups: dict[tuple[int, str], tuple[str | None, list[PaperCard]]] = {}
    for card in cards:
        place, name = key_of(card)
        groups.setdefault(place, (name, []))[1].append(card)
    # Two inputs whose headings read the same (a.txt and a.bib) keep them apart by name.
    headings = Counter(name for name, _ in groups.values())
    sections = []
    for place in sorted(groups):
        name, members = groups[place]
        if name is not None and headings[name] > 1:
            name = f"{name} ({place[1]})"
        rows: tuple[Row, ...] = tuple(row for card in members for row in chosen.rows(card))
        sections.append(Section(name, order.apply(rows) if order else rows))
    return Table(chosen, group_by, tuple(sections), len(cards))
