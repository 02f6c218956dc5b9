"""`summarizer summarize`: inputs, outputs and one-line errors (offline and LLM)."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runner import run_cli

ABSTRACT = (
    "Training large models is slow. We propose FooNet, a method that prunes layers early. "
    "FooNet improves accuracy by 4.2% over BarNet on ImageNet."
)


def test_offline_card_as_json_from_a_file(tmp_path: Path) -> None:
    source = tmp_path / "abstract.txt"
    source.write_text(ABSTRACT)
    result = run_cli("summarize", str(source), "--title", "FooNet: Fast Nets", "--json")
    assert result.exit_code == 0
    card = json.loads(result.stdout)
    assert card["title"] == "FooNet: Fast Nets"
    assert card["provenance"]["engine"] == "offline"
    assert result.stderr.startswith("summarizer: no LLM configured")


def test_readable_card_from_stdin() -> None:
    result = run_cli("summarize", "-", "--engine", "offline", stdin=ABSTRACT)
    assert result.exit_code == 0
    assert "Problem" in result.stdout and "Method" in result.stdout
    assert result.stderr == ""  # the engine was chosen: no note


def test_an_empty_abstract_is_one_line_and_exit_2() -> None:
    result = run_cli("summarize", "--abstract", "   ", "--engine", "offline")
    assert result.exit_code == 2
    assert result.stderr == "summarizer: empty abstract (give the abstract's text)\n"


def test_a_missing_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli("summarize", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"summarizer: {tmp_path / 'nope.txt'}: cannot read (No such file or directory)\n"
    )


def test_file_and_abstract_together_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("summarize", "x.txt", "--abstract", "text")
    assert result.exit_code == 2
    assert "give FILE or --abstract, not both" in result.stderr


def test_a_down_endpoint_is_one_line_and_exit_2() -> None:
    result = run_cli(
        "summarize", "--abstract", ABSTRACT, "--base-url", "http://127.0.0.1:9/v1", "--model", "m"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "summarizer: LLM endpoint at http://127.0.0.1:9/v1: cannot connect, after retries "
        "(is the server running? check --base-url)\n"
    )


def test_a_base_url_without_model_says_what_to_pass() -> None:
    result = run_cli("summarize", "--abstract", ABSTRACT, "--base-url", "http://127.0.0.1:9/v1")
    assert result.exit_code == 2
    assert "--model NAME" in result.stderr
    assert result.stderr.count("\n") == 1


def test_no_key_for_openai_says_what_to_set() -> None:
    result = run_cli("summarize", "--abstract", ABSTRACT, "--engine", "llm")
    assert result.exit_code == 2
    assert "OPENAI_API_KEY" in result.stderr
    assert result.stderr.count("\n") == 1
