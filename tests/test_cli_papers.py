"""`summarizer papers`: exact output in each format, exit codes, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_cli
from click.testing import Result
from conftest import REPO, SEEDS
from test_papers import ABSTRACT_A, ABSTRACT_B, LINE_NUMBERED, bad_inputs, write

from summarizer.papers import paper_id_for


# Rich looks at these to decide on colour and size; the tests pin them.
def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return run_cli(*args, stdin=stdin)


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[str, str]:
    first = write(tmp_path, "a.txt", f"Subscribe\n\nChunked Attention\n\n{ABSTRACT_A}\n")
    second = write(
        tmp_path,
        "b.txt",
        f"Appendix412 Table of Contents\n{LINE_NUMBERED}\nChunked attention\n{ABSTRACT_B}\n",
    )
    return first, second


def expected_records() -> list[dict[str, Any]]:
    chunked = paper_id_for("Chunked Attention")
    return [
        {
            "paper_id": chunked,
            "title": "Chunked Attention",
            "abstract": ABSTRACT_A,
            "source": {"file": "a.txt", "index": 0},
            "warnings": [],
            "duplicate_of": None,
        },
        {
            "paper_id": paper_id_for("Appendix412 Table of Contents"),
            "title": "Appendix412 Table of Contents",
            "abstract": LINE_NUMBERED,
            "source": {"file": "b.txt", "index": 0},
            "warnings": ["not_abstract"],
            "duplicate_of": None,
        },
        {
            "paper_id": chunked,
            "title": "Chunked attention",
            "abstract": ABSTRACT_B,
            "source": {"file": "b.txt", "index": 1},
            "warnings": [],
            "duplicate_of": chunked,
        },
    ]


# --- the three formats ----------------------------------------------------------------


def test_jsonl_output_is_exact(two_files: tuple[str, str]) -> None:
    result = run("papers", *two_files, "--format", "jsonl")
    expected = "".join(json.dumps(record) + "\n" for record in expected_records())
    assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def test_jsonl_keys_are_in_the_documented_order(two_files: tuple[str, str]) -> None:
    line = run("papers", two_files[0], "--format", "jsonl").stdout.splitlines()[0]
    assert list(json.loads(line)) == [
        "paper_id",
        "title",
        "abstract",
        "source",
        "warnings",
        "duplicate_of",
    ]


def test_csv_output_is_exact(two_files: tuple[str, str]) -> None:
    result = run("papers", *two_files, "--format", "csv")
    stdout = result.stdout_bytes.decode()  # .stdout turns "\r\n" into "\n"
    rows = [
        [
            record["paper_id"],
            record["title"],
            record["abstract"],
            record["source"]["file"],
            str(record["source"]["index"]),
            ";".join(record["warnings"]),
            record["duplicate_of"] or "",
        ]
        for record in expected_records()
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [["paper_id", "title", "abstract", "file", "index", "warnings", "duplicate_of"], *rows]
    )
    assert (result.exit_code, stdout, result.stderr) == (0, buffer.getvalue(), "")


def test_table_output_has_every_row(two_files: tuple[str, str]) -> None:
    result = run("papers", *two_files)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert all(len(line) <= 160 for line in lines)
    assert "\x1b[" not in result.stdout
    header = next(line for line in lines if "paper_id" in line)
    assert all(column in header for column in ("#", "title", "source", "chars", "flags"))
    body = [line.strip("│").split("│") for line in lines if line.startswith("│")]
    # Rows whose "#" cell is empty continue a folded title.
    cells = [[cell.strip() for cell in row] for row in body if row[0].strip()]
    chunked = paper_id_for("Chunked Attention")
    assert cells == [
        ["1", chunked, "Chunked Attention", "a.txt#0", str(len(ABSTRACT_A)), ""],
        [
            "2",
            paper_id_for("Appendix412 Table of Contents"),
            "Appendix412 Table of Contents",
            "b.txt#0",
            str(len(LINE_NUMBERED)),
            "not_abstract",
        ],
        [
            "3",
            chunked,
            "Chunked attention",
            "b.txt#1",
            str(len(ABSTRACT_B)),
            f"duplicate of {chunked}",
        ],
    ]
    assert lines[-1] == "3 papers, 2 unique"


def test_table_shows_brackets_in_titles_literally(tmp_path: Path) -> None:
    path = write(tmp_path, "m.txt", f"[MASK] and [/b] Tokens [bold]\n{ABSTRACT_A}\n")
    result = run("papers", path)
    assert result.exit_code == 0
    assert "[MASK] and [/b] Tokens [bold]" in result.stdout


def test_table_of_the_seeds_is_the_same_twice() -> None:
    first, second = run("papers", str(SEEDS)), run("papers", str(SEEDS))
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    assert first.stdout.splitlines()[-1] == "300 papers, 296 unique"


def test_seeds_jsonl_counts() -> None:
    result = run("papers", str(SEEDS), "--format", "jsonl")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert (result.exit_code, result.stderr, len(records)) == (0, "", 300)
    assert sum(record["duplicate_of"] is None for record in records) == 296


def test_stdin_dash(two_files: tuple[str, str]) -> None:
    content = Path(two_files[0]).read_bytes()
    result = run("papers", "-", "--format", "jsonl", stdin=content)
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (result.exit_code, result.stderr) == (0, "")
    assert record["source"] == {"file": "<stdin>", "index": 0}
    assert record["title"] == "Chunked Attention"


def test_stdin_empty_is_one_error() -> None:
    result = run("papers", "-", stdin=b"")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr == "summarizer: <stdin>: the file is empty (give a file with papers in it)\n"
    )


def test_jsonl_input_metadata_is_printed(tmp_path: Path) -> None:
    row = {"title": "Chunked Attention", "abstract": ABSTRACT_A, "doi": "10.1/x"}
    path = write(tmp_path, "list.jsonl", json.dumps(row) + "\n")
    [record] = [
        json.loads(line) for line in run("papers", path, "--format", "jsonl").stdout.splitlines()
    ]
    assert record["metadata"] == {"doi": "10.1/x"}
    # "10.1/x" is no DOI (a registrant has 4 digits or more): the source has none.
    assert record["source"] == {"file": "list.jsonl", "index": 0, "collection": "list"}


# --- bad input and exit codes ---------------------------------------------------------


def test_single_missing_path_is_exit_2_with_one_line(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    result = run("papers", missing)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"summarizer: {missing}: no such file or folder\n",
    )


def test_each_bad_input_is_exit_2_with_one_line(tmp_path: Path) -> None:
    for name, (path, problem) in bad_inputs(tmp_path).items():
        result = run("papers", path, "--format", "jsonl")
        assert result.exit_code == 2, name
        assert result.stdout == "", name
        assert result.stderr.count("\n") == 1, name
        assert result.stderr.startswith(f"summarizer: {path}"), name
        assert problem in result.stderr, name
        assert "Traceback" not in result.stderr, name


def test_bad_inputs_are_reported_and_the_rest_listed(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", f"Chunked Attention\n{ABSTRACT_A}\n")
    missing = str(tmp_path / "missing.txt")
    empty = write(tmp_path, "empty.txt", "")
    result = run("papers", missing, good, empty, "--format", "jsonl")
    assert result.exit_code == 1
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == [
        "Chunked Attention"
    ]
    assert result.stderr == (
        f"summarizer: {missing}: no such file or folder\n"
        f"summarizer: {empty}: the file is empty (give a file with papers in it)\n"
    )


def test_strict_stops_at_the_first_bad_input(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", f"Chunked Attention\n{ABSTRACT_A}\n")
    bad = write(tmp_path, "bad.jsonl", '{"title": "T", "abstract": "A."}\n{"title": 42}\n')
    missing = str(tmp_path / "missing.txt")
    result = run("papers", good, bad, missing, "--strict", "--format", "jsonl")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"summarizer: {bad}:2: 'title' is a number, not text\n",
    )


def test_strict_with_good_inputs_is_exit_0(two_files: tuple[str, str]) -> None:
    result = run("papers", *two_files, "--strict", "--format", "jsonl")
    assert (result.exit_code, result.stderr) == (0, "")
    assert len(result.stdout.splitlines()) == 3


def test_several_bad_inputs_and_no_good_one_is_exit_2(tmp_path: Path) -> None:
    first, second = str(tmp_path / "x.txt"), str(tmp_path / "y.txt")
    result = run("papers", first, second)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"summarizer: {first}: no such file or folder\n"
        f"summarizer: {second}: no such file or folder\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["papers"], "Missing argument 'PATHS...'"),
        (["papers", "seeds", "--format", "xml"], "Invalid value for '--format'"),
        (["papers", "seeds", "--bogus"], "--bogus"),
    ],
)
def test_bad_usage_is_exit_2(args: list[str], message: str) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert message in result.stderr


def test_help_documents_the_exit_codes() -> None:
    result = run("papers", "--help")
    assert result.exit_code == 0
    for line in (
        "0  every input was read (entries without an abstract are skipped)",
        "1  some inputs or records could not be read, the others were listed",
        "2  nothing could be read, bad usage, or --strict and a bad input",
    ):
        assert line in result.stdout


# --- the real processes ---------------------------------------------------------------


def run_process(command: list[str], hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "NO_COLOR": "1"}
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_module_and_console_script_give_identical_output() -> None:
    script = Path(sys.executable).with_name("summarizer")
    by_module = run_process(
        [sys.executable, "-m", "summarizer", "papers", "seeds/", "--format", "jsonl"]
    )
    by_script = run_process([str(script), "papers", "seeds/", "--format", "jsonl"], hash_seed="123")
    assert (by_module.returncode, by_module.stderr) == (0, "")
    assert (by_script.returncode, by_script.stdout, by_script.stderr) == (
        by_module.returncode,
        by_module.stdout,
        by_module.stderr,
    )
    assert len(by_module.stdout.splitlines()) == 300


def test_process_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    binary = write(tmp_path, "x.txt", b"\x00\x01")
    for command in (
        [sys.executable, "-m", "summarizer", "papers", binary],
        [str(Path(sys.executable).with_name("summarizer")), "papers", binary],
    ):
        done = run_process(command)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == (
            f"summarizer: {binary}: binary file, not text (give a text file: .txt, .jsonl, "
            ".csv, .bib, .ris, .json, .atom or .xml)\n"
        )
