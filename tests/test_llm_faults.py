"""Faults that a cassette cannot hold (dropped connections, stalls, a dead endpoint),
against the repo's test server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import Summarizer
from summarizer.engines.llm import LLMEngine
from summarizer.errors import (
    AuthenticationError,
    EndpointError,
    EndpointUnreachableError,
    RateLimitedError,
)
from summarizer.retries import RetryPolicy
from summarizer.settings import resolve_settings
from summarizer.testserver import Server

ABSTRACT = (
    "Training is slow. We propose FastNet, a method that trains models quickly. "
    "FastNet improves accuracy by 3.5% over the baseline on ImageNet."
)
TITLE = "FastNet: Fast Training of Models"
FAST_RETRIES = RetryPolicy(initial_backoff=0.01, max_backoff=0.05)


def engine_for(base_url: str, **options: object) -> LLMEngine:
    settings = resolve_settings(base_url=base_url, model="test-model", environ={}, **options)  # type: ignore[arg-type]
    return LLMEngine(settings, policy=FAST_RETRIES)


def test_a_dropped_connection_is_retried(test_server: Server) -> None:
    test_server.script(["drop", "ok"])
    result = engine_for(test_server.base_url).fill(TITLE, ABSTRACT)
    assert result.usage.requests == 2
    assert result.fields.method_name == "FastNet"


def test_a_stall_past_the_timeout_is_retried(test_server: Server) -> None:
    test_server.config.stall_seconds = 5
    test_server.script(["stall", "ok"])
    result = engine_for(test_server.base_url, timeout=0.5).fill(TITLE, ABSTRACT)
    assert result.usage.requests == 2


def test_stalls_on_every_attempt_end_in_a_timeout_error(test_server: Server) -> None:
    test_server.config.stall_seconds = 5
    test_server.script(["stall"] * 4)
    with pytest.raises(EndpointError, match=r"no answer within 0\.3 s"):
        engine_for(test_server.base_url, timeout=0.3).fill(TITLE, ABSTRACT)


def test_a_storm_of_ten_rate_limits_is_waited_out(test_server: Server) -> None:
    test_server.config.retry_after = 0.001  # Retry-After: 0.001, retry-after-ms: 1
    test_server.script(["429"] * 10 + ["ok"])
    result = engine_for(test_server.base_url).fill(TITLE, ABSTRACT)
    assert result.fields.method_name == "FastNet"
    assert result.usage.requests == 11
    assert test_server.stats.snapshot().by_outcome["429"] == 10


def test_a_storm_of_retry_after_zero_is_waited_out(test_server: Server) -> None:
    test_server.config.retry_after = 0
    test_server.script(["429"] * 10 + ["ok"])
    result = engine_for(test_server.base_url).fill(TITLE, ABSTRACT)
    assert result.usage.requests == 11


def test_a_rate_limit_whose_wait_exceeds_the_budget_fails_at_once(test_server: Server) -> None:
    test_server.config.retry_after = 0.05
    test_server.script(["429"] * 10 + ["ok"])
    settings = resolve_settings(base_url=test_server.base_url, model="test-model", environ={})
    engine = LLMEngine(settings, policy=RetryPolicy(max_total_seconds=0.01))
    with pytest.raises(RateLimitedError, match="rate limited: Rate limit reached") as raised:
        engine.fill(TITLE, ABSTRACT)
    assert raised.value.usage.requests == 1


def test_an_unreachable_endpoint_fails_after_a_few_attempts() -> None:
    engine = engine_for("http://127.0.0.1:9/v1")
    with pytest.raises(EndpointUnreachableError) as raised:
        engine.fill(TITLE, ABSTRACT)
    # Refused connections reached no server: they are attempts, not requests.
    assert raised.value.usage.requests == 0
    assert "check --base-url" in str(raised.value)


def test_a_wrong_key_fails_at_once_and_no_key_is_written(
    test_server: Server, tmp_path: Path
) -> None:
    test_server.config.require_key = "the-right-key"
    secret = "wrong-key-value-0123456789"
    cache = tmp_path / "cache"
    with (
        pytest.raises(AuthenticationError),
        Summarizer(
            base_url=test_server.base_url, model="test-model", api_key=secret, cache_dir=cache
        ) as summarizer,
    ):
        summarizer.summarize(ABSTRACT, TITLE)
    assert test_server.stats.snapshot().requests == 1


def test_the_key_is_nowhere_on_disk(test_server: Server, tmp_path: Path) -> None:
    test_server.config.require_key = "right-key-value-0123456789"
    cache = tmp_path / "cache"
    with Summarizer(
        base_url=test_server.base_url,
        model="test-model",
        api_key="right-key-value-0123456789",
        cache_dir=cache,
    ) as summarizer:
        card = summarizer.summarize(ABSTRACT, TITLE)
    assert card.method_name == "FastNet"
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written, "the cache wrote its files"
    for path in written:
        assert b"right-key-value" not in path.read_bytes(), path
