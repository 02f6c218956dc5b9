"""write_batch_tables: every view in md, html and csv, a section per input file."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from table_cards import hostile_cards, reference_cards

from summarizer.errors import SummarizerError
from summarizer.outputs import write_atomically
from summarizer.tables import render_table, write_batch_report, write_batch_tables

FILES = sorted({card.source.file for card in reference_cards() if card.source})
# The seed dumps are numbered from 000 and end in a content hash: people read pages.
PAGES = ["page 1", "page 2", "page 3", "page 4"]


def test_writes_every_view_in_md_html_and_csv_and_the_report(tmp_path: Path) -> None:
    out = tmp_path / "out" / "tables"
    written = write_batch_tables(reference_cards(), out)
    names = [path.name for path in written]
    assert names == [
        "overview.md",
        "overview.html",
        "overview.csv",
        "stages.md",
        "stages.html",
        "stages.csv",
        "gains.md",
        "gains.html",
        "gains.csv",
    ]
    assert sorted(path.name for path in out.iterdir()) == sorted(names)
    for path in written:
        view, fmt = path.stem, path.suffix[1:]
        expected = render_table(reference_cards(), view=view, fmt=fmt, group_by="file")
        assert path.read_bytes() == expected.encode("utf-8")
    report_path = write_batch_report(reference_cards(), tmp_path / "out" / "report.html")
    report = render_table(reference_cards(), fmt="report", group_by="file")
    assert report_path.read_bytes() == report.encode("utf-8")


def test_markdown_and_html_have_one_section_per_input_file(tmp_path: Path) -> None:
    assert [name[:4] for name in FILES] == ["000_", "001_", "002_", "003_"]
    write_batch_tables(reference_cards(), tmp_path)
    markdown = (tmp_path / "stages.md").read_text(encoding="utf-8")
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [f"## {page}" for page in PAGES]
    html = (tmp_path / "overview.html").read_text(encoding="utf-8")
    assert html.count('<tr class="group">') == len(FILES)
    assert [f'scope="rowgroup">{page} <span' in html for page in PAGES] == [True] * 4
    rows = list(csv.DictReader(io.StringIO((tmp_path / "overview.csv").read_text(), newline="")))
    assert sorted({row["group"] for row in rows}) == PAGES


def test_rewriting_replaces_files_in_place(tmp_path: Path) -> None:
    out = tmp_path / "tables"
    write_batch_tables(hostile_cards(), out)
    first = {path.name: path.read_bytes() for path in out.iterdir()}
    write_batch_tables(reference_cards(), out)
    write_batch_tables(hostile_cards(), out)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == first


def test_atomic_write_leaves_no_temporary_file_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    target = folder / "table.md"
    target.write_text("old")

    def refuse(source: str, destination: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(SummarizerError, match=r"table.md: cannot write \(Permission denied\)"):
        write_atomically(target, "new")
    assert [path.name for path in folder.iterdir()] == ["table.md"]
    assert target.read_text() == "old"


def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "tables"
    blocker.write_text("")
    with pytest.raises(SummarizerError, match="cannot create the folder"):
        write_batch_tables(reference_cards(), blocker)
