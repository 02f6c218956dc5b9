"""Shared set-up for tests that replay recorded LLM exchanges (pytest-recording / vcrpy).

Replay (the default, `--record-mode=none` in pyproject): no server runs and every
request must be in the test's cassette, or the test fails. Recording
(`pytest tests/test_llm_cassettes.py --record-mode=rewrite`) starts the repo's test
server with the outcomes a test asks for (`@pytest.mark.server_script([...])`), or, with
SUMMARIZER_RECORD_BASE_URL and SUMMARIZER_RECORD_MODEL (and SUMMARIZER_RECORD_API_KEY
for a cloud provider) set, talks to a real endpoint.
See docs/cassettes.md.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from summarizer.testserver import ServerConfig, running_server

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
# Replays never connect anywhere; recorded URLs differ by port, so hosts are not matched.
REPLAY_BASE_URL = "http://127.0.0.1:9/v1"
TEST_MODEL = "test-model"
# Not a real key: replays must never need one, and recordings must never keep one.
FAKE_KEY = "test-key-not-secret"

# Response headers worth nothing in a cassette, or identifying an account.
_DROPPED_RESPONSE_HEADERS = {
    "set-cookie",
    "cookie",
    "openai-organization",
    "openai-project",
    "x-request-id",
    "cf-ray",
    "server",
    "date",
    "alt-svc",
    "strict-transport-security",
}


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    response["headers"] = {
        name: value
        for name, value in headers.items()
        if name.lower() not in _DROPPED_RESPONSE_HEADERS
    }
    return response


# What a library writes into a request body that changes with its version, not with ours:
# pydantic's documentation URLs (`errors.pydantic.dev/2.14/v/missing`).
_VERSIONED_URL = re.compile(r"https?://errors\.pydantic\.dev/[^\s\"']*")
_SCHEMA_KEYS = ("parameters", "schema")


def _without_versioned_parts(value: Any) -> Any:
    """A request body with what depends on library versions replaced by placeholders:
    versioned URLs, and the JSON Schemas pydantic generates (its output changes between
    releases; the schema's own version is already part of our prompt and cassettes)."""
    if isinstance(value, dict):
        return {
            key: "<json schema>"
            if key in _SCHEMA_KEYS and isinstance(item, dict) and "properties" in item
            else _without_versioned_parts(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_versioned_parts(item) for item in value]
    if isinstance(value, str):
        return _VERSIONED_URL.sub("<url>", _schemas_in_text(value))
    return value


def _schemas_in_text(text: str) -> str:
    """Text with each embedded JSON object that is a JSON Schema replaced by a placeholder
    (json and md_json modes put the schema into a message)."""
    decoder = json.JSONDecoder()
    out, position = [], 0
    while (start := text.find("{", position)) >= 0:
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            out.append(text[position : start + 1])
            position = start + 1
            continue
        is_schema = isinstance(value, dict) and "properties" in value
        out.append(text[position:start] + ("<json schema>" if is_schema else text[start:end]))
        position = end
    out.append(text[position:])
    return "".join(out)


def chat_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the bodies are equal once library-versioned parts are set aside."""
    b1, b2 = r1.body or b"", r2.body or b""
    try:
        j1, j2 = json.loads(b1), json.loads(b2)
    except ValueError:
        assert b1 == b2
        return
    assert _without_versioned_parts(j1) == _without_versioned_parts(j2)


def pytest_recording_configure(config: Any, vcr: Any) -> None:
    """Register the body matcher with pytest-recording's VCR."""
    del config
    vcr.register_matcher("chat_body", chat_body)


def vcr_settings() -> dict[str, Any]:
    """vcrpy options: match on the body (else every call replays the first answer) apart
    from what a library version changes, keep bodies readable, scrub every credential."""
    return {
        "match_on": ["method", "path", "chat_body"],
        "decode_compressed_response": True,
        "filter_headers": [
            ("authorization", "REDACTED"),
            ("api-key", "REDACTED"),
            ("openai-organization", None),
            ("openai-project", None),
            ("cookie", None),
        ],
        "before_record_response": _scrub_response,
        "allow_playback_repeats": False,
    }


@dataclass(frozen=True)
class Endpoint:
    """Where a test sends its requests, and the model name it asks for."""

    base_url: str
    model: str
    api_key: str = FAKE_KEY


@pytest.fixture
def endpoint(request: pytest.FixtureRequest, record_mode: str) -> Iterator[Endpoint]:
    """The replay placeholder, or a live endpoint while recording."""
    if record_mode == "none":
        yield Endpoint(REPLAY_BASE_URL, TEST_MODEL)
        return
    real_url = os.environ.get("SUMMARIZER_RECORD_BASE_URL")
    if real_url:
        model = os.environ.get("SUMMARIZER_RECORD_MODEL", TEST_MODEL)
        yield Endpoint(real_url, model, os.environ.get("SUMMARIZER_RECORD_API_KEY", FAKE_KEY))
        return
    marker = request.node.get_closest_marker("server_script")
    config = ServerConfig(retry_after=0.05)
    with running_server(config) as server:
        if marker is not None:
            server.script(marker.args[0])
        yield Endpoint(server.base_url, TEST_MODEL)


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    """pytest-recording's options for every cassette."""
    return vcr_settings()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """cassettes/<test module name>/, at the top of the repo."""
    return str(CASSETTES / request.module.__name__.removeprefix("test_"))


@pytest.fixture(autouse=True)
def every_recorded_request_is_played(vcr: Any, record_mode: str) -> Iterator[None]:
    """A replayed test must use its whole cassette: a cache hit would skip requests."""
    yield
    if vcr is None or record_mode != "none":
        return
    unplayed = len(vcr) - vcr.play_count
    assert vcr.all_played, f"{unplayed} recorded requests were not played"
