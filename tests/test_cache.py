"""The card cache: keys cover every input, hits and misses, corruption is a miss."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from summarizer.cache import CardCache, cache_key
from summarizer.cards import CardFields, Usage
from summarizer.cli import cli
from summarizer.engines.base import EngineResult
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
    assert store.clear() == 1
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
