"""Engines behind one registry: built-ins, and plugins found through an entry point."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import run_cli

from summarizer.api import Summarizer
from summarizer.engines import BUILTIN_ENGINES, engine_names, registered_engines
from summarizer.errors import ConfigError
from summarizer.settings import MODES, resolve_settings

PLUGIN = Path(__file__).parent / "plugins" / "dummy_engine"


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The dummy plugin installed as pip leaves a package: module plus .dist-info."""
    site = tmp_path / "site"
    info = site / "summarizer_dummy_engine-0.1.0.dist-info"
    info.mkdir(parents=True)
    shutil.copy(PLUGIN / "summarizer_dummy_engine.py", site)
    shutil.copy(PLUGIN / "METADATA", info)
    shutil.copy(PLUGIN / "entry_points.txt", info)
    monkeypatch.syspath_prepend(str(site))
    registered_engines.cache_clear()
    yield site
    registered_engines.cache_clear()
    sys.modules.pop("summarizer_dummy_engine", None)


def test_the_built_in_engines_are_registered() -> None:
    assert set(BUILTIN_ENGINES) == {"llm", "offline", "local"}
    assert set(engine_names()) >= set(BUILTIN_ENGINES)


def test_an_installed_plugin_engine_is_found_and_used(installed_plugin: Path) -> None:
    assert "dummy" in engine_names()
    with Summarizer(engine="dummy") as summarizer:
        card = summarizer.summarize("Models forget. We fix that.", "Remembering")
        engine = summarizer.engine
    assert (card.problem, card.method) == ("Models forget.", "The method of Remembering.")
    assert (card.provenance.engine, card.provenance.engine_version) == ("dummy", "dummy-1")
    assert engine.closed  # type: ignore[attr-defined]


def test_the_cli_runs_a_plugin_engine(installed_plugin: Path, tmp_path: Path, repo: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "batch", str(repo / "seeds" / "000_7a3839734a59cdb6.txt"), "-o", str(out),
        "--engine", "dummy", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    engines = {
        json.loads(line)["provenance"]["engine"]
        for line in (out / "cards.jsonl").read_text().splitlines()
    }
    assert engines == {"dummy"}


def test_an_unknown_engine_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as refused:
        resolve_settings(engine="nope", environ={})
    assert str(refused.value) == (
        "engine: unknown engine 'nope' (use one of: " + ", ".join(engine_names()) + ")"
    )


def test_api_options_are_the_declared_settings() -> None:
    with pytest.raises(TypeError, match="unknown option 'max_token'"):
        Summarizer(max_token=10)
    with Summarizer(engine="offline", max_tokens=10, mode=MODES[1]) as summarizer:
        assert (summarizer.settings.max_tokens, summarizer.settings.mode) == (10, "json_schema")
