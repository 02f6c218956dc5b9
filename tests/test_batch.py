"""The batch: every unique paper once, resumable, nothing lost under faults or kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import run_cli

from summarizer.api import Summarizer
from summarizer.batch import dry_run, run_batch
from summarizer.errors import (
    CardFileError,
    EndpointUnreachableError,
    RecipeMismatchError,
    RunStoppedError,
)
from summarizer.papers import read_papers
from summarizer.settings import Settings, resolve_settings
from summarizer.testserver import Server

SEED_PAPERS = 296
# The seeds' "Appendix412 Table of Contents" is flagged not_abstract: listed as skipped.
SEED_CARDS = SEED_PAPERS - 1
APPENDIX = "Appendix412 Table of Contents"


def llm_settings(server: Server, cache: Path, **options: object) -> Settings:
    return resolve_settings(
        base_url=server.base_url,
        model="test-model",
        cache_dir=cache,
        environ={},
        **options,  # type: ignore[arg-type]
    )


def card_lines(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "cards.jsonl").read_text().splitlines()]


def test_every_unique_seed_paper_gets_one_card_and_tables(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    out = tmp_path / "out"
    report = run_batch([str(repo / "seeds")], out, llm_settings(test_server, tmp_path / "c"))
    cards = card_lines(out)
    assert len(cards) == SEED_CARDS
    assert len({card["paper_id"] for card in cards}) == SEED_CARDS
    assert test_server.stats.snapshot().requests == SEED_CARDS  # duplicates asked once
    assert (out / "errors.jsonl").read_text() == ""
    run = json.loads((out / "run.json").read_text())
    assert run["papers_read"] == 300 and run["duplicates"] == 4
    assert run["new_cards"] == SEED_CARDS and run["failed"] == 0
    assert [(s["title"], s["reason"]) for s in run["skipped"]] == [
        (APPENDIX, "not an abstract (flagged not_abstract by the reader)")
    ]
    assert run["usage"]["requests"] == SEED_CARDS
    assert run["usage"]["prompt_tokens"] == test_server.stats.snapshot().prompt_tokens
    assert run["estimated_cost_usd"] is None  # "test-model" has no price
    assert run["recipe"]["prompt_version"] and run["recipe"]["schema_version"]
    assert report.cards_in_file == SEED_CARDS
    tables = sorted(path.name for path in (out / "tables").iterdir())
    assert tables == sorted(
        f"{view}.{fmt}" for view in ("overview", "stages", "gains") for fmt in ("md", "html", "csv")
    )


def test_a_rerun_resumes_without_requests(test_server: Server, tmp_path: Path, repo: Path) -> None:
    out = tmp_path / "out"
    seeds = str(repo / "seeds" / "000_7a3839734a59cdb6.txt")
    run_batch([seeds], out, llm_settings(test_server, tmp_path / "c1"))
    before = test_server.stats.snapshot().requests
    # Another cache folder: only cards.jsonl can explain that no request is made.
    report = run_batch([seeds], out, llm_settings(test_server, tmp_path / "c2"))
    assert test_server.stats.snapshot().requests == before
    assert report.already_done == 8 and report.new_cards == 0
    assert len(card_lines(out)) == 8


def test_limit_takes_the_first_papers(test_server: Server, tmp_path: Path, repo: Path) -> None:
    out = tmp_path / "out"
    run_batch([str(repo / "seeds")], out, llm_settings(test_server, tmp_path / "c"), limit=5)
    first_five = read_papers([str(repo / "seeds")]).papers[:5]
    carded = [paper.paper_id for paper in first_five if paper.title != APPENDIX]
    assert sorted(card["paper_id"] for card in card_lines(out)) == sorted(carded)


def test_twenty_percent_faults_lose_and_duplicate_nothing(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.fault_rate = 0.2
    test_server.config.seed = 7
    test_server.config.stall_seconds = 6
    test_server.config.retry_after = 0.05
    out = tmp_path / "out"
    settings = llm_settings(test_server, tmp_path / "c", timeout=2)
    report = run_batch([str(repo / "seeds")], out, settings, concurrency=16)
    cards = card_lines(out)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    carded = {card["paper_id"] for card in cards}
    failed = {error["paper_id"] for error in errors}
    assert len(cards) == len(carded) and len(errors) == len(failed)
    assert carded.isdisjoint(failed)
    assert len(carded | failed) == SEED_CARDS  # every paper ends one way or the other
    assert all(error["reason"] for error in errors)
    assert report.failed == len(errors) and report.new_cards == len(cards)
    outcomes = test_server.stats.snapshot().by_outcome
    assert sum(count for name, count in outcomes.items() if name != "ok") > 0
    # Retries stay bounded: at most 6 attempts per answer, 3 answers per paper. Every
    # request the server saw is billed (a timed-out connect may never reach it).
    assert test_server.stats.snapshot().requests <= report.usage["requests"]
    assert report.usage["requests"] <= SEED_PAPERS * 6 * 3


def test_rate_limits_shrink_concurrency_and_every_card_still_comes(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.max_concurrent = 4
    test_server.config.retry_after = 0.02
    test_server.config.latency = 0.01
    out = tmp_path / "out"
    seeds = str(repo / "seeds" / "002_b05ba6ffc89c73b9.txt")
    report = run_batch([seeds], out, llm_settings(test_server, tmp_path / "c"), concurrency=16)
    assert report.new_cards == 53 and report.failed == 0
    assert report.concurrency["rate_limits"] > 0
    assert report.concurrency["lowest"] < 16


def test_dry_run_counts_without_requests(test_server: Server, tmp_path: Path, repo: Path) -> None:
    plan = dry_run(
        [str(repo / "seeds")], tmp_path / "out", llm_settings(test_server, tmp_path / "c")
    )
    assert test_server.stats.snapshot().requests == 0
    assert (plan.unique_papers, plan.skipped) == (SEED_PAPERS, 1)
    assert (plan.to_request, plan.cached) == (SEED_CARDS, 0)
    assert plan.estimated_prompt_tokens > SEED_PAPERS * 500
    assert not (tmp_path / "out").exists()


def test_cards_from_other_settings_are_not_mixed_in(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    out = tmp_path / "out"
    seeds = str(repo / "seeds" / "000_7a3839734a59cdb6.txt")
    run_batch([seeds], out, llm_settings(test_server, tmp_path / "c"))
    other_model = llm_settings(test_server, tmp_path / "c").with_overrides(model="other-model")
    with pytest.raises(RecipeMismatchError, match="model test-model there, other-model now"):
        run_batch([seeds], out, other_model)


def test_a_torn_last_line_is_cut_and_redone(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    out = tmp_path / "out"
    seeds = str(repo / "seeds" / "000_7a3839734a59cdb6.txt")
    run_batch([seeds], out, llm_settings(test_server, tmp_path / "c"))
    lines = (out / "cards.jsonl").read_text().splitlines()
    (out / "cards.jsonl").write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:40])
    report = run_batch([seeds], out, llm_settings(test_server, tmp_path / "c"))
    assert report.already_done == 7 and report.new_cards == 1 and report.cached == 1
    assert len(card_lines(out)) == 8


def test_a_damaged_card_line_stops_with_its_line_number(tmp_path: Path, repo: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "cards.jsonl").write_text('{"not": "a card"}\n')
    settings = resolve_settings(
        engine="llm", base_url="http://127.0.0.1:9/v1", model="m", environ={}
    )
    with pytest.raises(CardFileError, match=r"cards.jsonl:1"):
        run_batch([str(repo / "seeds")], out, settings)


def test_summarize_many_yields_failures_as_results(test_server: Server, repo: Path) -> None:
    papers = read_papers([str(repo / "seeds" / "000_7a3839734a59cdb6.txt")]).papers
    test_server.script(["truncated"])
    with Summarizer(base_url=test_server.base_url, model="test-model", max_reasks=0) as summarizer:
        results = list(summarizer.summarize_many(papers, concurrency=1))
    assert len(results) == 9
    failed = [result for result in results if not result.ok]
    assert len(failed) == 1 and failed[0].error is not None
    assert {result.paper.paper_id for result in results} == {paper.paper_id for paper in papers}


def test_summarize_many_stops_early_when_every_paper_would_fail(repo: Path) -> None:
    """A dead endpoint: a few errors, then RunStoppedError, not 296 errors one by one."""
    papers = read_papers([str(repo / "seeds")]).papers
    results = []
    with (
        Summarizer(base_url="http://127.0.0.1:9/v1", model="m") as summarizer,
        pytest.raises(RunStoppedError) as stopped,
    ):
        for result in summarizer.summarize_many(papers, concurrency=2):
            results.append(result)
    assert isinstance(stopped.value.cause, EndpointUnreachableError)
    assert str(stopped.value).startswith("stopped early: LLM endpoint at http://127.0.0.1:9/v1")
    assert 1 <= len(results) <= 2  # only the papers already in flight
    assert all(isinstance(result.error, EndpointUnreachableError) for result in results)


def _batch_process(server: Server, out: Path, cache: Path, repo: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "summarizer", "batch", str(repo / "seeds"), "-o", str(out),
        "--base-url", server.base_url, "--model", "test-model", "--cache-dir", str(cache),
        "--concurrency", "4",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_cards(out: Path, at_least: int, process: subprocess.Popen[str]) -> int:
    cards = out / "cards.jsonl"
    for _ in range(600):
        if cards.exists():
            count = cards.read_bytes().count(b"\n")
            if count >= at_least:
                return count
        if process.poll() is not None:
            raise AssertionError(f"batch ended early: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError("the batch wrote no cards")


def test_sigkill_mid_run_then_resume_finds_every_paper_once(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.latency = 0.05
    out, cache = tmp_path / "out", tmp_path / "cache"
    process = _batch_process(test_server, out, cache, repo)
    _wait_for_cards(out, 40, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    kept = card_lines(out)  # every line written so far is a whole card
    requests_before = test_server.stats.snapshot().requests
    assert 40 <= len(kept) < SEED_CARDS
    test_server.config.latency = 0.0
    report = run_batch([str(repo / "seeds")], out, llm_settings(test_server, cache))
    cards = card_lines(out)
    assert sorted(card["paper_id"] for card in cards) == sorted(
        {p.paper_id for p in read_papers([str(repo / "seeds")]).papers if p.title != APPENDIX}
    )
    assert report.already_done == len(kept)
    # No finished work redone: answers that reached the cache before the kill are reused.
    new_requests = test_server.stats.snapshot().requests - requests_before
    assert new_requests == report.new_cards - report.cached
    assert new_requests <= SEED_CARDS - len(kept)


def test_ctrl_c_keeps_finished_cards_and_exits_130(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.latency = 0.05
    out, cache = tmp_path / "out", tmp_path / "cache"
    process = _batch_process(test_server, out, cache, repo)
    _wait_for_cards(out, 20, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Interrupted" in stdout
    kept = card_lines(out)
    run = json.loads((out / "run.json").read_text())
    assert run["interrupted"] is True and run["cards_in_file"] == len(kept) < SEED_CARDS
    assert "Traceback" not in stderr


def test_batch_command_reports_and_exits_zero(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    result = run_cli(
        "batch",
        str(repo / "seeds" / "000_7a3839734a59cdb6.txt"),
        "-o",
        str(tmp_path / "out"),
        "--base-url",
        test_server.base_url,
        "--model",
        "test-model",
        "--quiet",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("9 unique papers (9 read, 0 duplicates) -> 8 cards in ")
    assert result.stderr == ""


def test_an_unreachable_endpoint_stops_the_batch_early(tmp_path: Path, repo: Path) -> None:
    result = run_cli(
        "batch", str(repo / "seeds"), "-o", str(tmp_path / "out"),
        "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--quiet", "--concurrency", "2",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "papers not attempted" in result.stdout
    assert result.stderr.startswith(
        "summarizer: LLM endpoint at http://127.0.0.1:9/v1: cannot connect"
    )


def test_the_quick_start_main_job_runs_offline(tmp_path: Path, repo: Path) -> None:
    """README's first command: no key, no network, every seed paper carded, tables made."""
    out = tmp_path / "out"
    result = run_cli("batch", str(repo / "seeds"), "-o", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # --quiet: not even the "no LLM configured" note
    cards = card_lines(out)
    assert len(cards) == SEED_CARDS
    assert {card["provenance"]["engine"] for card in cards} == {"offline"}  # type: ignore[index]
    run = json.loads((out / "run.json").read_text())
    assert run["estimated_cost_usd"] == 0 and run["usage"]["requests"] == 0
    assert len(list((out / "tables").iterdir())) == 9
    overview = (out / "tables" / "overview.md").read_text()
    assert "OS-R1: Agentic Operating System Kernel Tuning" in overview
