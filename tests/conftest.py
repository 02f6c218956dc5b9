"""Shared fixtures: every test runs with its own temporary home and cache, offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from summarizer.settings import options

if TYPE_CHECKING:
    from summarizer.testserver import Server

# Fixtures for tests that replay recorded LLM exchanges (tests/llm_recording.py).
pytest_plugins = ["llm_recording"]

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

# Settings that would make a test depend on the machine it runs on: every declared
# setting's environment variable, and the openai SDK's own.
_MACHINE_ENV = (
    *(option.spec.env for option in options() if option.spec.env),
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home and cache folder per test, and no LLM configured from the machine."""
    home = tmp_path / "home"
    home.mkdir()
    for name in _MACHINE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    return home


@pytest.fixture
def repo() -> Path:
    """The repository's root folder."""
    return REPO


@pytest.fixture
def test_server() -> Iterator[Server]:
    """The repo's OpenAI-compatible test server, on a free local port, for one test.

    No latency and no faults by default; change `test_server.config`, or queue exact
    outcomes with `test_server.script([...])`. Point clients at `test_server.base_url`.
    """
    from summarizer.testserver import ServerConfig, running_server

    with running_server(ServerConfig()) as server:
        yield server
