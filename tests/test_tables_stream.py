"""Tables written piece by piece: the same bytes as the whole-string renderers, each row
read once; and the atomic file they are written through."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from table_cards import hostile_cards, reference_cards, report_cards, seed_cards

from summarizer.errors import SummarizerError
from summarizer.outputs import atomic_text_file
from summarizer.tables import FORMATS, GROUPINGS, VIEWS, build_table, render_table
from summarizer.tables.render import WRITERS
from summarizer.tables.rows import Row
from summarizer.tables.table import SectionStream, TableHead, TableStream
from summarizer.tables.writer import table_chunks

CARD_SETS = {
    "seed": seed_cards,
    "hostile": hostile_cards,
    "linked": report_cards,
    "reference": reference_cards,
}


class Once:
    """An iterable that can be read only once, and says how often it was read."""

    def __init__(self, items: Iterator[object]) -> None:
        self._items = items
        self.reads = 0

    def __iter__(self) -> Iterator[object]:
        self.reads += 1
        if self.reads > 1:
            raise AssertionError("read twice")
        return self._items


def one_pass(view: str, cards_name: str, group_by: str) -> TableStream:
    """The table as a stream whose sections and rows are generators, read at most once."""
    table = build_table(CARD_SETS[cards_name](), view=view, group_by=group_by)
    stream = table.stream()

    def sections() -> Iterator[SectionStream]:
        for section in stream.sections:
            rows: Iterator[Row] = iter(tuple(section.rows))
            yield SectionStream(section.head, Once(rows))  # type: ignore[arg-type]

    return TableStream(stream.head, Once(sections()))  # type: ignore[arg-type]


@pytest.mark.parametrize("cards_name", CARD_SETS)
@pytest.mark.parametrize("group_by", GROUPINGS)
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_writing_piece_by_piece_gives_the_whole_strings_bytes(
    fmt: str, view: str, group_by: str, cards_name: str
) -> None:
    streamed = "".join(table_chunks(WRITERS[fmt], one_pass(view, cards_name, group_by)))
    whole = render_table(CARD_SETS[cards_name](), view=view, fmt=fmt, group_by=group_by)
    assert streamed == whole
    assert len(whole) > 100


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_table_is_written_as_before(fmt: str) -> None:
    empty = {"md": "\n", "csv": None, "json": "[]\n", "html": None, "latex": None}
    text = "".join(table_chunks(WRITERS[fmt], build_table([], view="gains").stream()))
    assert text == render_table([], view="gains", fmt=fmt)
    if empty[fmt] is not None:
        assert text == empty[fmt]


def test_the_html_page_counts_come_from_the_head_not_the_rows() -> None:
    # A stream whose head says 7 papers and 9 rows: the page says so before any row.
    table = build_table(reference_cards()[:2], view="overview", group_by="file")
    stream = table.stream()
    head = TableHead(stream.head.view, "file", 7, 9)
    chunks = table_chunks(WRITERS["html"], TableStream(head, stream.sections))
    begin = next(chunks)
    assert "<h1>Overview of 7 papers</h1>" in begin
    assert "overview view: 9 rows, grouped by file." in begin


def test_an_atomic_file_replaces_the_old_one_only_when_complete(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    target = folder / "table.md"
    target.write_text("old")
    with atomic_text_file(target) as out:
        out.write("new, ")
        assert target.read_text() == "old"
        out.write("whole\r\n")
    assert target.read_bytes() == b"new, whole\r\n"
    assert [path.name for path in folder.iterdir()] == ["table.md"]
    assert oct(target.stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize("failure", [RuntimeError("a bad card"), KeyboardInterrupt()])
def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, failure: BaseException
) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    target = folder / "table.md"
    target.write_text("old")
    with pytest.raises(type(failure)), atomic_text_file(target) as out:
        out.write("half a ta")
        raise failure
    assert [path.name for path in folder.iterdir()] == ["table.md"]
    assert target.read_text() == "old"


def test_a_write_error_names_the_file_and_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    target = folder / "table.md"
    target.write_text("old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with (
        pytest.raises(SummarizerError, match=r"table.md: cannot write \(No space left on device\)"),
        atomic_text_file(target) as out,
    ):
        out.write("new")
    assert [path.name for path in folder.iterdir()] == ["table.md"]
    assert target.read_text() == "old"
