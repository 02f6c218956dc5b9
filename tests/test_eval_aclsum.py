"""`summarizer eval-aclsum`: problem and method against ACLSum-format human summaries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli import main
from summarizer.evaluation import token_f1
from summarizer.evaluation_aclsum import detokenize, read_aclsum_file
from tests.cli_runner import run_cli


def _paper(title: str, sentences: list[str], challenge: str, approach: str) -> dict[str, Any]:
    return {
        "id": title[:3],
        "title": title,
        "summary": {"challenge": challenge, "approach": approach, "outcome": "better"},
        "sentences": {"abstract": sentences, "introduction": [], "conclusion": []},
        "highlights": {
            "challenge": {"abstract": [0, 1, 0][: len(sentences)]},
            "approach": {"abstract": [0, 0, 1][: len(sentences)]},
        },
    }


PAPERS = [
    _paper(
        "Fast Parsing",
        [
            "Parsing is a core task of NLP .",
            "However , chart parsers are slow on long sentences .",
            "We propose a linear-time parser that prunes the chart with a classifier .",
        ],
        "chart parsers are slow on long sentences",
        "a linear-time parser that prunes the chart with a classifier",
    ),
    _paper(
        "Better Tagging",
        [
            "Taggers ( e.g. CRFs ) need labelled data .",
            'We train a tagger on "noisy" labels .',
        ],
        "taggers need labelled data",
        "train a tagger on noisy labels",
    ),
]


def _write(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return str(path)


def _card(title: str, problem: str, method: str) -> dict[str, Any]:
    return {
        "paper_id": title.lower().replace(" ", "-"),
        "title": title,
        "problem": problem,
        "method": method,
        "method_name": None,
        "contribution": "method",
        "stages": [],
        "claimed_gains": [],
        "provenance": {"engine": "llm", "schema_version": "x"},
    }


def test_detokenize_restores_ordinary_spacing() -> None:
    assert detokenize("Taggers ( e.g. CRFs ) need 20 % more , do n't they ?") == (
        "Taggers (e.g. CRFs) need 20% more, don't they?"
    )
    assert detokenize('We train on " noisy " labels .') == 'We train on "noisy" labels.'
    assert detokenize('an odd " quote .') == 'an odd " quote.'


def test_read_aclsum_file(tmp_path: Path) -> None:
    papers = read_aclsum_file(_write(tmp_path / "a.jsonl", PAPERS))
    assert [paper.title for paper in papers] == ["Fast Parsing", "Better Tagging"]
    first = papers[0]
    assert first.sentences[1] == "However, chart parsers are slow on long sentences."
    assert first.abstract.startswith("Parsing is a core task of NLP. However, chart parsers")
    assert first.highlights == {"challenge": (0, 1, 0), "approach": (0, 0, 1)}
    assert first.summary("approach") == PAPERS[0]["summary"]["approach"]


def test_cards_are_scored_beside_the_lead_baselines(tmp_path: Path) -> None:
    aclsum = _write(tmp_path / "a.jsonl", PAPERS)
    cards = _write(
        tmp_path / "cards.jsonl",
        [
            _card(
                "fast parsing",
                "Chart parsers are slow on long sentences.",
                "A linear-time parser that prunes the chart with a classifier.",
            ),
            _card("Unrelated", "x", "y"),
        ],
    )
    result = run_cli("eval-aclsum", aclsum, "--cards", cards, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["papers"], report["matched"], report["unmatched"]) == (2, 1, 1)
    assert report["unmatched_titles"] == ["Better Tagging"]
    problem = report["scores"]["problem_vs_challenge"]
    assert problem["cards"] == 1.0
    # The baselines are over the matched paper only.
    challenge = PAPERS[0]["summary"]["challenge"]
    assert problem["first_sentence"] == pytest.approx(
        token_f1("Parsing is a core task of NLP.", challenge)
    )
    assert problem["sentences_2_3"] == pytest.approx(
        token_f1(
            "However, chart parsers are slow on long sentences. We propose a linear-time "
            "parser that prunes the chart with a classifier.",
            challenge,
        )
    )
    assert report["scores"]["method_vs_approach"]["cards"] == 1.0
    assert report["problem_is_first_sentence"] == 0.0
    assert report["problem_equals_method"] == 0


def test_table_and_offline_cards(tmp_path: Path) -> None:
    aclsum = _write(tmp_path / "a.jsonl", PAPERS)
    papers_out = tmp_path / "papers.jsonl"
    result = run_cli("eval-aclsum", aclsum, "--write-papers", str(papers_out))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2 of 2 ACLSum papers matched (0 unmatched); token F1"
    header = "field ┃ cards ┃ first sentence ┃ sentences 2-3"
    assert lines[1].split() == header.split()
    assert lines[3].split()[:4] == ["problem", "~", "challenge", "│"]
    assert lines[-1].split() == ["problem", "equals", "method", "(cards)", "│", "0", "│", "│"]
    written = [json.loads(line) for line in papers_out.read_text().splitlines()]
    assert written[1] == {
        "title": "Better Tagging",
        "abstract": 'Taggers (e.g. CRFs) need labelled data. We train a tagger on "noisy" labels.',
    }
    # The written papers are what `summarizer batch` reads.
    cards_dir = tmp_path / "out"
    batch = run_cli("batch", str(papers_out), "-o", str(cards_dir), "--quiet")
    assert batch.exit_code == 0, batch.output
    scored = run_cli(
        "eval-aclsum", aclsum, "--cards", str(cards_dir / "cards.jsonl"), "--json"
    ).output
    direct = run_cli("eval-aclsum", aclsum, "--json").output
    assert json.loads(scored)["scores"] == json.loads(direct)["scores"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("[1]\n", "not a JSON object"),
        ('{"title": "T", "summary": {}}\n', "not an ACLSum paper"),
        (
            '{"title": "T", "summary": {"challenge": "c"}, "sentences": {"abstract": ["a"]}}\n',
            "needs 'summary.challenge' and 'summary.approach'",
        ),
        (
            '{"title": "T", "summary": {"challenge": "c", "approach": "a"}, '
            '"sentences": {"abstract": []}}\n',
            "must be a list of sentences",
        ),
    ],
)
def test_bad_aclsum_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "aclsum.jsonl"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as stopped:
        main(["eval-aclsum", str(path)])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith(f"summarizer: {path}") and message in error
    assert len(error.strip().splitlines()) == 1
