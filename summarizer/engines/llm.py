"""The LLM engine: instructor over the openai SDK, for any OpenAI-compatible endpoint.

One request policy (summarizer.retries) wraps every HTTP request, re-asks included,
and the SDK's own retries are off so the two never stack. Grounding runs inside
instructor's validation, so a card that cites text the abstract lacks is re-asked
with the reason; what is still ungrounded on the last answer is left to the caller's
policy (drop or keep flagged).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from summarizer import grounding
from summarizer.cards import CardFields, Usage, extra_validation
from summarizer.engines.base import EngineResult, RequestObserver
from summarizer.engines.llm_errors import translate_error
from summarizer.errors import ConfigError, EmptyAbstractError
from summarizer.prompts import prompt_version, render_messages
from summarizer.retries import RetryPolicy
from summarizer.settings import Settings

# instructor's names for the modes of the command line.
_INSTRUCTOR_MODES = {
    "tools": "TOOLS",
    "json_schema": "JSON_SCHEMA",
    "json": "JSON",
    "md_json": "MD_JSON",
}
# A local server ignores the key, but the SDK insists on one.
_PLACEHOLDER_KEY = "sk-no-key-required"


@dataclass
class _Call:
    """Book-keeping for one paper's card: its abstract, answers seen, tokens billed."""

    abstract: str
    answers_allowed: int
    answers: int = 0
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    observers: list[RequestObserver] = field(default_factory=list)

    def count_attempt(self) -> None:
        self.requests += 1

    def record(self, response: Any) -> None:
        self.answers += 1
        usage = getattr(response, "usage", None)
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)

    @property
    def usage(self) -> Usage:
        return Usage(
            requests=self.requests,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
        )

    def check_grounding(self, fields: CardFields) -> None:
        """Raise (so instructor re-asks) while re-asks remain; accept the last answer."""
        if self.answers >= self.answers_allowed:
            return
        problems = grounding.check(fields, self.abstract)
        if problems:
            listed = "; ".join(str(problem) for problem in problems)
            raise ValueError(
                "the card is not grounded in the abstract. Copy quotes character for "
                "character from the abstract, keep every number of a gain inside its "
                f"quote, and name stages only with the abstract's words. Fix: {listed}"
            )


_current_call: ContextVar[_Call | None] = ContextVar("summarizer_llm_call", default=None)


class LLMEngine:
    """Cards from a chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp, ...)."""

    name = "llm"
    cacheable = True

    def __init__(self, settings: Settings, *, policy: RetryPolicy | None = None) -> None:
        if settings.model is None:
            raise ConfigError("model", "the LLM engine needs a model name")
        if settings.base_url is None and not settings.api_key:
            raise ConfigError(
                "OPENAI_API_KEY",
                "no API key for api.openai.com",
                hint="set OPENAI_API_KEY, or --base-url for a local server, or --engine offline",
            )
        self.settings = settings
        self.model: str | None = settings.model
        self.mode: str | None = settings.mode
        self.prompt_version: str | None = prompt_version()
        self.policy = policy or RetryPolicy()
        self.observers: list[RequestObserver] = []
        self._sync_create: Callable[..., Any] | None = None
        # An async client belongs to the event loop it was first used in.
        self._async_creates: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, Callable[..., Any]
        ] = weakref.WeakKeyDictionary()
        self._clients: list[Any] = []

    # --- clients --------------------------------------------------------------------

    def _client_options(self) -> dict[str, Any]:
        import httpx

        timeout = self.settings.timeout
        return {
            "base_url": self.settings.base_url,
            "api_key": self.settings.api_key or _PLACEHOLDER_KEY,
            "max_retries": 0,  # summarizer.retries is the only retry policy
            "timeout": httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        }

    def _instructor_mode(self) -> Any:
        import instructor

        return getattr(instructor.Mode, _INSTRUCTOR_MODES[self.settings.mode])

    def _sync(self) -> Callable[..., Any]:
        if self._sync_create is None:
            import instructor
            import openai

            client = openai.OpenAI(**self._client_options())
            self._clients.append(client)
            raw_create = client.chat.completions.create

            def create(*args: Any, **kwargs: Any) -> Any:
                call = _require_call()
                response = self.policy.call(
                    lambda: raw_create(*args, **kwargs), call.observers, call.count_attempt
                )
                call.record(response)
                return response

            self._sync_create = instructor.patch(create=create, mode=self._instructor_mode())
        return self._sync_create

    def _async(self) -> Callable[..., Any]:
        loop = asyncio.get_running_loop()
        create_for_loop = self._async_creates.get(loop)
        if create_for_loop is None:
            import instructor
            import openai

            client = openai.AsyncOpenAI(**self._client_options())
            raw_create = client.chat.completions.create

            async def create(*args: Any, **kwargs: Any) -> Any:
                call = _require_call()
                response = await self.policy.acall(
                    lambda: raw_create(*args, **kwargs), call.observers, call.count_attempt
                )
                call.record(response)
                return response

            create_for_loop = instructor.patch(create=create, mode=self._instructor_mode())
            self._async_creates[loop] = create_for_loop
        return create_for_loop

    # --- requests -------------------------------------------------------------------

    def _request(self, title: str | None, abstract: str) -> dict[str, Any]:
        return {
            "model": self.settings.model,
            "messages": render_messages(title, abstract),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "response_model": CardFields,
            "max_retries": self.settings.max_reasks,
            "strict": False,
        }

    @contextmanager
    def _call(self, abstract: str) -> Iterator[_Call]:
        if not abstract.strip():
            raise EmptyAbstractError()
        call = _Call(
            abstract=abstract,
            answers_allowed=self.settings.max_reasks + 1,
            observers=list(self.observers),
        )
        call_token = _current_call.set(call)
        check_token = extra_validation.set(call.check_grounding)
        try:
            yield call
        finally:
            extra_validation.reset(check_token)
            _current_call.reset(call_token)

    def fill(self, title: str | None, abstract: str) -> EngineResult:
        """One card's fields from the endpoint (blocking)."""
        create = self._sync()
        with self._call(abstract) as call:
            try:
                fields = create(**self._request(title, abstract))
            except Exception as exc:
                raise translate_error(exc, self.settings, call.usage) from exc
        return EngineResult(fields=_plain(fields), usage=call.usage)

    async def afill(self, title: str | None, abstract: str) -> EngineResult:
        """One card's fields from the endpoint (async; safe to run many at once)."""
        create = self._async()
        with self._call(abstract) as call:
            try:
                fields = await create(**self._request(title, abstract))
            except Exception as exc:
                raise translate_error(exc, self.settings, call.usage) from exc
        return EngineResult(fields=_plain(fields), usage=call.usage)

    def close(self) -> None:
        """Close the blocking HTTP client (async ones go with their event loop)."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        self._sync_create = None


def _require_call() -> _Call:
    call = _current_call.get()
    if call is None:  # pragma: no cover - only reachable by misuse of private helpers
        raise RuntimeError("LLM request made outside LLMEngine.fill/afill")
    return call


def _plain(fields: CardFields) -> CardFields:
    """A clean copy, without instructor's private attributes (raw response, usage)."""
    return CardFields.model_construct(**dict(fields))


def build(settings: Settings) -> LLMEngine:
    """The engine for `--engine llm`."""
    return LLMEngine(settings)


__all__ = ["LLMEngine", "build"]
