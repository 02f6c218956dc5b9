"""The OpenAI chat-completions wire format: reading a request, writing a completion.

A request is read into a `ChatRequest`: its model, the structured-output mode instructor
chose (tools, json_schema, json or md_json), the paper of the prompt, and whether it is a
re-ask (the conversation already holds an answer to that paper). A `Payload` (the JSON
text of a card, possibly broken on purpose) is then wrapped the way that mode expects.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from summarizer.testserver.answers import PaperText

# response_format.type -> mode; no response_format (or "text") and no tools is md_json.
_MODE_BY_FORMAT = {"json_schema": "json_schema", "json_object": "json"}
_ANSWER_ROLES = frozenset({"assistant", "tool", "function"})

_TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.DOTALL)
_ABSTRACT = re.compile(r"<abstract>\s*(.*?)\s*</abstract>", re.DOTALL)
# What instructor's MD_JSON mode appends (merged into the user's message).
_MD_JSON_INSTRUCTION = re.compile(r"\s*Return the correct JSON response within a ```json.*$")

MD_JSON_PREAMBLE = "Here is the card for this paper."


class BadRequest(Exception):
    """A request the server cannot read: answered 400 invalid_request_error."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(frozen=True)
class ChatRequest:
    """What the server needs from a chat-completions request body."""

    model: str
    mode: str
    paper: PaperText
    is_reask: bool
    tool_name: str | None
    forced_tool: bool
    prompt_tokens: int


@dataclass(frozen=True)
class Payload:
    """The text the model 'wrote' (JSON of a card, or not), and whether it was cut off."""

    text: str
    truncated: bool = False


def estimate_tokens(chars: int) -> int:
    """Tokens billed for `chars` characters, by the usual ~4 characters per token."""
    return math.ceil(chars / 4)


def parse_chat_request(body: Any, *, size: int) -> ChatRequest:
    """Read a decoded request body; BadRequest if it is not a chat completion request.

    `size` is the body's length: the prompt is billed as all of it (tool or response
    schema included) at ~4 characters per token.
    """
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("you must provide a model parameter", param="model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty array.", param="messages")
    if not all(isinstance(message, dict) for message in messages):
        raise BadRequest("Each message must be an object.", param="messages")
    if body.get("stream"):
        raise BadRequest("The test server does not stream; send stream=false.", param="stream")
    tools = body.get("tools")
    response_format = body.get("response_format")
    mode = _mode(tools, response_format)
    tool_name: str | None = None
    forced = False
    if mode == "tools":
        tool_name, forced = _tool_name(tools, body.get("tool_choice"))
    texts = [_text(message.get("content")) for message in messages]
    paper_at = _paper_position(messages, texts)
    return ChatRequest(
        model=model,
        mode=mode,
        paper=_paper(texts[paper_at]),
        is_reask=any(message.get("role") in _ANSWER_ROLES for message in messages[paper_at + 1 :]),
        tool_name=tool_name,
        forced_tool=forced,
        prompt_tokens=estimate_tokens(size),
    )


def _mode(tools: Any, response_format: Any) -> str:
    if tools:
        return "tools"
    if response_format is None:
        return "md_json"
    if not isinstance(response_format, dict):
        raise BadRequest("'response_format' must be an object.", param="response_format")
    kind = response_format.get("type", "text")
    if kind == "text":
        return "md_json"
    if kind not in _MODE_BY_FORMAT:
        raise BadRequest(f"Unknown response_format type {kind!r}.", param="response_format")
    return _MODE_BY_FORMAT[kind]


def _tool_name(tools: Any, tool_choice: Any) -> tuple[str, bool]:
    """The function to call, and whether tool_choice forced it (OpenAI then says 'stop')."""
    if isinstance(tool_choice, dict):
        name = (tool_choice.get("function") or {}).get("name")
        if isinstance(name, str) and name:
            return name, True
    try:
        name = tools[0]["function"]["name"]
    except (TypeError, KeyError, IndexError):
        raise BadRequest("'tools' must be a list of functions with names.", "tools") from None
    if not isinstance(name, str) or not name:
        raise BadRequest("'tools[0].function.name' must be a string.", param="tools")
    return name, False


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""


def _paper_position(messages: list[dict[str, Any]], texts: list[str]) -> int:
    """Index of the user message holding the paper.

    The last user message with an <abstract> tag (earlier tagged ones would be worked
    examples); without tags, the last user message before any answer (what follows an
    answer is a correction), or the last message at all.
    """
    users = [index for index, message in enumerate(messages) if message.get("role") == "user"]
    tagged = [index for index in users if "<abstract>" in texts[index]]
    if tagged:
        return tagged[-1]
    first_answer = next(
        (i for i, message in enumerate(messages) if message.get("role") in _ANSWER_ROLES),
        len(messages),
    )
    before = [index for index in users if index < first_answer]
    return (before or users or [len(messages) - 1])[-1]


def _paper(text: str) -> PaperText:
    abstract = _ABSTRACT.search(text)
    title = _TITLE.search(text)
    if abstract is None:
        return PaperText(title=title[1] if title else "", abstract=_bare_text(text))
    return PaperText(title=title[1] if title else "", abstract=abstract[1])


def _bare_text(text: str) -> str:
    return _TITLE.sub("", _MD_JSON_INSTRUCTION.sub("", text)).strip()


# --- the completion ---------------------------------------------------------------------


def completion(
    request: ChatRequest, payload: Payload, *, completion_id: str, created: int
) -> dict[str, Any]:
    """The chat.completion object answering `request` with `payload` in its mode's shape."""
    message, finish_reason = _RENDERERS[request.mode](request, payload, completion_id)
    if payload.truncated:
        finish_reason = "length"
    completion_tokens = estimate_tokens(len(payload.text))
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": request.model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}
        ],
        "usage": {
            "prompt_tokens": request.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": request.prompt_tokens + completion_tokens,
        },
        "system_fingerprint": "fp_summarizer_testserver",
    }


def _tool_call_message(
    request: ChatRequest, payload: Payload, completion_id: str
) -> tuple[dict[str, Any], str]:
    call = {
        "id": "call_" + completion_id.removeprefix("chatcmpl-"),
        "type": "function",
        "function": {"name": request.tool_name, "arguments": payload.text},
    }
    message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [call]}
    # OpenAI ends a forced function call with "stop" and a chosen one with "tool_calls".
    return message, "stop" if request.forced_tool else "tool_calls"


def _content_message(
    request: ChatRequest, payload: Payload, completion_id: str
) -> tuple[dict[str, Any], str]:
    return {"role": "assistant", "content": payload.text, "refusal": None}, "stop"


def _markdown_message(
    request: ChatRequest, payload: Payload, completion_id: str
) -> tuple[dict[str, Any], str]:
    # A cut-off answer never reaches its closing fence.
    closing = "" if payload.truncated else "\n```"
    content = f"{MD_JSON_PREAMBLE}\n\n```json\n{payload.text}{closing}"
    return {"role": "assistant", "content": content, "refusal": None}, "stop"


_RENDERERS = {
    "tools": _tool_call_message,
    "json_schema": _content_message,
    "json": _content_message,
    "md_json": _markdown_message,
}


def error_body(
    message: str, *, kind: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """OpenAI's error object: {"error": {"message", "type", "param", "code"}}."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}
