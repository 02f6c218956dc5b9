"""Many papers: read them, summarize each unique one once, resume, and write the outputs.

OUTDIR/cards.jsonl   one complete card per unique paper (appended as they finish)
OUTDIR/errors.jsonl  one line per paper that got no card, with the reason
OUTDIR/run.json      recipe, counts, skipped records, tokens, estimated cost, time
OUTDIR/tables/       comparison tables made from cards.jsonl

One run at a time holds OUTDIR (summarizer.run_folder), and every card in cards.jsonl
shares one recipe (summarizer.recipe): a run under another recipe stops before any work.
"""

from __future__ import annotations

import asyncio
import io
import json
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from summarizer.api import Summarizer, SummaryResult
from summarizer.cache import cache_key, open_cache
from summarizer.cards import PaperCard, Usage, fields_schema
from summarizer.concurrency import AdaptiveLimiter
from summarizer.engines import engine_kind
from summarizer.errors import (
    ConfigError,
    InputError,
    RecipeMismatchError,
    RunStoppedError,
)
from summarizer.outputs import (
    CARDS_FILE,
    ERRORS_FILE,
    RUN_FILE,
    TABLES_DIR,
    LineLog,
    error_record,
    iter_existing_cards,
    write_json,
)
from summarizer.papers import BAD_RECORD, STDIN, Paper, Skipped, iter_read
from summarizer.prices import estimate_batch_cost, estimate_cost, load_prices
from summarizer.progress import Progress, QuietProgress
from summarizer.prompts import render_messages
from summarizer.recipe import Recipe, recipe_for
from summarizer.run_folder import FolderLock, check_output_folder, move_aside
from summarizer.scaleout.options import RayOptions
from summarizer.screening import skip_reason
from summarizer.settings import DEFAULT_CONCURRENCY, Settings

if TYPE_CHECKING:
    from summarizer.batch_api import BatchAPIOptions

# Ctrl-C: papers in flight get this long to finish before they are cancelled.
GRACE_SECONDS = 5.0
# For --dry-run: a card's answer is a few hundred tokens.
EXPECTED_COMPLETION_TOKENS = 450


@dataclass(frozen=True)
class SkippedPaper:
    """A paper the batch did not card, and why."""

    paper_id: str
    title: str
    source: dict[str, Any]
    kind: str  # not_abstract, too_long
    reason: str


@dataclass
class BatchPlan:
    """What a pass over the inputs found: counts and small lists, never the papers."""

    papers_read: int = 0
    duplicates: int = 0
    unique: int = 0
    already_done: int = 0
    todo: int = 0
    skipped: list[SkippedPaper] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    unread: list[Skipped] = field(default_factory=list)  # entries that became no paper


@dataclass
class BatchReport:
    """What a batch did: the content of run.json."""

    out_dir: str
    inputs: list[str]
    recipe: dict[str, Any]
    papers_read: int = 0
    duplicates: int = 0
    unique_papers: int = 0
    already_done: int = 0
    new_cards: int = 0
    cached: int = 0
    failed: int = 0
    cards_in_file: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    unreadable_inputs: list[str] = field(default_factory=list)
    bad_records: list[str] = field(default_factory=list)  # skipped: not readable as a paper
    usage: dict[str, int] = field(default_factory=dict)
    estimated_cost_usd: float | None = None
    wall_seconds: float = 0.0
    started_at: str = ""
    finished_at: str = ""
    interrupted: bool = False
    not_attempted: int = 0
    stopped_by: str | None = None  # an error that every further request would hit
    moved_aside: str | None = None  # where --start-over put the earlier run's outputs
    cache_problem: str | None = None  # why the cache was bypassed, if it was
    concurrency: dict[str, int] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)
    report: str | None = None  # report.html
    report_parts: list[str] = field(default_factory=list)  # when too big for one page
    # What went through a provider's Batch API (--batch-api), with its costs.
    batch_api: dict[str, Any] | None = None

    def summary(self) -> str:
        """The one-paragraph summary printed at the end of a batch."""
        tokens = self.usage.get("total_tokens", 0)
        cost = (
            "cost unknown for this model"
            if self.estimated_cost_usd is None
            else f"est. ${self.estimated_cost_usd:.4f}"
        )
        stopped = " Interrupted: run the same command again to resume." if self.interrupted else ""
        if self.batch_api is not None:
            stopped = self._batch_api_summary()
        if self.stopped_by:
            stopped = (
                f" Stopped early, {self.not_attempted} papers not attempted: {self.stopped_by}"
            )
        tables = f" Tables in {self.out_dir}/{TABLES_DIR}/." if self.tables else ""
        if self.report:
            parts = f" (an index of {len(self.report_parts)} parts)" if self.report_parts else ""
            tables += f" Report: {self.report}{parts}."
        failed = (
            f"{self.failed} failed (see {self.out_dir}/{ERRORS_FILE})"
            if self.failed
            else "0 failed"
        )
        skipped = (
            f" {len(self.skipped)} skipped (see {self.out_dir}/{RUN_FILE})." if self.skipped else ""
        )
        model = self.recipe.get("model")
        return (
            f"{self.unique_papers} unique papers ({self.papers_read} read, "
            f"{self.duplicates} duplicates) -> {self.cards_in_file} cards in "
            f"{self.out_dir}/{CARDS_FILE}: {self.new_cards} new ({self.cached} from cache), "
            f"{self.already_done} already there; {failed}.{skipped} Engine "
            f"{self.recipe['engine']}{' ' + model if model else ''}: "
            f"{self.usage.get('requests', 0)} requests, {tokens} tokens, {cost}. "
            f"{self.wall_seconds:.1f} s.{tables}{stopped}"
        )

    def _batch_api_summary(self) -> str:
        """The Batch API sentences of the summary: what was sent, what still runs."""
        section = self.batch_api or {}
        lines = section.get("lines", {})
        answered = lines.get("answered", 0)
        failed_lines = sum(count for name, count in lines.items() if name != "answered")
        text = (
            f" Batch API: {_count(section.get('submitted', 0), 'batch')} submitted, "
            f"{section.get('collected', 0)} collected ({answered} lines answered, "
            f"{failed_lines} failed); {_count(section.get('retried_online', 0), 'paper')} "
            f"retried online, {section.get('retried_in_batch', 0)} in a batch."
        )
        open_batches = section.get("open", 0)
        if open_batches:
            waiting = section.get("papers_waiting", 0)
            still = "running" if self.interrupted else "open"
            verb = "keeps" if open_batches == 1 else "keep"
            if not self.interrupted:
                verb = "is still" if open_batches == 1 else "are still"
            text += (
                f" {_count(open_batches, 'batch')} {verb} {still} at the provider with "
                f"{_count(waiting, 'paper')} of this run: run the same command again to "
                "collect them."
            )
        elif self.interrupted:
            text += " Interrupted: run the same command again to resume."
        return text


def _count(number: int, noun: str) -> str:
    """'1 batch', '2 batches', '0 papers'."""
    if number == 1:
        return f"1 {noun}"
    return f"{number} {noun}{'es' if noun.endswith('ch') else 's'}"


def check_resume(cards: Iterable[PaperCard], recipe: Recipe, path: Path) -> set[str]:
    """The paper ids of the cards already in a folder, all of this recipe; else
    RecipeMismatchError naming the fields in which a card differs."""
    done: set[str] = set()
    for card in cards:
        differing = card.provenance.differences(recipe)
        if differing:
            theirs, mine = card.provenance.recipe().model_dump(), recipe.model_dump()
            raise RecipeMismatchError(
                str(path), [(name, theirs[name], mine[name]) for name in differing]
            )
        done.add(card.paper_id)
    return done


@dataclass(frozen=True)
class BatchInputs:
    """How a batch reads its papers; every pass over them (plan, run) reads the same."""

    paths: Sequence[str]
    limit: int | None = None
    strict: bool = False
    no_skip: bool = False
    cache_dir: Path | None = None
    stdin: bytes | None = None  # read once, so that each pass can read it again

    @classmethod
    def of(cls, paths: Sequence[str], **options: Any) -> BatchInputs:
        """The inputs, with standard input (`-`) read now if it is one of them."""
        stdin = sys.stdin.buffer.read() if STDIN in paths else None
        return cls(paths, stdin=stdin, **options)

    def todo(self, done: set[str], plan: BatchPlan) -> Iterator[Paper]:
        """The unique papers that still need a card, read one at a time, counting what
        was read into `plan` as it goes (duplicates, papers already in `done`, skips)."""
        stdin = io.BytesIO(self.stdin) if self.stdin is not None else None
        items = iter_read(self.paths, strict=self.strict, stdin=stdin, cache_dir=self.cache_dir)
        for item in items:
            if isinstance(item, InputError):
                plan.problems.append(item)
            elif isinstance(item, Skipped):
                plan.unread.append(item)
            else:
                plan.papers_read += 1
                if item.duplicate_of is not None:
                    plan.duplicates += 1
                elif self.limit is None or plan.unique < self.limit:
                    plan.unique += 1
                    if self._keep(item, done, plan):
                        plan.todo += 1
                        yield item
        if not plan.papers_read:
            raise (
                plan.problems[0]
                if plan.problems
                else InputError(", ".join(self.paths), "no papers")
            )

    def _keep(self, paper: Paper, done: set[str], plan: BatchPlan) -> bool:
        skip = None if self.no_skip else skip_reason(paper)
        if skip is not None:
            kind, reason = skip
            plan.skipped.append(
                SkippedPaper(paper.paper_id, paper.title, paper.source.to_dict(), kind, reason)
            )
            return False
        if paper.paper_id in done:
            plan.already_done += 1
            return False
        return True


def plan_batch(
    inputs: BatchInputs,
    out_dir: Path,
    recipe: Recipe,
    each: Callable[[Paper], object] | None = None,
) -> tuple[BatchPlan, set[str]]:
    """One pass over the inputs: what a run would do in `out_dir`, and the ids already
    there; `each` is called with every paper that still needs a card. Raises
    RecipeMismatchError when `out_dir` holds cards of another recipe."""
    cards = out_dir / CARDS_FILE
    done = check_resume(iter_existing_cards(cards), recipe, cards)
    plan = BatchPlan()
    for paper in inputs.todo(done, plan):
        if each is not None:
            each(paper)
    return plan, done


def _new_report(paths: Sequence[str], out_dir: Path, recipe: Recipe) -> BatchReport:
    return BatchReport(
        out_dir=str(out_dir),
        inputs=list(paths),
        recipe=recipe.model_dump(mode="json"),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _fill_plan_counts(report: BatchReport, plan: BatchPlan) -> None:
    report.papers_read = plan.papers_read
    report.duplicates = plan.duplicates
    report.unique_papers = plan.unique
    report.already_done = plan.already_done
    report.skipped = [entry.to_dict() for entry in plan.unread]
    report.skipped += [asdict(skipped) for skipped in plan.skipped]
    report.unreadable_inputs = [str(problem) for problem in plan.problems]
    report.bad_records = [str(entry) for entry in plan.unread if entry.kind == BAD_RECORD]


def _cost(recipe: Recipe, usage: Usage, prices_file: Path | None) -> float | None:
    if not engine_kind(recipe.engine).priced:
        return 0.0  # no provider bills it: it runs on this machine
    return estimate_cost(
        load_prices(prices_file), recipe.model, usage.prompt_tokens, usage.completion_tokens
    )


@dataclass
class DryRun:
    """What `batch --dry-run` reports: the work and its estimated cost, no request made."""

    recipe: Recipe
    papers_read: int
    unique_papers: int
    already_done: int
    skipped: int
    cached: int
    to_request: int
    estimated_prompt_tokens: int
    estimated_completion_tokens: int
    estimated_cost_usd: float | None
    # Through a provider's Batch API (--batch-api): the cost above is at its price.
    batch_api: bool = False
    in_open_batches: int = 0  # papers the folder's open batches hold already
    online_cost_usd: float | None = None  # the same requests online

    def summary(self) -> str:
        """Two lines: the work and its cost, then the recipe the cards would have."""
        model = self.recipe.model
        unknown = f"unknown (no price for model {model!r}: add it to the price table, see --prices)"
        cost = unknown if self.estimated_cost_usd is None else f"${self.estimated_cost_usd:.4f}"
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        held = f", {self.in_open_batches} in open batches" if self.batch_api else ""
        via = " through the Batch API" if self.batch_api else ""
        retries = ""
        if self.batch_api and self.online_cost_usd is not None:
            cost += f" (${self.online_cost_usd:.4f} online)"
            retries = (
                " Lines that fail in a batch are asked again online at online prices: each "
                f"10% of them adds about ${self.online_cost_usd / 10:.4f}."
            )
        return (
            f"{self.unique_papers} unique papers ({self.papers_read} read): "
            f"{self.already_done} already in the output folder{skipped}, {self.cached} cached"
            f"{held}, {self.to_request} to request from {self.recipe.engine}"
            f"{' ' + model if model else ''}{via}; estimated "
            f"{self.estimated_prompt_tokens} prompt + {self.estimated_completion_tokens} "
            f"completion tokens, cost {cost}.{retries} No request was made.\n"
            f"Recipe {self.recipe.fingerprint()}: {self.recipe.describe()}."
        )


def _prompt_tokens(paper: Paper) -> int:
    messages = render_messages(paper.title or None, paper.abstract)
    characters = sum(len(message["content"]) for message in messages)
    characters += len(json.dumps(fields_schema()))
    return characters // 4  # about four characters per token for English text


def dry_run(
    paths: Sequence[str],
    out_dir: Path,
    settings: Settings,
    *,
    limit: int | None = None,
    strict: bool = False,
    no_skip: bool = False,
    prices_file: Path | None = None,
    batch_api: bool = False,
) -> DryRun:
    """Count the work of a batch and estimate its tokens and cost (at the Batch API's
    price with `batch_api`, leaving out papers the folder's open batches hold).

    Nothing is sent and no client is built, so no key or server is needed.
    """
    recipe = recipe_for(settings)
    inputs = BatchInputs.of(
        paths, limit=limit, strict=strict, no_skip=no_skip, cache_dir=settings.cache_dir
    )
    asks_model = engine_kind(recipe.engine).asks_model
    looks_up = asks_model and settings.use_cache and not settings.refresh
    in_batches: set[str] = set()
    if batch_api:
        from summarizer.batch_api import open_keys

        in_batches = open_keys(out_dir)
    cached = held = prompt = 0

    def estimate(paper: Paper) -> None:
        nonlocal cached, held, prompt
        key = cache_key(recipe, paper.title or None, paper.abstract)
        if looks_up and cache.get(key) is not None:
            cached += 1
        elif key in in_batches:
            held += 1
        elif asks_model:
            prompt += _prompt_tokens(paper)

    with open_cache(settings.cache_dir) as cache:
        plan, _ = plan_batch(inputs, out_dir, recipe, estimate)
    to_request = plan.todo - cached - held if asks_model else 0
    completion = EXPECTED_COMPLETION_TOKENS * to_request
    usage = Usage(requests=to_request, prompt_tokens=prompt, completion_tokens=completion)
    online_cost = _cost(recipe, usage, prices_file)
    cost = online_cost
    if batch_api and engine_kind(recipe.engine).priced:
        cost = estimate_batch_cost(load_prices(prices_file), recipe.model, prompt, completion)
    return DryRun(
        recipe=recipe,
        papers_read=plan.papers_read,
        unique_papers=plan.unique,
        already_done=plan.already_done,
        skipped=len(plan.skipped),
        cached=cached,
        to_request=to_request,
        estimated_prompt_tokens=prompt,
        estimated_completion_tokens=completion,
        estimated_cost_usd=cost,
        batch_api=batch_api,
        in_open_batches=held,
        online_cost_usd=online_cost if batch_api else None,
    )


class _Run:
    """One batch run in progress: the open output files and the running totals."""

    def __init__(self, out_dir: Path, report: BatchReport, progress: Progress) -> None:
        self.out_dir = out_dir
        self.report = report
        self.progress = progress
        self.usage = Usage()
        self.stopped: RunStoppedError | None = None
        self.cards = LineLog(out_dir / CARDS_FILE)
        self.errors = LineLog(out_dir / ERRORS_FILE, truncate=True)

    def record(self, result: SummaryResult) -> None:
        if result.card is not None:
            card = result.card
            self.cards.append(card.model_dump_json())
            self.report.new_cards += 1
            if card.provenance.cached:
                self.report.cached += 1
            else:
                self.usage = self.usage + card.provenance.usage
        elif result.error is not None:
            paper = result.paper
            self.errors.append(
                error_record(paper.paper_id, paper.title, paper.source.to_dict(), result.error)
            )
            self.report.failed += 1
            if isinstance(result.error.usage, Usage):
                self.usage = self.usage + result.error.usage
        self.progress.advance(
            cached=bool(result.card and result.card.provenance.cached),
            failed=result.error is not None,
        )

    def close(self) -> None:
        self.cards.close()
        self.errors.close()


class ResultSource(Protocol):
    """Where a run's results come from (this process, a Batch API, a Ray cluster)."""

    def __call__(self, stop: asyncio.Event) -> AsyncIterator[SummaryResult]:
        """Results for the run's papers, until done or until `stop` is set."""
        ...

    def finish(
        self, report: BatchReport, recipe: Recipe, usage: Usage, prices: Path | None
    ) -> None:
        """Put what this source saw into run.json: its cache, concurrency and costs."""
        ...


class _OnlineResults:
    """The run's papers through the engine (requests online, or none offline)."""

    def __init__(self, summarizer: Summarizer, todo: Iterable[Paper], limiter: AdaptiveLimiter):
        self.summarizer = summarizer
        self.todo = todo
        self.limiter = limiter

    def __call__(self, stop: asyncio.Event) -> AsyncIterator[SummaryResult]:
        return self.summarizer.asummarize_many(self.todo, limiter=self.limiter, stop=stop)

    def finish(
        self, report: BatchReport, recipe: Recipe, usage: Usage, prices: Path | None
    ) -> None:
        """The cache's problem, if any, and how concurrency went."""
        del recipe, usage, prices
        cache = self.summarizer.cache
        report.cache_problem = cache.problem if cache is not None else None
        report.concurrency = {
            "maximum": self.limiter.maximum,
            "lowest": self.limiter.lowest_limit,
            "rate_limits": self.limiter.rate_limits,
        }


class _BatchAPIResults:
    """The run's papers through the provider's Batch API (summarizer.batch_api)."""

    def __init__(
        self,
        summarizer: Summarizer,
        todo: Iterable[Paper],
        out_dir: Path,
        limiter: AdaptiveLimiter,
        progress: Progress,
        options: BatchAPIOptions,
    ) -> None:
        from summarizer.batch_api import BatchAPISource

        self.todo = todo
        self.source = BatchAPISource(
            summarizer, out_dir, options, progress=progress, limiter=limiter
        )

        self.online = _OnlineResults(summarizer, todo, limiter)

    def __call__(self, stop: asyncio.Event) -> AsyncIterator[SummaryResult]:
        return self.source.results(self.todo, stop)

    def finish(
        self, report: BatchReport, recipe: Recipe, usage: Usage, prices: Path | None
    ) -> None:
        """As online, plus run.json's `batch_api` section: the cost at batch prices, and
        the papers still waiting in batches (not "not attempted")."""
        from summarizer.batch_api import batch_api_costs

        self.online.finish(report, recipe, usage, prices)
        section = self.source.report()
        section.update(batch_api_costs(self.source.tally, recipe.model, usage, prices))
        report.batch_api = section
        report.estimated_cost_usd = section["estimated_cost_usd"]
        report.not_attempted = max(0, report.not_attempted - section["papers_waiting"])


def _source(
    summarizer: Summarizer,
    todo: Iterable[Paper],
    out_dir: Path,
    limiter: AdaptiveLimiter,
    progress: Progress,
    batch_api: BatchAPIOptions | None,
    ray: RayOptions | None,
    cleanup: ExitStack,
    papers: int,
) -> ResultSource:
    """Where the run's results come from: this process, a Batch API, or a Ray cluster
    (joined here, before any output file is opened, and left by `cleanup`)."""
    if ray is not None:
        from summarizer.scaleout.driver import ray_results

        concurrency = limiter.maximum
        return cleanup.enter_context(
            ray_results(summarizer.settings, todo, ray, concurrency=concurrency, todo=papers)
        )
    if batch_api is None:
        return _OnlineResults(summarizer, todo, limiter)
    return _BatchAPIResults(summarizer, todo, out_dir, limiter, progress, batch_api)


async def _consume(source: ResultSource, run: _Run, stop: asyncio.Event) -> None:
    stream = source(stop)
    try:
        async for result in stream:
            run.record(result)
    except RunStoppedError as stopped:
        run.stopped = stopped


async def _run_async(source: ResultSource, run: _Run) -> bool:
    """Record the source's results into the run; True if the user interrupted it."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    interrupted = False
    worker = asyncio.create_task(_consume(source, run, stop))

    def on_signal() -> None:
        nonlocal interrupted
        if interrupted:  # a second Ctrl-C: stop waiting for papers in flight
            worker.cancel()
            return
        interrupted = True
        stop.set()
        loop.call_later(GRACE_SECONDS, worker.cancel)

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal)
    try:
        await worker
    except asyncio.CancelledError:
        if not interrupted:
            raise
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    return interrupted


def _write_tables(cards_path: Path, out_dir: Path) -> tuple[list[str], list[str]]:
    """The batch's tables and its report's pages (report.html first), from its cards file."""
    from summarizer.tables import write_batch_report, write_batch_tables

    tables = write_batch_tables(cards_path, out_dir / TABLES_DIR)
    pages = write_batch_report(cards_path, out_dir)
    return [str(path) for path in tables], [str(path) for path in pages]


def run_batch(
    paths: Sequence[str],
    out_dir: Path,
    settings: Settings,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    limit: int | None = None,
    strict: bool = False,
    no_skip: bool = False,
    start_over: bool = False,
    progress: Progress | None = None,
    prices_file: Path | None = None,
    tables: bool = True,
    batch_api: BatchAPIOptions | None = None,
    ray: RayOptions | None = None,
) -> BatchReport:
    """Summarize every unique paper of `paths` into `out_dir`, resuming earlier runs.

    The folder is locked for the whole run (FolderInUseError if another run holds it).
    Cards already there must share this run's recipe (RecipeMismatchError otherwise);
    `start_over` first moves the earlier run's outputs into a `previous-*` subfolder.
    Papers stream through: the inputs are read twice (once to count the work, once to
    do it), and neither papers nor cards are held in memory, only their ids.
    After Ctrl-C or SIGTERM it stops taking papers, gives those in flight a few seconds,
    and returns with `interrupted` set: finished cards are kept and run.json written.

    With `batch_api`, papers go through the provider's Batch API (summarizer.batch_api):
    the same cards, at its price; batches still running when it returns (not waiting,
    or interrupted) are in `out_dir`'s state file, collected by the next run. A folder
    with open batches refuses a run that would pay for their papers again
    (BatchesOpenError: an online run, another recipe, `start_over`).

    With `ray`, actors on a Ray cluster make the cards (summarizer.scaleout), with
    `concurrency` requests in flight over all of them.
    """
    from summarizer.batch_api.state import check_open_batches

    if concurrency < 1:
        raise ConfigError("concurrency", "must be at least 1")
    if ray is not None and batch_api is not None:
        raise ConfigError("ray", "--ray and --batch-api do not go together", hint="pick one")
    started = time.monotonic()
    check_output_folder(out_dir)
    inputs = BatchInputs.of(
        paths, limit=limit, strict=strict, no_skip=no_skip, cache_dir=settings.cache_dir
    )
    with FolderLock(out_dir):
        recipe = recipe_for(settings)
        check_open_batches(out_dir, recipe, batch_api=batch_api is not None, start_over=start_over)
        moved = move_aside(out_dir) if start_over else None
        counted, done = plan_batch(inputs, out_dir, recipe)
        report = _new_report(paths, out_dir, recipe)
        report.moved_aside = str(moved) if moved else None
        progress = progress or QuietProgress()
        with Summarizer(settings) as summarizer, ExitStack() as cleanup:
            limiter = AdaptiveLimiter(concurrency)
            todo = inputs.todo(done, BatchPlan())
            source = _source(
                summarizer, todo, out_dir, limiter, progress, batch_api, ray, cleanup, counted.todo
            )
            run = _Run(out_dir, report, progress)
            progress.start(counted.todo)
            try:
                report.interrupted = asyncio.run(_run_async(source, run))
            finally:
                progress.stop()
                run.close()
        # The counting pass read everything; the working pass stops early when the run does.
        _fill_plan_counts(report, counted)
        report.not_attempted = max(0, counted.todo - report.new_cards - report.failed)
        if run.stopped is not None:
            report.stopped_by = str(run.stopped.cause)
        report.usage = {**run.usage.model_dump(), "total_tokens": run.usage.total_tokens}
        report.estimated_cost_usd = _cost(recipe, run.usage, prices_file)
        source.finish(report, recipe, run.usage, prices_file)
        report.cards_in_file = len(done) + report.new_cards
        if tables and report.cards_in_file:
            report.tables, pages = _write_tables(out_dir / CARDS_FILE, out_dir)
            report.report, report.report_parts = pages[0], pages[1:]
        report.wall_seconds = round(time.monotonic() - started, 3)
        report.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        write_json(out_dir / RUN_FILE, asdict(report))
    return report
