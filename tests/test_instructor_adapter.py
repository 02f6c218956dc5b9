"""One test per assumption summarizer makes of instructor and the openai SDK
(summarizer/engines/instructor_adapter.py): an upgrade that breaks one fails here."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import openai
import pytest
from openai.types.chat import ChatCompletion
from pydantic import ValidationError

from summarizer.cards import CardFields
from summarizer.engines.instructor_adapter import (
    chat_poster,
    is_cut_off,
    mode_parts,
    reask_reason,
)
from summarizer.settings import MODES

FIELDS = {
    "problem": "p",
    "method": "m",
    "method_name": None,
    "contribution": "method",
    "stages": [],
    "claimed_gains": [],
}


def _completion(content: str | None, *, tool: bool, finish_reason: str = "stop") -> ChatCompletion:
    message: dict[str, Any] = {"role": "assistant", "content": None if tool else content}
    if tool:
        message["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "CardFields", "arguments": content},
            }
        ]
    return ChatCompletion.model_validate(
        {
            "id": "c1",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        }
    )


def _parse(mode: str, response: ChatCompletion) -> Any:
    parts = mode_parts(mode)
    return parts.handlers.response_parser(
        response=response,
        response_model=parts.response_model,
        validation_context=None,
        strict=False,
        stream=False,
        is_async=False,
    )


# 1. The mode registry shapes requests per mode.
@pytest.mark.parametrize("mode", MODES)
def test_each_mode_has_handlers_that_shape_a_request(mode: str) -> None:
    parts = mode_parts(mode)
    base = {"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 10}
    _, request = parts.handlers.request_handler(
        response_model=parts.response_model, kwargs=dict(base)
    )
    shape = {
        "tools": lambda r: r["tools"][0]["function"]["name"] == "CardFields",
        "json_schema": lambda r: r["response_format"]["type"] == "json_schema",
        "json": lambda r: r["response_format"]["type"] == "json_object",
        "md_json": lambda r: r["messages"] != base["messages"],
    }
    assert shape[mode](request), request
    assert base["messages"] == [{"role": "user", "content": "x"}]  # not mutated


# 2. response_schema wraps CardFields so that the parsers give CardFields.
@pytest.mark.parametrize("mode", MODES)
def test_the_parser_gives_card_fields(mode: str) -> None:
    text = json.dumps(FIELDS)
    content = f"```json\n{text}\n```" if mode == "md_json" else text
    parsed = _parse(mode, _completion(content, tool=mode == "tools"))
    assert isinstance(parsed, CardFields)
    assert parsed.problem == "p"


# 3. A cut-off answer raises an exception is_cut_off recognises.
def test_a_cut_off_answer_is_recognised() -> None:
    response = _completion('{"problem": "p', tool=True, finish_reason="length")
    with pytest.raises(Exception) as raised:
        _parse("tools", response)
    assert is_cut_off(raised.value)
    assert not is_cut_off(ValueError("other"))


class _Recorder(BaseHTTPRequestHandler):
    """Answers every chat request with one card and keeps the bodies it was sent."""

    seen: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append({"path": self.path, "body": json.loads(body)})
        answer = json.dumps(_completion(json.dumps(FIELDS), tool=False).model_dump()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


# 4. client.post sends the body unchanged and parses a ChatCompletion, sync and async.
def test_chat_poster_sends_the_body_as_given(recorder: str) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "x"}], "seed": 7, "x_extra": 1}
    with openai.OpenAI(api_key="k", base_url=recorder, max_retries=0) as client:
        assert isinstance(chat_poster(client)(body), ChatCompletion)

    async def send() -> Any:
        async with openai.AsyncOpenAI(api_key="k", base_url=recorder, max_retries=0) as client:
            return await chat_poster(client)(body)

    assert isinstance(asyncio.run(send()), ChatCompletion)
    assert _Recorder.seen == [{"path": "/v1/chat/completions", "body": body}] * 2


# 5. Re-ask messages carry the error's text without pydantic's versioned URL.
@pytest.mark.parametrize("mode", MODES)
def test_reask_messages_carry_no_pydantic_url(mode: str) -> None:
    with pytest.raises(ValidationError) as invalid:
        CardFields.model_validate({"problem": "p"})
    assert "errors.pydantic.dev" in str(invalid.value)  # what we remove
    reason = reask_reason(invalid.value)
    assert "errors.pydantic.dev" not in str(reason)
    assert "method\n  Field required" in str(reason)
    parts = mode_parts(mode)
    response = _completion('{"problem": "p"}', tool=mode == "tools")
    request = {"model": "m", "messages": [{"role": "user", "content": "x"}]}
    reasked = parts.handlers.reask_handler(kwargs=request, response=response, exception=reason)
    text = json.dumps(reasked["messages"])
    assert "Field required" in text and "errors.pydantic.dev" not in text
