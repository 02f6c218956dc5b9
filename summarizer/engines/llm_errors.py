"""Turn openai and instructor exceptions into summarizer errors that say what to fix."""

from __future__ import annotations

import json

from pydantic import ValidationError

from summarizer.cards import Usage
from summarizer.engines.instructor_adapter import is_cut_off
from summarizer.errors import (
    AuthenticationError,
    ContextTooLongError,
    EndpointError,
    EndpointUnreachableError,
    ModelNotFoundError,
    ModeNotSupportedError,
    RateLimitedError,
    ResponseError,
    SummarizerError,
)
from summarizer.redaction import redact_error
from summarizer.retries import ShapeRefusal, is_connection_error, shape_refusal
from summarizer.settings import Settings

_CONTEXT_WORDS = ("context_length_exceeded", "context length", "context window", "too long")

# The modes to try when a server refuses one: those that send other request fields.
_OTHER_MODES: dict[str, tuple[str, str]] = {
    "tools": ("json_schema", "json"),
    "json_schema": ("tools", "json"),
    "json": ("tools", "md_json"),
    "md_json": ("tools", "json"),
}


def server_message(exc: BaseException) -> str:
    """What the server said about an error: its error body's message, else the text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    message = getattr(exc, "message", None)
    return str(message or exc)


def _root_cause(exc: BaseException) -> BaseException:
    """The API error under instructor's wrapper, if there is one."""
    seen: set[int] = set()
    current: BaseException = exc
    while id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "status_code", None) is not None or is_connection_error(current):
            return current
        nested = current.__cause__ or current.__context__
        if nested is None:
            break
        current = nested
    return exc


def _from_status(exc: BaseException, status: int, settings: Settings) -> SummarizerError:
    url = settings.base_url or "https://api.openai.com/v1"
    message = server_message(exc)
    lowered = message.lower()
    if status in (401, 403):
        return AuthenticationError(
            f"the API key was refused: {message}",
            base_url=url,
            status=status,
            hint="check OPENAI_API_KEY (a local server usually needs none)",
        )
    if status == 404:
        return ModelNotFoundError(
            f"model {settings.model!r} not found, or no chat endpoint at this URL: {message}",
            base_url=url,
            status=status,
            hint="check --model against the server's model list and that --base-url ends in /v1",
        )
    if any(word in lowered for word in _CONTEXT_WORDS):
        return ContextTooLongError(
            f"the abstract does not fit the model's context: {message}",
            base_url=url,
            status=status,
            hint="use a model with a longer context, or shorten the abstract",
        )
    refusal = shape_refusal(exc)
    if refusal is not None:
        return _mode_not_supported(refusal, settings.mode, url, status)
    if status == 429:
        quota = "insufficient_quota" in lowered or "quota" in lowered
        return RateLimitedError(
            f"rate limited: {message}",
            base_url=url,
            status=status,
            hint="add credit to the account"
            if quota
            else "lower --concurrency, or try again later",
        )
    if status >= 500:
        return EndpointError(
            f"server error after retries: {message}",
            base_url=url,
            status=status,
            hint="the server is failing; try again later",
        )
    return EndpointError(
        f"request refused: {message}",
        base_url=url,
        status=status,
        hint="check --mode (not every server supports tools or json_schema) and --model",
    )


def _mode_not_supported(
    refusal: ShapeRefusal, mode: str | None, url: str, status: int
) -> ModeNotSupportedError:
    first, second = _OTHER_MODES.get(mode or "", ("tools", "json"))
    because = f" ({refusal.reason})" if refusal.reason else ""
    return ModeNotSupportedError(
        f"the server does not accept --mode {mode}: it refused {refusal.field}{because}",
        base_url=url,
        status=status,
        hint=f"try --mode {first} or --mode {second}",
    )


def _response_error(exc: BaseException) -> ResponseError:
    if is_cut_off(exc):
        return ResponseError(
            "the answer was cut off at the token limit (finish_reason=length)",
            kind="truncated",
            hint="raise --max-tokens, or use a model that answers more briefly",
        )
    cause = exc.__cause__ or exc
    if _is_bad_json(cause):
        return ResponseError(
            "the answer is not JSON",
            kind="bad_json",
            hint="try --mode json_schema or tools, or a model that follows formats better",
        )
    detail = str(cause).splitlines()
    summary = "; ".join(line.strip() for line in detail[:3] if line.strip())
    return ResponseError(
        f"not a valid card after re-asks ({summary[:300]})",
        kind="schema_invalid",
        hint="raise --max-reasks, or try another --mode or model",
    )


def _is_bad_json(exc: BaseException) -> bool:
    if isinstance(exc, json.JSONDecodeError):
        return True
    if isinstance(exc, ValidationError):
        return any(error["type"] == "json_invalid" for error in exc.errors())
    return False


def translate_error(exc: BaseException, settings: Settings, usage: Usage) -> SummarizerError:
    """A summarizer error for anything an LLM request raised, with the tokens spent."""
    if isinstance(exc, SummarizerError):
        error = exc
    else:
        root = _root_cause(exc)
        status = getattr(root, "status_code", None)
        if isinstance(status, int):
            error = _from_status(root, status, settings)
        elif is_connection_error(root):
            error = _connection_error(root, settings)
        else:
            error = _response_error(exc)
    error.usage = usage
    return redact_error(error, settings.secrets)


def _connection_error(exc: BaseException, settings: Settings) -> EndpointError:
    import openai

    url = settings.base_url or "https://api.openai.com/v1"
    if isinstance(exc, openai.APITimeoutError) or "timeout" in type(exc).__name__.lower():
        return EndpointError(
            f"no answer within {settings.timeout:g} s, after retries",
            base_url=url,
            hint="raise --timeout, or check the server's load",
        )
    return EndpointUnreachableError(
        "cannot connect, after retries",
        base_url=url,
        hint="is the server running? check --base-url",
    )
