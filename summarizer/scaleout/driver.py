"""A batch's papers through Ray: the driver side of `summarizer batch --ray`.

`ray_run` (entered before the batch opens its output files: it checks what could refuse
the run, and joins Ray) gives a `RayRun`, another source of results for the batch's own
recorder: it puts the papers still to do into a Ray Dataset, has a pool of card-making
actors summarize them under one shared concurrency budget, and hands each result back
as a SummaryResult as it streams in. Locking, resume, duplicates, recipe checks,
cards.jsonl, errors.jsonl, run.json and tables stay with the batch (summarizer.batch),
exactly as in a local run.

Stopping: an error every further paper would meet (a refused key, an unknown model, an
endpoint that is down) stops every actor's requests through the budget; the requests
under way finish, the rest of the papers pass through without one. Ctrl-C or SIGTERM
stops putting papers into Ray and every actor's requests; results under way are still
taken for `grace_seconds`, then the dataset is shut down (its actors end). Answers that
arrived are in the cache either way, so a re-run pays for none of them again.
"""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType, ModuleType
from typing import Any

from summarizer.api import Summarizer, SummaryResult
from summarizer.engines import engine_kind
from summarizer.errors import ConfigError, SummarizerError
from summarizer.papers import Paper
from summarizer.scaleout.budget import BudgetStats, RunControl
from summarizer.scaleout.cluster import cluster_cpus, connected, import_ray, quiet_ray_data
from summarizer.scaleout.dataset import papers_dataset, results_dataset
from summarizer.scaleout.options import RayOptions, WorkSplit, split_work
from summarizer.scaleout.rows import result_from_row
from summarizer.settings import Settings

INTERRUPTED = "interrupted"


@dataclass
class RayOutcome:
    """How a run on Ray went, for run.json."""

    interrupted: bool = False
    stopped: SummarizerError | None = None  # the error that stopped the run early
    concurrency: dict[str, int] = field(default_factory=dict)
    cache_problem: str | None = None


class _Interrupt:
    """Ctrl-C and SIGTERM during a run: the first stops new requests and leaves
    `grace_seconds` for those under way, a second (or the grace's end) stops at once."""

    def __init__(self, stop_requests: Callable[[], None], grace_seconds: float) -> None:
        self.stop_requests = stop_requests
        self.grace_seconds = grace_seconds
        self.requested = False
        self._timer: threading.Timer | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        del signum, frame
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.stop_requests()
        self._timer = threading.Timer(self.grace_seconds, _thread.interrupt_main)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


@contextmanager
def _signals_handled(handler: _Interrupt) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals only reach the main thread: nothing to catch here
        return
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum in previous:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        handler.cancel()
        for signum, old in previous.items():
            signal.signal(signum, old)


def check_settings(settings: Settings) -> None:
    """Fail when Ray is not installed or the settings are ones no actor could work with
    (no key, a model file that is not there): the same one-line errors as a local run's.
    Builds a Summarizer once to find out."""
    import_ray()
    Summarizer(settings).close()


@contextmanager
def ray_run(
    settings: Settings,
    options: RayOptions,
    *,
    concurrency: int,
    todo: int,
    grace_seconds: float,
) -> Iterator[RayRun]:
    """A run of `todo` papers on Ray, ready to start: everything that could refuse it
    (Ray missing, settings, the cluster's address, actors no node can hold) is checked
    on entering, before the batch touches its output files. Ray is joined (or started)
    for the block, and left after; with nothing to do, it is not joined at all."""
    check_settings(settings)
    if not todo:
        yield RayRun(None, settings, None, grace_seconds)
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
        yield RayRun(ray, settings, split, grace_seconds)


class RayRun:
    """A batch's run on a joined Ray (see `ray_run`)."""

    def __init__(
        self,
        ray: ModuleType | None,
        settings: Settings,
        split: WorkSplit | None,
        grace_seconds: float,
    ) -> None:
        self._ray = ray
        self._settings = settings
        self._split = split
        self._grace_seconds = grace_seconds

    def summarize(
        self, papers: Iterable[Paper], record: Callable[[SummaryResult], None]
    ) -> RayOutcome:
        """Summarize `papers` on the actors, passing each result to `record` as it arrives;
        a result whose error stops the run stops it (see the module's docstring)."""
        ray, split = self._ray, self._split
        if ray is None or split is None:
            return RayOutcome()
        control = start_control(ray, split)
        outcome = RayOutcome()
        interrupt = _Interrupt(lambda: control.stop.remote(INTERRUPTED), self._grace_seconds)
        try:
            with _signals_handled(interrupt):
                _run(ray, papers, record, self._settings, split, control, outcome, interrupt)
            stats: BudgetStats = ray.get(control.stats.remote())
        finally:
            ray.kill(control)
        outcome.interrupted = interrupt.requested
        outcome.cache_problem = stats.cache_problem
        outcome.concurrency = {
            "maximum": stats.maximum,
            "lowest": stats.lowest,
            "rate_limits": stats.rate_limits,
            **split.to_report(),
        }
        return outcome


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


def _run(
    ray: ModuleType,
    papers: Iterable[Paper],
    record: Callable[[SummaryResult], None],
    settings: Settings,
    split: WorkSplit,
    control: Any,
    outcome: RayOutcome,
    interrupt: _Interrupt,
) -> None:
    """Put the papers into Ray, run the actors, record each result as it streams in.
    After Ctrl-C no more papers are put, and waiting stops once the grace is over."""
    try:
        until_interrupted = (paper for paper in papers if not interrupt.requested)
        dataset = papers_dataset(until_interrupted, block_papers=split.block_papers)
        if dataset is None or interrupt.requested:
            return
        rows = iter(results_dataset(dataset, settings, control, split).iter_rows())
        try:
            for row in rows:
                result = result_from_row(row)
                record(result)
                error = result.error
                if error is not None and error.stops_run and outcome.stopped is None:
                    outcome.stopped = error
                    control.stop.remote(str(error))
        finally:
            close = getattr(rows, "close", None)
            if close is not None:
                close()  # shuts the dataset's execution down: its actors end
    except KeyboardInterrupt:
        interrupt.requested = True
    except ray.exceptions.RayError as exc:
        raise SummarizerError(f"the Ray run failed: {_last_line(exc)}") from None


def _last_line(exc: BaseException) -> str:
    """The line of a Ray error that says what failed: its last (a traceback comes first)."""
    text = str(exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
