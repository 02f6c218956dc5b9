"""`summarizer cache stats` and `cache clear` on a damaged, locked or unusable cache, and a
batch that meets one: one line and exit 2 from the commands, one warning from a run."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_cli

from summarizer.cache import CardCache
from summarizer.testserver import Server

ABSTRACTS = [
    f"Training is slow. We propose FastNet{n}, a method that trains models quickly. "
    f"FastNet{n} improves accuracy by {n}.5% over the baseline on ImageNet."
    for n in range(1, 4)
]


def filled_cache(folder: Path, entries: int = 100) -> None:
    store = CardCache(folder)
    for number in range(entries):
        store._open().set(f"k{number}", "x" * 2000)
    store.close()


def overwrite_with_random_bytes(folder: Path) -> None:
    database = folder / "cache.db"
    database.write_bytes(random.Random(0).randbytes(database.stat().st_size))


def damaged_line(folder: Path, detail: str) -> str:
    return (
        f"summarizer: the cache in {folder} is damaged: {detail} "
        f"(run summarizer cache clear --cache-dir {folder} to rebuild it)\n"
    )


def test_stats_and_clear_on_random_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    filled_cache(folder)
    overwrite_with_random_bytes(folder)
    (folder / "notes.txt").write_text("mine")

    stats = run_cli("cache", "stats", "--cache-dir", str(folder))
    assert (stats.exit_code, stats.stdout) == (2, "")
    assert stats.stderr == damaged_line(folder, "file is not a database")

    cleared = run_cli("cache", "clear", "--cache-dir", str(folder))
    assert (cleared.exit_code, cleared.stderr) == (0, "")
    assert cleared.stdout == (
        f"rebuilt the damaged cache in {folder} (file is not a database); "
        "its answers could not be read and are gone\n"
    )
    assert (folder / "notes.txt").read_text() == "mine"

    again = run_cli("cache", "stats", "--cache-dir", str(folder))
    assert again.exit_code == 0
    assert again.stdout.startswith(f"folder: {folder}\nentries: 0\nsize: ")


def test_stats_and_clear_on_a_truncated_database(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    filled_cache(folder)
    os.truncate(folder / "cache.db", 3 * 4096)
    stats = run_cli("cache", "stats", "--cache-dir", str(folder))
    assert stats.exit_code == 2
    assert stats.stderr == damaged_line(folder, "database disk image is malformed")
    cleared = run_cli("cache", "clear", "--cache-dir", str(folder))
    assert cleared.exit_code == 0
    assert cleared.stdout == (
        f"rebuilt the damaged cache in {folder} (database disk image is malformed); "
        "its answers could not be read and are gone\n"
    )


def test_a_cache_dir_that_is_a_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    for command in ("stats", "clear"):
        result = run_cli("cache", command, "--cache-dir", str(path))
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == (
            f"summarizer: the cache folder {path} is not a folder: it is a file "
            "(choose a folder with --cache-dir)\n"
        )
    assert path.read_text() == "mine"


def test_a_cache_dir_inside_a_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    result = run_cli("cache", "stats", "--cache-dir", str(path / "cache"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"summarizer: the cache folder {path / 'cache'} is not a folder: {path} is a file "
        "(choose a folder with --cache-dir)\n"
    )


def run_in_read_only_folder(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`summarizer ARGS` while `folder` cannot be written. Root writes anywhere, so for root
    the folder is bind-mounted read-only in a mount namespace of the command's own."""
    command = [sys.executable, "-m", "summarizer", *args]
    if os.geteuid() == 0:
        remount = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
        command = ["unshare", "--mount", "sh", "-c", remount, str(folder), *command]
    else:
        folder.chmod(0o555)
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60)
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("command", ["stats", "clear"])
def test_a_read_only_folder(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "c"
    filled_cache(folder, entries=3)
    result = run_in_read_only_folder(folder, "cache", command, "--cache-dir", str(folder))
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"summarizer: the cache folder {folder} is not writable: {reason} "
        "(make it writable, or choose another folder with --cache-dir)\n"
    )
    with CardCache(folder) as store:
        assert store.stats().entries == 3


def test_a_locked_cache_is_not_called_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "c"
    filled_cache(folder, entries=3)
    monkeypatch.setattr("summarizer.cache.LOCK_TIMEOUT_SECONDS", 0.05)
    other = sqlite3.connect(folder / "cache.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        results = [
            run_cli("cache", command, "--cache-dir", str(folder)) for command in ("stats", "clear")
        ]
    finally:
        other.execute("ROLLBACK")
        other.close()
    for result in results:
        assert result.exit_code == 2
        assert result.stderr == (
            f"summarizer: the cache in {folder} is locked by another process "
            "(try again when it is done, or use another --cache-dir)\n"
        )
    stats = run_cli("cache", "stats", "--cache-dir", str(folder))
    assert stats.stdout.startswith(f"folder: {folder}\nentries: 3\n")


def test_a_batch_goes_on_past_a_damaged_cache_with_one_warning(
    test_server: Server, tmp_path: Path
) -> None:
    folder = tmp_path / "c"
    filled_cache(folder)
    overwrite_with_random_bytes(folder)
    papers = tmp_path / "papers.jsonl"
    papers.write_text(
        "".join(
            json.dumps({"title": f"FastNet{n}", "abstract": abstract}) + "\n"
            for n, abstract in enumerate(ABSTRACTS, start=1)
        )
    )
    out = tmp_path / "out"
    # A process of its own, so the warning reaches stderr as a user sees it.
    result = subprocess.run(
        [
            sys.executable, "-m", "summarizer", "batch", str(papers), "-o", str(out),
            "--base-url", test_server.base_url, "--model", "test-model",
            "--cache-dir", str(folder), "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len((out / "cards.jsonl").read_text().splitlines()) == 3
    warning = (
        f"the cache in {folder} is damaged: file is not a database "
        f"(run summarizer cache clear --cache-dir {folder} to rebuild it); "
        "answers are not cached for the rest of this run\n"
    )
    assert result.stderr.count(warning) == 1
    assert result.stderr.count("\n") == 1
    run = json.loads((out / "run.json").read_text())
    assert run["cache_problem"] == warning.split("; answers")[0]
