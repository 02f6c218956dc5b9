"""`summarizer eval` and `summarizer eval-roles`: scores, output, and bad inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from summarizer.cards import Gain
from summarizer.cli import cli, main
from summarizer.evaluation import match_gains, role_scores, token_f1

FIXTURES = Path(__file__).parent / "fixtures"


def _gain(value: float | None, unit: str | None, quote: str) -> dict[str, Any]:
    return {
        "metric": "accuracy",
        "value": value,
        "unit": unit,
        "direction": "higher",
        "baseline": None,
        "condition": None,
        "quote": quote,
    }


def _fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "problem": "models forget old tasks",
        "method": "replay old samples during training",
        "method_name": "Replay",
        "contribution": "method",
        "stages": [],
        "claimed_gains": [],
    }
    fields.update(changes)
    return fields


def _card(title: str, **changes: Any) -> dict[str, Any]:
    card = {"paper_id": title.lower(), "title": title, **_fields(**changes)}
    card["provenance"] = {"engine": "offline", "schema_version": "x"}
    return card


def _write(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return str(path)


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    stage = {"name": "replay", "kind": "data", "description": "replay"}
    reference = [
        {
            "title": "Paper One",
            "file": "a.txt",
            "index": 0,
            **_fields(
                claimed_gains=[
                    _gain(5.0, "%", "improves accuracy by 5%"),
                    _gain(None, None, "it outperforms all baselines on GSM8K"),
                ],
                stages=[stage, stage],
            ),
        },
        {"title": "Paper Two", "file": "a.txt", "index": 1, **_fields(method_name=None)},
        {"title": "Paper Missing", "file": "a.txt", "index": 2, **_fields()},
    ]
    gains = [_gain(5.0, "pp", "by 5%"), _gain(None, None, "fast")]
    for gain in gains:
        gain["span"] = None if gain["quote"] == "fast" else {"start": 0, "end": 5}
    cards = [
        _card("paper one!", claimed_gains=gains, stages=[stage], contribution="analysis"),
        _card("Paper Two", problem="old tasks are forgotten by models"),
    ]
    return _write(tmp_path / "cards.jsonl", cards), _write(tmp_path / "ref.jsonl", reference)


def test_eval_json_scores(files: tuple[str, str]) -> None:
    cards, reference = files
    result = CliRunner().invoke(cli, ["eval", cards, "--reference", reference, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["cards"], report["references"], report["matched"], report["unmatched"]) == (
        2,
        3,
        2,
        1,
    )
    assert report["unmatched_titles"] == ["Paper Missing"]
    scores = report["scores"]
    assert scores["gains_precision"] == 0.5
    assert scores["gains_recall"] == 0.5
    assert scores["gains_f1"] == 0.5
    assert scores["quantified_gain_precision"] == 1.0
    assert scores["quantified_gain_recall"] == 1.0
    assert scores["unit_accuracy"] == 0.0
    assert scores["method_name_accuracy"] == 0.5  # "Replay" where the reference has none
    assert scores["contribution_accuracy"] == 0.5
    assert scores["has_stages_accuracy"] == 1.0
    assert scores["stage_count_accuracy"] == 0.5
    assert scores["stage_kinds_exact"] == 0.0
    assert scores["method_token_f1"] == 1.0
    assert scores["problem_token_f1"] == pytest.approx((1.0 + 0.6) / 2)
    assert scores["quotes_grounded"] == 0.5


def test_eval_table(files: tuple[str, str]) -> None:
    cards, reference = files
    result = CliRunner().invoke(cli, ["eval", cards, "--reference", reference])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "2 of 3 reference cards matched (1 unmatched), 2 cards read"
    assert any(line.split() == ["gains", "F1", "│", "0.500"] for line in lines)
    assert any(line.split() == ["stage", "kinds", "exact", "match", "│", "0.000"] for line in lines)


def test_eval_roles_json_and_table() -> None:
    path = str(FIXTURES / "csabstruct_dev_head40.jsonl")
    result = CliRunner().invoke(cli, ["eval-roles", path, "--json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["abstracts"] == 40
    assert 0 < report["macro_f1"] <= report["accuracy"] + 0.2
    assert set(report["per_label_f1"]) <= {"background", "objective", "method", "result", "other"}
    table = CliRunner().invoke(cli, ["eval-roles", path]).output.splitlines()
    assert table[0].endswith(f"{report['sentences']} sentences in 40 abstracts")
    assert any(line.split() == ["accuracy", "│", f"{report['accuracy']:.3f}"] for line in table)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "no records in the file"),
        ("{not json\n", "not JSON"),
        ("[1, 2]\n", "not a JSON object"),
        ('{"sentences": ["a"], "labels": []}\n', "needs 'sentences' and 'labels'"),
        ('{"sentences": ["a", "b"], "labels": ["method"]}\n', "differ in length"),
    ],
)
def test_eval_roles_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "roles.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as stopped:
        main(["eval-roles", str(path)])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith(f"summarizer: {path}") and message in error
    assert len(error.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"file": "a.txt"}\n', "needs a 'title'"),
        ('{"title": "T", "problem": "p"}\n', "not a reference card (method"),
    ],
)
def test_eval_bad_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    reference = tmp_path / "ref.jsonl"
    reference.write_text(content)
    with pytest.raises(SystemExit) as stopped:
        main(["eval", str(tmp_path / "cards.jsonl"), "--reference", str(reference)])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert message in error and len(error.strip().splitlines()) == 1


def test_eval_bad_cards_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reference = tmp_path / "ref.jsonl"
    reference.write_text(json.dumps({"title": "T", **_fields()}) + "\n")
    cards = tmp_path / "cards.jsonl"
    cards.write_text('{"title": "T"}\n')
    with pytest.raises(SystemExit) as stopped:
        main(["eval", str(cards), "--reference", str(reference)])
    assert stopped.value.code == 2
    assert "not a card" in capsys.readouterr().err


def test_gain_matching_and_token_f1() -> None:
    reference = [Gain(**_gain(5.0, "%", "by 5%")), Gain(**_gain(None, None, "beats all rivals"))]
    predicted = [Gain(**_gain(None, None, "it beats all rivals")), Gain(**_gain(5.0, "%", "5%"))]
    assert match_gains(predicted, reference) == [(0, 1), (1, 0)]
    assert token_f1("a b c", "a b d") == pytest.approx(2 / 3)
    assert role_scores(["a", "b"], ["a", "a"])["accuracy"] == 0.5
