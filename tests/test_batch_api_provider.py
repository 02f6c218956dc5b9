"""One test per assumption summarizer makes of the openai SDK's Files and Batches API
(summarizer/batch_api/provider.py): an upgrade that breaks one fails here."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import openai
import pytest
from openai.types import Batch
from openai.types.chat import ChatCompletion

from summarizer.batch_api.provider import BatchClient, batch_info, chat_completion
from summarizer.errors import AuthenticationError, BatchAPIError, EndpointUnreachableError
from summarizer.retries import RetryPolicy
from summarizer.settings import Settings, resolve_settings
from summarizer.testserver import ServerConfig, running_server
from summarizer.testserver.app import Server

T = TypeVar("T")
LINE = {
    "custom_id": "a",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {
        "model": "test-model",
        "messages": [{"role": "user", "content": "<abstract>We propose X.</abstract>"}],
    },
}


def settings_for(server: Server, **extra: Any) -> Settings:
    return resolve_settings(base_url=server.base_url, model="test-model", environ={}, **extra)


def run(make: Callable[[BatchClient], Awaitable[T]], settings: Settings) -> T:
    async def go() -> T:
        client = BatchClient(settings, RetryPolicy(max_attempts=2, initial_backoff=0.01))
        try:
            return await make(client)
        finally:
            await client.close()

    return asyncio.run(go())


# 1. Files: upload from disk as multipart with purpose batch, stream back to disk, delete.
def test_files_are_uploaded_and_downloaded_from_and_to_disk_and_deleted(
    test_server: Server, tmp_path: Path
) -> None:
    data = (json.dumps(LINE) + "\n").encode() * 2000  # 0.5 MB: several chunks each way
    source, copy = tmp_path / "part.jsonl", tmp_path / "copy.jsonl"
    source.write_bytes(data)

    async def go(client: BatchClient) -> str:
        file_id = await client.upload(source)
        await client.download(file_id, copy)
        await client.delete_file(file_id)
        await client.delete_file(file_id)  # gone already: ignored
        return file_id

    file_id = run(go, settings_for(test_server))
    assert file_id.startswith("file-") and copy.read_bytes() == data
    assert not (tmp_path / "copy.jsonl.partial").exists()
    assert test_server.stats.snapshot().files_uploaded == 1
    assert test_server.stats.snapshot().bytes_uploaded == len(data)


# 2. Batches: create, retrieve, cancel, and list in pages, newest first.
def test_batches_are_created_retrieved_cancelled_and_found_by_metadata(
    test_server: Server, tmp_path: Path
) -> None:
    test_server.config.batch.seconds = 10**6  # stays in progress
    data = tmp_path / "part.jsonl"
    data.write_text(json.dumps(LINE) + "\n")

    async def go(client: BatchClient) -> list[Any]:
        made = []
        for number in range(3):
            file_id = await client.upload(data)
            made.append(await client.create(file_id, {"summarizer_part": f"t{number}"}))
        retrieved = await client.retrieve(made[1].id)
        cancelled = await client.cancel(made[2].id)
        found = await client.find("summarizer_part", "t0", since=0)
        missing = await client.find("summarizer_part", "nope", since=0)
        return [made, retrieved, cancelled, found, missing]

    made, retrieved, cancelled, found, missing = run(go, settings_for(test_server))
    assert [info.status for info in made] == ["validating"] * 3
    assert retrieved.id == made[1].id and retrieved.status == "in_progress"
    assert retrieved.total == 1 and retrieved.metadata == {"summarizer_part": "t1"}
    assert cancelled.status in ("cancelling", "cancelled")
    assert found is not None and found.id == made[0].id
    assert missing is None


def test_finding_a_batch_follows_pages_and_stops_at_older_batches(
    test_server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "part.jsonl"
    data.write_text(json.dumps(LINE) + "\n")
    pages: list[int] = []

    async def go(client: BatchClient) -> tuple[Any, Any]:
        for number in range(5):
            file_id = await client.upload(data)
            await client.create(file_id, {"summarizer_part": f"t{number}"})
        monkeypatch.setattr("summarizer.batch_api.provider._PAGE", 2)
        listing = client._client.batches.list

        def counted(**kwargs: Any) -> Any:
            pages.append(1)
            return listing(**kwargs)

        monkeypatch.setattr(client._client.batches, "list", counted)
        oldest = await client.find("summarizer_part", "t0", since=0)
        too_late = await client.find("summarizer_part", "t0", since=10**11)
        return oldest, too_late

    oldest, too_late = run(go, settings_for(test_server))
    assert oldest is not None and oldest.metadata == {"summarizer_part": "t0"}
    assert too_late is None  # the first page is older than the part: no further pages
    assert len(pages) == 3 + 1


# 3. Null counts, null errors and "" file ids mean none.
def test_null_counts_and_empty_file_ids_mean_none() -> None:
    batch = Batch.model_validate(
        {
            "id": "b",
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": "f",
            "completion_window": "24h",
            "status": "failed",
            "created_at": 1,
            "output_file_id": "",
            "error_file_id": None,
            "request_counts": None,
            "errors": {
                "object": None,
                "data": [{"code": "token_limit_exceeded", "line": None, "message": "full"}],
            },
        }
    )
    info = batch_info(batch)
    assert info.output_file_id is None and info.error_file_id is None
    assert (info.total, info.completed, info.failed) == (None, None, None)
    assert info.errors == ("token_limit_exceeded: full",) and info.ended


# 4. A result line's body becomes the ChatCompletion an online answer would be.
def test_a_result_body_is_built_like_an_online_answer(test_server: Server) -> None:
    with openai.OpenAI(base_url=test_server.base_url, api_key="k", max_retries=0) as sdk:
        online = sdk.post("/chat/completions", body=LINE["body"], cast_to=ChatCompletion)
    built = chat_completion(online.model_dump(mode="json"))
    assert type(built) is type(online)
    assert type(built.choices[0].message) is type(online.choices[0].message)
    assert type(built.usage) is type(online.usage)
    assert built.model_dump() == online.model_dump()


# 5. HTTP errors and no answer are the SDK's exceptions, retried and translated.
def test_errors_are_retried_and_become_one_line(test_server: Server, tmp_path: Path) -> None:
    data = tmp_path / "x.jsonl"
    data.write_bytes(b"{}\n")

    async def upload(client: BatchClient) -> str:
        return await client.upload(data)

    test_server.config.require_key = "right"
    with pytest.raises(AuthenticationError) as refused:
        run(upload, settings_for(test_server, api_key="wrong-key-123"))
    assert "the API key was refused" in str(refused.value)
    assert "wrong-key-123" not in str(refused.value)

    async def create(client: BatchClient) -> Any:
        return await client.create("file-nope", {})

    with pytest.raises(BatchAPIError) as missing:
        run(create, settings_for(test_server, api_key="right"))
    assert str(missing.value).startswith(
        f"LLM endpoint at {test_server.base_url} (HTTP 400): creating the batch "
        "(POST /batches) failed: No such File object: file-nope"
    )


def test_an_endpoint_without_a_batch_api_is_named(tmp_path: Path) -> None:
    data = tmp_path / "x.jsonl"
    data.write_bytes(b"{}\n")
    with running_server(ServerConfig()) as server:
        # No route under /v2: every path is a 404, as at a server with no Batch API.
        settings = settings_for(server).with_overrides(base_url=server.base_url[:-1] + "2")

        async def upload(client: BatchClient) -> str:
            return await client.upload(data)

        with pytest.raises(BatchAPIError) as missing:
            run(upload, settings)
    assert "this endpoint offers no Batch API" in str(missing.value)


def test_an_endpoint_that_is_down_fails_fast() -> None:
    settings = resolve_settings(base_url="http://127.0.0.1:9/v1", model="m", environ={})

    async def retrieve(client: BatchClient) -> Any:
        return await client.retrieve("batch_1")

    with pytest.raises(EndpointUnreachableError) as down:
        run(retrieve, settings)
    assert "polling batch batch_1" in str(down.value)
    assert "run the same command again to collect them" in str(down.value)
