"""A provider's Files and Batches API through the openai SDK, and what summarizer assumes
of it beyond plain use. Each assumption has its own test (tests/test_batch_api_provider.py),
so an upgrade that breaks one fails that test, not a run:

1. `client.files.create(file=(name, open_file), purpose="batch")` uploads a JSONL file
   as multipart, streamed from the open file (the SDK passes a file object through to
   httpx), and returns a FileObject with its `id`;
   `client.files.with_streaming_response.content(id)` streams a file's bytes to disk
   (`stream_to_file`); `client.files.delete(id)` removes one.
2. `client.batches.create(input_file_id=, endpoint="/v1/chat/completions",
   completion_window="24h", metadata=)`, `.retrieve(id)` and `.cancel(id)` return an
   `openai.types.Batch`; `.list(limit=, after=)` returns a page (`data`, newest first,
   and `has_more`), the next page `after` the last id of this one.
3. A Batch's `request_counts`, `errors`, `output_file_id` and `error_file_id` may be
   null, and a file id may be "" (seen in the wild): both mean none.
4. `ChatCompletion.model_construct(**body)` builds a result line's body into the nested
   objects (message, tool calls, usage) that `client.post(..., cast_to=ChatCompletion)`
   makes of an online answer, without validating it, as the SDK does: a Batch API answer
   is read exactly like an online one.
5. The SDK raises `APIStatusError` (`status_code`, the inner error as `body`) for HTTP
   errors and `APIConnectionError` for no answer, as for chat requests, so
   summarizer.retries retries these calls with the same policy.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

from summarizer.errors import (
    AuthenticationError,
    BatchAPIError,
    EndpointUnreachableError,
    SummarizerError,
)
from summarizer.redaction import redact_error
from summarizer.retries import RetryPolicy, is_connection_error
from summarizer.settings import Settings

T = TypeVar("T")

ENDPOINT: Final = "/v1/chat/completions"
COMPLETION_WINDOW: Final = "24h"
# Statuses after which a batch changes no more.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
# Listing batches to find one a killed run created: how far back to look before the part
# was recorded (clocks differ between this machine and the provider).
_CLOCK_SLACK_SECONDS = 600
_PAGE = 100
# A request that carries a whole input or result file gets more time than a chat request.
_TRANSFER_TIMEOUT_SECONDS = 600.0
_PLACEHOLDER_KEY = "sk-no-key-required"


@dataclass(frozen=True)
class BatchInfo:
    """What summarizer reads of a provider's Batch object."""

    id: str
    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None
    total: int | None = None
    completed: int | None = None
    failed: int | None = None
    created_at: int | None = None
    metadata: Mapping[str, str] | None = None
    # Why a batch failed validation: "code (line N): message", one per problem.
    errors: tuple[str, ...] = ()

    @property
    def ended(self) -> bool:
        return self.status in TERMINAL


def batch_info(batch: Any) -> BatchInfo:
    """Our view of an `openai.types.Batch` (null counts, "" file ids: none)."""
    counts = getattr(batch, "request_counts", None)
    errors = getattr(getattr(batch, "errors", None), "data", None) or []
    return BatchInfo(
        id=str(batch.id),
        status=str(batch.status),
        output_file_id=getattr(batch, "output_file_id", None) or None,
        error_file_id=getattr(batch, "error_file_id", None) or None,
        total=getattr(counts, "total", None),
        completed=getattr(counts, "completed", None),
        failed=getattr(counts, "failed", None),
        created_at=getattr(batch, "created_at", None),
        metadata=dict(getattr(batch, "metadata", None) or {}),
        errors=tuple(_describe_error(error) for error in errors),
    )


def _describe_error(error: Any) -> str:
    code = getattr(error, "code", None) or "error"
    line = getattr(error, "line", None)
    where = f" (line {line})" if line is not None else ""
    return f"{code}{where}: {getattr(error, 'message', None) or ''}".rstrip(": ")


def chat_completion(body: Mapping[str, Any]) -> Any:
    """A result line's body as the SDK's ChatCompletion, built as for an online answer."""
    from openai.types.chat import ChatCompletion

    return ChatCompletion.model_construct(**dict(body))


class BatchClient:
    """Files and Batches calls to the settings' endpoint, each with the retry policy."""

    def __init__(self, settings: Settings, policy: RetryPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy or RetryPolicy()
        self._sdk: Any = None

    @property
    def _client(self) -> Any:
        """The SDK's async client, made on first use (a run with nothing to send or
        poll never imports openai)."""
        if self._sdk is None:
            import openai

            timeout = self.settings.timeout
            self._sdk = openai.AsyncOpenAI(
                base_url=self.settings.base_url,
                api_key=self.settings.api_key or _PLACEHOLDER_KEY,
                max_retries=0,  # summarizer.retries is the only retry policy
                timeout=openai.Timeout(timeout, connect=min(timeout, 10.0)),
            )
        return self._sdk

    async def close(self) -> None:
        if self._sdk is not None:
            await self._sdk.close()
            self._sdk = None

    async def upload(self, path: Path) -> str:
        """Upload a batch input file from disk (streamed, not read into memory); its id."""

        async def send() -> Any:
            with path.open("rb") as handle:
                return await self._client.files.create(
                    file=(path.name, handle),
                    purpose="batch",
                    timeout=max(self.settings.timeout, _TRANSFER_TIMEOUT_SECONDS),
                )

        created = await self._call("uploading the batch input (POST /files)", send)
        return str(created.id)

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        """Start a chat-completions batch over an uploaded file."""
        batch = await self._call(
            "creating the batch (POST /batches)",
            lambda: self._client.batches.create(
                input_file_id=input_file_id,
                endpoint=ENDPOINT,
                completion_window=COMPLETION_WINDOW,
                metadata=metadata,
            ),
        )
        return batch_info(batch)

    async def retrieve(self, batch_id: str) -> BatchInfo:
        batch = await self._call(
            f"polling batch {batch_id} (GET /batches/{batch_id})",
            lambda: self._client.batches.retrieve(batch_id),
        )
        return batch_info(batch)

    async def cancel(self, batch_id: str) -> BatchInfo:
        batch = await self._call(
            f"cancelling batch {batch_id} (POST /batches/{batch_id}/cancel)",
            lambda: self._client.batches.cancel(batch_id),
        )
        return batch_info(batch)

    async def download(self, file_id: str, path: Path) -> None:
        """Stream a file's content to `path` (replaced whole, never left half written)."""
        partial = path.with_name(path.name + ".partial")

        async def send() -> None:
            streamed = self._client.files.with_streaming_response.content(
                file_id, timeout=max(self.settings.timeout, _TRANSFER_TIMEOUT_SECONDS)
            )
            async with streamed as response:
                await response.stream_to_file(partial)

        try:
            await self._call(f"downloading file {file_id} (GET /files/{file_id}/content)", send)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)

    async def delete_file(self, file_id: str) -> None:
        """Remove a file; a failure is ignored (the provider expires batch files anyway)."""
        try:
            await self._client.files.delete(file_id)
        except Exception:  # best effort: nothing depends on it
            return

    async def find(self, key: str, value: str, *, since: float) -> BatchInfo | None:
        """The batch whose metadata has `key` = `value`, created after `since` (Unix
        seconds, less some slack), or None: how a run finds a batch it created just
        before it was killed."""
        after: str | None = None
        while True:
            listing = functools.partial(self._client.batches.list, limit=_PAGE)
            if after is not None:
                listing = functools.partial(listing, after=after)
            page = await self._call("listing batches (GET /batches)", listing)
            batches = list(page.data)
            for batch in batches:
                if (batch.metadata or {}).get(key) == value:
                    return batch_info(batch)
            too_old = any(
                batch.created_at is not None and batch.created_at < since - _CLOCK_SLACK_SECONDS
                for batch in batches
            )
            if not batches or too_old or not getattr(page, "has_more", False):
                return None
            after = batches[-1].id

    async def _call(self, action: str, send: Callable[[], Awaitable[T]]) -> T:
        try:
            return await self.policy.acall(functools.partial(_await, send))
        except Exception as exc:
            raise batch_api_error(exc, action, self.settings) from exc


async def _await(send: Callable[[], Awaitable[T]]) -> T:
    return await send()


def batch_api_error(exc: BaseException, action: str, settings: Settings) -> SummarizerError:
    """A one-line error for a failed Files or Batches call, with its fix, secrets redacted."""
    from summarizer.engines.llm_errors import server_message

    url = settings.base_url or "https://api.openai.com/v1"
    status = getattr(exc, "status_code", None)
    error: SummarizerError
    if is_connection_error(exc):
        error = EndpointUnreachableError(
            f"{action}: no answer, after retries",
            base_url=url,
            hint="is the server running? check --base-url; batches already submitted "
            "keep running: run the same command again to collect them",
        )
    elif status in (401, 403):
        error = AuthenticationError(
            f"{action}: the API key was refused: {server_message(exc)}",
            base_url=url,
            status=status,
            hint="check OPENAI_API_KEY",
        )
    elif status in (404, 405) and ("POST /files" in action or "POST /batches)" in action):
        error = BatchAPIError(
            f"{action}: {server_message(exc)}",
            base_url=url,
            status=status,
            hint="this endpoint offers no Batch API (Files and Batches); see "
            "docs/batch-api.md for providers that do, or run without --batch-api",
        )
    else:
        error = BatchAPIError(
            f"{action} failed: {server_message(exc)}",
            base_url=url,
            status=status if isinstance(status, int) else None,
            hint="batches already submitted keep running: run the same command again "
            "to collect them",
        )
    return redact_error(error, settings.secrets)
