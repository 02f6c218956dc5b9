"""Which outcome a request gets, and what each fault looks like from the client.

`OutcomePicker` hands out outcomes: scripted ones first, in order; otherwise a seeded RNG
draws a fault with probability `fault_rate`, so a given seed and request order always
give the same faults. The content faults turn a good card into a broken answer; the
error outcomes are OpenAI's own error bodies and statuses.
"""

from __future__ import annotations

import copy
import json
import random
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from summarizer.testserver.answers import PaperText
from summarizer.testserver.chat import Payload, error_body
from summarizer.testserver.config import CONTENT_FAULTS, OK, OUTCOMES, check_outcomes


class OutcomePicker:
    """Scripted outcomes in order, else seeded random faults; safe across threads."""

    def __init__(self, seed: int | str, *, allowed: tuple[str, ...] = OUTCOMES) -> None:
        self._lock = threading.Lock()
        self._script: deque[str] = deque()
        self._rng = random.Random(seed)
        self._allowed = allowed

    def script(self, outcomes: Iterable[str]) -> None:
        """Queue outcomes for the next requests (ValueError on an unknown name)."""
        checked = check_outcomes(outcomes, allowed=self._allowed)
        with self._lock:
            self._script.extend(checked)

    def pending(self) -> list[str]:
        """The scripted outcomes not yet used."""
        with self._lock:
            return list(self._script)

    def reset(self, seed: int | str) -> None:
        """Forget the script and restart the random faults from `seed`."""
        with self._lock:
            self._script.clear()
            self._rng.seed(seed)

    def next(self, fault_rate: float, faults: tuple[str, ...], *, is_reask: bool) -> str:
        """The outcome of the next request.

        A re-ask never draws a random content fault: a model asked to correct itself
        does, so bounded re-asks always converge. Scripted outcomes apply as written.
        """
        with self._lock:
            if self._script:
                return self._script.popleft()
            if fault_rate <= 0 or not faults:
                return OK
            # Always two draws, so the sequence depends on the request order only.
            hit = self._rng.random() < fault_rate
            fault = self._rng.choice(faults)
        if not hit or (is_reask and fault in CONTENT_FAULTS):
            return OK
        return fault


# --- content faults ---------------------------------------------------------------------

NOT_JSON = "I am sorry, but I cannot produce a card for this paper right now."
BAD_CONTRIBUTION = "breakthrough"
UNGROUNDED_QUOTE = "outperforms every published baseline by 97.5% on all benchmarks"
UNGROUNDED_VALUE = 97.5


def card_json(card: dict[str, Any]) -> str:
    """The card as the model would write it: compact JSON."""
    return json.dumps(card, ensure_ascii=False)


def _ok(card: dict[str, Any], paper: PaperText) -> Payload:
    return Payload(card_json(card))


def _bad_json(card: dict[str, Any], paper: PaperText) -> Payload:
    return Payload(NOT_JSON)


def _schema_invalid(card: dict[str, Any], paper: PaperText) -> Payload:
    """Valid JSON breaking the schema twice: an unknown contribution, no method."""
    broken = {key: value for key, value in card.items() if key != "method"}
    broken["contribution"] = BAD_CONTRIBUTION
    return Payload(card_json(broken))


def _truncated(card: dict[str, Any], paper: PaperText) -> Payload:
    text = card_json(card)
    return Payload(text[: len(text) // 2], truncated=True)


def _ungrounded(card: dict[str, Any], paper: PaperText) -> Payload:
    """A schema-valid card with one extra gain whose quote is not in the abstract."""
    quote = UNGROUNDED_QUOTE
    while quote in paper.abstract:  # only a contrived abstract could hold it
        quote += " indeed"
    forged = copy.deepcopy(card)
    forged["claimed_gains"] = [
        *forged.get("claimed_gains", []),
        {
            "metric": "performance",
            "value": UNGROUNDED_VALUE,
            "unit": "%",
            "direction": "higher",
            "baseline": "every published baseline",
            "condition": None,
            "quote": quote,
        },
    ]
    return Payload(card_json(forged))


ContentFault = Callable[[dict[str, Any], PaperText], Payload]

PAYLOADS: dict[str, ContentFault] = {
    OK: _ok,
    "bad_json": _bad_json,
    "schema_invalid": _schema_invalid,
    "truncated": _truncated,
    "ungrounded": _ungrounded,
}


# --- error outcomes ---------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorReply:
    """An HTTP error as OpenAI sends it."""

    status: int
    kind: str
    code: str | None
    message: str
    param: str | None = None
    retry_after: bool = False


# {model} and {tokens} are filled in from the request.
ERRORS: dict[str, ErrorReply] = {
    "429": ErrorReply(
        429,
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for {model} on requests per min (RPM). Please try again later.",
        retry_after=True,
    ),
    "500": ErrorReply(
        500,
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    "503": ErrorReply(
        503,
        "server_error",
        "service_unavailable",
        "The engine is currently overloaded, please try again later.",
    ),
    "401": ErrorReply(
        401,
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided. You can find your API key in your provider's settings.",
    ),
    "404": ErrorReply(
        404,
        "invalid_request_error",
        "model_not_found",
        "The model `{model}` does not exist or you do not have access to it.",
        param="model",
    ),
    "400_context": ErrorReply(
        400,
        "invalid_request_error",
        "context_length_exceeded",
        "This model's maximum context length is {limit} tokens. However, your messages "
        "resulted in {tokens} tokens. Please reduce the length of the messages.",
        param="messages",
    ),
    # Not faults: what the server answers when a limit of its config is hit.
    "unauthorized": ErrorReply(
        401,
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided. You can find your API key in your provider's settings.",
    ),
    "over_capacity": ErrorReply(
        429,
        "requests",
        "rate_limit_exceeded",
        "Too many requests in flight ({limit} allowed at once). Please try again later.",
        retry_after=True,
    ),
}


def error_reply(
    outcome: str, *, retry_after: float, **fields: Any
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The status, body and headers of error `outcome` ({model}, {tokens}, {limit} filled in).

    429s carry Retry-After (seconds) and retry-after-ms, as OpenAI sends them.
    """
    error = ERRORS[outcome]
    message = error.message.format_map(_Fields(fields))
    headers = {}
    if error.retry_after:
        headers["Retry-After"] = f"{retry_after:g}"
        headers["retry-after-ms"] = f"{retry_after * 1000:g}"
    body = error_body(message, kind=error.kind, code=error.code, param=error.param)
    return error.status, body, headers


class _Fields(dict[str, Any]):
    """format_map fields where a missing one reads as '?' rather than failing."""

    def __missing__(self, key: str) -> str:
        return "?"
