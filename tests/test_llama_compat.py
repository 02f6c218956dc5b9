"""The request rewrite that gives llama-cpp-python json_schema mode and bounded lists."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.cards import CardFields
from summarizer.errors import ConfigError
from summarizer.local.compat import (
    MAX_ITEMS,
    MAX_STRING,
    ChatRequestAdapter,
    adapt_chat_request,
    adapt_request_bytes,
    bounded_schema,
)
from summarizer.settings import resolve_settings

SCHEMA = CardFields.model_json_schema()


def test_json_schema_becomes_json_object_with_the_bounded_schema() -> None:
    body = {
        "model": "m",
        "response_format": {"type": "json_schema", "json_schema": {"name": "C", "schema": SCHEMA}},
    }
    adapted = adapt_chat_request(body)
    assert adapted["response_format"] == {"type": "json_object", "schema": bounded_schema(SCHEMA)}
    assert body["response_format"]["type"] == "json_schema"  # the caller's payload is untouched


def test_tool_parameters_are_bounded() -> None:
    body = {"tools": [{"type": "function", "function": {"name": "C", "parameters": SCHEMA}}]}
    parameters = adapt_chat_request(body)["tools"][0]["function"]["parameters"]
    assert parameters["properties"]["stages"]["maxItems"] == MAX_ITEMS
    assert parameters["properties"]["claimed_gains"]["maxItems"] == MAX_ITEMS
    assert parameters["$defs"]["Gain"]["properties"]["quote"]["maxLength"] == MAX_STRING
    # Bounds the schema sets itself are kept.
    assert parameters["properties"]["problem"]["maxLength"] == 400
    assert parameters["$defs"]["Stage"]["properties"]["name"]["maxLength"] == 80


def test_max_completion_tokens_becomes_max_tokens() -> None:
    assert adapt_chat_request({"max_completion_tokens": 5}) == {"max_tokens": 5}
    assert adapt_chat_request({"max_tokens": 7, "max_completion_tokens": 5})["max_tokens"] == 7


def test_other_requests_pass_unchanged() -> None:
    plain = {"model": "m", "messages": [], "response_format": {"type": "json_object"}}
    assert adapt_chat_request(plain) == plain
    assert adapt_request_bytes(b"not json") == b"not json"
    assert adapt_request_bytes(b"[1, 2]") == b"[1, 2]"


def run_adapter(path: str, body: bytes) -> tuple[dict[str, Any], bytes]:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen["scope"] = scope
        message = await receive()
        seen["body"] = message["body"]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        del message

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"content-length", str(len(body)).encode())],
    }
    asyncio.run(ChatRequestAdapter(app)(scope, receive, send))
    return seen["scope"], seen["body"]


def test_the_middleware_rewrites_chat_bodies_and_their_length() -> None:
    body = json.dumps(
        {"response_format": {"type": "json_schema", "json_schema": {"schema": {"type": "object"}}}}
    ).encode()
    scope, seen = run_adapter("/v1/chat/completions", body)
    assert json.loads(seen)["response_format"] == {
        "type": "json_object",
        "schema": {"type": "object"},
    }
    assert dict(scope["headers"])[b"content-length"] == str(len(seen)).encode()


def test_the_middleware_leaves_other_paths_alone() -> None:
    body = b'{"response_format": {"type": "json_schema"}}'
    _, seen = run_adapter("/v1/completions", body)
    assert seen == body


def test_local_engine_refuses_a_file_that_is_not_gguf(tmp_path: Path) -> None:
    from summarizer.local.engine import LocalEngine

    model = tmp_path / "model.gguf"
    model.write_bytes(b"nope")
    with pytest.raises(ConfigError, match="not a GGUF file"):
        LocalEngine(resolve_settings(engine="local", model_path=str(model), environ={}))
