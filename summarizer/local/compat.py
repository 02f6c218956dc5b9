"""Let llama-cpp-python answer the requests instructor makes in json_schema mode.

llama-cpp-python (0.3.x) constrains decoding to a schema given as
`response_format: {"type": "json_object", "schema": S}`, but refuses OpenAI's
`{"type": "json_schema", "json_schema": {"schema": S}}` (its server answers HTTP 500; its
in-process chat handler ignores it). The rewrite here is applied by `serve-local`'s server
and by `--engine local`, so `--mode json_schema` gets schema-constrained output from both.
It also maps `max_completion_tokens`, which llama-cpp-python ignores, to `max_tokens`, and
bounds every list and string of the schema it constrains decoding to: a small model
otherwise tends to repeat list items or words until the token limit (seen with SmolLM2).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# Bounds added where a schema sets none: generous for an abstract's card.
MAX_ITEMS = 6
MAX_STRING = 400


def bounded_schema(schema: Any) -> Any:
    """A copy of a JSON Schema with maxItems on every array and maxLength on every string
    that has none, so grammar-constrained decoding cannot loop forever."""
    if isinstance(schema, list):
        return [bounded_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    bounded = {key: bounded_schema(value) for key, value in schema.items()}
    if bounded.get("type") == "array":
        bounded.setdefault("maxItems", MAX_ITEMS)
    if bounded.get("type") == "string" and "enum" not in bounded:
        bounded.setdefault("maxLength", MAX_STRING)
    return bounded


def adapt_chat_request(body: dict[str, Any]) -> dict[str, Any]:
    """A copy of a chat-completions request in the shape llama-cpp-python understands."""
    adapted = dict(body)
    response_format = body.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        adapted["response_format"] = (
            {"type": "json_object", "schema": bounded_schema(schema)}
            if schema
            else {"type": "json_object"}
        )
    if isinstance(body.get("tools"), list):
        adapted["tools"] = [_bounded_tool(tool) for tool in body["tools"]]
    if "max_completion_tokens" in body and "max_tokens" not in body:
        adapted["max_tokens"] = adapted.pop("max_completion_tokens")
    return adapted


def _bounded_tool(tool: Any) -> Any:
    function = tool.get("function") if isinstance(tool, dict) else None
    if not isinstance(function, dict) or "parameters" not in function:
        return tool
    return {**tool, "function": {**function, "parameters": bounded_schema(function["parameters"])}}


def adapt_request_bytes(raw: bytes) -> bytes:
    """The request body rewritten by adapt_chat_request; unchanged when not a JSON object."""
    try:
        body = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(body, dict):
        return raw
    adapted = adapt_chat_request(body)
    return raw if adapted == body else json.dumps(adapted).encode()


class ChatRequestAdapter:
    """ASGI middleware: rewrites POST .../chat/completions bodies before the app sees them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope.get("type") != "http"
            or scope.get("method") != "POST"
            or not str(scope.get("path", "")).endswith("/chat/completions")
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left before sending it all
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = adapt_request_bytes(b"".join(chunks))
        headers = [(name, value) for name, value in scope["headers"] if name != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        request = {"type": "http.request", "body": body, "more_body": False}
        await self.app({**scope, "headers": headers}, _replay([request], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive channel that gives `messages` first, then the client's own."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
