"""What summarizer assumes of instructor and the openai SDK beyond their plain use, in one
place: each assumption below has its own test (tests/test_instructor_adapter.py), so an
upgrade that breaks one fails that test, not a run.

1. `instructor.v2.mode_registry` holds, for `Provider.OPENAI` and each of our modes (by
   its upper-case name in `instructor.v2.Mode`), handlers with `request_handler`,
   `response_parser` and `reask_handler`. Driving them directly, instead of instructor's
   patched `create`, keeps per-card CPU small: `create` re-wraps and re-walks the
   response model several times per call.
2. `instructor.response_schema` wraps a pydantic model the way those handlers expect.
3. `instructor.core.IncompleteOutputException` is what a parser raises for an
   answer cut off at the token limit.
4. The SDK's `client.post(path, body=..., cast_to=ChatCompletion)` sends a body exactly
   as instructor shaped it and parses the answer, without `create()`'s per-call
   parameter transformation.
5. A re-ask message carries the error's text, in which pydantic puts a documentation
   URL with its own version: noise to the model, tokens, and a request body that changes
   with the library's version. `reask_reason` leaves it out.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from summarizer.cards import CardFields

CHAT_PATH = "/chat/completions"
_PYDANTIC_URL_LINE = re.compile(
    r"^[ \t]*For further information visit https?://errors\.pydantic\.dev/\S*[ \t]*\n?", re.M
)


@dataclass(frozen=True)
class ModeParts:
    """instructor's handlers for one mode, and the card's fields as its response model."""

    handlers: Any  # instructor.v2.ModeHandlers
    response_model: type[CardFields]


@cache
def mode_parts(mode: str) -> ModeParts:
    """The handlers of a mode (tools, json_schema, json, md_json) for OpenAI's API."""
    import instructor
    from instructor.v2 import Mode, Provider, mode_registry

    handlers = mode_registry.get_handlers(Provider.OPENAI, Mode[mode.upper()])
    wrapped: type[CardFields] = instructor.response_schema(CardFields)
    return ModeParts(handlers, wrapped)


class TruncatedAnswer(Exception):
    """An answer cut off at the token limit (finish_reason "length", or every token used)."""


def is_cut_off(exc: BaseException) -> bool:
    """Whether a parser's exception says the answer was cut off at the token limit."""
    from instructor.core import IncompleteOutputException

    return isinstance(exc, TruncatedAnswer | IncompleteOutputException)


class ReaskReason(ValueError):
    """Why an answer is asked again, as the model reads it."""


def reask_reason(exc: BaseException) -> ReaskReason:
    """The error's text for a re-ask message, without pydantic's versioned URLs."""
    return ReaskReason(_PYDANTIC_URL_LINE.sub("", str(exc)).rstrip())


def chat_poster(client: Any) -> Callable[[dict[str, Any]], Any]:
    """Send a chat-completions body with an openai client (sync or async) as given."""
    from openai.types.chat import ChatCompletion

    def post(body: dict[str, Any]) -> Any | Awaitable[Any]:
        return client.post(CHAT_PATH, body=body, cast_to=ChatCompletion)

    return post
