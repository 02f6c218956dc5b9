"""`summarizer table`: exact output for a small cards file, files, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from table_cards import make_card, reference_cards

from summarizer import cli
from summarizer.tables import FORMATS, GROUPINGS, OUTPUT_FORMATS, VIEWS, render_report, render_table

CARDS = [
    make_card(
        "Beta, with | pipe",
        file="b.txt",
        method_name="Beta",
        stages=[("collect", "data"), ("train", "pretraining")],
        gains=[{"metric": "accuracy", "value": 4.5, "unit": "pp", "quote": "up 4.5 points"}],
        arxiv_id="2508.12551",
    ),
    make_card("Alpha", file="a.txt", contribution="survey"),
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        cli.main(argv)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def cards_file(tmp_path: Path) -> Path:
    path = tmp_path / "cards.jsonl"
    path.write_text("".join(card.model_dump_json() + "\n" for card in CARDS), encoding="utf-8")
    return path


def test_table_prints_markdown_overview_by_default(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["table", str(cards_file)], capsys)
    assert (code, err) == (0, "")
    assert out == (
        "| title | contribution | method name | problem | method | stages | headline gain |\n"
        "| --- | --- | --- | --- | --- | ---: | --- |\n"
        "| [Beta, with \\| pipe](<https://arxiv.org/abs/2508.12551>) | method | Beta | A problem. "
        "| A method. | 2 | accuracy ↑ 4.5 pp |\n"
        "| Alpha | survey |  | A problem. | A method. | 0 |  |\n"
    )


def test_table_csv_stages_grouped_and_sorted(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["table", str(cards_file), "--format", "csv", "--view", "stages", "--group-by", "none"]
    code, out, _ = run([*argv, "--sort", "title"], capsys)
    assert code == 0
    kinds = ",".join(["data", "pretraining", "midtraining", "finetuning", "alignment", "rl"])
    rest = ",".join(["distillation", "inference", "evaluation", "other"])
    assert out == (
        f"title,{kinds},{rest},pipeline,stage_names,paper_id,url\r\n"
        f"Alpha,,,,,,,,,,,,,{CARDS[1].paper_id},\r\n"
        f'"Beta, with | pipe",1,2,,,,,,,,,data → pretraining,collect → train,'
        f"{CARDS[0].paper_id},https://arxiv.org/abs/2508.12551\r\n"
    )


def test_table_gains_json_grouped_by_file(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["table", str(cards_file), "--format", "json", "--view", "gains", "--group-by", "file"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert out == (
        "[\n"
        "  {\n"
        '    "group": "b",\n'
        '    "title": "Beta, with | pipe",\n'
        '    "metric": "accuracy",\n'
        '    "value": 4.5,\n'
        '    "unit": "pp",\n'
        '    "direction": "higher",\n'
        '    "baseline": null,\n'
        '    "condition": null,\n'
        '    "quote": "up 4.5 points",\n'
        f'    "paper_id": "{CARDS[0].paper_id}",\n'
        '    "url": "https://arxiv.org/abs/2508.12551"\n'
        "  }\n"
        "]\n"
    )


def test_descending_sort_is_spelled_with_a_minus(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["table", str(cards_file), "--format", "csv", "--sort", "-title"], capsys)
    assert code == 0
    assert [line.split(",")[0] for line in out.splitlines()] == ["title", '"Beta', "Alpha"]


@pytest.mark.parametrize("fmt", sorted(OUTPUT_FORMATS))
def test_output_file_holds_exactly_what_stdout_shows(
    fmt: str, cards_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / f"table.{fmt}"
    code, out, err = run(["table", str(cards_file), "--format", fmt, "-o", str(target)], capsys)
    assert (code, out, err) == (0, "", "")
    assert target.read_bytes() == render_table(CARDS, fmt=fmt).encode("utf-8")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []


def test_the_reference_cards_render_in_every_view_and_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cards.jsonl"
    path.write_text("".join(card.model_dump_json() + "\n" for card in reference_cards()))
    for view in VIEWS:
        for fmt in FORMATS:
            code, out, err = run(["table", str(path), "--view", view, "--format", fmt], capsys)
            assert (code, err) == (0, "")
            assert out == render_table(reference_cards(), view=view, fmt=fmt)


def test_cli_choices_match_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert set(cli.TABLE_FORMATS) == set(OUTPUT_FORMATS) == {*FORMATS, "report"}
    assert set(cli.TABLE_VIEWS) == set(VIEWS)
    assert set(cli.TABLE_GROUPINGS) == set(GROUPINGS)


def test_missing_cards_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.jsonl"
    code, out, err = run(["table", str(missing)], capsys)
    assert (code, out) == (2, "")
    assert err == f"summarizer: {missing}: cannot read (No such file or directory)\n"


def test_a_file_of_non_cards_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    papers = tmp_path / "papers.jsonl"
    papers.write_text('{"title": "T", "abstract": "A."}\n')
    code, out, err = run(["table", str(papers)], capsys)
    assert (code, out) == (2, "")
    assert err.startswith(f"summarizer: {papers}:1: not a card (")
    assert err.count("\n") == 1


def test_an_empty_cards_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code, _, err = run(["table", str(empty)], capsys)
    assert (code, err) == (2, f"summarizer: {empty}: no cards in the file\n")


def test_unknown_sort_field_lists_the_valid_ones(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["table", str(cards_file), "--view", "stages", "--sort", "year"], capsys)
    assert (code, out) == (2, "")
    assert err == (
        "summarizer: sort: unknown field 'year' for the stages view (sort by one of: title, "
        "data, pretraining, midtraining, finetuning, alignment, rl, distillation, inference, "
        "evaluation, other, pipeline, stage_names, paper_id, url; prefix - for descending)\n"
    )


def test_unknown_format_is_rejected_by_the_parser(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["table", str(cards_file), "--format", "xlsx"], capsys)
    assert (code, out) == (2, "")
    assert "Invalid value for '--format': 'xlsx' is not one of" in err


def test_unwritable_output_is_one_line(
    cards_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-folder" / "table.md"
    code, _, err = run(["table", str(cards_file), "-o", str(target)], capsys)
    assert (code, err) == (2, f"summarizer: {target}: cannot write (No such file or directory)\n")


def test_csv_neutralises_formulas_unless_raw_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cards.jsonl"
    card = make_card('=HYPERLINK("http://x.test")', file="a.txt", method_name="-3.2")
    path.write_text(card.model_dump_json() + "\n")
    argv = ["table", str(path), "--format", "csv", "--view", "overview"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert out.splitlines()[1].startswith('"\'=HYPERLINK(""http://x.test"")",method,-3.2,')
    code, out, _ = run([*argv, "--raw-csv"], capsys)
    assert code == 0
    assert out.splitlines()[1].startswith('"=HYPERLINK(""http://x.test"")",method,-3.2,')


def test_raw_csv_with_another_format_is_one_line(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["table", str(cards_file), "--raw-csv"], capsys)
    assert (code, out) == (2, "")
    assert err == "summarizer: raw-csv: applies to the csv format, not md (drop --raw-csv)\n"


def test_report_format_writes_the_report_grouped_as_asked(
    cards_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"
    argv = ["table", str(cards_file), "--format", "report", "--group-by", "file", "-o"]
    code, out, err = run([*argv, str(target)], capsys)
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == render_report(CARDS, group_by="file")
    assert '<h3 class="input">a <span class="rows">1 paper</span></h3>' in target.read_text()


def test_report_with_a_view_is_one_line(
    cards_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["table", str(cards_file), "--format", "report", "--view", "gains"], capsys
    )
    assert (code, out) == (2, "")
    assert err == (
        "summarizer: view: the report shows every view (leave out --view for the report)\n"
    )
