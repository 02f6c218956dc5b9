"""A server that refuses the request's mode (response_format, tools, tool_choice) is told
apart from a failing server: no retry, a message that names the mode and what to try, and
an error that stops the run."""

from __future__ import annotations

import json
from typing import Any

import httpx2 as httpx  # the openai SDK 3.x sends through httpx2
import openai
import pytest

from summarizer.cards import Usage
from summarizer.engines.llm_errors import translate_error
from summarizer.errors import ContextTooLongError, EndpointError, ModeNotSupportedError
from summarizer.retries import ShapeRefusal, is_retryable, shape_refusal
from summarizer.settings import resolve_settings

BASE_URL = "http://127.0.0.1:8080/v1"
REQUEST = httpx.Request("POST", f"{BASE_URL}/chat/completions")

# Captured from llama-cpp-python 0.3.36's own server (`python -m llama_cpp.server --model
# SmolLM2-135M-Instruct.Q4_1.gguf`, no serve-local rewrite in front) answering a chat
# request with `response_format: {"type": "json_schema", ...}`: HTTP 500, its request
# validation error as the message. `summarizer batch --mode json_schema` got the same.
LLAMA_CPP_JSON_SCHEMA_500 = (
    "{\"error\":{\"message\":\"1 validation error:\\n  {'type': 'literal_error', 'loc': "
    "('body', 'response_format', 'type'), 'msg': \\\"Input should be 'text' or "
    "'json_object'\\\", 'input': 'json_schema', 'ctx': {'expected': \\\"'text' or "
    "'json_object'\\\"}}\\n\\n  File \\\"/work/wt/faults/.venv/lib/python3.11/site-packages/"
    'llama_cpp/server/app.py\\", line 376, in create_chat_completion\\n    POST '
    '/v1/chat/completions","type":"internal_server_error","param":null,"code":null}}'
)
# The same server, a request whose message has an unknown role: a validation error too, but
# not about the mode (so not a ModeNotSupportedError). Captured likewise, shortened to its
# first error.
LLAMA_CPP_MESSAGES_500 = (
    "{\"error\":{\"message\":\"7 validation errors:\\n  {'type': 'literal_error', 'loc': "
    "('body', 'messages', 0, 'ChatCompletionRequestSystemMessage', 'role'), 'msg': "
    "\\\"Input should be 'system'\\\", 'input': 'nobody', 'ctx': {'expected': "
    '\\"\'system\'\\"}}\\n\\n  File \\"/work/wt/faults/.venv/lib/python3.11/site-packages/'
    'llama_cpp/server/app.py\\", line 376, in create_chat_completion\\n    POST '
    '/v1/chat/completions","type":"internal_server_error","param":null,"code":null}}'
)


def answer(status: int, body: str | dict[str, Any]) -> openai.APIStatusError:
    """The exception the openai SDK raises for this answer (its own body handling)."""
    content = body if isinstance(body, str) else json.dumps(body)
    response = httpx.Response(status, content=content.encode(), request=REQUEST)
    client = openai.OpenAI(base_url=BASE_URL, api_key="unused", max_retries=0)
    return client._make_status_error_from_response(response)


def translated(exc: BaseException, mode: str) -> Any:
    settings = resolve_settings(base_url=BASE_URL, model="smollm2", mode=mode, environ={})
    return translate_error(exc, settings, Usage(requests=1))


def test_the_captured_llama_cpp_body_is_a_refusal_of_json_schema() -> None:
    exc = answer(500, LLAMA_CPP_JSON_SCHEMA_500)
    assert shape_refusal(exc) == ShapeRefusal(
        "response_format.type", "Input should be 'text' or 'json_object'"
    )
    assert not is_retryable(exc)
    error = translated(exc, "json_schema")
    assert isinstance(error, ModeNotSupportedError) and error.stops_run
    assert str(error) == (
        f"LLM endpoint at {BASE_URL} (HTTP 500): the server does not accept --mode "
        "json_schema: it refused response_format.type (Input should be 'text' or "
        "'json_object') (try --mode tools or --mode json)"
    )


def test_a_validation_error_about_other_fields_is_not_a_mode_refusal() -> None:
    exc = answer(500, LLAMA_CPP_MESSAGES_500)
    assert shape_refusal(exc) is None
    assert is_retryable(exc)  # a 500 as before
    assert type(translated(exc, "json_schema")) is EndpointError


@pytest.mark.parametrize(
    ("status", "body", "mode", "field"),
    [
        # OpenAI's error format names the refused parameter (written here, not captured).
        (
            400,
            {
                "error": {
                    "message": "Invalid parameter: 'response_format' of type 'json_schema' "
                    "is not supported with this model.",
                    "type": "invalid_request_error",
                    "param": "response_format",
                    "code": None,
                }
            },
            "json_schema",
            "response_format",
        ),
        # Ollama's wording for a model without tool calling (written here, not captured).
        (
            400,
            {"error": {"message": "registry.ollama.ai/library/gemma:2b does not support tools"}},
            "tools",
            "tools",
        ),
        # vLLM started without auto tool choice (written here, not captured).
        (
            400,
            {
                "error": {
                    "message": '"auto" tool choice requires --enable-auto-tool-choice and '
                    "--tool-call-parser to be set",
                    "type": "BadRequestError",
                }
            },
            "tools",
            "tool_choice",
        ),
        # FastAPI's own 422 for a request model that has no json_schema type.
        (
            422,
            {
                "detail": [
                    {
                        "type": "literal_error",
                        "loc": ["body", "response_format", "type"],
                        "msg": "Input should be 'text' or 'json_object'",
                        "input": "json_schema",
                    }
                ]
            },
            "json_schema",
            "response_format.type",
        ),
    ],
)
def test_refusals_in_other_servers_words(
    status: int, body: dict[str, Any], mode: str, field: str
) -> None:
    exc = answer(status, body)
    refusal = shape_refusal(exc)
    assert refusal is not None and refusal.field == field
    error = translated(exc, mode)
    assert isinstance(error, ModeNotSupportedError)
    assert f"the server does not accept --mode {mode}: it refused {field}" in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "The server had an error while processing your request. Sorry about that!"),
        (503, "The engine is currently overloaded, please try again later."),
        (500, "tools are loading, please wait"),  # names a mode field but refuses nothing
        (500, "Unexpected error while the tools ran"),  # "unexpected" is not "expected"
    ],
)
def test_outages_are_still_retried(status: int, message: str) -> None:
    exc = answer(status, {"error": {"message": message, "type": "server_error"}})
    assert shape_refusal(exc) is None
    assert is_retryable(exc)


def test_a_context_error_stays_a_context_error() -> None:
    message = (
        "This model's maximum context length is 2048 tokens. However, you requested 3062 "
        "tokens (2462 in the messages, 600 in the completion)."
    )
    body = {"error": {"message": message, "param": "messages", "code": "context_length_exceeded"}}
    assert isinstance(translated(answer(400, body), "json"), ContextTooLongError)


def test_each_mode_suggests_two_others() -> None:
    exc = answer(500, LLAMA_CPP_JSON_SCHEMA_500)
    hints = {
        mode: translated(exc, mode).hint for mode in ("tools", "json_schema", "json", "md_json")
    }
    assert hints == {
        "tools": "try --mode json_schema or --mode json",
        "json_schema": "try --mode tools or --mode json",
        "json": "try --mode tools or --mode md_json",
        "md_json": "try --mode tools or --mode json",
    }
