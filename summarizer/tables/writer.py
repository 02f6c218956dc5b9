"""The shape every table format is written in: text pieces for the start, each section's
start, each row, each section's end and the end, so that a table of any size is written
as it is read, holding one row at a time.

A format is a `TableWriter` class made from the table's head (what is known before the
first row: view, grouping, counts); `table_chunks` drives one over a `TableStream`, and a
batch can drive several over the same rows at once (summarizer/tables/batch.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from summarizer.tables.rows import Row
from summarizer.tables.table import SectionHead, Table, TableHead, TableStream


class TableWriter(Protocol):
    """One table in one format, written piece by piece, in this order of calls."""

    def begin(self) -> str:
        """The text before the first section."""

    def open_section(self, section: SectionHead) -> str:
        """The text before a section's rows."""

    def row(self, row: Row) -> str:
        """One row's text."""

    def close_section(self) -> str:
        """The text after a section's rows."""

    def end(self) -> str:
        """The text after the last section."""


WriterFactory = Callable[[TableHead], TableWriter]


def table_chunks(make_writer: WriterFactory, table: TableStream) -> Iterator[str]:
    """The table's text in pieces, reading each section and row once, in order."""
    writer = make_writer(table.head)
    yield writer.begin()
    for section in table.sections:
        yield writer.open_section(section.head)
        for row in section.rows:
            yield writer.row(row)
        yield writer.close_section()
    yield writer.end()


def render_whole(make_writer: WriterFactory, table: Table) -> str:
    """A table held in memory as one string in the writer's format."""
    return "".join(table_chunks(make_writer, table.stream()))
