"""A batch's papers through Ray: the driver side of `summarizer batch --ray`.

`ray_results` (entered before the batch opens its output files: it checks what could
refuse the run and joins Ray) gives a `RayResults`, a source of results like the batch's
others (summarizer.batch): called with the run's stop event, it puts the papers still to
do into a Ray Dataset, has a pool of card-making actors summarize them under one shared
concurrency budget, and yields each result as a SummaryResult as it streams in. Locking,
resume, duplicates, recipe checks, cards.jsonl, errors.jsonl, run.json, tables, Ctrl-C
and its grace stay with the batch, exactly as in a local run.

Ray's iteration blocks, so it runs on a thread of its own that hands rows to the event
loop. Stopping: an error every further paper would meet (a refused key, an unknown
model, an endpoint that is down) stops every actor's requests through the budget; the
requests under way finish, the other papers pass through without one, and the source
raises RunStoppedError at the end, as `asummarize_many` does. The stop event (Ctrl-C)
stops putting papers into Ray and every actor's requests; results under way still come
until the batch's grace is over. Answers that arrived are in the cache either way.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager, suppress
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from summarizer.api import SummaryResult
from summarizer.engines import engine_kind
from summarizer.errors import ConfigError, RunStoppedError, SummarizerError
from summarizer.papers import Paper
from summarizer.scaleout.budget import BudgetStats, RunControl
from summarizer.scaleout.cluster import cluster_cpus, connected, import_ray, quiet_ray_data
from summarizer.scaleout.dataset import papers_dataset, results_dataset
from summarizer.scaleout.options import RayOptions, WorkSplit, split_work
from summarizer.scaleout.rows import result_from_row
from summarizer.settings import Settings

if TYPE_CHECKING:
    from summarizer.batch import BatchReport
    from summarizer.cards import Usage
    from summarizer.recipe import Recipe

INTERRUPTED = "interrupted"
# Rows handed from Ray's thread to the event loop and not yet recorded, at most.
HANDOFF_ROWS = 1024
# How often a thread waiting on the event loop looks whether the run was given up.
POLL_SECONDS = 0.2
_END = object()


@contextmanager
def ray_results(
    settings: Settings,
    papers: Iterable[Paper],
    options: RayOptions,
    *,
    concurrency: int,
    todo: int,
) -> Iterator[RayResults]:
    """The results of `papers` (`todo` of them) on Ray, ready to start: everything that
    could refuse the run (Ray missing, the cluster's address, actors no node can hold)
    is checked on entering. Ray is joined (or started) for the block and left after;
    with nothing to do it is not joined at all."""
    import_ray()
    if not todo:
        yield RayResults(None, settings, papers, None, concurrency)
        return
    with connected(options.address) as ray:
        quiet_ray_data()
        split = split_work(
            options,
            concurrency=concurrency,
            asks_model=engine_kind(settings.engine).asks_model,
            cluster_cpus=cluster_cpus(ray),
            papers=todo,
        )
        check_actors_fit(ray, split)
        yield RayResults(ray, settings, papers, split, concurrency)


class RayResults:
    """The run's papers through a pool of Ray actors (see `ray_results`); after the run,
    `concurrency` and `cache_problem` say what the cluster saw, for run.json."""

    def __init__(
        self,
        ray: ModuleType | None,
        settings: Settings,
        papers: Iterable[Paper],
        split: WorkSplit | None,
        concurrency: int,
    ) -> None:
        self._ray = ray
        self._settings = settings
        self._papers = papers
        self._split = split
        self.concurrency: dict[str, int] = {"maximum": concurrency}
        self.cache_problem: str | None = None

    def __call__(self, stop: asyncio.Event) -> AsyncIterator[SummaryResult]:
        return self._results(stop)

    def finish(
        self, report: BatchReport, recipe: Recipe, usage: Usage, prices: Path | None
    ) -> None:
        """What the cluster saw, for run.json: the actors' caches and the shared budget."""
        del recipe, usage, prices
        report.cache_problem, report.concurrency = self.cache_problem, self.concurrency

    async def _results(self, stop: asyncio.Event) -> AsyncIterator[SummaryResult]:
        ray, split = self._ray, self._split
        if ray is None or split is None:
            return
        control = start_control(ray, split)
        feed = _Feed(ray, self._settings, self._papers, split, control)
        feed.start(asyncio.get_running_loop())

        async def on_stop() -> None:
            await stop.wait()
            feed.interrupt()

        watcher = asyncio.create_task(on_stop())
        stopped: SummarizerError | None = None
        try:
            while (item := await feed.rows.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                result = result_from_row(item)
                error = result.error
                if error is not None and error.stops_run and stopped is None:
                    stopped = error
                    control.stop.remote(str(error))
                yield result
        finally:
            watcher.cancel()
            self._note(feed.release())
        if stopped is not None:
            raise RunStoppedError(stopped)

    def _note(self, stats: BudgetStats | None) -> None:
        assert self._split is not None
        if stats is None:
            return
        self.cache_problem = stats.cache_problem
        self.concurrency = {
            "maximum": stats.maximum,
            "lowest": stats.lowest,
            "rate_limits": stats.rate_limits,
            **self._split.to_report(),
        }


class _Feed:
    """Ray's side of a run, on a thread: puts the papers into Ray, iterates the results
    dataset, and hands each row to the event loop's queue (waiting while it is full).
    Its RunControl lives until both the thread and the consumer are done with it."""

    def __init__(
        self,
        ray: ModuleType,
        settings: Settings,
        papers: Iterable[Paper],
        split: WorkSplit,
        control: Any,
    ) -> None:
        self._ray = ray
        self._settings = settings
        self._papers = papers
        self._split = split
        self._control = control
        self.rows: asyncio.Queue[Any] = asyncio.Queue(maxsize=HANDOFF_ROWS)
        self._no_more_papers = threading.Event()  # Ctrl-C: put no more into Ray
        self._given_up = threading.Event()  # the consumer takes no more rows
        self._lock = threading.Lock()
        self._users = 2  # the thread and the consumer: the last one kills the control
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        threading.Thread(target=self._work, name="ray-results", daemon=True).start()

    def interrupt(self) -> None:
        """Ctrl-C: put no more papers, and have every actor start no more requests
        (the rows of those under way still come)."""
        self._no_more_papers.set()
        self._control.stop.remote(INTERRUPTED)

    def release(self) -> BudgetStats | None:
        """The consumer is done: the run's budget figures (None if they cannot be had)."""
        self._given_up.set()
        stats: BudgetStats | None = None
        with suppress(Exception):  # the cluster went away: run.json keeps the split alone
            stats = self._ray.get(self._control.stats.remote(), timeout=30)
        self._done_with_control()
        return stats

    def _done_with_control(self) -> None:
        with self._lock:
            self._users -= 1
            last = self._users == 0
        if last:
            self._ray.kill(self._control)

    def _work(self) -> None:
        try:
            stopping = self._no_more_papers
            wanted = (paper for paper in self._papers if not stopping.is_set())
            dataset = papers_dataset(wanted, block_papers=self._split.block_papers)
            if dataset is not None and not stopping.is_set():
                results = results_dataset(dataset, self._settings, self._control, self._split)
                rows = iter(results.iter_rows())
                try:
                    for row in rows:
                        if not self._hand(row):
                            break
                finally:
                    close = getattr(rows, "close", None)
                    if close is not None:
                        close()  # shuts the dataset's execution down: its actors end
            self._hand(_END)
        except self._ray.exceptions.RayError as exc:
            self._hand(SummarizerError(f"the Ray run failed: {_last_line(exc)}"))
        except BaseException as exc:  # handed to the consumer, raised there
            self._hand(exc)
        finally:
            self._done_with_control()

    def _hand(self, item: object) -> bool:
        """Give `item` to the consumer; False when it has given up (or its loop ended)."""
        loop = self._loop
        assert loop is not None
        try:
            handed = asyncio.run_coroutine_threadsafe(self.rows.put(item), loop)
        except RuntimeError:  # the event loop is closed
            return False
        while True:
            try:
                handed.result(timeout=POLL_SECONDS)
                return True
            except FutureTimeout:
                if self._given_up.is_set():
                    handed.cancel()
                    return False
            except Exception:  # cancelled with its loop
                return False


def check_actors_fit(ray: ModuleType, split: WorkSplit) -> None:
    """ConfigError when no node has the CPUs one actor asks for (Ray would wait forever)."""
    largest = max(
        (float(node["Resources"].get("CPU", 0)) for node in ray.nodes() if node["Alive"]),
        default=0.0,
    )
    if split.actor_cpus > largest:
        raise ConfigError(
            "actor-cpus",
            f"each actor asks for {split.actor_cpus:g} CPUs, and the largest node of the "
            f"cluster has {largest:g}",
            hint=f"use --actor-cpus {largest:g} or less",
        )


def start_control(ray: ModuleType, split: WorkSplit) -> Any:
    """The run's RunControl actor (no CPU of its own: it only counts)."""
    # Every actor's waiting requests are calls in flight on it: room for all of them.
    waiting = split.actors * split.actor_concurrency + 16
    remote = ray.remote(num_cpus=0, max_concurrency=max(1000, waiting))(RunControl)
    return remote.remote(split.total)


def _last_line(exc: BaseException) -> str:
    """The line of a Ray error that says what failed: its last (a traceback comes first)."""
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
