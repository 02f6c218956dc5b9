"""The report of a cards file of any size: one page up to the part size, else an index page
and parts, each read from the file with one part's cards in memory at a time."""

from __future__ import annotations

import json
import re
from itertools import chain
from pathlib import Path

import pytest
from cli_runner import run_cli
from table_cards import make_card, reference_cards, report_cards, seed_cards
from test_tables_batch import cards_file
from test_tables_formats import parse_html
from test_tables_report import _Strict

from summarizer.cards import PaperCard
from summarizer.errors import CardFileError, ConfigError
from summarizer.tables import (
    parts_folder,
    render_report,
    render_report_file,
    write_batch_report,
    write_report,
)
from summarizer.tables.assets import csp_hash
from summarizer.tables.report import parts

ARTICLE = re.compile(r'<article id="(paper-\d+)" class="paper">\n<h4><span class="number">(\d+)\.')
META = re.compile(r'<p class="meta">(.*?)</p>')


def articles(page: str) -> list[tuple[str, str]]:
    """(anchor, number) of each paper entry, in page order."""
    return ARTICLE.findall(page)


def titles(page: str) -> list[str]:
    return [row[0] for row in parse_html(page).rows[1:] if row and "details" in row[0]]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def well_nested(page: str) -> None:
    checker = _Strict()
    checker.feed(page)
    checker.close()
    assert checker.open == []


def test_up_to_the_part_size_the_report_is_one_page_as_before(tmp_path: Path) -> None:
    source = cards_file(tmp_path, seed_cards())
    assert write_batch_report(source, tmp_path) == [tmp_path / "report.html"]
    assert read(tmp_path / "report.html") == render_report(seed_cards(), group_by="file")
    assert not (tmp_path / "report-parts").exists()
    assert render_report_file(source) == render_report(seed_cards(), group_by="file")


@pytest.fixture
def in_parts(tmp_path: Path) -> tuple[Path, list[Path]]:
    """The 40 reference cards' report in parts of 15: an index and three parts."""
    source = cards_file(tmp_path / "in", reference_cards())
    return tmp_path / "report.html", write_report(source, tmp_path / "report.html", part_size=15)


def test_beyond_the_part_size_the_report_is_an_index_and_parts(
    in_parts: tuple[Path, list[Path]],
) -> None:
    index, written = in_parts
    folder = index.parent / "report-parts"
    assert parts_folder(index) == folder
    assert written == [index, *(folder / f"part-00{n}.html" for n in (1, 2, 3))]
    assert sorted(path.name for path in folder.iterdir()) == [path.name for path in written[1:]]
    whole = render_report(reference_cards(), group_by="file")
    pages = [read(path) for path in written[1:]]
    # Every paper once, in the one page's order, numbered throughout, at most 15 a part.
    assert [len(articles(page)) for page in pages] == [15, 15, 10]
    assert [*chain.from_iterable(articles(page) for page in pages)] == articles(whole)
    assert [*chain.from_iterable(titles(page) for page in pages)] == titles(whole)
    assert articles(pages[1])[0] == ("paper-16", "16")


def test_each_part_is_a_whole_report_linked_to_the_index_and_its_neighbours(
    in_parts: tuple[Path, list[Path]],
) -> None:
    _, written = in_parts
    for number, path in enumerate(written[1:], start=1):
        page = read(path)
        well_nested(page)
        assert f"<h1>Report on 40 papers, part {number} of 3</h1>" in page
        first, last = (1, 15) if number == 1 else (16, 30) if number == 2 else (31, 40)
        assert META.findall(page)[0].startswith(f"Papers {first} to {last} of 40 from ")
        links = {
            tag_attributes["href"]
            for tag, tag_attributes in parse_html(page).tags
            if tag == "a" and str(tag_attributes.get("href", "")).endswith(".html")
        }
        expected = {"../report.html"} | {
            f"part-00{other}.html" for other in (number - 1, number + 1) if 1 <= other <= 3
        }
        assert links == expected
        for link in links:
            assert (path.parent / str(link)).is_file()
        # The part's own anchors: every in-page link leads to an entry of this part.
        anchors = {anchor for anchor, _ in articles(page)}
        targets = set(re.findall(r'href="#(paper-\d+)"', page))
        assert targets and targets <= anchors


def test_the_index_counts_what_the_one_page_would(in_parts: tuple[Path, list[Path]]) -> None:
    index, written = in_parts
    page = read(index)
    whole = render_report(reference_cards(), group_by="file")
    assert "<h1>Report on 40 papers</h1>" in page
    assert META.findall(page) == META.findall(whole)
    rows = parse_html(page).rows
    kinds_index = next(row for row in rows if row and row[0] == "papers with the kind")
    kinds_whole = next(row for row in parse_html(whole).rows if row[0] == "papers with the kind")
    assert kinds_index == kinds_whole[:-1]  # the one page adds an empty stage-names cell
    parts_rows = [row for row in rows if row and row[0].startswith("part ")]
    assert [row[:2] for row in parts_rows] == [
        ["part 1", "1 to 15"],
        ["part 2", "16 to 30"],
        ["part 3", "31 to 40"],
    ]
    hrefs = re.findall(r'<a href="(report-parts/part-\d+\.html)">part \d+</a>', page)
    assert [index.parent / href for href in hrefs] == written[1:]
    quantified = sum(
        1 for card in reference_cards() for gain in card.claimed_gains if gain.value is not None
    )
    unit_rows = [row for row in rows if len(row) == 5 and row[0] != "unit"]
    assert sum(int(row[1]) for row in unit_rows) == quantified
    assert sum(int(row[4]) for row in parts_rows) == quantified


def test_the_index_runs_nothing_and_loads_nothing(in_parts: tuple[Path, list[Path]]) -> None:
    page = read(in_parts[0])
    well_nested(page)
    parsed = parse_html(page)
    policy = next(
        attributes["content"]
        for tag, attributes in parsed.tags
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy == (
        f"default-src 'none'; style-src '{csp_hash(parsed.styles[0])}'; "
        "base-uri 'none'; form-action 'none'"
    )
    assert parsed.scripts == [] and len(parsed.styles) == 1
    for tag, attributes in parsed.tags:
        assert tag not in ("img", "link", "iframe", "object", "embed", "script"), tag
        assert not {"src", "srcset", "style"} & set(attributes), tag
        href = attributes.get("href")
        if href is not None:
            assert re.fullmatch(r"#(parts|gains|stages)|report-parts/part-\d+\.html", href)


def test_hostile_text_stays_text_on_the_index(tmp_path: Path) -> None:
    source = cards_file(tmp_path, report_cards())
    index, *_ = write_report(source, tmp_path / "report.html", part_size=1)
    page = read(index)
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # a metric's name, escaped


@pytest.mark.parametrize(
    ("group_by", "sort"),
    [("contribution", "-stages"), ("none", "title"), ("file", "-headline_gain")],
)
def test_parts_follow_the_overview_grouping_and_sort(
    tmp_path: Path, group_by: str, sort: str
) -> None:
    cards = reference_cards() + report_cards()
    source = cards_file(tmp_path / "in", cards)
    written = write_report(source, tmp_path / "r.html", group_by=group_by, sort=sort, part_size=7)
    assert written[1].parent == tmp_path / "r-parts"
    whole = render_report(cards, group_by=group_by, sort=sort)
    pages = [read(path) for path in written[1:]]
    assert len(pages) == 7  # 44 papers
    assert [*chain.from_iterable(titles(page) for page in pages)] == titles(whole)
    assert [*chain.from_iterable(articles(page) for page in pages)] == articles(whole)


def test_a_smaller_report_removes_the_parts_it_no_longer_has(tmp_path: Path) -> None:
    source = cards_file(tmp_path / "in", reference_cards())
    target = tmp_path / "report.html"
    folder = tmp_path / "report-parts"
    write_report(source, target, part_size=10)
    assert len(list(folder.iterdir())) == 4
    write_report(source, target, part_size=15)
    assert sorted(path.name for path in folder.iterdir()) == [
        "part-001.html",
        "part-002.html",
        "part-003.html",
    ]
    (folder / "notes.txt").write_text("mine")
    assert write_report(source, target) == [target]
    assert [path.name for path in folder.iterdir()] == ["notes.txt"]  # only parts go
    (folder / "notes.txt").unlink()
    write_report(source, target, part_size=10)
    write_report(source, target)
    assert not folder.exists()
    assert read(target) == render_report(reference_cards(), group_by="file")


def test_repeated_cards_are_counted_on_the_index_only(tmp_path: Path) -> None:
    cards = reference_cards()[:5]
    source = cards_file(tmp_path, [*cards, cards[0], cards[3]])
    index, *pages = write_report(source, tmp_path / "report.html", part_size=2)
    assert "2 repeated cards left out." in read(index)
    assert len(pages) == 3
    assert all("repeated" not in read(page) for page in pages)
    single = write_report(source, tmp_path / "one.html")
    assert read(single[0]) == render_report([*cards, cards[0], cards[3]], group_by="file")


def test_only_one_part_of_cards_is_gathered_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes: list[int] = []
    gather = parts.gather_overview

    def recording(overview: object, cards: list[PaperCard], **options: object) -> object:
        sizes.append(len(cards))
        return gather(overview, cards, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(parts, "gather_overview", recording)
    write_report(cards_file(tmp_path, seed_cards()), tmp_path / "report.html", part_size=50)
    assert sizes == [50] * 5 + [len(seed_cards()) - 250]


def test_one_page_from_a_file_refuses_more_than_the_part_size(tmp_path: Path) -> None:
    source = cards_file(tmp_path, reference_cards())
    with pytest.raises(
        ConfigError, match=r"^report: 40 papers are more than one page holds \(39\)"
    ):
        render_report_file(source, part_size=39)
    assert render_report_file(source, part_size=40, group_by="none") == render_report(
        reference_cards(), group_by="none"
    )
    with pytest.raises(ConfigError, match="part-size: must be at least 1"):
        write_report(source, tmp_path / "r.html", part_size=0)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(CardFileError, match="no cards in the file"):
        write_report(empty, tmp_path / "r.html")


def test_the_table_command_writes_a_big_report_in_parts_and_refuses_it_on_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "REPORT_PART_PAPERS", 20)
    source = cards_file(tmp_path, reference_cards())
    result = run_cli("table", str(source), "--format", "report")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "summarizer: report: 40 papers are more than one page holds (20) (write it with -o "
        "FILE.html: an index page, and its parts in FILE-parts/)\n"
    )
    target = tmp_path / "big.html"
    result = run_cli("table", str(source), "--format", "report", "-o", str(target))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert sorted(path.name for path in (tmp_path / "big-parts").iterdir()) == [
        "part-001.html",
        "part-002.html",
    ]
    assert "report-parts" not in read(target) and 'href="big-parts/part-001.html"' in read(target)


def test_a_batch_names_the_report_parts_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo: Path
) -> None:
    monkeypatch.setattr(parts, "REPORT_PART_PAPERS", 100)
    out = tmp_path / "out"
    result = run_cli("batch", str(repo / "seeds"), "-o", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["report"] == str(out / "report.html")
    assert run["report_parts"] == [
        str(out / "report-parts" / f"part-00{n}.html") for n in (1, 2, 3)
    ]
    assert f"Report: {out}/report.html (an index of 3 parts)." in result.stdout
    monkeypatch.setattr(parts, "REPORT_PART_PAPERS", 1_000)
    result = run_cli("batch", str(repo / "seeds"), "-o", str(out), "--quiet", "--start-over")
    assert result.exit_code == 0, result.output
    run = json.loads((out / "run.json").read_text())
    assert run["report_parts"] == []
    assert not (out / "report-parts").exists()  # moved aside with the earlier run's outputs
    (previous,) = out.glob("previous-*")
    assert len(list((previous / "report-parts").iterdir())) == 3


def test_a_huge_single_input_spans_parts_under_one_heading(tmp_path: Path) -> None:
    cards = [make_card(f"Paper {number}", file="list.jsonl", index=number) for number in range(25)]
    index, *pages = write_report(cards_file(tmp_path, cards), tmp_path / "r.html", part_size=10)
    assert len(pages) == 3
    for page in pages:
        assert page.read_text().count('<h3 class="input">list <span class="rows">') == 1
    assert "list … list" not in read(index)
