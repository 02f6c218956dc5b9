"""The card cache: keys cover every input, hits and misses, corruption is a miss, and a
damaged, locked or unusable cache never stops a run (it is bypassed, with one warning)."""

from __future__ import annotations

import logging
import os
import random
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer.cache import CardCache, Cleared, cache_key
from summarizer.cards import CardFields, Usage
from summarizer.cli import cli
from summarizer.engines.base import EngineResult
from summarizer.errors import CacheError
from summarizer.recipe import Recipe

RECIPE = Recipe(
    engine="llm",
    model="m",
    mode="tools",
    prompt_version="p1",
    schema_version="s1",
    temperature=0.0,
    max_reasks=2,
    max_tokens=2048,
    grounding="drop",
)


def result() -> EngineResult:
    fields = CardFields(
        problem="p",
        method="m",
        method_name="X",
        contribution="method",
        stages=[],
        claimed_gains=[],
    )
    return EngineResult(
        fields=fields, usage=Usage(requests=1, prompt_tokens=10, completion_tokens=5)
    )


def test_title_and_abstract_change_the_key() -> None:
    base = cache_key(RECIPE, "T", "A")
    assert cache_key(RECIPE, "T", "A") == base
    assert cache_key(RECIPE, "Tx", "A") != base
    assert cache_key(RECIPE, None, "A") != base
    assert cache_key(RECIPE, "T", "Ax") != base


def test_miss_then_hit(tmp_path: Path) -> None:
    store = CardCache(tmp_path / "c")
    assert store.get("k") is None
    store.put("k", result())
    hit = store.get("k")
    assert hit == result()
    assert store.stats().entries == 1
    assert store.clear() == Cleared(removed=1)
    assert store.get("k") is None


def test_corrupt_entry_is_a_miss_and_is_removed(tmp_path: Path) -> None:
    store = CardCache(tmp_path / "c")
    store._open().set("k", "{not json")
    store._open().set("old", '{"cache_version": 0}')
    assert store.get("k") is None
    assert store.get("old") is None
    assert store.stats().entries == 0


def test_damaged_database_does_not_crash(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "cache.db").write_bytes(b"this is not sqlite" * 100)
    store = CardCache(folder)
    assert store.get("k") is None  # a miss, not an exception
    store.put("k", result())  # a lost entry, not an exception


def test_cache_never_stores_secrets(tmp_path: Path) -> None:
    store = CardCache(tmp_path / "c")
    store.put("k", result())
    store.close()
    for path in (tmp_path / "c").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"Authorization" not in data and b"sk-" not in data
    with sqlite3.connect(tmp_path / "c" / "cache.db") as db:
        (count,) = db.execute("select count(*) from Cache").fetchone()
    assert count == 1


def test_cache_commands(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    CardCache(folder).put("k", result())
    runner = CliRunner()
    stats = runner.invoke(cli, ["cache", "stats", "--cache-dir", str(folder)])
    assert stats.exit_code == 0
    assert f"folder: {folder}\nentries: 1\n" in stats.output
    cleared = runner.invoke(cli, ["cache", "clear", "--cache-dir", str(folder)])
    assert cleared.output == f"removed 1 cached answers from {folder}\n"


# --- a damaged, locked or unusable cache -------------------------------------------------

PAGE = 4096


def filled_cache(folder: Path, entries: int = 200) -> None:
    """A cache of many pages: entries with 2 KB values."""
    store = CardCache(folder)
    for number in range(entries):
        store._open().set(f"k{number}", "x" * 2000)
    store.close()


def damage(folder: Path, how: str) -> None:
    """Damage the cache's database as a crash, a full disk or a stray write would."""
    database = folder / "cache.db"
    size = database.stat().st_size
    noise = random.Random(how).randbytes
    if how == "random_bytes":  # the whole file overwritten
        database.write_bytes(noise(size))
    elif how == "truncated":
        os.truncate(database, 3 * PAGE)
    elif how == "page_overwritten":  # opening and counting still work; reading does not
        with database.open("r+b") as handle:
            handle.seek(size // 2 // PAGE * PAGE)
            handle.write(noise(2 * PAGE))
    else:
        raise ValueError(how)


DAMAGES = ["random_bytes", "truncated", "page_overwritten"]


@pytest.mark.parametrize("how", DAMAGES)
def test_stats_reports_a_damaged_database(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "c"
    filled_cache(folder)
    damage(folder, how)
    with pytest.raises(CacheError) as raised, CardCache(folder) as store:
        store.stats()
    assert raised.value.kind == "damaged"
    assert str(raised.value).startswith(f"the cache in {folder} is damaged: ")
    assert raised.value.hint == f"run summarizer cache clear --cache-dir {folder} to rebuild it"


@pytest.mark.parametrize("how", DAMAGES)
def test_clear_rebuilds_a_damaged_database(tmp_path: Path, how: str) -> None:
    folder = tmp_path / "c"
    filled_cache(folder)
    damage(folder, how)
    with CardCache(folder) as store:
        cleared = store.clear()
    assert cleared.removed == 0 and cleared.damage
    with CardCache(folder) as store:
        assert store.stats().entries == 0
        store.put("k", result())
        assert store.get("k") == result()
        assert store.problem is None


def test_clear_removes_only_diskcache_files(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    store = CardCache(folder)
    store._open().set("big", "x" * 40_000)  # over diskcache's 32 KiB: a value file
    store.close()
    (value_file,) = folder.glob("*/*/*.val")
    unrelated = [
        folder / "notes.txt",
        folder / "ab" / "notes.txt",
        folder / "0a" / "0b" / "keep.val",
    ]
    for path in unrelated:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine")
    damage(folder, "random_bytes")
    with CardCache(folder) as store:
        assert store.clear().damage == "file is not a database"
    assert not value_file.exists() and not value_file.parent.exists()
    assert all(path.read_text() == "mine" for path in unrelated)
    remaining = sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))
    assert "cache.db" in remaining  # a fresh one
    assert {"notes.txt", "ab/notes.txt", "0a/0b/keep.val"} <= set(remaining)


def test_clear_on_a_healthy_cache_counts_what_it_removed(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    filled_cache(folder, entries=3)
    with CardCache(folder) as store:
        assert store.clear() == Cleared(removed=3)


def test_a_damaged_cache_is_bypassed_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "c"
    filled_cache(folder)
    damage(folder, "random_bytes")
    before = (folder / "cache.db").read_bytes()
    store = CardCache(folder)
    with caplog.at_level(logging.WARNING, logger="summarizer.cache"):
        for number in range(5):  # a run of five papers
            assert store.get(f"paper{number}") is None
            store.put(f"paper{number}", result())
    store.close()
    assert store.problem == (
        f"the cache in {folder} is damaged: file is not a database "
        f"(run summarizer cache clear --cache-dir {folder} to rebuild it)"
    )
    assert [record.getMessage() for record in caplog.records] == [
        f"{store.problem}; answers are not cached for the rest of this run"
    ]
    assert (folder / "cache.db").read_bytes() == before  # bypassed: left as it was


def test_damage_found_mid_run_bypasses_the_cache_from_then_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "c"
    filled_cache(folder)
    damage(folder, "page_overwritten")
    store = CardCache(folder)
    with caplog.at_level(logging.WARNING, logger="summarizer.cache"):
        for number in range(200):
            store.get(f"k{number}")
    assert store.problem is not None and " is damaged: " in store.problem
    assert len(caplog.records) == 1


def test_a_cache_dir_that_is_a_file_is_bypassed_and_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("mine")
    store = CardCache(path)
    with caplog.at_level(logging.WARNING, logger="summarizer.cache"):
        store.put("k", result())
        assert store.get("k") is None
    assert store.problem == (
        f"the cache folder {path} is not a folder: it is a file (choose a folder with --cache-dir)"
    )
    assert len(caplog.records) == 1
    for action in (store.stats, store.clear):
        with pytest.raises(CacheError) as raised:
            action()
        assert raised.value.kind == "not_a_folder"
    assert path.read_text() == "mine"


@contextmanager
def write_locked(folder: Path) -> Iterator[None]:
    """Another connection holds the database's write lock, as a stuck process would."""
    other = sqlite3.connect(folder / "cache.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_locked_cache_is_locked_not_damaged(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    filled_cache(folder, entries=3)
    with write_locked(folder):
        for action in (CardCache.stats, CardCache.clear):
            with pytest.raises(CacheError) as raised, CardCache(folder, lock_timeout=0.05) as store:
                action(store)
            assert raised.value.kind == "locked"
            assert str(raised.value) == (
                f"the cache in {folder} is locked by another process "
                "(try again when it is done, or use another --cache-dir)"
            )
    with CardCache(folder) as store:
        assert store.stats().entries == 3  # clear neither emptied nor rebuilt it


def test_a_lock_held_too_long_mid_run_is_recorded_as_locked(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    store = CardCache(folder, lock_timeout=0.05)
    store.put("a", result())
    with write_locked(folder):
        assert store.get("a") == result()  # reading needs no lock
        store.put("b", result())  # writing waits 0.05 s, then gives up
    assert store.problem is not None
    assert store.problem.startswith(f"the cache in {folder} is locked by another process")
    assert store.get("a") is None  # bypassed from then on
    store.close()
