"""The retry policy: what is retried, how long it waits, and when it gives up."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2 as httpx  # the openai SDK 3.x sends through httpx2
import openai
import pytest

from summarizer.retries import RetryPolicy, is_retryable, retry_after_seconds

REQUEST = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def status_error(
    status: int, headers: dict[str, str] | None = None, code: str | None = None
) -> Exception:
    body = {"error": {"message": "m", "type": "t", "code": code}}
    response = httpx.Response(status, headers=headers or {}, json=body, request=REQUEST)
    return openai.APIStatusError("m", response=response, body=body)


def connection_error() -> Exception:
    return openai.APIConnectionError(request=REQUEST)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
def test_transient_statuses_are_retried(status: int) -> None:
    assert is_retryable(status_error(status))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(status: int) -> None:
    assert not is_retryable(status_error(status))


def test_dropped_connections_and_timeouts_are_retried() -> None:
    assert is_retryable(connection_error())
    assert is_retryable(openai.APITimeoutError(request=REQUEST))


def test_an_empty_quota_is_not_retried() -> None:
    assert not is_retryable(status_error(429, code="insufficient_quota"))


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "1500"}, 1.5),
        ({}, None),
        ({"retry-after": "soon"}, None),
    ],
)
def test_retry_after_is_read(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after_seconds(status_error(429, headers)) == seconds


class _State:
    """Enough of tenacity's RetryCallState for the policy's wait and stop."""

    def __init__(self, exc: Exception, attempt: int, elapsed: float = 0.0) -> None:
        self.attempt_number = attempt
        self.seconds_since_start = elapsed
        self.idle_for = 0.0
        self.upcoming_sleep = 0.0
        future: Any = asyncio.Future(loop=asyncio.new_event_loop())
        future.set_exception(exc)
        self.outcome = future


def test_wait_honours_retry_after_up_to_a_cap() -> None:
    policy = RetryPolicy(max_retry_after=10)
    assert policy._wait(_State(status_error(429, {"retry-after": "2"}), 1)) == 2
    assert policy._wait(_State(status_error(429, {"retry-after": "600"}), 1)) == 10


def test_wait_backs_off_exponentially_without_retry_after() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=20)
    waits = [policy._wait(_State(status_error(503), attempt)) for attempt in range(1, 7)]
    assert all(0 <= wait <= 20 for wait in waits)


def test_attempts_are_bounded() -> None:
    policy = RetryPolicy(max_attempts=6, max_connection_attempts=4, max_total_seconds=120)
    assert not policy._stop(_State(status_error(503), 5))
    assert policy._stop(_State(status_error(503), 6))
    assert not policy._stop(_State(connection_error(), 3))
    assert policy._stop(_State(connection_error(), 4))
    assert policy._stop(_State(status_error(503), 2, elapsed=121))


def test_call_retries_then_returns_and_tells_observers() -> None:
    outcomes: list[Exception | str] = [
        status_error(429, {"retry-after": "0"}),
        status_error(500),
        "ok",
    ]
    seen: list[str] = []

    class Observer:
        def rate_limited(self, retry_after: float | None) -> None:
            seen.append(f"429 {retry_after}")

        def succeeded(self) -> None:
            seen.append("ok")

    def send() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    attempts: list[int] = []
    policy = RetryPolicy(initial_backoff=0.001, max_backoff=0.01)
    assert policy.call(send, [Observer()], lambda: attempts.append(1)) == "ok"
    assert len(attempts) == 3
    assert seen == ["429 0.0", "ok"]


def test_call_gives_up_with_the_last_error() -> None:
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.001, max_backoff=0.01)

    def send() -> str:
        raise status_error(503)

    with pytest.raises(openai.APIStatusError):
        policy.call(send)
