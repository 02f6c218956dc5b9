"""The LLM engine: instructor's mode handlers over the openai SDK, any compatible endpoint.

instructor shapes each request for the mode (tools, json_schema, json, md_json), parses
the answer into CardFields and writes the re-ask message when an answer is invalid.
This module runs that conversation: every HTTP request goes through the one retry
policy (summarizer.retries; the SDK's own retries are off, so they never stack), and
every answer is grounded against the abstract, so an answer citing text the abstract
lacks is re-asked with the reason. Whatever is still ungrounded on the last answer is
left to the caller's policy (drop, or keep flagged).

instructor's patched `create` re-wraps the response model and re-walks it several times
per call, which cost more CPU than everything else together; driving its documented
handler registry directly keeps the per-card overhead small.
"""

from __future__ import annotations

import asyncio
import functools
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from summarizer import grounding
from summarizer.cards import CardFields, Usage, Via, schema_version
from summarizer.engines.base import EngineResult
from summarizer.engines.instructor_adapter import (
    TruncatedAnswer,
    chat_poster,
    is_cut_off,
    mode_parts,
    reask_reason,
)
from summarizer.engines.llm_errors import translate_error
from summarizer.errors import ConfigError, ContextTooLongError, EmptyAbstractError
from summarizer.prompts import prompt_version, render_messages
from summarizer.recipe import Recipe, grounding_policy
from summarizer.retries import RequestObserver, RetryPolicy
from summarizer.settings import Settings

# A local server ignores the key, but the SDK insists on one.
_PLACEHOLDER_KEY = "sk-no-key-required"


class UngroundedAnswer(ValueError):
    """An answer whose quotes, numbers or stage names are not in the abstract."""

    def __init__(self, problems: list[grounding.GroundingProblem]) -> None:
        listed = "; ".join(str(problem) for problem in problems)
        super().__init__(
            "the card is not grounded in the abstract. Copy each quote character for "
            "character from the abstract, keep every number of a gain inside its quote, "
            f"and name stages only with the abstract's words. Fix: {listed}"
        )


@dataclass
class _Tally:
    """Requests made and tokens billed for one card, re-asks and retries included."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def count_attempt(self) -> None:
        self.requests += 1

    def record(self, response: Any) -> None:
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


@dataclass
class Conversation:
    """One paper's exchange with the model: the next request, and what to do with answers.

    `request` is the next body to send; `take` reads an answer. A conversation may begin
    elsewhere (a Batch API line) and go on online: `snapshot` and `LLMEngine.restore`
    carry it across processes.
    """

    handlers: Any  # instructor ModeHandlers for the mode
    response_model: type[CardFields]
    abstract: str
    answers_allowed: int
    request: dict[str, Any]
    answers: int = 0
    tally: _Tally = field(default_factory=_Tally)
    # The last schema-valid answer that failed only grounding: if a re-ask comes back
    # broken, it is still the best card, and grounding drops what it must from it.
    fallback: CardFields | None = None
    warnings: list[str] = field(default_factory=list)
    # How its first answer came (None: online; "batch_api": a Batch API result line).
    via: Via | None = None

    def take(self, response: Any) -> CardFields | None:
        """The card fields if this answer is final; None when a re-ask was prepared.

        Raises the parse error (or TruncatedAnswer) when no re-ask is left.
        """
        self.answers += 1
        self.tally.record(response)
        last = self.answers >= self.answers_allowed
        _repair_json_strings(response)
        try:
            fields = self._parse(response)
        except (ValidationError, json.JSONDecodeError, TruncatedAnswer) as exc:
            truncated = isinstance(exc, TruncatedAnswer) or self._used_every_token(response)
            if self.fallback is not None and (last or truncated):
                return self.fallback
            if truncated:
                # Asking again the same way would be cut off again: keep what is whole.
                salvaged = salvage_truncated(response)
                if salvaged is None:
                    raise TruncatedAnswer() from exc
                self.warnings.append(TRUNCATED_WARNING)
                return salvaged
            if last:
                raise
            self._reask(response, exc)
            return None
        problems = grounding.check(fields, self.abstract)
        if problems and not last:
            self.fallback = fields
            self._reask(response, UngroundedAnswer(problems))
            return None
        return fields

    def result(self, fields: CardFields) -> EngineResult:
        """The engine's answer: the fields, the bill and the notes of this conversation."""
        return EngineResult(
            fields=fields, usage=self.tally.usage, warnings=tuple(self.warnings), via=self.via
        )

    def snapshot(self) -> dict[str, Any]:
        """The conversation's state as JSON-able data (`LLMEngine.restore` reads it)."""
        return {
            "request": self.request,
            "answers": self.answers,
            "usage": self.tally.usage.model_dump(mode="json"),
            "fallback": None if self.fallback is None else self.fallback.model_dump(mode="json"),
            "warnings": list(self.warnings),
            "via": self.via,
        }

    def _parse(self, response: Any) -> CardFields:
        try:
            parsed = self.handlers.response_parser(
                response=response,
                response_model=self.response_model,
                validation_context=None,
                strict=False,
                stream=False,
                is_async=False,
            )
        except Exception as exc:
            if is_cut_off(exc):
                raise TruncatedAnswer() from exc
            raise
        # A plain CardFields (parsed is instructor's subclass, already validated).
        return CardFields.model_construct(**dict(parsed))

    def _used_every_token(self, response: Any) -> bool:
        """Some servers report a tool call cut at max_tokens as finished: count tokens."""
        limit = self.request.get("max_tokens")
        used = getattr(getattr(response, "usage", None), "completion_tokens", None)
        return isinstance(limit, int) and isinstance(used, int) and used >= limit

    def _reask(self, response: Any, exc: Exception) -> None:
        retry_request = {**self.request, "messages": list(self.request["messages"])}
        self.request = self.handlers.reask_handler(
            kwargs=retry_request, response=response, exception=reask_reason(exc)
        )


TRUNCATED_WARNING = (
    "truncated_answer: the model's answer was cut off at --max-tokens; "
    "items after the cut are missing"
)
_LIST_FIELDS = ("claimed_gains", "stages")


def _answer_text(response: Any) -> str | None:
    """The JSON text of an answer: the tool call's arguments, else the message content."""
    choices = getattr(response, "choices", None) or []
    if not choices:
        return None
    message = choices[0].message
    for call in message.tool_calls or []:
        return str(call.function.arguments)
    content = message.content or ""
    start = content.find("{")
    return content[start:] if start >= 0 else None


def salvage_truncated(response: Any) -> CardFields | None:
    """The whole part of an answer cut off mid-JSON, if every field got an answer.

    The cut-off item of a list is dropped and a list the cut came before is left empty
    (the card carries a warning); a cut inside a text field loses the card, since half a
    sentence is not a summary.
    """
    import jiter

    text = _answer_text(response)
    if not text:
        return None
    try:
        data = jiter.from_json(text.encode(), partial_mode="on")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for name in _LIST_FIELDS:  # a list the cut came before: its items are unknown
        data.setdefault(name, [])
    for _ in range(2 * len(_LIST_FIELDS) + 1):
        try:
            return CardFields.model_validate(data)
        except ValidationError as exc:
            broken = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            lists = [name for name in _LIST_FIELDS if name in broken and data.get(name)]
            if not lists or broken - set(_LIST_FIELDS):
                return None
            for name in lists:
                data[name] = data[name][:-1]
    return None


def _lenient_json(text: str | None) -> str | None:
    """JSON text with raw control characters inside strings escaped (some grammars let a
    model write a bare newline in a string, which strict parsers refuse)."""
    if not text:
        return text
    try:
        json.loads(text)
        return text
    except ValueError:
        pass
    try:
        return json.dumps(json.loads(text, strict=False), ensure_ascii=False)
    except ValueError:
        return text


def _repair_json_strings(response: Any) -> None:
    choices = getattr(response, "choices", None) or []
    if not choices:
        return
    message = choices[0].message
    if isinstance(message.content, str):
        message.content = _lenient_json(message.content)
    for call in message.tool_calls or []:
        call.function.arguments = _lenient_json(call.function.arguments)


class LLMEngine:
    """Cards from a chat-completions endpoint (OpenAI, Ollama, vLLM, llama.cpp, ...)."""

    name = "llm"

    def __init__(self, settings: Settings, *, policy: RetryPolicy | None = None) -> None:
        if settings.model is None:
            raise ConfigError("model", "the LLM engine needs a model name")
        self._check_credentials(settings)
        self.settings = settings
        self.context_tokens = self._context_tokens(settings)
        self.policy = policy or RetryPolicy()
        self.observers: list[RequestObserver] = []
        self._fixed_request_fields: dict[str, Any] | None = None
        self._sync_client: Any = None
        # An async client belongs to the event loop it was first used in.
        self._async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _context_tokens(self, settings: Settings) -> int | None:
        """The model's context window, when the price tables know it."""
        from summarizer.prices import context_tokens

        return context_tokens(settings.model)

    def _check_credentials(self, settings: Settings) -> None:
        if settings.base_url is None and not settings.api_key:
            raise ConfigError(
                "OPENAI_API_KEY",
                "no API key for api.openai.com",
                hint="set OPENAI_API_KEY, or --base-url for a local server, or --engine offline",
            )

    # --- transport: how a request body becomes a ChatCompletion -------------------------

    def _client_options(self) -> dict[str, Any]:
        import openai

        timeout = self.settings.timeout
        return {
            "base_url": self.settings.base_url,
            "api_key": self.settings.api_key or _PLACEHOLDER_KEY,
            "max_retries": 0,  # summarizer.retries is the only retry policy
            # A short connect timeout: an endpoint that is down fails fast.
            "timeout": openai.Timeout(timeout, connect=min(timeout, 10.0)),
        }

    def _sync_post(self) -> Callable[[dict[str, Any]], Any]:
        if self._sync_client is None:
            import openai

            self._sync_client = openai.OpenAI(**self._client_options())
        return chat_poster(self._sync_client)

    def _async_post(self) -> Callable[[dict[str, Any]], Any]:
        loop = asyncio.get_running_loop()
        client = self._async_clients.get(loop)
        if client is None:
            import openai

            client = openai.AsyncOpenAI(**self._client_options())
            self._async_clients[loop] = client
        return chat_poster(client)

    # --- conversation ---------------------------------------------------------------

    def conversation(self, title: str | None, abstract: str) -> Conversation:
        """A new conversation for one paper: `request` is its first body, exactly what
        `fill` sends (ContextTooLongError or EmptyAbstractError before anything is sent)."""
        if not abstract.strip():
            raise EmptyAbstractError(title)
        parts = mode_parts(self.settings.mode)
        handlers, response_model = parts.handlers, parts.response_model
        # A new payload per paper: the handlers copy it, and nothing here mutates it.
        base = {
            "model": self.settings.model,
            "messages": render_messages(title, abstract),
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }
        if self.settings.seed is not None:
            base["seed"] = self.settings.seed
        request = self._shaped(handlers, response_model, base)
        self._check_fits(request)
        return Conversation(
            handlers=handlers,
            response_model=response_model,
            abstract=abstract,
            answers_allowed=self.settings.max_reasks + 1,
            request=request,
        )

    def _check_fits(self, request: dict[str, Any]) -> None:
        """ContextTooLongError, before anything is sent, for a request that cannot fit."""
        if self.context_tokens is None:
            return
        shaped = {key: value for key, value in request.items() if key != "max_tokens"}
        # About four characters per token: generous for English, so a text refused here
        # would have been refused by the server too.
        needed = len(json.dumps(shaped, ensure_ascii=False)) // 4 + self.settings.max_tokens
        if needed > self.context_tokens:
            raise ContextTooLongError(
                f"the abstract does not fit model {self.settings.model!r}: about {needed:,} "
                f"tokens with the prompt and --max-tokens {self.settings.max_tokens}, more "
                f"than its context of {self.context_tokens:,}; nothing was sent",
                base_url=self.settings.base_url,
                hint="shorten the abstract, or use a model with a longer context",
            )

    def _shaped(
        self, handlers: Any, response_model: type[CardFields], base: dict[str, Any]
    ) -> dict[str, Any]:
        """The request instructor's handler makes for the mode.

        In modes where the handler only adds fixed fields (tools, response_format) and
        leaves the messages alone, those fields are kept from the first paper: shaping
        them walks the whole response model, a large part of a card's CPU time.
        """
        if self._fixed_request_fields is not None:
            return {**base, **self._fixed_request_fields}
        _, request = handlers.request_handler(response_model=response_model, kwargs=dict(base))
        if request.get("messages") == base["messages"]:
            self._fixed_request_fields = {
                key: value for key, value in request.items() if key not in base
            }
        return dict(request)

    def fill(self, title: str | None, abstract: str) -> EngineResult:
        """One card's fields from the endpoint (blocking)."""
        conversation = self.conversation(title, abstract)
        post = self._sync_post()
        try:
            while True:
                body = conversation.request
                try:
                    response = self.policy.call(
                        functools.partial(post, body),
                        self.observers,
                        conversation.tally.count_attempt,
                    )
                except Exception as exc:
                    if conversation.fallback is None:
                        raise
                    return self._reask_failed(conversation, exc)
                fields = conversation.take(response)
                if fields is not None:
                    return conversation.result(fields)
        except Exception as exc:
            raise translate_error(exc, self.settings, conversation.tally.usage) from exc

    async def afill(self, title: str | None, abstract: str) -> EngineResult:
        """One card's fields from the endpoint (async; safe to run many at once)."""
        return await self.afinish(self.conversation(title, abstract))

    async def afinish(self, conversation: Conversation) -> EngineResult:
        """Go on with a conversation online until its answer is final: send its next
        request, re-asking as `afill` does (for one that began in a Batch API line)."""
        post = self._async_post()
        try:
            while True:
                body = conversation.request
                try:
                    response = await self.policy.acall(
                        functools.partial(post, body),
                        self.observers,
                        conversation.tally.count_attempt,
                    )
                except Exception as exc:
                    if conversation.fallback is None:
                        raise
                    return self._reask_failed(conversation, exc)
                fields = conversation.take(response)
                if fields is not None:
                    return conversation.result(fields)
        except Exception as exc:
            raise translate_error(exc, self.settings, conversation.tally.usage) from exc

    def take_answer(self, conversation: Conversation, response: Any) -> EngineResult | None:
        """Read an answer that came another way (a Batch API result line) as one request
        of the conversation: the result if it is final, None when a re-ask was prepared
        (its body is `conversation.request`). An unusable answer with no re-ask left
        raises the same SummarizerError as online."""
        conversation.tally.count_attempt()
        try:
            fields = conversation.take(response)
        except Exception as exc:
            raise translate_error(exc, self.settings, conversation.tally.usage) from exc
        return None if fields is None else conversation.result(fields)

    def give_up(self, conversation: Conversation, exc: BaseException) -> EngineResult:
        """The result when a request of the conversation got no answer and will not be
        sent again: its last schema-valid answer, with a warning, as online; else the
        request's SummarizerError, raised."""
        if conversation.fallback is None:
            raise translate_error(exc, self.settings, conversation.tally.usage) from exc
        return self._reask_failed(conversation, exc)

    def restore(self, title: str | None, abstract: str, snapshot: dict[str, Any]) -> Conversation:
        """The conversation a `Conversation.snapshot()` was taken of, for this paper."""
        conversation = self.conversation(title, abstract)
        conversation.request = dict(snapshot["request"])
        conversation.answers = int(snapshot["answers"])
        usage = Usage.model_validate(snapshot["usage"])
        conversation.tally = _Tally(usage.requests, usage.prompt_tokens, usage.completion_tokens)
        fallback = snapshot.get("fallback")
        conversation.fallback = None if fallback is None else CardFields.model_validate(fallback)
        conversation.warnings = [str(warning) for warning in snapshot.get("warnings", [])]
        conversation.via = "batch_api" if snapshot.get("via") == "batch_api" else None
        return conversation

    def _reask_failed(self, conversation: Conversation, exc: BaseException) -> EngineResult:
        """A re-ask that got no answer (say, it no longer fits the context): the last
        schema-valid answer stands, and grounding drops what it must from it."""
        reason = translate_error(exc, self.settings, conversation.tally.usage)
        conversation.warnings.append(f"reask_failed: {reason}")
        return conversation.result(conversation.fallback)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the blocking HTTP client (async ones go with their event loop)."""
        if self._sync_client is not None:
            self._sync_client.close()
            self._sync_client = None


def generative_recipe(settings: Settings, *, engine: str, model: str | None) -> Recipe:
    """The recipe of an engine that asks a language model (over HTTP or in-process)."""
    return Recipe(
        engine=engine,
        model=model,
        mode=settings.mode,
        prompt_version=prompt_version(),
        schema_version=schema_version(),
        temperature=settings.temperature,
        seed=settings.seed,
        max_reasks=settings.max_reasks,
        max_tokens=settings.max_tokens,
        grounding=grounding_policy(settings),
    )


def recipe(settings: Settings) -> Recipe:
    """What `--engine llm` cards are made with."""
    return generative_recipe(settings, engine=LLMEngine.name, model=settings.model)


def build(settings: Settings) -> LLMEngine:
    """The engine for `--engine llm`."""
    return LLMEngine(settings)
