"""Many papers: read them, summarize each unique one once, resume, and write the outputs.

OUTDIR/cards.jsonl   one complete card per unique paper (appended as they finish)
OUTDIR/errors.jsonl  one line per paper that got no card, with the reason
OUTDIR/run.json      counts, tokens, estimated cost, time, engine and versions
OUTDIR/tables/       comparison tables made from cards.jsonl
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from summarizer.api import Summarizer, SummaryResult
from summarizer.cards import PaperCard, Usage, fields_schema, schema_version
from summarizer.concurrency import AdaptiveLimiter
from summarizer.errors import ConfigError, InputError, SummarizerError
from summarizer.outputs import (
    CARDS_FILE,
    ERRORS_FILE,
    RUN_FILE,
    TABLES_DIR,
    LineLog,
    error_record,
    load_existing_cards,
    unique_by_id,
    write_json,
)
from summarizer.papers import Paper, read_papers
from summarizer.prices import estimate_cost, load_prices
from summarizer.progress import Progress, QuietProgress
from summarizer.prompts import render_messages
from summarizer.settings import DEFAULT_CONCURRENCY, Settings

# Ctrl-C: papers in flight get this long to finish before they are cancelled.
GRACE_SECONDS = 5.0
# For --dry-run: a card's answer is a few hundred tokens.
EXPECTED_COMPLETION_TOKENS = 450


@dataclass
class BatchPlan:
    """What a batch will do, before any request."""

    papers: list[Paper]
    unique: list[Paper]
    done: list[PaperCard]  # cards already in OUTDIR for these settings
    todo: list[Paper]
    problems: list[InputError]


@dataclass
class BatchReport:
    """What a batch did: the content of run.json."""

    out_dir: str
    inputs: list[str]
    engine: str
    model: str | None
    mode: str | None
    prompt_version: str | None
    schema_version: str
    papers_read: int = 0
    duplicates: int = 0
    unique_papers: int = 0
    already_done: int = 0
    new_cards: int = 0
    cached: int = 0
    failed: int = 0
    cards_in_file: int = 0
    unreadable_inputs: list[str] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    estimated_cost_usd: float | None = None
    wall_seconds: float = 0.0
    started_at: str = ""
    finished_at: str = ""
    interrupted: bool = False
    not_attempted: int = 0
    stopped_by: str | None = None  # an error that every further request would hit
    concurrency: dict[str, int] = field(default_factory=dict)
    tables: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The one-paragraph summary printed at the end of a batch."""
        tokens = self.usage.get("total_tokens", 0)
        cost = (
            "cost unknown for this model"
            if self.estimated_cost_usd is None
            else f"est. ${self.estimated_cost_usd:.4f}"
        )
        stopped = " Interrupted: run the same command again to resume." if self.interrupted else ""
        if self.stopped_by:
            stopped = (
                f" Stopped early, {self.not_attempted} papers not attempted: {self.stopped_by}"
            )
        tables = f" Tables in {self.out_dir}/{TABLES_DIR}/." if self.tables else ""
        failed = (
            f"{self.failed} failed (see {self.out_dir}/{ERRORS_FILE})"
            if self.failed
            else "0 failed"
        )
        return (
            f"{self.unique_papers} unique papers ({self.papers_read} read, "
            f"{self.duplicates} duplicates) -> {self.cards_in_file} cards in "
            f"{self.out_dir}/{CARDS_FILE}: {self.new_cards} new ({self.cached} from cache), "
            f"{self.already_done} already there; {failed}. Engine {self.engine}"
            f"{' ' + self.model if self.model else ''}: {self.usage.get('requests', 0)} "
            f"requests, {tokens} tokens, {cost}. {self.wall_seconds:.1f} s.{tables}{stopped}"
        )


def _same_settings(card: PaperCard, summarizer: Summarizer) -> bool:
    provenance = card.provenance
    engine = summarizer.engine
    return (
        provenance.engine == engine.name
        and provenance.model == engine.model
        and provenance.prompt_version == engine.prompt_version
        and provenance.schema_version == schema_version()
    )


def plan_batch(
    paths: Sequence[str],
    out_dir: Path,
    summarizer: Summarizer,
    *,
    limit: int | None = None,
    strict: bool = False,
) -> BatchPlan:
    """Read the inputs and find which unique papers still need a card in `out_dir`."""
    read = read_papers(paths, strict=strict)
    if not read.papers:
        raise read.problems[0] if read.problems else InputError(", ".join(paths), "no papers")
    unique = [paper for paper in read.papers if paper.duplicate_of is None]
    if limit is not None:
        unique = unique[:limit]
    existing = load_existing_cards(out_dir / CARDS_FILE)
    foreign = [card for card in existing if not _same_settings(card, summarizer)]
    if foreign:
        made_by = foreign[0].provenance
        raise ConfigError(
            str(out_dir / CARDS_FILE),
            f"holds cards made with other settings (engine {made_by.engine}, model "
            f"{made_by.model}, prompt {made_by.prompt_version}, schema "
            f"{made_by.schema_version})",
            hint="use another -o folder, or move that cards.jsonl away",
        )
    done_ids = {card.paper_id for card in existing}
    wanted_ids = {paper.paper_id for paper in unique}
    done = [card for card in unique_by_id(existing) if card.paper_id in wanted_ids]
    todo = [paper for paper in unique if paper.paper_id not in done_ids]
    return BatchPlan(read.papers, unique, done, todo, read.problems)


def _new_report(paths: Sequence[str], out_dir: Path, summarizer: Summarizer) -> BatchReport:
    engine = summarizer.engine
    return BatchReport(
        out_dir=str(out_dir),
        inputs=list(paths),
        engine=engine.name,
        model=engine.model,
        mode=engine.mode,
        prompt_version=engine.prompt_version,
        schema_version=schema_version(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _fill_plan_counts(report: BatchReport, plan: BatchPlan) -> None:
    report.papers_read = len(plan.papers)
    report.duplicates = sum(paper.duplicate_of is not None for paper in plan.papers)
    report.unique_papers = len(plan.unique)
    report.already_done = len(plan.done)
    report.unreadable_inputs = [str(problem) for problem in plan.problems]


def _cost(summarizer: Summarizer, usage: Usage, prices_file: Path | None) -> float | None:
    if summarizer.engine.name == "offline":
        return 0.0
    return estimate_cost(
        load_prices(prices_file),
        summarizer.engine.model,
        usage.prompt_tokens,
        usage.completion_tokens,
    )


@dataclass
class DryRun:
    """What `batch --dry-run` reports: the work and its estimated cost, no request made."""

    papers_read: int
    unique_papers: int
    already_done: int
    cached: int
    to_request: int
    estimated_prompt_tokens: int
    estimated_completion_tokens: int
    estimated_cost_usd: float | None
    engine: str
    model: str | None

    def summary(self) -> str:
        cost = "unknown" if self.estimated_cost_usd is None else f"${self.estimated_cost_usd:.4f}"
        return (
            f"{self.unique_papers} unique papers ({self.papers_read} read): "
            f"{self.already_done} already in the output folder, {self.cached} cached, "
            f"{self.to_request} to request from {self.engine}"
            f"{' ' + self.model if self.model else ''}; estimated "
            f"{self.estimated_prompt_tokens} prompt + {self.estimated_completion_tokens} "
            f"completion tokens, cost {cost}. No request was made."
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
    prices_file: Path | None = None,
) -> DryRun:
    """Count the work of a batch and estimate its tokens and cost, without requests."""
    with Summarizer(settings) as summarizer:
        plan = plan_batch(paths, out_dir, summarizer, limit=limit, strict=strict)
        uncached = [paper for paper in plan.todo if summarizer.cached_card(paper) is None]
        requesting = summarizer.engine.name != "offline"
        prompt = sum(_prompt_tokens(paper) for paper in uncached) if requesting else 0
        completion = EXPECTED_COMPLETION_TOKENS * len(uncached) if requesting else 0
        usage = Usage(requests=len(uncached), prompt_tokens=prompt, completion_tokens=completion)
        return DryRun(
            papers_read=len(plan.papers),
            unique_papers=len(plan.unique),
            already_done=len(plan.done),
            cached=len(plan.todo) - len(uncached),
            to_request=len(uncached),
            estimated_prompt_tokens=prompt,
            estimated_completion_tokens=completion,
            estimated_cost_usd=_cost(summarizer, usage, prices_file),
            engine=summarizer.engine.name,
            model=summarizer.engine.model,
        )


class _Run:
    """One batch run in progress: the open output files and the running totals."""

    def __init__(self, out_dir: Path, report: BatchReport, progress: Progress) -> None:
        self.out_dir = out_dir
        self.report = report
        self.progress = progress
        self.usage = Usage()
        self.fatal: SummarizerError | None = None
        self.stop: asyncio.Event | None = None
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
            if result.error.stops_run and self.fatal is None:
                self.fatal = result.error
                if self.stop is not None:
                    self.stop.set()
        self.progress.advance(
            cached=bool(result.card and result.card.provenance.cached),
            failed=result.error is not None,
        )

    def close(self) -> None:
        self.cards.close()
        self.errors.close()


async def _consume(
    summarizer: Summarizer,
    todo: list[Paper],
    run: _Run,
    limiter: AdaptiveLimiter,
    stop: asyncio.Event,
) -> None:
    stream = summarizer.asummarize_many(todo, limiter=limiter, stop=stop)
    async for result in stream:
        run.record(result)


async def _run_async(
    summarizer: Summarizer, todo: list[Paper], run: _Run, limiter: AdaptiveLimiter
) -> bool:
    """Summarize `todo` into the run; True if the user interrupted it."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    run.stop = stop
    interrupted = False
    worker = asyncio.create_task(_consume(summarizer, todo, run, limiter, stop))

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


def _write_tables(cards: list[PaperCard], out_dir: Path) -> list[str]:
    from summarizer.tables import write_batch_tables

    if not cards:
        return []
    written = write_batch_tables(cards, out_dir / TABLES_DIR)
    return [str(path) for path in written]


def run_batch(
    paths: Sequence[str],
    out_dir: Path,
    settings: Settings,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    limit: int | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    prices_file: Path | None = None,
    tables: bool = True,
) -> BatchReport:
    """Summarize every unique paper of `paths` into `out_dir`, resuming earlier runs.

    After Ctrl-C or SIGTERM it stops taking papers, gives those in flight a few seconds,
    and returns with `interrupted` set: finished cards are kept and run.json written.
    """
    if concurrency < 1:
        raise ConfigError("concurrency", "must be at least 1")
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = progress or QuietProgress()
    with Summarizer(settings) as summarizer:
        plan = plan_batch(paths, out_dir, summarizer, limit=limit, strict=strict)
        report = _new_report(paths, out_dir, summarizer)
        _fill_plan_counts(report, plan)
        run = _Run(out_dir, report, progress)
        limiter = AdaptiveLimiter(concurrency)
        progress.start(len(plan.todo))
        try:
            report.interrupted = asyncio.run(_run_async(summarizer, plan.todo, run, limiter))
        finally:
            progress.stop()
            run.close()
    report.not_attempted = len(plan.todo) - report.new_cards - report.failed
    if run.fatal is not None:
        report.stopped_by = str(run.fatal)
    report.usage = {**run.usage.model_dump(), "total_tokens": run.usage.total_tokens}
    report.estimated_cost_usd = _cost(summarizer, run.usage, prices_file)
    report.concurrency = {
        "maximum": limiter.maximum,
        "lowest": limiter.lowest_limit,
        "rate_limits": limiter.rate_limits,
    }
    final_cards = unique_by_id(load_existing_cards(out_dir / CARDS_FILE))
    report.cards_in_file = len(final_cards)
    if tables:
        report.tables = _write_tables(final_cards, out_dir)
    report.wall_seconds = round(time.monotonic() - started, 3)
    report.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    write_json(out_dir / RUN_FILE, asdict(report))
    return report
