"""prompts/, schemas/ and the offline weights ship inside the wheel and load from it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(repo)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("summarizer-*.whl")
    return built


def test_wheel_holds_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "summarizer/_data/prompts/system.j2" in names
    assert "summarizer/_data/prompts/user.j2" in names
    assert "summarizer/_data/schemas/card.schema.json" in names
    assert "summarizer/data/prices.toml" in names
    assert any(name.startswith("summarizer/engines/offline/") and "model" in name for name in names)
    assert "summarizer/engines/offline/selector_model.json" in names
    assert not any(name.startswith(("tests/", "cassettes/", "seeds/")) for name in names)


def test_an_installed_wheel_renders_prompts_and_makes_cards(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import summarizer, summarizer.prompts as p\n"
        "assert summarizer.__file__.startswith(TARGET), summarizer.__file__\n"
        "print(p.prompt_version())\n"
        "print(len(p.render_messages('T', 'An abstract.')[0]['content']) > 500)\n"
        "from summarizer import summarize\n"
        "card = summarize('We propose FooNet. FooNet improves accuracy by 4.2% over "
        "BarNet on ImageNet.', 'FooNet: a test', engine='offline')\n"
        "print(card.provenance.engine)\n"
    ).replace("TARGET", repr(str(target)))
    output = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        cwd=tmp_path,
    ).stdout.split()
    from summarizer.prompts import prompt_version

    assert output == [prompt_version(), "True", "offline"]


def test_the_wheel_needs_no_web_framework(wheel: Path) -> None:
    """aiohttp (the test server's) is an extra of summarizer's. (instructor 1.17 requires
    aiohttp itself, so an install still gets it through instructor.)"""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        requires = [
            line.removeprefix("Requires-Dist: ")
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist: ")
        ]
    core = [requirement for requirement in requires if "extra ==" not in requirement]
    assert core and not any(requirement.startswith("aiohttp") for requirement in core)
    assert any(
        requirement.startswith("aiohttp") and "extra == 'testserver'" in requirement
        for requirement in requires
    )
