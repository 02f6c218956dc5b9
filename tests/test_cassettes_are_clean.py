"""No cassette holds anything that looks like a credential, and each is readable text."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

KEY_LIKE = re.compile(
    r"(sk-[A-Za-z0-9_-]{16,}|Bearer\s+(?!REDACTED)\S+|api[-_]key\W+(?!REDACTED)\w{8,})",
    re.IGNORECASE,
)


def cassette_files(repo: Path) -> list[Path]:
    return sorted((repo / "cassettes").rglob("*.yaml"))


def test_there_are_cassettes(repo: Path) -> None:
    assert len(cassette_files(repo)) >= 10


def test_no_cassette_holds_a_key(repo: Path) -> None:
    for path in cassette_files(repo):
        text = path.read_text(encoding="utf-8")
        found = KEY_LIKE.search(text)
        assert found is None, f"{path.name}: {found.group(0)[:12]}..."


def test_credentials_headers_are_redacted_and_bodies_are_decoded(repo: Path) -> None:
    for path in cassette_files(repo):
        recording = yaml.safe_load(path.read_text(encoding="utf-8"))
        for interaction in recording["interactions"]:
            headers = {
                name.lower(): value for name, value in interaction["request"]["headers"].items()
            }
            assert headers.get("authorization", ["REDACTED"]) == ["REDACTED"]
            assert "api-key" not in headers or headers["api-key"] == ["REDACTED"]
            response = interaction["response"]
            response_headers = {name.lower() for name in response["headers"]}
            assert not response_headers & {"set-cookie", "openai-organization"}
            assert isinstance(response["body"]["string"], str)  # readable, not gzip bytes
