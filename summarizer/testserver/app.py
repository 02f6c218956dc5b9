"""The aiohttp application: routes, the chat-completions handler, and the server's life.

`Server` owns a config, the stats and the outcome pickers, the files and batches of the
Batch API, and serves them with aiohttp in the running event loop (`start`/`stop`).
`running_server` runs one in a background thread with its own loop, for tests and
benchmarks that call it from blocking code. A line of a batch is answered by the same
chat logic as an online request, with its own fault rate, faults and script.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

from summarizer.testserver.batch_api import BatchAPI
from summarizer.testserver.batch_input import BatchLine
from summarizer.testserver.batches import BatchBook, LineAnswer
from summarizer.testserver.chat import (
    BadRequest,
    ChatRequest,
    completion,
    error_body,
    parse_chat_request,
)
from summarizer.testserver.config import BATCH_FAULTS, OK, ServerConfig
from summarizer.testserver.faults import ERRORS, PAYLOADS, OutcomePicker, error_reply
from summarizer.testserver.files import FileStore
from summarizer.testserver.stats import ServerStats

# Seconds given to requests still in flight when the server stops; they are then cut.
SHUTDOWN_GRACE = 0.05

Reply = Callable[[web.Request, ChatRequest, str], Awaitable[web.StreamResponse]]


class Server:
    """An OpenAI-compatible chat-completions server for tests and benchmarks."""

    def __init__(self, config: ServerConfig | None = None) -> None:
        self.config = config if config is not None else ServerConfig()
        self.stats = ServerStats()
        self._picker = OutcomePicker(self.config.seed)
        self._batch_picker = OutcomePicker(f"batch-{self.config.seed}", allowed=(OK, *BATCH_FAULTS))
        self._latency_rng = random.Random(f"latency-{self.config.seed}")
        self._numbers = itertools.count(1)
        self.files = FileStore()
        self._batches = BatchBook(self.config, self.files, self._answer_batch_line)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._replies: dict[str, Reply] = {
            "drop": self._drop,
            "stall": self._stall,
            **dict.fromkeys(PAYLOADS, self._answer),
            **dict.fromkeys(ERRORS, self._fail),
        }

    # --- control ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the test server is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI base URL of the running server, e.g. http://127.0.0.1:PORT/v1."""
        host = self.config.host
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/v1"

    def script(self, outcomes: Iterable[str]) -> None:
        """Queue outcomes ("ok", "429", "bad_json", ...) for the next requests, in order."""
        self._picker.script(outcomes)

    def script_batch_lines(self, outcomes: Iterable[str]) -> None:
        """Queue outcomes for the next lines answered inside batches, in the order they run.

        Lines run in file order, batch after batch as they are polled; "drop" and
        "stall" do not exist inside a batch (ValueError).
        """
        self._batch_picker.script(outcomes)

    def script_batch_statuses(self, statuses: Iterable[str]) -> None:
        """Make the next batch created show `statuses`, one per retrieve (BatchBook)."""
        self._batches.script_statuses(statuses)

    def reset(self) -> None:
        """Zero the stats, drop the scripts, and restart random faults from config.seed.

        Files and batches stay, as they would in a provider's account.
        """
        self.stats.reset()
        self._picker.reset(self.config.seed)
        self._batch_picker.reset(f"batch-{self.config.seed}")
        self._batches.forget_scripts()
        self._latency_rng.seed(f"latency-{self.config.seed}")

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        app.router.add_get("/v1/models", self._models)
        BatchAPI(self.config, self.files, self._batches, self.stats, self._refuse).add_routes(
            app.router
        )
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_reset", self._reset)
        app.router.add_post("/_script", self._script)
        app.router.add_post("/_script_batches", self._script_batches)
        # Last, so it only sees what no route above took (wrong paths and methods).
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        return app

    async def start(self) -> str:
        """Serve on config.host:config.port in the running loop; returns the base URL."""
        runner = web.AppRunner(
            self.make_app(),
            access_log=None,
            # A client that gives up (timeout) cancels its handler: no stall outlives it.
            handler_cancellation=True,
            shutdown_timeout=SHUTDOWN_GRACE,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.config.host, self.config.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        return self.base_url

    async def stop(self) -> None:
        """Stop listening, cut requests still in flight, close every connection."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    # --- chat completions -------------------------------------------------------------

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        in_flight = self.stats.started()
        try:
            return await self._handle(request, in_flight)
        finally:
            self.stats.finished()

    def _refuse(self, request: web.Request) -> web.Response | None:
        """A 401 for a Files or Batches call without the required key; else None."""
        if self._authorized(request):
            return None
        status, body, _ = error_reply("unauthorized", retry_after=self.config.retry_after)
        return web.json_response(body, status=status)

    def _authorized(self, request: web.Request) -> bool:
        key = self.config.require_key
        return key is None or request.headers.get("Authorization") == f"Bearer {key}"

    async def _handle(self, request: web.Request, in_flight: int) -> web.StreamResponse:
        config = self.config
        if not self._authorized(request):
            return self._error_response("unauthorized")
        if config.max_concurrent is not None and in_flight > config.max_concurrent:
            return self._error_response("over_capacity", limit=config.max_concurrent)
        try:
            raw = await request.read()
            chat = parse_chat_request(json.loads(raw), size=len(raw))
        except ValueError:
            return self._bad_request(BadRequest("The request body is not valid JSON."))
        except BadRequest as problem:
            return self._bad_request(problem)
        self.stats.read(chat.mode, is_reask=chat.is_reask)
        if config.context_tokens is not None and chat.prompt_tokens > config.context_tokens:
            outcome = "400_context"
        else:
            outcome = self._picker.next(config.fault_rate, config.faults, is_reask=chat.is_reask)
        return await self._replies[outcome](request, chat, outcome)

    async def _answer(
        self, request: web.Request, chat: ChatRequest, outcome: str
    ) -> web.StreamResponse:
        """A 200 completion after the configured latency, broken if `outcome` says so."""
        config = self.config
        delay = config.latency
        if config.jitter:
            delay += self._latency_rng.uniform(-config.jitter, config.jitter)
        if delay > 0:
            await asyncio.sleep(delay)
        return self._completion_response(chat, outcome)

    def _completion_response(self, chat: ChatRequest, outcome: str) -> web.Response:
        self.stats.outcome(outcome)
        number = next(self._numbers)
        body = self._completion(chat, outcome, number, created=int(time.time()))
        usage = body["usage"]
        self.stats.billed(usage["prompt_tokens"], usage["completion_tokens"])
        return web.json_response(body, headers={"x-request-id": f"req_test{number:08d}"})

    def _completion(
        self, chat: ChatRequest, outcome: str, number: int, *, created: int
    ) -> dict[str, Any]:
        """The chat.completion answering `chat`, broken as the content fault `outcome` says."""
        card = self.config.answerer(chat.paper)
        payload = PAYLOADS[outcome](card, chat.paper)
        return completion(
            chat, payload, completion_id=f"chatcmpl-test{number:08d}", created=created
        )

    def _answer_batch_line(self, line: BatchLine, at: float) -> LineAnswer:
        """What the online endpoint would answer the line's body, with the batch's faults."""
        config = self.config
        number = next(self._numbers)
        prompt_tokens = completion_tokens = 0
        try:
            chat = parse_chat_request(line.body, size=line.size)
        except BadRequest as problem:
            outcome, status = "bad_request", 400
            body = error_body(problem.message, kind="invalid_request_error", param=problem.param)
        else:
            if config.context_tokens is not None and chat.prompt_tokens > config.context_tokens:
                outcome = "400_context"
            else:
                batch = config.batch
                outcome = self._batch_picker.next(
                    batch.fault_rate, batch.faults, is_reask=chat.is_reask
                )
            if outcome in ERRORS:
                status, body, _ = error_reply(
                    outcome,
                    retry_after=config.retry_after,
                    model=chat.model,
                    tokens=chat.prompt_tokens,
                    limit=config.context_tokens or max(1, chat.prompt_tokens // 2),
                )
            else:
                status = 200
                body = self._completion(chat, outcome, number, created=int(at))
                prompt_tokens = body["usage"]["prompt_tokens"]
                completion_tokens = body["usage"]["completion_tokens"]
        self.stats.batch_line(line.custom_id, outcome, prompt_tokens, completion_tokens)
        return LineAnswer(status_code=status, body=body, request_id=f"req_test{number:08d}")

    async def _stall(
        self, request: web.Request, chat: ChatRequest, outcome: str
    ) -> web.StreamResponse:
        """Answer well, but only after stall_seconds: past any sensible client timeout."""
        self.stats.outcome(outcome)
        await asyncio.sleep(self.config.stall_seconds)
        return self._completion_response(chat, OK)

    async def _drop(
        self, request: web.Request, chat: ChatRequest, outcome: str
    ) -> web.StreamResponse:
        """Close the connection without a word: the client sees a disconnect."""
        self.stats.outcome(outcome)
        request.protocol.force_close()
        if request.transport is not None:
            request.transport.abort()
        # The handler still has to return something; nothing can be written any more.
        return web.Response(status=499)

    async def _fail(
        self, request: web.Request, chat: ChatRequest, outcome: str
    ) -> web.StreamResponse:
        limit = self.config.context_tokens or max(1, chat.prompt_tokens // 2)
        return self._error_response(
            outcome, model=chat.model, tokens=chat.prompt_tokens, limit=limit
        )

    def _error_response(self, outcome: str, **fields: Any) -> web.Response:
        """The OpenAI error of `outcome`, with Retry-After on 429s."""
        self.stats.outcome(outcome)
        status, body, headers = error_reply(outcome, retry_after=self.config.retry_after, **fields)
        return web.json_response(body, status=status, headers=headers)

    def _bad_request(self, problem: BadRequest) -> web.Response:
        self.stats.outcome("bad_request")
        body = error_body(problem.message, kind="invalid_request_error", param=problem.param)
        return web.json_response(body, status=400)

    # --- everything else --------------------------------------------------------------

    async def _models(self, request: web.Request) -> web.Response:
        data = [
            {"id": model, "object": "model", "created": 0, "owned_by": "summarizer-testserver"}
            for model in self.config.models
        ]
        return web.json_response({"object": "list", "data": data})

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(self.stats.snapshot().to_dict())

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response(self.stats.snapshot().to_dict())

    async def _script(self, request: web.Request) -> web.Response:
        """Body {"outcomes": [...]}: queue them, as Server.script does."""
        try:
            outcomes = json.loads(await request.read())["outcomes"]
            if not isinstance(outcomes, list):
                raise TypeError
            self.script(outcomes)
        except (ValueError, KeyError, TypeError) as exc:
            message = str(exc) if isinstance(exc, ValueError) else "expected {'outcomes': [...]}"
            body = error_body(message, kind="invalid_request_error", param="outcomes")
            return web.json_response(body, status=400)
        return web.json_response({"pending": self._picker.pending()})

    async def _script_batches(self, request: web.Request) -> web.Response:
        """Body {"lines": [...], "statuses": [...]} (either may be left out)."""
        try:
            body = json.loads(await request.read())
            if not isinstance(body, dict):
                raise TypeError
            lines, statuses = body.get("lines", []), body.get("statuses")
            if not isinstance(lines, list) or not isinstance(statuses, list | None):
                raise TypeError
            self.script_batch_lines(lines)
            if statuses is not None:
                self.script_batch_statuses(statuses)
        except (ValueError, TypeError) as exc:
            message = (
                str(exc)
                if isinstance(exc, ValueError)
                else "expected {'lines': [...], 'statuses': [...]}"
            )
            body = error_body(message, kind="invalid_request_error", param=None)
            return web.json_response(body, status=400)
        return web.json_response({"pending_lines": self._batch_picker.pending()})

    async def _not_found(self, request: web.Request) -> web.Response:
        body = error_body(
            f"Invalid URL ({request.method} {request.path})", kind="invalid_request_error"
        )
        return web.json_response(body, status=404)


# --- in a background thread -------------------------------------------------------------


class _ServerThread:
    """One Server on its own event loop in a daemon thread."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="summarizer-testserver")

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            raise self._error

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join()

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            await self.server.start()
        except BaseException as exc:
            self._error = exc
            return
        finally:
            self._ready.set()
        try:
            await self._stop.wait()
        finally:
            await self.server.stop()


@contextmanager
def running_server(config: ServerConfig | None = None) -> Iterator[Server]:
    """A Server running in a background thread for the `with` block, then stopped.

    Binds config.host:config.port (127.0.0.1 and a free port by default); the yielded
    server's `base_url`, `stats`, `script()`, `reset()` and `config` are usable from
    the calling thread.
    """
    server = Server(config)
    thread = _ServerThread(server)
    thread.start()
    try:
        yield server
    finally:
        thread.stop()
