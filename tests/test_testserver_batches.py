"""The test server's Files and Batches endpoints, seen through the openai SDK.

Time is a ManualClock: a test moves it to where a poller would be, so every status of a
batch's day is reached without sleeping.
"""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the openai SDK 3.x sends through httpx2
import openai
import pytest

from summarizer.cards import CardFields
from summarizer.papers import Paper, read_papers
from summarizer.prompts import render_messages
from summarizer.testserver import (
    BatchConfig,
    ManualClock,
    Server,
    ServerConfig,
    running_server,
)
from summarizer.testserver.faults import NOT_JSON, UNGROUNDED_QUOTE

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ENDPOINT = "/v1/chat/completions"
TOOL = {
    "type": "function",
    "function": {
        "name": "CardFields",
        "description": "The card of a paper.",
        "parameters": CardFields.model_json_schema(),
    },
}
EXPIRED_MESSAGE = "This request could not be executed before the completion window expired."


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    """Twelve seed papers whose abstracts claim a percentage gain."""
    found = [paper for paper in read_papers([str(SEEDS)]).papers if paper.duplicate_of is None]
    return [paper for paper in found if "%" in paper.abstract][:12]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(clock: ManualClock) -> Iterator[Server]:
    with running_server(ServerConfig(clock=clock)) as running:
        yield running


@pytest.fixture
def client(server: Server) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=server.base_url, api_key="test-key", max_retries=0, timeout=10
    ) as sdk:
        yield sdk


def chat_body(paper: Paper, *, model: str = "test-model") -> dict[str, Any]:
    """The body instructor's tools mode sends for the paper's card."""
    return {
        "model": model,
        "messages": render_messages(paper.title, paper.abstract),
        "tools": [TOOL],
        "tool_choice": {"type": "function", "function": {"name": "CardFields"}},
        "temperature": 0,
    }


def request_line(custom_id: str, body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body, **changes}


def jsonl(*records: Any) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def paper_lines(papers: list[Paper]) -> list[dict[str, Any]]:
    return [request_line(f"paper-{index}", chat_body(p)) for index, p in enumerate(papers)]


def upload(client: openai.OpenAI, data: bytes, name: str = "input.jsonl") -> str:
    return client.files.create(file=(name, io.BytesIO(data)), purpose="batch").id


def start(client: openai.OpenAI, data: bytes, **extra: Any) -> Any:
    return client.batches.create(
        input_file_id=upload(client, data),
        endpoint=ENDPOINT,
        completion_window="24h",
        **extra,
    )


def read_jsonl(client: openai.OpenAI, file_id: str | None) -> list[dict[str, Any]]:
    if file_id is None:
        return []
    return [json.loads(line) for line in client.files.content(file_id).text.splitlines()]


def by_custom_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["custom_id"]: record for record in records}


def without_ids(completion: dict[str, Any]) -> dict[str, Any]:
    """A chat.completion less what differs between any two answers: ids and times."""
    choices = json.loads(json.dumps(completion["choices"]))
    for choice in choices:
        for call in choice["message"].get("tool_calls") or []:
            call.pop("id")
    kept = {key: value for key, value in completion.items() if key not in ("id", "created")}
    return kept | {"choices": choices}


def configure(server: Server, **fields: Any) -> None:
    server.config.batch = BatchConfig(**fields)


# --- files -----------------------------------------------------------------------------


def test_a_file_is_uploaded_retrieved_listed_downloaded_and_deleted(
    client: openai.OpenAI, clock: ManualClock, papers: list[Paper]
) -> None:
    data = jsonl(*paper_lines(papers[:2]))
    created = client.files.create(file=("papers.jsonl", io.BytesIO(data)), purpose="batch")
    assert (created.object, created.purpose, created.filename) == ("file", "batch", "papers.jsonl")
    assert created.bytes == len(data)
    assert created.created_at == int(clock())
    assert created.expires_at == created.created_at + 30 * 24 * 3600
    assert client.files.retrieve(created.id) == created
    assert [listed.id for listed in client.files.list()] == [created.id]
    assert client.files.content(created.id).content == data
    deleted = client.files.delete(created.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "file")
    with pytest.raises(openai.NotFoundError, match=f"No such File object: {created.id}"):
        client.files.retrieve(created.id)
    with pytest.raises(openai.NotFoundError):
        client.files.content(created.id)


@pytest.mark.parametrize(
    ("name", "purpose", "message"),
    [
        ("input.txt", "batch", "Invalid file format for Batch API. Must be .jsonl"),
        ("input.jsonl", "batches", "'batches' is not one of"),
    ],
)
def test_an_upload_with_a_wrong_name_or_purpose_is_refused(
    client: openai.OpenAI, server: Server, name: str, purpose: Any, message: str
) -> None:
    with pytest.raises(openai.BadRequestError, match=message) as refused:
        client.files.create(file=(name, io.BytesIO(b"{}\n")), purpose=purpose)
    assert refused.value.body["type"] == "invalid_request_error"  # type: ignore[index]
    assert server.stats.snapshot().files_uploaded == 0


def test_a_file_over_the_size_limit_is_refused(client: openai.OpenAI, server: Server) -> None:
    configure(server, max_file_bytes=100)
    upload(client, b"x" * 100)
    with pytest.raises(openai.BadRequestError, match="at most 100 bytes") as refused:
        upload(client, b"x" * 101)
    assert refused.value.code == "file_too_large"
    assert server.stats.snapshot().files_uploaded == 1


def test_files_are_listed_by_purpose_in_either_order_and_paged(client: openai.OpenAI) -> None:
    batch_ids = [upload(client, b"{}\n", f"in-{index}.jsonl") for index in range(3)]
    other = client.files.create(file=("notes.txt", io.BytesIO(b"hi")), purpose="user_data").id
    assert [f.id for f in client.files.list()] == [other, *batch_ids[::-1]]
    assert [f.id for f in client.files.list(purpose="batch", order="asc")] == batch_ids
    first = client.files.list(purpose="batch", limit=2)
    assert [f.id for f in first.data] == batch_ids[:0:-1]
    assert first.has_more
    # The SDK pages with `after` = the last id until has_more is false.
    assert [f.id for f in client.files.list(purpose="batch", limit=2)] == batch_ids[::-1]


# --- the life cycle ----------------------------------------------------------------------


def test_a_batch_walks_from_validating_to_completed_on_the_clock(
    client: openai.OpenAI, server: Server, clock: ManualClock, papers: list[Paper]
) -> None:
    configure(server, validation_seconds=60, seconds=400, finalizing_seconds=30)
    created = start(client, jsonl(*paper_lines(papers[:4])), metadata={"run": "nightly"})
    t0 = created.created_at
    assert (created.status, created.expires_at, created.metadata) == (
        "validating",
        t0 + 86400,
        {"run": "nightly"},
    )
    assert created.request_counts.total == 0
    seen = []
    # Lines are due at 100, 200, 300 and 400 s into the run, which starts at 60 s.
    for moment in (59, 60, 259, 260, 459, 460, 489, 490):
        clock.advance(t0 + moment - clock())
        batch = client.batches.retrieve(created.id)
        counts = batch.request_counts
        seen.append((moment, batch.status, counts.total, counts.completed, batch.output_file_id))
    assert seen == [
        (59, "validating", 0, 0, None),
        (60, "in_progress", 4, 0, None),
        (259, "in_progress", 4, 1, None),
        (260, "in_progress", 4, 2, None),
        (459, "in_progress", 4, 3, None),
        (460, "finalizing", 4, 4, None),
        (489, "finalizing", 4, 4, None),
        (490, "completed", 4, 4, batch.output_file_id),
    ]
    assert batch.output_file_id is not None and batch.error_file_id is None
    assert (batch.in_progress_at, batch.finalizing_at, batch.completed_at) == (
        t0 + 60,
        t0 + 460,
        t0 + 490,
    )
    assert (batch.failed_at, batch.expired_at, batch.cancelled_at, batch.errors) == (
        None,
        None,
        None,
        None,
    )
    assert batch.model == "test-model"


def test_a_batch_answers_each_line_as_the_online_endpoint_would(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    lines = paper_lines(papers)
    batch = client.batches.retrieve(start(client, jsonl(*lines)).id)
    assert batch.status == "completed"
    output = by_custom_id(read_jsonl(client, batch.output_file_id))
    assert sorted(output) == sorted(line["custom_id"] for line in lines)
    for line in lines:
        record = output[line["custom_id"]]
        assert set(record) == {"id", "custom_id", "response", "error"}
        assert record["id"].startswith("batch_req_") and record["error"] is None
        response = record["response"]
        assert response["status_code"] == 200 and response["request_id"].startswith("req_")
        online = client.chat.completions.with_raw_response.create(**line["body"])
        assert without_ids(response["body"]) == without_ids(online.http_response.json())
        message = response["body"]["choices"][0]["message"]
        CardFields.model_validate_json(message["tool_calls"][0]["function"]["arguments"])
    stats = server.stats.snapshot()
    assert batch.usage is not None
    assert batch.usage.input_tokens == stats.batch_prompt_tokens > 0
    assert batch.usage.output_tokens == stats.batch_completion_tokens > 0
    output_file = client.files.retrieve(batch.output_file_id)  # type: ignore[arg-type]
    assert (output_file.purpose, output_file.filename) == (
        "batch_output",
        f"{batch.id}_output.jsonl",
    )


def test_output_lines_come_shuffled_unless_told_to_keep_the_order(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    wanted = [line["custom_id"] for line in paper_lines(papers)]
    shuffled = client.batches.retrieve(start(client, jsonl(*paper_lines(papers))).id)
    order = [record["custom_id"] for record in read_jsonl(client, shuffled.output_file_id)]
    assert sorted(order) == sorted(wanted) and order != wanted
    configure(server, shuffle_output=False)
    kept = client.batches.retrieve(start(client, jsonl(*paper_lines(papers))).id)
    assert [record["custom_id"] for record in read_jsonl(client, kept.output_file_id)] == wanted


# --- lines that fail --------------------------------------------------------------------


def test_lines_fail_inside_the_batch_with_openai_error_bodies(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    server.script_batch_lines(["ok", "500", "429", "ungrounded", "bad_json", "ok"])
    batch = client.batches.retrieve(start(client, jsonl(*paper_lines(papers[:6]))).id)
    assert batch.status == "completed"
    assert batch.request_counts.model_dump() == {"total": 6, "completed": 4, "failed": 2}
    errors = by_custom_id(read_jsonl(client, batch.error_file_id))
    assert sorted(errors) == ["paper-1", "paper-2"]
    server_error = errors["paper-1"]["response"]
    assert server_error["status_code"] == 500 and errors["paper-1"]["error"] is None
    assert server_error["body"]["error"]["type"] == "server_error"
    rate_limited = errors["paper-2"]["response"]["body"]["error"]
    assert (errors["paper-2"]["response"]["status_code"], rate_limited["code"]) == (
        429,
        "rate_limit_exceeded",
    )
    output = by_custom_id(read_jsonl(client, batch.output_file_id))
    assert sorted(output) == ["paper-0", "paper-3", "paper-4", "paper-5"]

    def arguments(custom_id: str) -> str:
        message = output[custom_id]["response"]["body"]["choices"][0]["message"]
        return str(message["tool_calls"][0]["function"]["arguments"])

    assert UNGROUNDED_QUOTE in arguments("paper-3")
    assert arguments("paper-4") == NOT_JSON
    CardFields.model_validate_json(arguments("paper-5"))
    assert server.stats.snapshot().by_batch_outcome == {
        "ok": 2,
        "500": 1,
        "429": 1,
        "ungrounded": 1,
        "bad_json": 1,
    }


def test_random_line_faults_follow_the_seed(papers: list[Paper]) -> None:
    def outcomes() -> dict[str, int]:
        config = ServerConfig(seed=7, batch=BatchConfig(fault_rate=0.5))
        with running_server(config) as running:
            with openai.OpenAI(base_url=running.base_url, api_key="k", max_retries=0) as sdk:
                sdk.batches.retrieve(start(sdk, jsonl(*paper_lines(papers))).id)
            return running.stats.snapshot().by_batch_outcome

    first = outcomes()
    assert first == outcomes()
    assert sum(first.values()) == len(papers)
    assert 0 < first.get("ok", 0) < len(papers)


def test_a_line_the_chat_logic_refuses_fails_with_its_400(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    server.config.context_tokens = 50
    no_messages = request_line("empty", {"model": "test-model", "messages": []})
    batch = client.batches.retrieve(
        start(client, jsonl(no_messages, request_line("long", chat_body(papers[0])))).id
    )
    assert batch.status == "completed" and batch.output_file_id is None
    errors = by_custom_id(read_jsonl(client, batch.error_file_id))
    assert errors["empty"]["response"]["status_code"] == 400
    assert errors["empty"]["response"]["body"]["error"]["param"] == "messages"
    assert errors["long"]["response"]["body"]["error"]["code"] == "context_length_exceeded"


def test_batch_faults_leave_the_online_endpoint_alone(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    configure(server, fault_rate=1.0, faults=("500",))
    server.script(["503"])
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(**chat_body(papers[0]))
    client.chat.completions.create(**chat_body(papers[0]))
    batch = client.batches.retrieve(start(client, jsonl(*paper_lines(papers[:3]))).id)
    assert batch.request_counts.failed == 3
    stats = server.stats.snapshot()
    assert stats.by_outcome == {"503": 1, "ok": 1}
    assert stats.by_batch_outcome == {"500": 3}


# --- a batch that fails validation ------------------------------------------------------


def _good(custom_id: str = "a", model: str = "test-model") -> dict[str, Any]:
    return request_line(custom_id, {"model": model, "messages": [{"role": "user", "content": "x"}]})


@pytest.mark.parametrize(
    ("data", "code", "line", "param"),
    [
        (jsonl(_good()) + b"not json\n", "invalid_json_line", 2, None),
        (
            jsonl({"method": "POST", "url": ENDPOINT, "body": {}}),
            "missing_required_parameter",
            1,
            "custom_id",
        ),
        (jsonl(_good("a"), _good("a")), "duplicate_custom_id", 2, "custom_id"),
        (jsonl(request_line("a", {}, url="/v1/embeddings")), "url_mismatch", 1, "url"),
        (jsonl(request_line("a", {}, method="GET")), "invalid_value", 1, "method"),
        (jsonl(request_line("a", [])), "invalid_type", 1, "body"),
        (jsonl(_good("a"), _good("b", model="other-model")), "mismatched_model", 2, "body.model"),
        (b"\n\n", "empty_file", None, None),
        (jsonl(_good("a"), _good("b"), _good("c")), "too_many_tasks", None, None),
    ],
)
def test_an_input_file_that_breaks_a_rule_fails_the_batch(
    client: openai.OpenAI,
    server: Server,
    clock: ManualClock,
    data: bytes,
    code: str,
    line: int | None,
    param: str | None,
) -> None:
    configure(server, validation_seconds=5, max_requests=2)
    created = start(client, data)
    assert created.status == "validating"
    clock.advance(5)
    batch = client.batches.retrieve(created.id)
    assert (batch.status, batch.failed_at) == ("failed", created.created_at + 5)
    assert batch.errors is not None and batch.errors.object == "list"
    assert [(e.code, e.line, e.param) for e in batch.errors.data or []] == [(code, line, param)]
    assert (batch.output_file_id, batch.error_file_id, batch.in_progress_at) == (None, None, None)
    assert batch.request_counts.total == 0
    assert server.stats.snapshot().batch_lines == 0


def test_every_bad_line_is_reported_with_its_number(client: openai.OpenAI) -> None:
    data = jsonl(_good("a"), _good("a")) + b"[1, 2]\n" + jsonl(_good("b"))
    batch = client.batches.retrieve(start(client, data).id)
    assert [(e.code, e.line) for e in batch.errors.data] == [  # type: ignore[union-attr]
        ("duplicate_custom_id", 2),
        ("invalid_json_line", 3),
    ]
    assert batch.errors.data[1].message == "This line is not parseable as valid JSON."  # type: ignore[union-attr]


def test_the_enqueued_token_limit_fails_a_batch_while_others_run(
    client: openai.OpenAI, server: Server, clock: ManualClock, papers: list[Paper]
) -> None:
    data = jsonl(*paper_lines(papers[:3]))
    first = start(client, data)
    tokens = client.batches.retrieve(first.id).usage.input_tokens  # type: ignore[union-attr]
    configure(server, seconds=100, enqueued_token_limit=int(tokens * 1.5))
    running = start(client, data)
    assert client.batches.retrieve(running.id).status == "in_progress"
    refused = client.batches.retrieve(start(client, data).id)
    assert refused.status == "failed"
    assert [e.code for e in refused.errors.data] == ["token_limit_exceeded"]  # type: ignore[union-attr]
    assert refused.errors.data[0].message == (  # type: ignore[union-attr]
        "Enqueued token limit reached for test-model in organization org-test. Limit: "
        f"{int(tokens * 1.5):,} enqueued tokens. Please try again once some in_progress "
        "batches have been completed."
    )
    clock.advance(100)
    assert client.batches.retrieve(running.id).status == "completed"
    assert client.batches.retrieve(start(client, data).id).status == "in_progress"


# --- expiry and cancelling ---------------------------------------------------------------


def test_an_expired_batch_keeps_what_was_done_and_expires_the_rest(
    client: openai.OpenAI, server: Server, clock: ManualClock, papers: list[Paper]
) -> None:
    configure(server, seconds=400, expiry_seconds=250)
    created = start(client, jsonl(*paper_lines(papers[:4])))
    clock.advance(249)
    assert client.batches.retrieve(created.id).status == "in_progress"
    clock.advance(1000)
    batch = client.batches.retrieve(created.id)
    assert (batch.status, batch.expired_at) == ("expired", created.created_at + 250)
    assert batch.finalizing_at is None and batch.completed_at is None
    assert batch.request_counts.model_dump() == {"total": 4, "completed": 2, "failed": 0}
    assert sorted(by_custom_id(read_jsonl(client, batch.output_file_id))) == ["paper-0", "paper-1"]
    expired = by_custom_id(read_jsonl(client, batch.error_file_id))
    assert sorted(expired) == ["paper-2", "paper-3"]
    for record in expired.values():
        assert record["response"] is None
        assert record["error"] == {"code": "batch_expired", "message": EXPIRED_MESSAGE}
    assert server.stats.snapshot().batch_lines == 2


def test_a_cancelled_batch_keeps_its_partial_output(
    client: openai.OpenAI, server: Server, clock: ManualClock, papers: list[Paper]
) -> None:
    configure(server, seconds=400, cancelling_seconds=30)
    created = start(client, jsonl(*paper_lines(papers[:4])))
    clock.advance(250)
    cancelling = client.batches.cancel(created.id)
    assert (cancelling.status, cancelling.cancelling_at) == ("cancelling", created.created_at + 250)
    assert cancelling.request_counts.completed == 2 and cancelling.output_file_id is None
    clock.advance(29)
    assert client.batches.retrieve(created.id).status == "cancelling"
    clock.advance(1)
    batch = client.batches.retrieve(created.id)
    assert (batch.status, batch.cancelled_at) == ("cancelled", created.created_at + 280)
    assert batch.request_counts.model_dump() == {"total": 4, "completed": 2, "failed": 0}
    assert sorted(by_custom_id(read_jsonl(client, batch.output_file_id))) == ["paper-0", "paper-1"]
    unrun = read_jsonl(client, batch.error_file_id)
    assert sorted(record["custom_id"] for record in unrun) == ["paper-2", "paper-3"]
    assert {record["error"]["code"] for record in unrun} == {"batch_cancelled"}
    assert client.batches.cancel(created.id).status == "cancelled"  # cancelling again is no error
    assert server.stats.snapshot().batch_lines == 2


def test_a_batch_cancelled_while_validating_runs_nothing(
    client: openai.OpenAI, server: Server, clock: ManualClock, papers: list[Paper]
) -> None:
    configure(server, validation_seconds=60)
    created = start(client, jsonl(*paper_lines(papers[:2])))
    assert client.batches.cancel(created.id).status == "cancelling"
    clock.advance(600)
    batch = client.batches.retrieve(created.id)
    assert (batch.status, batch.in_progress_at, batch.output_file_id) == ("cancelled", None, None)
    assert len(read_jsonl(client, batch.error_file_id)) == 2
    assert server.stats.snapshot().batch_lines == 0


def test_an_ended_batch_cannot_be_cancelled(client: openai.OpenAI, papers: list[Paper]) -> None:
    batch = client.batches.retrieve(start(client, jsonl(*paper_lines(papers[:1]))).id)
    with pytest.raises(openai.ConflictError, match="Cannot cancel a batch with status 'completed'"):
        client.batches.cancel(batch.id)


# --- the batch list and bad requests ------------------------------------------------------


def test_batches_are_listed_newest_first_in_pages(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    ids = [start(client, jsonl(*paper_lines(papers[:1]))).id for _ in range(5)]
    page = client.batches.list(limit=2)
    assert [batch.id for batch in page.data] == ids[:2:-1] == ids[::-1][:2]
    assert page.has_more
    raw = client.batches.with_raw_response.list(limit=2, after=ids[3]).http_response.json()
    assert (raw["object"], raw["first_id"], raw["last_id"], raw["has_more"]) == (
        "list",
        ids[2],
        ids[1],
        True,
    )
    assert [batch.id for batch in client.batches.list(limit=2)] == ids[::-1]
    assert [batch.status for batch in client.batches.list()] == ["completed"] * 5
    with pytest.raises(openai.BadRequestError):
        client.batches.list(limit=101)
    with pytest.raises(openai.BadRequestError, match="No batch found"):
        client.batches.list(after="batch_unknown")


def test_bad_batch_requests_get_openai_errors(client: openai.OpenAI, papers: list[Paper]) -> None:
    file_id = upload(client, jsonl(*paper_lines(papers[:1])))
    notes = client.files.create(file=("notes.txt", io.BytesIO(b"hi")), purpose="user_data").id
    good = {"input_file_id": file_id, "endpoint": ENDPOINT, "completion_window": "24h"}
    refusals = [
        ({**good, "input_file_id": "file-missing"}, "input_file_id"),
        ({**good, "input_file_id": notes}, "input_file_id"),
        ({**good, "completion_window": "48h"}, "completion_window"),
        ({**good, "endpoint": "/v1/embeddings"}, "endpoint"),
        ({**good, "endpoint": "/v2/anything"}, "endpoint"),
        ({**good, "metadata": {f"k{i}": "v" for i in range(17)}}, "metadata"),
        ({**good, "metadata": {"k": "v" * 513}}, "metadata.k"),
    ]
    for arguments, param in refusals:
        with pytest.raises(openai.BadRequestError) as refused:
            client.batches.create(**arguments)
        assert refused.value.param == param, arguments
    with pytest.raises(openai.NotFoundError, match="No batch found with id 'batch_missing'"):
        client.batches.retrieve("batch_missing")
    with pytest.raises(openai.NotFoundError):
        client.batches.cancel("batch_missing")


def test_a_required_key_guards_files_and_batches(server: Server) -> None:
    server.config.require_key = "sesame"
    with openai.OpenAI(base_url=server.base_url, api_key="wrong", max_retries=0) as stranger:
        with pytest.raises(openai.AuthenticationError):
            stranger.files.list()
        with pytest.raises(openai.AuthenticationError):
            stranger.batches.list()
    with openai.OpenAI(base_url=server.base_url, api_key="sesame", max_retries=0) as owner:
        assert list(owner.batches.list()) == []


# --- scripted statuses, stats, control routes, the command line ---------------------------


def test_a_scripted_batch_shows_one_status_per_retrieve(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    server.script_batch_statuses(
        ["validating", "in_progress", "in_progress", "finalizing", "completed"]
    )
    created = start(client, jsonl(*paper_lines(papers[:6])))
    seen = []
    for _ in range(7):
        batch = client.batches.retrieve(created.id)
        seen.append((batch.status, batch.request_counts.total, batch.request_counts.completed))
    assert seen == [
        ("validating", 0, 0),
        ("in_progress", 6, 2),
        ("in_progress", 6, 4),
        ("finalizing", 6, 6),
        ("completed", 6, 6),
        ("completed", 6, 6),
        ("completed", 6, 6),
    ]
    assert len(read_jsonl(client, batch.output_file_id)) == 6
    # The next batch is not scripted: it finishes at its first poll.
    assert client.batches.retrieve(start(client, jsonl(*paper_lines(papers[:1]))).id).status == (
        "completed"
    )


def test_scripted_expiry_and_failure(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    server.script_batch_statuses(["in_progress", "expired"])
    server.script_batch_statuses(["failed"])
    expiring = start(client, jsonl(*paper_lines(papers[:6])))
    failing = start(client, jsonl(*paper_lines(papers[:6])))
    assert client.batches.retrieve(expiring.id).request_counts.completed == 3
    expired = client.batches.retrieve(expiring.id)
    assert expired.status == "expired"
    codes = [record["error"]["code"] for record in read_jsonl(client, expired.error_file_id)]
    assert codes == ["batch_expired"] * 3
    failed = client.batches.retrieve(failing.id)
    assert failed.status == "failed"
    assert [e.code for e in failed.errors.data] == ["token_limit_exceeded"]  # type: ignore[union-attr]


def test_scripts_follow_the_life_cycle(server: Server) -> None:
    for impossible in (["completed"], ["in_progress", "validating"], ["failed", "in_progress"]):
        with pytest.raises(ValueError, match="cannot go from"):
            server.script_batch_statuses(impossible)
    with pytest.raises(ValueError, match="unknown outcome 'drop'"):
        server.script_batch_lines(["drop"])


def test_stats_show_that_no_paper_was_sent_twice(
    client: openai.OpenAI, server: Server, papers: list[Paper]
) -> None:
    lines = paper_lines(papers)
    first = start(client, jsonl(*lines[:6]))
    second = start(client, jsonl(*lines[6:]))
    for batch_id in (first.id, second.id):
        read_jsonl(client, client.batches.retrieve(batch_id).output_file_id)
    stats = server.stats.snapshot()
    assert stats.batch_custom_ids == {line["custom_id"]: 1 for line in lines}
    assert (stats.files_uploaded, stats.file_downloads, stats.batches_created) == (2, 2, 2)
    assert stats.batch_lines == len(lines) and stats.requests == 0
    start(client, jsonl(*lines[:1]))
    client.batches.list()
    assert server.stats.snapshot().batch_custom_ids["paper-0"] == 2


def test_the_control_route_scripts_batches(server: Server, papers: list[Paper]) -> None:
    control = server.base_url.removesuffix("/v1")
    answer = httpx.post(
        f"{control}/_script_batches", json={"lines": ["500"], "statuses": ["in_progress"]}
    )
    assert answer.status_code == 200 and answer.json() == {"pending_lines": ["500"]}
    for bad in ({"lines": ["drop"]}, {"statuses": ["completed"]}, {"lines": "500"}, [1]):
        assert httpx.post(f"{control}/_script_batches", json=bad).status_code == 400
    stats = httpx.get(f"{control}/_stats").json()
    assert {"batch_lines", "files_uploaded", "batch_custom_ids"} <= set(stats)


def test_batch_config_rejects_impossible_values() -> None:
    for fields in (
        {"fault_rate": 1.5},
        {"faults": ("stall",)},
        {"seconds": -1},
        {"expiry_seconds": 0},
        {"max_requests": 0},
        {"enqueued_token_limit": 0},
    ):
        with pytest.raises(ValueError):
            BatchConfig(**fields)


def test_the_command_line_serves_batches(papers: list[Paper]) -> None:
    command = [sys.executable, "-m", "summarizer.testserver", "--port", "0"]
    command += ["--batch-fault-rate", "1", "--batch-faults", "503", "--batch-keep-order"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        with openai.OpenAI(base_url=base_url, api_key="k", max_retries=0, timeout=10) as sdk:
            batch = sdk.batches.retrieve(start(sdk, jsonl(*paper_lines(papers[:2]))).id)
            assert batch.status == "completed"
            assert [r["response"]["status_code"] for r in read_jsonl(sdk, batch.error_file_id)] == [
                503,
                503,
            ]
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
