"""The Batch API as a source of results for a batch run: one SummaryResult per paper,
like `Summarizer.asummarize_many`, so cards, errors, run.json, tables and resume are the
online run's.

A run: finish what a killed run left half submitted; give each paper its cached card if
it has one; leave alone the papers already in an open batch of the folder; stream the
others into batches (on disk, submitted as each fills); then poll every open batch
(backing off while nothing changes) and collect each one that ended: its answers become
cards through the online engine's logic, and the papers whose line failed are retried
online (the normal re-ask, with the run's concurrency) or in a follow-up batch. Without
waiting (`wait=False`), it collects what has already ended and returns; the rest is
collected by the next run. When `stop` is set (Ctrl-C) it returns at once: batches keep
running, and the state file says so.

Memory holds the cache keys of the run's papers, not the papers: a card is made from
the paper as its batch's papers file keeps it.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.api import Fill, Summarizer, SummaryResult
from summarizer.batch_api.collect import Collector, Decision
from summarizer.batch_api.costs import usage_dict
from summarizer.batch_api.options import BatchAPIOptions
from summarizer.batch_api.provider import BatchClient
from summarizer.batch_api.requests import RequestLine, request_line, too_large
from summarizer.batch_api.state import BatchState, Part, PartPaper, StateStore
from summarizer.batch_api.submit import PartDraft, Submitter, update_part
from summarizer.cards import Usage
from summarizer.concurrency import AdaptiveLimiter
from summarizer.engines.base import EngineResult
from summarizer.engines.llm import LLMEngine
from summarizer.errors import ConfigError, RunStoppedError, SummarizerError
from summarizer.papers import Paper
from summarizer.progress import Progress
from summarizer.source import Source


@dataclass
class BatchAPITally:
    """What the Batch API part of a run did: the `batch_api` section of run.json."""

    submitted: list[str] = field(default_factory=list)  # tokens of parts submitted now
    collected: list[str] = field(default_factory=list)  # tokens of parts collected now
    dropped: int = 0  # parts a killed run left that never became a batch
    lines: Counter[str] = field(default_factory=Counter)
    unreadable_lines: int = 0
    retried_online: int = 0
    retried_in_batch: int = 0
    too_large: int = 0
    # Tokens of every answer read from a result file now: billed at the Batch API price.
    batch_usage: Usage = field(default_factory=Usage)
    # The part of it that belongs to results this run recorded (cards and errors).
    recorded_batch_usage: Usage = field(default_factory=Usage)
    waiting: int = 0  # papers of this run still in open batches at the end


class BatchAPISource:
    """Results for a run's papers through the provider's Batch API."""

    def __init__(
        self,
        summarizer: Summarizer,
        out_dir: Path,
        options: BatchAPIOptions,
        *,
        progress: Progress,
        limiter: AdaptiveLimiter,
    ) -> None:
        engine = summarizer.engine
        if not isinstance(engine, LLMEngine):
            raise ConfigError(
                "batch-api",
                f"needs the llm engine, not {summarizer.settings.engine!r}",
                hint="give --model and OPENAI_API_KEY or --base-url of a provider with a Batch API",
            )
        self.summarizer = summarizer
        self.engine: LLMEngine = engine
        self.options = options
        self.progress = progress
        self.limiter = limiter
        self.store = StateStore(out_dir)
        self.tally = BatchAPITally()
        self.state = BatchState(recipe=summarizer.recipe.model_dump(mode="json"))
        # Cache keys of this run's papers still without a result.
        self._todo: set[str] = set()
        # Papers of the run with the same text as an earlier one (asked once).
        self._twins: list[Paper] = []
        # Tokens of the answers read but not yet in a recorded result, by cache key.
        self._answer_usage: dict[str, Usage] = {}

    async def results(
        self, todo: Iterable[Paper], stop: asyncio.Event
    ) -> AsyncIterator[SummaryResult]:
        """A result per paper of `todo` that is not left waiting in an open batch."""
        client = BatchClient(self.summarizer.settings, self.engine.policy)
        try:
            self._load_state()
            submitter = Submitter(
                client,
                self.store,
                self.state,
                limits=self.options.limits,
                recipe_fingerprint=self.summarizer.recipe.fingerprint(),
                clock=self.options.clock,
            )
            collector = Collector(self.engine, client, retry=self.options.retry)
            try:
                self.tally.dropped = len(await submitter.recover())
                async for result in self._start(todo, submitter, stop):
                    yield result
                async for result in self._poll(submitter, collector, stop):
                    yield result
            except SummarizerError as error:
                if isinstance(error, RunStoppedError):
                    raise
                raise RunStoppedError(error) from error
            async for result in self._twins_results(stop):
                yield result
            open_keys = self._open_keys()
            self.tally.waiting = len(self._todo & open_keys.keys()) + sum(
                self.summarizer.key_for(paper) in open_keys for paper in self._twins
            )
        finally:
            await client.close()

    # --- the state ------------------------------------------------------------------

    def _load_state(self) -> None:
        saved = self.store.load()
        # Another recipe's state has no open part (run_batch checked): its history goes.
        if saved is not None and saved.recipe == self.state.recipe:
            self.state = saved
        self.store.remove_strays(self.state)

    def _open_keys(self) -> dict[str, str]:
        """The papers in the folder's open parts: cache key -> part token."""
        keys: dict[str, str] = {}
        for part in self.state.open_parts():
            for paper in self.store.iter_papers(part.token) or iter(()):
                keys[paper.key] = part.token
        return keys

    # --- submitting -----------------------------------------------------------------

    async def _start(
        self, papers: Iterable[Paper], submitter: Submitter, stop: asyncio.Event
    ) -> AsyncIterator[SummaryResult]:
        """Cached cards and refusals as the papers come; the others not already in an
        open batch go into batches, each submitted as it fills."""
        open_keys = self._open_keys()
        draft: PartDraft | None = None
        try:
            for paper in papers:
                if stop.is_set():
                    break
                key = self.summarizer.key_for(paper)
                if key in self._todo:
                    self._twins.append(paper)
                    continue
                card = self.summarizer.cached_card(paper)
                if card is not None:
                    yield SummaryResult(paper, card=card)
                    continue
                self._todo.add(key)
                if key in open_keys:
                    continue  # its batch is collected below
                try:
                    conversation = self.engine.conversation(paper.title or None, paper.abstract)
                except SummarizerError as error:
                    yield self._recorded(key, SummaryResult(paper, error=error))
                    continue
                line = request_line(key, conversation.request)
                reason = too_large(line, self.options.limits)
                if reason is not None:
                    self.tally.too_large += 1
                    refusal = SummarizerError(
                        f"cannot go in a batch: {reason}",
                        hint="raise the limit, or run without --batch-api",
                    )
                    yield self._recorded(key, SummaryResult(paper, error=refusal))
                    continue
                if draft is not None and not draft.fits(line):
                    full, draft = draft, None  # the state owns its files from now on
                    await self._submit(submitter, full)
                draft = draft or submitter.draft(1)
                draft.add(_part_paper(key, paper), line)
            if draft is not None and not stop.is_set():
                full, draft = draft, None
                await self._submit(submitter, full)
        finally:
            if draft is not None:  # interrupted while filling: nothing was sent
                draft.discard()

    async def _submit(self, submitter: Submitter, draft: PartDraft) -> Part:
        part = await submitter.submit(draft)
        self.tally.submitted.append(part.token)
        if part.round > 1:
            self.tally.retried_in_batch += part.papers
        return part

    # --- polling and collecting ------------------------------------------------------

    async def _poll(
        self, submitter: Submitter, collector: Collector, stop: asyncio.Event
    ) -> AsyncIterator[SummaryResult]:
        schedule = self.options.poll_delays()
        while not stop.is_set():
            changed = await self._poll_once(submitter)
            for part in [part for part in self.state.parts if part.stage == "ended"]:
                async for result in self._collect(part, submitter, collector, stop):
                    yield result
                changed = True
                if stop.is_set():
                    return
            if not self.state.open_parts() or not self.options.wait:
                return
            await self._sleep(schedule.next(changed=changed), stop)

    async def _poll_once(self, submitter: Submitter) -> bool:
        changed = False
        for part in [part for part in self.state.parts if part.stage == "submitted"]:
            assert part.batch_id is not None
            info = await submitter.client.retrieve(part.batch_id)
            if update_part(part, info):
                changed = True
                self.store.save(self.state)
        self.progress.note(self._status())
        return changed

    def _status(self) -> str:
        live = [part for part in self.state.parts if part.stage == "submitted"]
        if not live:
            return "collecting batches"
        described = []
        for part in live:
            counts = part.request_counts or {}
            done = (counts.get("completed") or 0) + (counts.get("failed") or 0)
            total = counts.get("total") or part.papers
            described.append(f"{part.status} {done}/{total}")
        return f"{len(live)} batch{'es' if len(live) != 1 else ''} at the provider: " + ", ".join(
            described
        )

    async def _sleep(self, seconds: float, stop: asyncio.Event) -> None:
        """Wait, or less if `stop` is set meanwhile."""
        sleeper = asyncio.ensure_future(self.options.sleep(seconds))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()

    async def _collect(
        self, part: Part, submitter: Submitter, collector: Collector, stop: asyncio.Event
    ) -> AsyncIterator[SummaryResult]:
        """The results of an ended part, paper by paper from its papers file; the part is
        marked collected once every paper of this run in it has its result or went to a
        follow-up batch."""
        papers = self.store.iter_papers(part.token)
        if papers is None:  # its papers file is gone: nothing can be matched any more
            self._mark_collected(part)
            return
        elsewhere = {key for key, token in self._open_keys().items() if token != part.token}
        results = await collector.read(part, self.store)
        self.tally.unreadable_lines += results.unreadable
        follow_up: PartDraft | None = None
        online: list[tuple[Paper, Fill | None]] = []
        try:
            for entry in papers:
                if not self._wanted(elsewhere, entry.key):
                    continue
                decision = collector.decide(entry, results)
                self._count(decision)
                if decision.settled is not None:
                    for result in self._settle(decision.paper, decision.settled):
                        yield result
                elif decision.go_on is not None and decision.paper.key in self._todo:
                    # Only papers of this run: a re-ask for another run's is not asked.
                    if decision.follow_up:
                        entry, line = _next_line(decision)
                        if follow_up is not None and not follow_up.fits(line):
                            full, follow_up = follow_up, None  # the state owns it now
                            await self._submit(submitter, full)
                        follow_up = follow_up or submitter.draft(part.round + 1)
                        follow_up.add(entry, line)
                    else:
                        fill = functools.partial(self.engine.afinish, decision.go_on)
                        online.append((_paper(decision.paper), fill))
            if follow_up is not None and not stop.is_set():
                full, follow_up = follow_up, None  # the state owns its files from now on
                await self._submit(submitter, full)
        finally:
            if follow_up is not None:
                follow_up.discard()
        self.tally.retried_online += len(online)
        async for result in self.summarizer.afill_many(online, limiter=self.limiter, stop=stop):
            yield self._recorded(self.summarizer.key_for(result.paper), result)
        # Interrupted, the part is collected again by the next run: its answers cost
        # nothing to read again, and papers that got their results meanwhile are skipped.
        if not stop.is_set():
            self._mark_collected(part)

    def _wanted(self, elsewhere: set[str], key: str) -> bool:
        """Whether a paper's line is to be decided: not if a follow-up batch holds it,
        nor if it is no paper of this run and its answer is cached already."""
        if key in elsewhere:
            return False
        return (
            key in self._todo
            or self.summarizer.cache is None
            or (self.summarizer.cache.get(key) is None)
        )

    def _settle(
        self, entry: PartPaper, outcome: EngineResult | SummarizerError
    ) -> list[SummaryResult]:
        paper = _paper(entry)
        if entry.key not in self._todo:
            if isinstance(outcome, EngineResult):  # paid for: keep it for a later run
                self.summarizer.store(paper, outcome)
            return []
        if isinstance(outcome, EngineResult):
            result = SummaryResult(paper, card=self.summarizer.store(paper, outcome))
        else:
            result = SummaryResult(paper, error=outcome)
        return [self._recorded(entry.key, result)]

    def _mark_collected(self, part: Part) -> None:
        part.stage = "collected"
        self.store.save(self.state)
        self.store.remove_part_files(part.token)
        self.tally.collected.append(part.token)

    async def _twins_results(self, stop: asyncio.Event) -> AsyncIterator[SummaryResult]:
        """Papers with the same text as another paper of the run: once their twin has its
        result, they come from the cache (or are asked online)."""
        ready = [paper for paper in self._twins if self.summarizer.key_for(paper) not in self._todo]
        if not ready or stop.is_set():
            return
        async for result in self.summarizer.asummarize_many(ready, limiter=self.limiter, stop=stop):
            self._twins.remove(result.paper)
            yield result

    # --- accounting -----------------------------------------------------------------

    def _count(self, decision: Decision) -> None:
        self.tally.lines[decision.line] += 1
        if decision.usage is not None:
            self.tally.batch_usage = self.tally.batch_usage + decision.usage
            self._answer_usage[decision.paper.key] = decision.usage

    def _recorded(self, key: str, result: SummaryResult) -> SummaryResult:
        """Note that the paper got its result (and whose batch tokens it carries)."""
        self._todo.discard(key)
        usage = self._answer_usage.pop(key, None)
        if usage is not None:
            self.tally.recorded_batch_usage = self.tally.recorded_batch_usage + usage
        return result

    def report(self) -> dict[str, Any]:
        """The `batch_api` section of run.json (costs are added by the run)."""
        parts = {part.token: part for part in self.state.parts}
        touched = [
            parts[token] for token in dict.fromkeys(self.tally.submitted + self.tally.collected)
        ]
        touched += [part for part in self.state.open_parts() if part not in touched]
        return {
            "batches": [_describe(part) for part in touched],
            "submitted": len(self.tally.submitted),
            "collected": len(self.tally.collected),
            "open": len(self.state.open_parts()),
            "dropped_unsubmitted": self.tally.dropped,
            "papers_waiting": self.tally.waiting,
            "lines": dict(sorted(self.tally.lines.items())),
            "unreadable_lines": self.tally.unreadable_lines,
            "retried_online": self.tally.retried_online,
            "retried_in_batch": self.tally.retried_in_batch,
            "too_large": self.tally.too_large,
            "usage_batch": usage_dict(self.tally.batch_usage),
        }


def _next_line(decision: Decision) -> tuple[PartPaper, RequestLine]:
    """A paper going to a follow-up batch, with its conversation if one is under way,
    and the line of its next request."""
    conversation = decision.go_on
    assert conversation is not None
    snapshot = conversation.snapshot() if conversation.answers else None
    entry = decision.paper.model_copy(update={"conversation": snapshot})
    return entry, request_line(entry.key, conversation.request)


def _describe(part: Part) -> dict[str, Any]:
    return {
        "batch_id": part.batch_id,
        "status": part.status,
        "stage": part.stage,
        "round": part.round,
        "papers": part.papers,
        "input_file_id": part.input_file_id,
        "output_file_id": part.output_file_id,
        "error_file_id": part.error_file_id,
        "request_counts": part.request_counts,
        "errors": part.errors,
    }


def _part_paper(key: str, paper: Paper) -> PartPaper:
    return PartPaper(
        key=key,
        paper_id=paper.paper_id,
        title=paper.title,
        abstract=paper.abstract,
        source=paper.source.to_dict(),
        warnings=list(paper.warnings),
    )


def _paper(entry: PartPaper) -> Paper:
    """The paper a part's papers file keeps, to make its card."""
    source = dict(entry.source) or {"file": "<batch>", "index": 0}
    source["authors"] = tuple(source.get("authors", ()))
    return Paper(
        paper_id=entry.paper_id,
        title=entry.title,
        abstract=entry.abstract,
        source=Source(**source),
        warnings=tuple(entry.warnings),
    )
