"""Fragments and monsters: not carded by default, listed as skipped; over-context refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.api import Summarizer
from summarizer.batch import run_batch
from summarizer.errors import ContextTooLongError
from summarizer.screening import MAX_ABSTRACT_CHARACTERS
from summarizer.settings import resolve_settings
from summarizer.testserver import Server

SENTENCE = "We improve accuracy by 3.5% over the strongest baseline on ImageNet. "
MONSTER = SENTENCE * (1_000_000 // len(SENTENCE))  # a 1 MB "abstract"


def _reading_list(tmp_path: Path, monster: str = MONSTER) -> Path:
    records = [
        {"title": "A Real Paper", "abstract": "We propose X. " + SENTENCE.strip()},
        {"title": "Appendix A Table of Contents", "abstract": "1 Introduction 2 Method. " * 5},
        {"title": "A Monster", "abstract": monster},
    ]
    path = tmp_path / "list.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def test_fragments_and_monsters_are_skipped_with_their_reason(tmp_path: Path) -> None:
    out = tmp_path / "out"
    settings = resolve_settings(engine="offline", environ={})
    report = run_batch([str(_reading_list(tmp_path))], out, settings)
    assert report.new_cards == 1
    run = json.loads((out / "run.json").read_text())
    assert [(skipped["title"], skipped["reason"]) for skipped in run["skipped"]] == [
        ("Appendix A Table of Contents", "not an abstract (flagged not_abstract by the reader)"),
        (
            "A Monster",
            f"{len(MONSTER.strip()):,} characters, far beyond an abstract "
            f"(more than {MAX_ABSTRACT_CHARACTERS:,})",
        ),
    ]
    assert " 2 skipped (see " in report.summary()
    titles = [json.loads(line)["title"] for line in (out / "cards.jsonl").read_text().splitlines()]
    assert titles == ["A Real Paper"]
    assert "Monster" not in (out / "tables" / "overview.md").read_text()


def test_no_skip_cards_them_anyway(tmp_path: Path) -> None:
    out = tmp_path / "out"
    settings = resolve_settings(engine="offline", environ={})
    just_over = SENTENCE * (MAX_ABSTRACT_CHARACTERS // len(SENTENCE) + 1)
    report = run_batch([str(_reading_list(tmp_path, just_over))], out, settings, no_skip=True)
    assert (report.new_cards, report.skipped) == (3, [])


def test_a_text_over_the_models_context_is_refused_before_any_request(
    test_server: Server, tmp_path: Path
) -> None:
    long_text = SENTENCE * 8_000  # about 140,000 tokens: more than gpt-4o's 128,000
    with (
        Summarizer(
            base_url=test_server.base_url, model="gpt-4o", cache_dir=tmp_path / "c"
        ) as summarizer,
        pytest.raises(ContextTooLongError) as refused,
    ):
        summarizer.summarize(long_text, "Long")
    assert test_server.stats.snapshot().requests == 0
    assert "does not fit model 'gpt-4o'" in str(refused.value)
    assert "more than its context of 128,000; nothing was sent" in str(refused.value)


def test_a_model_of_unknown_context_is_asked(test_server: Server, tmp_path: Path) -> None:
    with Summarizer(
        base_url=test_server.base_url, model="test-model", cache_dir=tmp_path / "c"
    ) as summarizer:
        summarizer.summarize(SENTENCE * 50, "Long-ish")
    assert test_server.stats.snapshot().requests == 1
