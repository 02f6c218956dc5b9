"""The retry policy: what is retried, how long it waits, and when it gives up."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx2 as httpx  # the openai SDK 3.x sends through httpx2
import openai
import pytest

from summarizer.retries import (
    RetryPolicy,
    is_retryable,
    never_connected,
    retry_after_seconds,
    told_wait,
)

if TYPE_CHECKING:
    from summarizer.testserver import Server

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


def test_wait_is_what_retry_after_asks() -> None:
    policy = RetryPolicy(max_total_seconds=120)
    assert policy._wait(_State(status_error(429, {"retry-after": "2"}), 1)) == 2
    assert policy._wait(_State(status_error(429, {"retry-after": "90"}), 1)) == 90
    assert policy._wait(_State(status_error(503, {"retry-after-ms": "250"}), 1)) == 0.25


def test_wait_backs_off_exponentially_without_retry_after() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=20)
    waits = [policy._wait(_State(status_error(503), attempt)) for attempt in range(1, 7)]
    assert all(0 <= wait <= 20 for wait in waits)


def test_a_retry_after_of_zero_gets_the_backoff_not_a_busy_loop() -> None:
    policy = RetryPolicy(initial_backoff=10, max_backoff=10, max_total_seconds=120)
    zero = status_error(429, {"retry-after": "0"})
    assert sum(policy._wait(_State(zero, 3, elapsed=5)) for _ in range(20)) > 0


def test_a_backoff_never_sleeps_past_the_budget() -> None:
    policy = RetryPolicy(initial_backoff=50, max_backoff=50, max_total_seconds=120)
    assert policy._wait(_State(status_error(500), 5, elapsed=119)) <= 1


def test_only_429_and_503_tell_the_client_to_wait() -> None:
    assert told_wait(status_error(429, {"retry-after": "3"})) == 3
    assert told_wait(status_error(503, {"retry-after": "3"})) == 3
    assert told_wait(status_error(500, {"retry-after": "3"})) is None
    assert told_wait(status_error(429)) is None


def test_attempts_without_retry_after_are_bounded_in_count() -> None:
    policy = RetryPolicy(max_attempts=6, max_connection_attempts=4, max_total_seconds=120)
    stop = policy.stopper()
    assert [stop(_State(status_error(503), n)) for n in range(1, 7)] == [False] * 5 + [True]
    stop = policy.stopper()
    assert [stop(_State(status_error(429), n)) for n in range(1, 7)] == [False] * 5 + [True]
    stop = policy.stopper()
    assert [stop(_State(connection_error(), n)) for n in range(1, 5)] == [False] * 3 + [True]
    assert policy.stopper()(_State(status_error(503), 2, elapsed=121))


def test_a_rate_limit_storm_is_bounded_by_time_not_count() -> None:
    policy = RetryPolicy(max_attempts=6, max_total_seconds=120)
    stop = policy.stopper()
    storm = [_State(status_error(429, {"retry-after": "1"}), n, elapsed=n) for n in range(1, 60)]
    assert not any(stop(state) for state in storm)
    told_503 = _State(status_error(503, {"retry-after-ms": "500"}), 60, elapsed=60)
    assert not stop(told_503)


def test_a_wait_past_the_budget_stops_at_once() -> None:
    policy = RetryPolicy(max_total_seconds=120)
    asks_30 = status_error(429, {"retry-after": "30"})
    assert not policy.stopper()(_State(asks_30, 1, elapsed=90))  # 90 + 30 fits
    assert policy.stopper()(_State(asks_30, 1, elapsed=91))
    daily_limit = status_error(429, {"retry-after": "3600"})
    assert policy.stopper()(_State(daily_limit, 1, elapsed=0))


def test_waits_as_told_do_not_use_up_the_count_of_other_failures() -> None:
    policy = RetryPolicy(max_attempts=3, max_total_seconds=120)
    stop = policy.stopper()
    told = [stop(_State(status_error(429, {"retry-after": "0.1"}), n)) for n in range(1, 11)]
    others = [stop(_State(status_error(500), n)) for n in range(11, 14)]
    assert told == [False] * 10
    assert others == [False, False, True]


def raising(outcomes: list[Exception | str]) -> Any:
    def send() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return send


def test_call_waits_out_ten_rate_limits_in_a_row() -> None:
    storm: list[Exception | str] = [status_error(429, {"retry-after-ms": "1"}) for _ in range(10)]
    attempts: list[int] = []
    policy = RetryPolicy(max_attempts=6)
    send = raising([*storm, "ok"])
    assert policy.call(send, on_attempt=lambda: attempts.append(1)) == "ok"
    assert len(attempts) == 11


def test_call_with_a_tiny_budget_fails_with_the_rate_limit() -> None:
    storm: list[Exception | str] = [status_error(429, {"retry-after": "0.01"}) for _ in range(10)]
    attempts: list[int] = []
    policy = RetryPolicy(max_total_seconds=0.005)
    with pytest.raises(openai.APIStatusError) as raised:
        policy.call(raising([*storm, "ok"]), on_attempt=lambda: attempts.append(1))
    assert raised.value.status_code == 429
    assert len(attempts) == 1


def test_acall_waits_out_rate_limits_too() -> None:
    outcomes: list[Exception | str] = [
        *(status_error(429, {"retry-after": "0"}) for _ in range(10)),
        "ok",
    ]

    async def send() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    policy = RetryPolicy(initial_backoff=0.001, max_backoff=0.002)
    assert asyncio.run(policy.acall(send)) == "ok"


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


def _count_attempts(base_url: str) -> tuple[int, BaseException | None]:
    import openai
    from openai.types.chat import ChatCompletion

    attempts = 0

    def count() -> None:
        nonlocal attempts
        attempts += 1

    body = {
        "model": "test-model",
        "messages": [{"role": "user", "content": "<abstract>x</abstract>"}],
    }
    client = openai.OpenAI(api_key="k", base_url=base_url, max_retries=0, timeout=5)
    policy = RetryPolicy(initial_backoff=0.001, max_backoff=0.01, max_connection_attempts=3)
    try:
        policy.call(
            lambda: client.post("/chat/completions", body=body, cast_to=ChatCompletion), (), count
        )
    except Exception as exc:
        return attempts, exc
    return attempts, None


def test_refused_connections_are_not_counted_as_requests() -> None:
    attempts, error = _count_attempts("http://127.0.0.1:9/v1")
    assert attempts == 0 and error is not None and never_connected(error)


def test_a_dropped_answer_was_a_request(test_server: Server) -> None:
    test_server.script(["drop", "ok"])
    attempts, error = _count_attempts(test_server.base_url)
    assert (attempts, error) == (2, None)
    assert test_server.stats.snapshot().requests == 2
