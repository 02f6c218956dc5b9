"""An output folder: one run at a time, bad paths in one line, starting over moves aside."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import run_cli

from summarizer.batch import run_batch
from summarizer.errors import FolderInUseError
from summarizer.run_folder import LOCK_FILE, FolderLock
from summarizer.settings import resolve_settings
from summarizer.testserver import Server

SEEDS_000 = "000_7a3839734a59cdb6.txt"


def _slow_batch(server: Server, out: Path, cache: Path, repo: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "summarizer", "batch", str(repo / "seeds"), "-o", str(out),
        "--base-url", server.base_url, "--model", "test-model", "--cache-dir", str(cache),
        "--concurrency", "2", "--quiet",
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_lines(path: Path, process: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if path.exists() and path.read_bytes().count(b"\n") >= 2:
            return
        if process.poll() is not None:
            raise AssertionError(f"batch ended early: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError("the first batch wrote no cards")


def test_a_second_run_on_the_same_folder_exits_2_naming_the_first(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.latency = 0.05
    out = tmp_path / "out"
    first = _slow_batch(test_server, out, tmp_path / "c1", repo)
    try:
        _wait_for_lines(out / "cards.jsonl", first)
        cards_before = (out / "cards.jsonl").read_bytes().count(b"\n")
        second = run_cli(
            "batch", str(repo / "seeds"), "-o", str(out), "--engine", "offline", "--quiet"
        )
        assert second.exit_code == 2
        assert second.stdout == ""
        assert second.stderr.startswith(
            f"summarizer: {out}: in use by another summarizer run "
            f"(pid {first.pid} on {socket.gethostname()} since "
        )
        assert second.stderr.endswith("(wait for it to finish, or use another -o folder)\n")
        assert second.stderr.count("\n") == 1
        # The refused run wrote nothing: no offline card joined the LLM cards.
        lines = (out / "cards.jsonl").read_text().splitlines()
        assert len(lines) >= cards_before
        assert {json.loads(line)["provenance"]["engine"] for line in lines} == {"llm"}
    finally:
        first.kill()
        first.wait()


def test_a_lock_left_by_a_killed_run_never_blocks_the_next(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.latency = 0.05
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = _slow_batch(test_server, out, cache, repo)
    _wait_for_lines(out / "cards.jsonl", first)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    assert (out / LOCK_FILE).exists()  # the killed run's lock file is still there
    test_server.config.latency = 0.0
    settings = resolve_settings(
        base_url=test_server.base_url, model="test-model", cache_dir=cache, environ={}
    )
    report = run_batch([str(repo / "seeds" / SEEDS_000)], out, settings)
    assert report.new_cards + report.already_done == 8


def test_the_lock_is_exclusive_within_one_process_too(tmp_path: Path) -> None:
    with FolderLock(tmp_path), pytest.raises(FolderInUseError, match=rf"pid {os.getpid()}"):
        FolderLock(tmp_path).acquire()
    with FolderLock(tmp_path):  # released: free again
        pass


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (
            lambda out: out.write_text("x"),
            "summarizer: {out}: is a file, not a folder (give a folder with -o)\n",
        ),
        (
            lambda out: (out / "cards.jsonl").mkdir(parents=True),
            "summarizer: {out}/cards.jsonl: is a folder, not a file "
            "(move it away, or use another -o folder)\n",
        ),
        (
            lambda out: (out / "errors.jsonl").mkdir(parents=True),
            "summarizer: {out}/errors.jsonl: is a folder, not a file "
            "(move it away, or use another -o folder)\n",
        ),
        (
            lambda out: (out.mkdir(), (out / "tables").write_text("x")),
            "summarizer: {out}/tables: is a file, not a folder "
            "(move it away, or use another -o folder)\n",
        ),
    ],
    ids=["out-is-a-file", "cards-is-a-folder", "errors-is-a-folder", "tables-is-a-file"],
)
def test_bad_output_paths_are_one_line_and_exit_2(
    setup: object, expected: str, tmp_path: Path, repo: Path
) -> None:
    out = tmp_path / "out"
    setup(out)  # type: ignore[operator]
    result = run_cli("batch", str(repo / "seeds" / SEEDS_000), "-o", str(out), "--quiet")
    assert (result.exit_code, result.stdout, result.stderr.splitlines()[-1] + "\n") == (
        2,
        "",
        expected.format(out=out),
    )
    assert "Traceback" not in result.stderr


def test_an_unwritable_folder_is_one_line_and_exit_2(tmp_path: Path, repo: Path) -> None:
    if os.geteuid() == 0:
        out = Path("/proc/summarizer-out")  # root may write anywhere but here
        expected = f"summarizer: {out}: cannot create the folder ("
    else:
        out = tmp_path / "readonly"
        out.mkdir()
        out.chmod(0o555)
        expected = f"summarizer: {out}: cannot write here (Permission denied)"
    result = run_cli("batch", str(repo / "seeds" / SEEDS_000), "-o", str(out), "--quiet")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(expected)
    assert result.stderr.splitlines()[-1].endswith("(use another -o folder)")


def test_start_over_moves_the_old_outputs_aside_and_deletes_nothing(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    out = tmp_path / "out"
    seeds = str(repo / "seeds" / SEEDS_000)
    common = ["--base-url", test_server.base_url, "--model", "test-model", "--quiet"]
    assert run_cli("batch", seeds, "-o", str(out), *common).exit_code == 0
    old_cards = (out / "cards.jsonl").read_text()
    refused = run_cli("batch", seeds, "-o", str(out), *common, "--mode", "json_schema")
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"summarizer: {out}/cards.jsonl holds cards made with another recipe "
        "(mode tools there, json_schema now) "
        "(use another -o folder, or add --start-over to move the old cards aside)\n"
    )
    assert (out / "cards.jsonl").read_text() == old_cards  # untouched
    again = run_cli(
        "batch", seeds, "-o", str(out), *common, "--mode", "json_schema", "--start-over"
    )
    assert again.exit_code == 0, again.output
    (previous,) = out.glob("previous-*")
    assert again.stderr == f"summarizer: moved the earlier run's outputs to {previous}\n"
    assert (previous / "cards.jsonl").read_text() == old_cards
    assert sorted(path.name for path in previous.iterdir()) == [
        "cards.jsonl",
        "errors.jsonl",
        "report.html",
        "run.json",
        "tables",
    ]
    modes = {
        json.loads(line)["provenance"]["mode"]
        for line in (out / "cards.jsonl").read_text().splitlines()
    }
    assert modes == {"json_schema"}
