"""The Ray Data actor that makes cards: one `Summarizer` per actor, batches of papers in,
rows of results out.

Each actor builds one Summarizer from the run's settings (any engine: offline, an LLM
endpoint, a local GGUF), so prompt, schema, grounding and cache are the local ones. It
keeps one event loop on a thread of its own for its whole life: the engine's HTTP client
and the limiter belong to that loop, and each batch's papers run on it concurrently, as
`Summarizer.asummarize_many` runs them in one process.

Ray imports this module in its worker processes; it imports nothing from Ray itself
(its batches are pyarrow tables).
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from summarizer.api import Summarizer, SummaryResult
from summarizer.concurrency import AdaptiveLimiter, Limiter
from summarizer.engines import engine_kind
from summarizer.errors import InputError, RunStoppedError, SummarizerError
from summarizer.papers import Paper
from summarizer.scaleout.budget import SharedLimiter
from summarizer.scaleout.rows import (
    PAPER_COLUMN,
    RESULT_COLUMNS,
    error_row,
    paper_from_json,
    paper_from_record_row,
    result_row,
)
from summarizer.settings import Settings
from summarizer.source import Source

if TYPE_CHECKING:
    import pyarrow

# How the rows of a dataset of papers are read.
PAPER_ROWS = "papers"  # the batch's own: one `paper` column of Paper JSON
RECORD_ROWS = "records"  # a user's: title, abstract and identifiers, as a JSONL line


class CardMaker:
    """A callable class for `Dataset.map_batches`: a batch of paper rows -> result rows."""

    def __init__(
        self,
        settings: Settings,
        control: Any,
        actor_concurrency: int,
        rows: str = PAPER_ROWS,
        source_name: str = "dataset",
        report_unattempted: bool = False,
    ) -> None:
        self._control = control
        # The API's datasets give every paper a row, so a paper the run stopped before
        # gets one saying so; the batch counts those itself (not_attempted in run.json).
        self._report_unattempted = report_unattempted
        self._concurrency = actor_concurrency
        self._rows = rows
        self._source_name = source_name
        self._settings = settings
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        # A Summarizer that cannot be built here (an extra missing on this node, a model
        # file that is not there) stops the run with the reason, where raising would have
        # Ray restart the actor again and again.
        self._summarizer: Summarizer | None = None
        self._failure: SummarizerError | None = None
        try:
            self._summarizer = Summarizer(settings)
        except SummarizerError as error:
            error.stops_run = True
            self._failure = error
        self._limiter: Limiter | None = None
        self._stop: asyncio.Event | None = None

    def __call__(self, batch: pyarrow.Table) -> pyarrow.Table:
        """The results of a batch's papers (none for papers the run stopped before)."""
        import pyarrow

        rows = list(self._papers(batch.to_pylist()))
        papers = [paper for paper in rows if isinstance(paper, Paper)]
        results = [result for result in rows if isinstance(result, dict)]
        if papers:
            future = asyncio.run_coroutine_threadsafe(self._summarize(papers), self._loop)
            results += future.result()
        columns = {name: [row[name] for row in results] for name in RESULT_COLUMNS}
        return pyarrow.table(columns, schema=_result_schema())

    def _papers(self, rows: Iterable[dict[str, Any]]) -> Iterable[Paper | dict[str, Any]]:
        """Each row's Paper, or the error row of one that is none."""
        for row in rows:
            if self._rows == PAPER_ROWS:
                yield paper_from_json(row[PAPER_COLUMN])
                continue
            paper = paper_from_record_row(row, self._source_name)
            if isinstance(paper, InputError):
                title = str(row.get("title") or "")
                yield error_row("", title, Source(file=self._source_name, index=0), paper)
            else:
                yield paper

    async def _summarize(self, papers: list[Paper]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        if not await self._control.is_stopped.remote():
            rows = await self._summarize_now(papers)
        if self._report_unattempted and len(rows) < len(papers):
            rows += await self._unattempted(papers, rows)
        return rows

    async def _summarize_now(self, papers: list[Paper]) -> list[dict[str, Any]]:
        if self._summarizer is None:
            assert self._failure is not None
            await self._control.stop.remote(str(self._failure))
            return [result_row(SummaryResult(papers[0], error=self._failure))]
        limiter, stop = self._shared_limiter()
        rows: list[dict[str, Any]] = []
        stream = self._summarizer.asummarize_many(papers, limiter=limiter, stop=stop)
        try:
            async for result in stream:
                rows.append(result_row(result))
        except RunStoppedError as stopped:  # the other actors stop too
            await self._control.stop.remote(str(stopped.cause))
        cache = self._summarizer.cache
        if cache is not None and cache.problem is not None:
            await self._control.note_cache_problem.remote(cache.problem)
        return rows

    async def _unattempted(
        self, papers: list[Paper], rows: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Rows for the papers the run stopped before, each naming why."""
        reason = await self._control.stop_reason.remote()
        error = RunStoppedError(SummarizerError(reason or "the run was stopped"))
        done = Counter(row["paper_id"] for row in rows)
        missing = []
        for paper in papers:
            if done[paper.paper_id]:
                done[paper.paper_id] -= 1
            else:
                missing.append(result_row(SummaryResult(paper, error=error)))
        return missing

    def _shared_limiter(self) -> tuple[Limiter, asyncio.Event]:
        """This actor's limiter, made on its loop at first use: a share of the run's
        budget for an engine that sends requests, a local one otherwise."""
        if self._limiter is None or self._stop is None:
            self._stop = asyncio.Event()
            asks_model = engine_kind(self._settings.engine).asks_model
            self._limiter = (
                SharedLimiter(self._control, self._concurrency, self._stop)
                if asks_model
                else AdaptiveLimiter(self._concurrency)
            )
        return self._limiter, self._stop

    def __del__(self) -> None:
        summarizer = getattr(self, "_summarizer", None)
        if summarizer is not None:
            summarizer.close()


def _result_schema() -> pyarrow.Schema:
    import pyarrow

    return pyarrow.schema([(name, pyarrow.string()) for name in RESULT_COLUMNS])
