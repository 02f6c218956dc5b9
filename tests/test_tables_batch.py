"""write_batch_tables: every view of a cards file in md, html and csv, a section per input
file, the same bytes as the in-memory renderers, written atomically."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from table_cards import hostile_cards, make_card, reference_cards, report_cards, seed_cards

from summarizer.cards import PaperCard
from summarizer.errors import CardFileError, SummarizerError
from summarizer.outputs import unique_by_id, write_atomically
from summarizer.tables import VIEWS, render_table, write_batch_report, write_batch_tables
from summarizer.tables.render_html import HtmlWriter

FILES = sorted({card.source.file for card in reference_cards() if card.source})
# The seed dumps are numbered from 000 and end in a content hash: people read pages.
PAGES = ["page 1", "page 2", "page 3", "page 4"]
NAMES = [f"{view}.{ext}" for view in VIEWS for ext in ("md", "html", "csv")]


def cards_file(folder: Path, cards: list[PaperCard], name: str = "cards.jsonl") -> Path:
    """`cards` as a cards.jsonl file in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(card.model_dump_json() + "\n" for card in cards), encoding="utf-8")
    return path


def tables(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_writes_every_view_in_md_html_and_csv_and_the_report(tmp_path: Path) -> None:
    out = tmp_path / "out" / "tables"
    source = cards_file(tmp_path, reference_cards())
    written = write_batch_tables(source, out)
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
    assert write_batch_report(source, tmp_path / "out") == [tmp_path / "out" / "report.html"]
    report = render_table(reference_cards(), fmt="report", group_by="file")
    assert (tmp_path / "out" / "report.html").read_bytes() == report.encode("utf-8")


def test_markdown_and_html_have_one_section_per_input_file(tmp_path: Path) -> None:
    assert [name[:4] for name in FILES] == ["000_", "001_", "002_", "003_"]
    write_batch_tables(cards_file(tmp_path / "in", reference_cards()), tmp_path)
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
    hostile = cards_file(tmp_path, hostile_cards(), "hostile.jsonl")
    write_batch_tables(hostile, out)
    first = tables(out)
    write_batch_tables(cards_file(tmp_path, reference_cards()), out)
    write_batch_tables(hostile, out)
    assert tables(out) == first


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
        write_batch_tables(cards_file(tmp_path / "in", reference_cards()), blocker)


@pytest.mark.parametrize(
    "cards", [seed_cards, hostile_cards, report_cards], ids=["seed", "hostile", "linked"]
)
def test_tables_from_a_file_are_the_in_memory_tables_of_its_cards(
    tmp_path: Path, cards: object
) -> None:
    chosen: list[PaperCard] = cards()  # type: ignore[operator]
    write_batch_tables(cards_file(tmp_path, chosen), tmp_path / "tables")
    written = tables(tmp_path / "tables")
    assert sorted(written) == sorted(NAMES)
    for name, data in written.items():
        view, fmt = name.split(".")
        expected = render_table(chosen, view=view, fmt=fmt, group_by="file")
        assert data == expected.encode("utf-8"), name


def test_a_repeated_paper_id_keeps_its_first_card(tmp_path: Path) -> None:
    cards = reference_cards()[:6]
    # A torn and repaired file can hold a card twice; the later copy may even differ.
    later = cards[1].model_copy(update={"problem": "A LATER COPY OF THE CARD"})
    repeated = [*cards[:3], later, *cards[3:], cards[0]]
    write_batch_tables(cards_file(tmp_path, repeated), tmp_path / "tables")
    for name, data in tables(tmp_path / "tables").items():
        view, fmt = name.split(".")
        expected = render_table(unique_by_id(repeated), view=view, fmt=fmt, group_by="file")
        assert data == expected.encode("utf-8"), name
        assert b"A LATER COPY" not in data
    assert unique_by_id(repeated) == cards
    overview = (tmp_path / "tables" / "overview.html").read_text(encoding="utf-8")
    assert "<h1>Overview of 6 papers</h1>" in overview


def test_blank_lines_are_skipped_and_a_bad_line_is_named(tmp_path: Path) -> None:
    good = [card.model_dump_json() for card in reference_cards()[:3]]
    path = tmp_path / "cards.jsonl"
    path.write_text(f"{good[0]}\n\n{good[1]}\r\n   \n{good[2]}\n", encoding="utf-8")
    write_batch_tables(path, tmp_path / "tables")
    expected = render_table(reference_cards()[:3], view="gains", fmt="csv", group_by="file")
    assert (tmp_path / "tables" / "gains.csv").read_bytes() == expected.encode()
    path.write_text(f'{good[0]}\n{{"title": "not a card"}}\n', encoding="utf-8")
    with pytest.raises(CardFileError, match=rf"^{path}:2: not a card \("):
        write_batch_tables(path, tmp_path / "tables")
    path.write_bytes(good[0].encode() + b"\n\xff\xfe\n")
    with pytest.raises(CardFileError, match="not UTF-8 text"):
        write_batch_tables(path, tmp_path / "tables")


def test_a_failure_mid_write_leaves_every_old_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "tables"
    write_batch_tables(cards_file(tmp_path, hostile_cards(), "old.jsonl"), out)
    before = tables(out)
    rows_written = 0
    html_row = HtmlWriter.row

    def fail_later(self: HtmlWriter, row: tuple[object, ...]) -> str:
        nonlocal rows_written
        rows_written += 1
        if rows_written == 20:
            raise KeyboardInterrupt
        return html_row(self, row)  # type: ignore[arg-type]

    monkeypatch.setattr(HtmlWriter, "row", fail_later)
    with pytest.raises(KeyboardInterrupt):
        write_batch_tables(cards_file(tmp_path, reference_cards()), out)
    assert rows_written == 20
    assert tables(out) == before  # every old table whole, and no temporary file left


def test_a_missing_cards_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(CardFileError, match=r"nope.jsonl: cannot read \(No such file"):
        write_batch_tables(missing, tmp_path / "tables")


def test_one_huge_input_is_one_section_with_every_row(tmp_path: Path) -> None:
    cards = [make_card(f"Paper {number}", file="list.jsonl", index=number) for number in range(250)]
    write_batch_tables(cards_file(tmp_path, cards), tmp_path / "tables")
    markdown = (tmp_path / "tables" / "overview.md").read_text(encoding="utf-8")
    assert markdown == render_table(cards, view="overview", fmt="md", group_by="file")
    assert markdown.count("\n## ") == 0 and markdown.startswith("## list\n")
    assert len(markdown.splitlines()) == 2 + 2 + 250
