"""`summarizer batch --batch-api` as a user runs it: exact output, Ctrl-C and a killed
poller, --no-wait, --cancel-batches, and the refusals that keep a paper from being paid
for twice."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import run_cli

from summarizer.batch_api.state import StateStore
from summarizer.testserver import ManualClock, Server, ServerConfig, running_server

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ONE_FILE = str(SEEDS / "000_7a3839734a59cdb6.txt")  # 8 papers worth a card


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def slow_server(clock: ManualClock) -> Iterator[Server]:
    """Batches take an hour on a clock the test moves: a poller waits until it does."""
    config = ServerConfig(clock=clock)
    config.batch.seconds = 3600.0
    with running_server(config) as server:
        yield server


def seconds_free(text: str) -> str:
    """The output with the run's wall time, the one part that changes, made fixed."""
    return re.sub(r"\b\d+\.\d s\.", "T s.", text)


def batch(server: Server, out: Path, *extra: str) -> list[str]:
    return [
        "batch", ONE_FILE, "-o", str(out), "--base-url", server.base_url,
        "--model", "test-model", "--quiet", *extra,
    ]  # fmt: skip


def cards(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "cards.jsonl").read_text().splitlines()]


@pytest.mark.parametrize(
    "option", [["--no-wait"], ["--batch-retry", "batch"], ["--poll-interval", "1"]]
)
def test_batch_api_options_need_batch_api(tmp_path: Path, option: list[str]) -> None:
    result = run_cli("batch", ONE_FILE, "-o", str(tmp_path / "out"), *option)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {option[0]} needs --batch-api"


def test_a_dry_run_prices_the_batch(test_server: Server, tmp_path: Path) -> None:
    result = run_cli(
        "batch", ONE_FILE, "-o", str(tmp_path / "out"), "--base-url", test_server.base_url,
        "--model", "gpt-4o-mini", "--batch-api", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "9 unique papers (9 read): 0 already in the output folder, 1 skipped, 0 cached, "
        "0 in open batches, 8 to request from llm gpt-4o-mini through the Batch API; "
        "estimated 17319 prompt + 3600 completion tokens, cost $0.0024 ($0.0048 online). "
        "Lines that fail in a batch are asked again online at online prices: each 10% of "
        "them adds about $0.0005. No request was made."
    )
    assert test_server.stats.snapshot().files_uploaded == 0


def test_no_wait_then_cancel_then_collect(slow_server: Server, tmp_path: Path) -> None:
    test_server = slow_server
    out = tmp_path / "out"
    submitted = run_cli(*batch(test_server, out, "--batch-api", "--no-wait"))
    assert submitted.exit_code == 0, submitted.output
    assert seconds_free(submitted.stdout) == (
        f"9 unique papers (9 read, 0 duplicates) -> 0 cards in {out}/cards.jsonl: 0 new "
        f"(0 from cache), 0 already there; 0 failed. 1 skipped (see {out}/run.json). Engine "
        "llm test-model: 0 requests, 0 tokens, cost unknown for this model. T s. Batch API: "
        "1 batch submitted, 0 collected (0 lines answered, 0 failed); 0 papers retried "
        "online, 0 in a batch. 1 batch is still open at the provider with 8 papers of this "
        "run: run the same command again to collect them.\n"
    )
    online = run_cli(*batch(test_server, out))
    assert online.exit_code == 2
    assert online.stderr == (
        f"summarizer: {out}: has 1 open batch holding 8 papers at the provider "
        "(batch-api.json); an online run would pay for those papers again (add --batch-api "
        "to collect them, or cancel them with --cancel-batches)\n"
    )
    cancelled = run_cli(*batch(test_server, out, "--cancel-batches"))
    assert cancelled.exit_code == 0, cancelled.output
    assert cancelled.stdout == (
        f"cancelled 1 batch holding 8 papers in {out}; the next run with --batch-api "
        "collects what they finished and asks again for the rest\n"
    )
    collected = run_cli(*batch(test_server, out, "--batch-api"))
    assert collected.exit_code == 0, collected.output
    assert "0 collected" not in collected.stdout and len(cards(out)) == 8
    stats = test_server.stats.snapshot()
    assert stats.batches_created == 1 and stats.requests == 8  # none ran: all online


def _poller(server: Server, out: Path, cache: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "summarizer", *batch(server, out, "--batch-api"),
        "--poll-interval", "0.2", "--cache-dir", str(cache),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_until_polling(out: Path, process: subprocess.Popen[str]) -> None:
    store = StateStore(out)
    for _ in range(600):
        state = store.load() if store.path.exists() else None
        if state is not None and state.parts and state.parts[0].stage == "submitted":
            time.sleep(0.5)  # a few polls
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the batch was never submitted")


def test_ctrl_c_while_polling_leaves_the_batch_running_and_says_how_to_collect(
    slow_server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    process = _poller(slow_server, out, cache)
    _wait_until_polling(out, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert stdout.endswith(
        "1 batch keeps running at the provider with 8 papers of this run: run the same "
        "command again to collect them.\n"
    )
    state = StateStore(out).load()
    assert state is not None and state.parts[0].status == "in_progress"
    assert json.loads((out / "run.json").read_text())["interrupted"] is True
    clock.advance(3600)
    again = run_cli(*batch(slow_server, out, "--batch-api", "--cache-dir", str(cache)))
    assert again.exit_code == 0, again.output
    assert len(cards(out)) == 8
    stats = slow_server.stats.snapshot()
    assert stats.batches_created == 1 and set(stats.batch_custom_ids.values()) == {1}


def test_a_poller_killed_outright_is_resumed_by_the_next_run(
    slow_server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    process = _poller(slow_server, out, cache)
    _wait_until_polling(out, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    clock.advance(3600)
    again = run_cli(*batch(slow_server, out, "--batch-api", "--cache-dir", str(cache)))
    assert again.exit_code == 0, again.output
    assert len(cards(out)) == 8 and len({card["paper_id"] for card in cards(out)}) == 8
    stats = slow_server.stats.snapshot()
    assert stats.batches_created == 1 and stats.requests == 0
    assert set(stats.batch_custom_ids.values()) == {1}
