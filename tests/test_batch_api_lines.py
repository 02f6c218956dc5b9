"""Batch API lines: request lines built exactly as online, split by the limits, and result
files of OpenAI's and OGX's shapes read into one outcome per custom_id."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion

from summarizer.batch_api.requests import (
    BatchLimits,
    PartSize,
    RequestLine,
    request_line,
    too_large,
)
from summarizer.batch_api.results import (
    MISSING,
    Answered,
    LineHTTPError,
    Refused,
    ResultIndex,
    Unanswered,
)
from summarizer.cache import cache_key
from summarizer.engines import llm
from summarizer.engines.llm import LLMEngine
from summarizer.papers import Paper, read_papers
from summarizer.recipe import recipe_for
from summarizer.retries import is_retryable
from summarizer.settings import MODES, resolve_settings
from summarizer.testserver import Server

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    found = read_papers([str(SEEDS)]).papers
    return [paper for paper in found if paper.duplicate_of is None][:6]


def completion(arguments: str = "{}", *, prompt: int = 10, answer: int = 5) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "CardFields", "arguments": arguments},
                        }
                    ],
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": prompt, "completion_tokens": answer, "total_tokens": 15},
    }


def jsonl(*records: Any) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def read_results(tmp_path: Path, *contents: bytes) -> ResultIndex:
    """An index over result files with these contents."""
    paths = []
    for number, content in enumerate(contents):
        path = tmp_path / f"results-{number}.jsonl"
        path.write_bytes(content)
        paths.append(path)
    return ResultIndex(paths)


def split(lines: list[RequestLine], limits: BatchLimits) -> list[list[RequestLine]]:
    """Lines grouped as a run fills batches: a new one when the next line does not fit."""
    groups: list[list[RequestLine]] = []
    size = PartSize()
    for line in lines:
        if not groups or not size.fits(line, limits):
            groups.append([])
            size = PartSize()
        groups[-1].append(line)
        size.add(line)
    return groups


# --- request lines ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_a_line_asks_what_the_online_engine_sends(
    mode: str, papers: list[Paper], test_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The body of the line is the body `afill` posts, byte for byte, in every mode."""
    settings = resolve_settings(
        base_url=test_server.base_url, model="test-model", mode=mode, environ={}
    )
    sent: list[dict[str, Any]] = []
    poster = llm.chat_poster

    def recording(client: Any) -> Any:
        post = poster(client)

        def send(body: dict[str, Any]) -> Any:
            sent.append(json.loads(json.dumps(body)))
            return post(body)

        return send

    monkeypatch.setattr(llm, "chat_poster", recording)
    paper = papers[0]
    engine = LLMEngine(settings)
    asyncio.run(engine.afill(paper.title, paper.abstract))
    key = cache_key(recipe_for(settings), paper.title, paper.abstract)
    line = request_line(key, engine.conversation(paper.title, paper.abstract).request)
    record = json.loads(line.data)
    assert record == {
        "custom_id": key,
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": sent[0],
    }
    assert line.data.endswith(b"\n") and line.data.count(b"\n") == 1
    assert len(key) == 64  # within the 64 characters some providers allow a custom_id


def test_lines_are_split_in_order_by_requests_bytes_and_tokens() -> None:
    lines = [RequestLine(f"id-{index}", b"x" * 39 + b"\n") for index in range(10)]  # 40 bytes
    by_requests = list(split(lines, BatchLimits(max_requests=4)))
    assert [len(group) for group in by_requests] == [4, 4, 2]
    assert [line.custom_id for group in by_requests for line in group] == [
        line.custom_id for line in lines
    ]
    assert [len(group) for group in split(lines, BatchLimits(max_bytes=120))] == [3, 3, 3, 1]
    assert [len(group) for group in split(lines, BatchLimits(max_tokens=25))] == [2, 2, 2, 2, 2]
    assert [len(group) for group in split(lines, BatchLimits())] == [10]


def test_a_line_larger_than_a_batch_is_named() -> None:
    line = RequestLine("a", b"x" * 99 + b"\n")
    assert too_large(line, BatchLimits(max_bytes=100)) is None
    assert too_large(line, BatchLimits(max_bytes=99)) == (
        "its request is 100 bytes, more than --batch-max-bytes"
    )
    assert too_large(line, BatchLimits(max_tokens=24)) == (
        "its request is about 25 tokens, more than --batch-max-tokens"
    )


# --- result files ----------------------------------------------------------------------


def test_openai_result_lines_become_outcomes(tmp_path: Path) -> None:
    output = jsonl(
        {
            "id": "r1",
            "custom_id": "a",
            "response": {"status_code": 200, "request_id": "q", "body": completion('{"x": 1}')},
            "error": None,
        }
    )
    errors = jsonl(
        {
            "id": "r2",
            "custom_id": "b",
            "response": {
                "status_code": 400,
                "request_id": "q",
                "body": {"error": {"message": "too long", "code": "context_length_exceeded"}},
            },
            "error": None,
        },
        {
            "id": "r3",
            "custom_id": "c",
            "response": None,
            "error": {"code": "batch_expired", "message": "not executed in time"},
        },
    )
    lines = read_results(tmp_path, output, errors)
    answer = lines.outcome("a")
    assert isinstance(answer, Answered)
    message = answer.completion.choices[0].message
    assert message.tool_calls[0].function.arguments == '{"x": 1}'
    assert answer.completion.usage.prompt_tokens == 10
    assert lines.outcome("b") == Refused(
        400, {"error": {"message": "too long", "code": "context_length_exceeded"}}
    )
    assert lines.outcome("c") == Unanswered("batch_expired", "not executed in time")
    assert lines.outcome("d") == Unanswered(MISSING, "in neither the output nor the error file")
    assert lines.unreadable == 0


def test_ogx_result_lines_become_outcomes(tmp_path: Path) -> None:
    """OGX writes the body as a JSON string and a failed line without `response`."""
    output = jsonl(
        {
            "id": "r1",
            "custom_id": "a",
            "response": {"status_code": 200, "request_id": "q", "body": json.dumps(completion())},
        }
    )
    errors = jsonl(
        {
            "id": "r2",
            "custom_id": "b",
            "error": {
                "type": "request_failed",
                "message": "Error code: 400 - {'error': {'message': 'context_length_exceeded'}}",
            },
        },
        {"id": "r3", "custom_id": "c", "error": {"type": "request_failed", "message": "boom"}},
    )
    lines = read_results(tmp_path, output, errors)
    assert isinstance(lines.outcome("a"), Answered)
    refused = lines.outcome("b")
    assert isinstance(refused, Refused) and refused.status == 400
    assert lines.outcome("c") == Unanswered("request_failed", "boom")


def test_unreadable_lines_are_counted_and_an_answer_beats_a_failure(tmp_path: Path) -> None:
    errors = jsonl({"custom_id": "a", "response": None, "error": {"code": "batch_expired"}})
    output = (
        b"not json\n"
        + jsonl(
            {"id": 1}, {"custom_id": "a", "response": {"status_code": 200, "body": completion()}}
        )
        + b"\n"
        + jsonl({"custom_id": "b", "response": {"status_code": 200, "body": {"no": "choices"}}})
    )
    lines = read_results(tmp_path, errors, output)
    assert isinstance(lines.outcome("a"), Answered)
    assert lines.outcome("b") == Unanswered(
        "unreadable_answer", "a 2xx line whose body is no chat completion"
    )
    assert lines.unreadable == 2


@pytest.mark.parametrize(
    ("status", "retried"), [(429, True), (500, True), (503, True), (400, False), (401, False)]
)
def test_a_refused_line_is_retried_as_an_online_request_would_be(
    status: int, retried: bool
) -> None:
    error = LineHTTPError(status, {"error": {"message": "no", "code": None}})
    assert is_retryable(error) is retried
    assert error.body == {"message": "no", "code": None}


def test_a_conversation_survives_a_snapshot_across_processes(
    papers: list[Paper], test_server: Server
) -> None:
    """A re-ask prepared from a batch answer, saved as JSON and restored, goes on online
    exactly where it was: same next request, same bill, same fallback."""
    settings = resolve_settings(base_url=test_server.base_url, model="test-model", environ={})
    engine = LLMEngine(settings)
    paper = next(paper for paper in papers if "%" in paper.abstract)
    conversation = engine.conversation(paper.title, paper.abstract)
    test_server.script(["ungrounded"])
    with openai.OpenAI(base_url=test_server.base_url, api_key="k", max_retries=0) as sdk:
        answer = sdk.post("/chat/completions", body=conversation.request, cast_to=ChatCompletion)
    conversation.via = "batch_api"
    assert engine.take_answer(conversation, answer) is None  # ungrounded: a re-ask is ready
    saved = json.loads(json.dumps(conversation.snapshot()))
    restored = engine.restore(paper.title, paper.abstract, saved)
    assert restored.request == conversation.request
    assert restored.answers == 1 and restored.tally.usage == conversation.tally.usage
    assert restored.fallback == conversation.fallback and restored.fallback is not None
    result = asyncio.run(engine.afinish(restored))
    assert result.via == "batch_api" and result.usage.requests == 2
    assert test_server.stats.snapshot().reasks == 1
