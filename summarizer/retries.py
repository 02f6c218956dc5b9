"""The one retry policy around every request to an LLM endpoint (tenacity).

Retried: 429 and 503 that say how long to wait (Retry-After, retry-after-ms), waiting as
told and bounded by total time only; other 429, 408/409 and 5xx answers, dropped
connections and timeouts, with exponential backoff and jitter, bounded in attempts and in
total time. Not retried: 400/401/403/404, 429 "insufficient_quota", and a refusal of how
the request asks for structured output (response_format, tools, tool_choice), even one
sent as a 500: no wait will fix them.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

_RETRIED_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# Answers whose Retry-After is an instruction to wait, not a hint: a rate limit, and an
# overloaded server that says when to come back.
_TOLD_STATUSES = frozenset({429, 503})


# The request fields that carry the structured-output mode (instructor's modes).
MODE_FIELDS = ("response_format", "tools", "tool_choice")
# Statuses a server refuses a request's shape with; llama-cpp-python's server answers its
# own request validation errors with a 500.
_SHAPE_STATUSES = frozenset({400, 422, 500})


@dataclass(frozen=True)
class ShapeRefusal:
    """A server's refusal of a request field that carries the mode: no outage, no retry."""

    field: str  # where in the request, e.g. "response_format.type"
    reason: str  # the server's words, on one line


class RequestObserver(Protocol):
    """Told how requests to an endpoint fare, e.g. to adapt how many run at once."""

    def rate_limited(self, retry_after: float | None) -> None:
        """A request got HTTP 429 and will be retried."""

    def succeeded(self) -> None:
        """A request got an answer."""


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _error_code(exc: BaseException) -> str | None:
    code = getattr(exc, "code", None)
    if isinstance(code, str):
        return code
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("code"), str):
            return str(inner["code"])
    return None


def is_connection_error(exc: BaseException) -> bool:
    """A request that got no answer: refused, dropped or timed out."""
    import openai

    return isinstance(exc, openai.APIConnectionError)


def never_connected(exc: BaseException) -> bool:
    """A connection error from before any byte reached a server (refused, unknown host,
    connect timeout): no request was made, so none is counted or billed. The SDK raises
    these as APIConnectionError from its transport's (httpx2's) connect errors."""
    import httpx2

    return is_connection_error(exc) and isinstance(
        exc.__cause__, httpx2.ConnectError | httpx2.ConnectTimeout
    )


def is_retryable(exc: BaseException) -> bool:
    """Whether waiting and sending the same request again may succeed."""
    if is_connection_error(exc):
        return True
    status = _status(exc)
    if status is None:
        return False
    if status == 429 and _error_code(exc) == "insufficient_quota":
        return False
    if shape_refusal(exc) is not None:
        return False
    return status in _RETRIED_STATUSES or status >= 500


# A validation error of a request field, as FastAPI and pydantic write it, in JSON or in a
# Python repr (llama-cpp-python's 500 body): 'loc': ('body', 'response_format', 'type').
_LOCATION = re.compile(r"""['"]loc['"]:\s*[(\[]\s*['"]body['"]((?:\s*,\s*(?:['"]\w+['"]|\d+))*)""")
_LOCATION_PART = re.compile(r"""['"](\w+)['"]""")
_VALIDATION_MESSAGE = re.compile(r"""['"]msg['"]:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
# Free text that names a mode field and refuses it (OpenAI, Ollama, vLLM, llama.cpp).
_MODE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\btool[_ ]choice\b", re.IGNORECASE), "tool_choice"),
    (
        re.compile(r"\b(?:response_format|json_schema|json_object)\b", re.IGNORECASE),
        "response_format",
    ),
    (re.compile(r"\b(?:tools|tool calling|function calling)\b", re.IGNORECASE), "tools"),
)
_REFUSAL = re.compile(
    r"\b(?:not supported|unsupported|does not support|doesn't support|invalid"
    r"|validation error|requires|not allowed|unknown|should be|must be|expected)\b",
    re.IGNORECASE,
)


def shape_refusal(exc: BaseException) -> ShapeRefusal | None:
    """The mode field a 400, 422 or 500 answer refuses, if it refuses one: a server that
    does not accept response_format, tools or tool_choice as sent, which no retry fixes."""
    if _status(exc) not in _SHAPE_STATUSES:
        return None
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and body.get("param") in MODE_FIELDS:  # OpenAI names it
        return ShapeRefusal(str(body["param"]), _one_line(str(body.get("message") or "")))
    text = _error_text(exc)
    refused = _refused_locations(text)
    if refused is not None:  # a validation error: refused only if it is about a mode field
        return next(
            (refusal for refusal in refused if refusal.field.split(".")[0] in MODE_FIELDS), None
        )
    if not _REFUSAL.search(text):
        return None
    for pattern, field in _MODE_WORDS:
        if pattern.search(text):
            return ShapeRefusal(field, _one_line(text))
    return None


def _error_text(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str):
            return message
        if "detail" in body:  # FastAPI's own 422 body
            return str(body["detail"])
    message = getattr(exc, "message", None)
    return str(message or exc)


def _refused_locations(text: str) -> list[ShapeRefusal] | None:
    """Each field a validation error names, with its message; None if there is none."""
    found = []
    for match in _LOCATION.finditer(text):
        parts = _LOCATION_PART.findall(match.group(1))
        if not parts:
            continue
        message = _VALIDATION_MESSAGE.search(text, match.end())
        reason = next((group for group in message.groups() if group), "") if message else ""
        found.append(ShapeRefusal(".".join(parts), _one_line(reason)))
    return found or None


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def retry_after_seconds(exc: BaseException) -> float | None:
    """The wait an answer asks for (Retry-After or retry-after-ms), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # an HTTP date
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def told_wait(exc: BaseException) -> float | None:
    """The wait a 429 or 503 answer asks for before the next try, if it asks for one."""
    return retry_after_seconds(exc) if _status(exc) in _TOLD_STATUSES else None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry one request.

    An answer that says how long to wait (429 or 503 with Retry-After or retry-after-ms)
    is retried after that wait, however many times, while the wait still fits in
    `max_total_seconds`; a wait that would not fit stops the retries at once, with that
    answer's error. Other failures are also bounded in count: `max_attempts`, and
    `max_connection_attempts` for connection errors, so an endpoint that is down fails fast.
    """

    max_attempts: int = 6
    max_connection_attempts: int = 4  # an endpoint that is down fails within a minute
    # The time budget of one request, its waits and retries included. OpenAI's per-minute
    # limits (requests and tokens) refill within 60 s, so 120 s lets a request wait out a
    # rate-limit storm across two full windows, while a longer ask (a daily limit, whose
    # Retry-After is hours) fails at once instead of holding a slot of the batch.
    max_total_seconds: float = 120.0
    initial_backoff: float = 0.5
    max_backoff: float = 20.0

    def _wait(self, retry_state: Any) -> float:
        from tenacity import wait_random_exponential

        exc = retry_state.outcome.exception() if retry_state.outcome else None
        asked = told_wait(exc) if exc is not None else None
        if asked:  # Retry-After: 0 gets the backoff, as in the openai SDK: no busy loop
            return asked
        backoff = wait_random_exponential(multiplier=self.initial_backoff, max=self.max_backoff)
        remaining = self.max_total_seconds - float(retry_state.seconds_since_start or 0.0)
        return max(0.0, min(float(backoff(retry_state)), remaining))

    def stopper(self) -> Callable[[Any], bool]:
        """A fresh stop condition for one request (it counts that request's failures)."""
        counted = 0

        def stop(retry_state: Any) -> bool:
            nonlocal counted
            exc = retry_state.outcome.exception() if retry_state.outcome else None
            elapsed = float(retry_state.seconds_since_start or 0.0)
            asked = told_wait(exc) if exc is not None else None
            if asked is not None:  # bounded by time alone: never sleep past the budget
                return elapsed + asked > self.max_total_seconds
            counted += 1
            limit = (
                self.max_connection_attempts
                if exc is not None and is_connection_error(exc)
                else self.max_attempts
            )
            return counted >= limit or elapsed >= self.max_total_seconds

        return stop

    def _tenacity_options(self, observers: Sequence[RequestObserver]) -> dict[str, Any]:
        from tenacity import retry_if_exception

        def before_sleep(retry_state: Any) -> None:
            exc = retry_state.outcome.exception() if retry_state.outcome else None
            if exc is not None and _status(exc) == 429:
                for observer in observers:
                    observer.rate_limited(retry_after_seconds(exc))

        return {
            "retry": retry_if_exception(is_retryable),
            "wait": self._wait,
            "stop": self.stopper(),
            "before_sleep": before_sleep,
            "reraise": True,
        }

    def call(
        self,
        send: Callable[[], T],
        observers: Sequence[RequestObserver] = (),
        on_attempt: Callable[[], None] | None = None,
    ) -> T:
        """Send with retries (blocking). `on_attempt` is told of each attempt that
        reached the server (a refused connection is no request)."""
        from tenacity import Retrying

        for attempt in Retrying(**self._tenacity_options(observers)):
            with attempt, _counted(on_attempt):
                result = send()
        for observer in observers:
            observer.succeeded()
        return result

    async def acall(
        self,
        send: Callable[[], Awaitable[T]],
        observers: Sequence[RequestObserver] = (),
        on_attempt: Callable[[], None] | None = None,
    ) -> T:
        """Send with retries (async: waits without blocking other requests). `on_attempt`
        is told of each attempt that reached the server."""
        from tenacity import AsyncRetrying

        async for attempt in AsyncRetrying(**self._tenacity_options(observers)):
            with attempt, _counted(on_attempt):
                result = await send()
        for observer in observers:
            observer.succeeded()
        return result


@contextmanager
def _counted(on_attempt: Callable[[], None] | None) -> Iterator[None]:
    """Tell `on_attempt` of an attempt, unless it never reached a server."""
    try:
        yield
    except BaseException as exc:
        if on_attempt is not None and not never_connected(exc):
            on_attempt()
        raise
    if on_attempt is not None:
        on_attempt()
