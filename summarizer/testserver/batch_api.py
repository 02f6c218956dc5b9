"""The Files and Batches endpoints, in OpenAI's shapes: what the openai SDK's
`client.files` and `client.batches` call.

    POST /v1/files                  multipart: file, purpose -> File object
    GET  /v1/files                  ?purpose, limit, order, after -> list
    GET  /v1/files/{id}             File object
    GET  /v1/files/{id}/content     the file's bytes
    DELETE /v1/files/{id}           {"id", "object": "file", "deleted": true}
    POST /v1/batches                {input_file_id, endpoint, completion_window, metadata}
    GET  /v1/batches                ?limit, after -> list, newest first
    GET  /v1/batches/{id}           Batch object
    POST /v1/batches/{id}/cancel    Batch object, cancelling

Lists are `{"object": "list", "data", "first_id", "last_id", "has_more"}`; errors are
OpenAI's `{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from summarizer.testserver.batches import Batch, BatchBook, BatchRefused
from summarizer.testserver.chat import error_body
from summarizer.testserver.config import ServerConfig
from summarizer.testserver.files import UPLOAD_PURPOSES, FileRecord, FileStore
from summarizer.testserver.stats import ServerStats

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# Returns the response that turns the request away, or None to serve it.
Gate = Callable[[web.Request], web.Response | None]

MAX_BATCH_PAGE = 100
DEFAULT_BATCH_PAGE = 20
MAX_FILE_PAGE = 10_000
_CHUNK = 64 * 1024


class BatchAPI:
    """The handlers of the Files and Batches endpoints over a FileStore and a BatchBook."""

    def __init__(
        self,
        config: ServerConfig,
        files: FileStore,
        book: BatchBook,
        stats: ServerStats,
        gate: Gate,
    ) -> None:
        self._config = config
        self._files = files
        self._book = book
        self._stats = stats
        self._gate = gate

    def add_routes(self, router: web.UrlDispatcher) -> None:
        routes: list[tuple[str, str, Handler]] = [
            ("POST", "/v1/files", self._upload),
            ("GET", "/v1/files", self._list_files),
            ("GET", "/v1/files/{file_id}", self._get_file),
            ("GET", "/v1/files/{file_id}/content", self._file_content),
            ("DELETE", "/v1/files/{file_id}", self._delete_file),
            ("POST", "/v1/batches", self._create_batch),
            ("GET", "/v1/batches", self._list_batches),
            ("GET", "/v1/batches/{batch_id}", self._get_batch),
            ("POST", "/v1/batches/{batch_id}/cancel", self._cancel_batch),
        ]
        for method, path, handler in routes:
            router.add_route(method, path, self._gated(handler))

    def _gated(self, handler: Handler) -> Handler:
        async def gated(request: web.Request) -> web.StreamResponse:
            refusal = self._gate(request)
            if refusal is not None:
                return refusal
            try:
                return await handler(request)
            except BatchRefused as refused:
                return _refusal(refused)

        return gated

    # --- files ------------------------------------------------------------------------

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        upload = await _read_upload(request, self._config.batch.max_file_bytes)
        if upload.content is None:
            raise BatchRefused(400, "Missing required parameter: 'file'.", param="file")
        if upload.purpose is None:
            raise BatchRefused(400, "Missing required parameter: 'purpose'.", param="purpose")
        if upload.purpose not in UPLOAD_PURPOSES:
            raise BatchRefused(
                400,
                f"'{upload.purpose}' is not one of {list(UPLOAD_PURPOSES)} - 'purpose'",
                param="purpose",
            )
        if upload.purpose == "batch" and not upload.filename.endswith(".jsonl"):
            raise BatchRefused(400, "Invalid file format for Batch API. Must be .jsonl")
        record = self._files.add(
            filename=upload.filename,
            purpose=upload.purpose,
            content=upload.content,
            created_at=int(self._config.clock()),
        )
        self._stats.uploaded(len(upload.content))
        return web.json_response(record.to_dict())

    async def _list_files(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        limit = _limit(query.get("limit"), default=MAX_FILE_PAGE, most=MAX_FILE_PAGE)
        order = query.get("order", "desc")
        if order not in ("asc", "desc"):
            raise BatchRefused(
                400,
                f"Invalid value: '{order}'. Supported values are: 'asc' and 'desc'.",
                param="order",
            )
        records = self._files.listed(purpose=query.get("purpose"), newest_first=order == "desc")
        after = query.get("after")
        if after is not None:
            ids = [record.id for record in records]
            if after not in ids:
                raise BatchRefused(400, f"No such File object: {after}", param="after")
            records = records[ids.index(after) + 1 :]
        page = [record.to_dict() for record in records[:limit]]
        return web.json_response(_list(page, has_more=len(records) > limit))

    async def _get_file(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self._file(request).to_dict())

    async def _file_content(self, request: web.Request) -> web.StreamResponse:
        record = self._file(request)
        self._stats.downloaded()
        return web.Response(body=record.content, content_type="application/octet-stream")

    async def _delete_file(self, request: web.Request) -> web.StreamResponse:
        record = self._file(request)
        self._files.delete(record.id)
        return web.json_response({"id": record.id, "object": "file", "deleted": True})

    def _file(self, request: web.Request) -> FileRecord:
        file_id = request.match_info["file_id"]
        record = self._files.get(file_id)
        if record is None:
            raise BatchRefused(404, f"No such File object: {file_id}", param="id")
        return record

    # --- batches ----------------------------------------------------------------------

    async def _create_batch(self, request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise BatchRefused(400, "The request body must be a JSON object.")
        batch = self._book.create(
            input_file_id=body.get("input_file_id"),
            endpoint=body.get("endpoint"),
            completion_window=body.get("completion_window"),
            metadata=body.get("metadata"),
        )
        self._stats.batch_created()
        return web.json_response(batch.to_dict())

    async def _list_batches(self, request: web.Request) -> web.StreamResponse:
        limit = _limit(request.query.get("limit"), default=DEFAULT_BATCH_PAGE, most=MAX_BATCH_PAGE)
        batches, has_more = self._book.page(limit=limit, after=request.query.get("after"))
        return web.json_response(_list([batch.to_dict() for batch in batches], has_more=has_more))

    async def _get_batch(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self._batch(request, self._book.get).to_dict())

    async def _cancel_batch(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(self._batch(request, self._book.cancel).to_dict())

    @staticmethod
    def _batch(request: web.Request, fetch: Callable[[str], Batch]) -> Batch:
        batch_id = request.match_info["batch_id"]
        try:
            return fetch(batch_id)
        except KeyError:
            raise BatchRefused(404, f"No batch found with id '{batch_id}'.") from None


@dataclass
class _Upload:
    purpose: str | None = None
    filename: str = "upload"
    content: bytes | None = None


async def _read_upload(request: web.Request, max_bytes: int) -> _Upload:
    """The purpose, filename and content of a multipart upload; BatchRefused past max_bytes."""
    if not request.content_type.startswith("multipart/"):
        raise BatchRefused(400, "The upload must be multipart/form-data.")
    upload = _Upload()
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise BatchRefused(400, "Nested multipart bodies are not supported.")
        if part.name == "file":
            upload.filename = part.filename or upload.filename
            upload.content = await _read_capped(part, max_bytes)
        elif part.name == "purpose":
            upload.purpose = await part.text()
        else:
            await part.release()
    return upload


async def _read_capped(part: BodyPartReader, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise BatchRefused(
                400,
                f"File is too large: a batch input file may be at most {max_bytes} bytes.",
                param="file",
                code="file_too_large",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _limit(text: str | None, *, default: int, most: int) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise BatchRefused(
            400, f"Invalid 'limit': expected an integer between 1 and {most}.", param="limit"
        )
    return value


def _list(data: list[dict[str, Any]], *, has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def _refusal(refused: BatchRefused) -> web.Response:
    body = error_body(
        refused.message, kind="invalid_request_error", code=refused.code, param=refused.param
    )
    return web.json_response(body, status=refused.status)
