"""The Python API: summarize one abstract, or many papers concurrently.

    from summarizer import summarize, Summarizer
    card = summarize(abstract, title="...", model="gpt-4o-mini")
    with Summarizer(base_url="http://localhost:11434/v1", model="llama3.1") as s:
        for result in s.summarize_many(papers, concurrency=8): ...

A `Summarizer` holds the settings, one engine (one HTTP client) and the cache for many
calls. Each card is looked up in the cache first, so a paper is never paid for twice.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from summarizer.cache import CardCache, cache_key, open_cache
from summarizer.cards import PaperCard, Provenance
from summarizer.concurrency import AdaptiveLimiter, Limiter
from summarizer.engines import build_engine, engine_kind
from summarizer.engines.base import Engine, EngineResult
from summarizer.errors import EmptyAbstractError, RunStoppedError, SummarizerError
from summarizer.grounding import ground
from summarizer.papers import Paper, paper_id_for, quality_warnings
from summarizer.recipe import Recipe, recipe_for
from summarizer.redaction import redact_error
from summarizer.settings import DEFAULT_CONCURRENCY, Settings, resolve_settings
from summarizer.source import Source

# A way to get one paper's engine result other than `engine.afill` (e.g. going on with a
# conversation a Batch API answer began).
Fill = Callable[[], Awaitable[EngineResult]]


@dataclass(frozen=True)
class SummaryResult:
    """One paper's outcome in a run of many: a card, or the error that stopped it."""

    paper: Paper
    card: PaperCard | None = None
    error: SummarizerError | None = None

    @property
    def ok(self) -> bool:
        return self.card is not None


def paper_from_text(abstract: str, title: str | None = None) -> Paper:
    """A Paper for a bare abstract (and optional title) given through the API or CLI."""
    abstract = " ".join(abstract.split())
    if not abstract:
        raise EmptyAbstractError(title)
    clean_title = " ".join(title.split()) if title else ""
    return Paper(
        paper_id=paper_id_for(clean_title or abstract),
        title=clean_title,
        abstract=abstract,
        source=Source(file="<input>", index=0),
        warnings=quality_warnings(clean_title, abstract),
    )


class Summarizer:
    """Settings, an engine and a cache, reused across many papers."""

    def __init__(self, settings: Settings | None = None, **options: Any) -> None:
        """Take resolved `settings`, or resolve them from `options`, the environment and
        defaults, in that order. The options are the declared settings
        (`summarizer.settings.options()`: engine, model, base_url, api_key, mode, timeout,
        max_reasks, max_tokens, temperature, keep_ungrounded, model_path, cache_dir,
        use_cache, refresh); an unknown name is a TypeError. With nothing configured, the
        offline engine is used.
        """
        if settings is not None and options:
            raise TypeError("give settings or options, not both")
        self.settings = settings or resolve_settings(**options)
        self.recipe: Recipe = recipe_for(self.settings)
        self.engine: Engine = build_engine(self.settings)
        self.cache: CardCache | None = None
        if self.settings.use_cache and engine_kind(self.settings.engine).asks_model:
            self.cache = open_cache(self.settings.cache_dir)

    # --- context management ---------------------------------------------------------

    def __enter__(self) -> Summarizer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP clients and the cache's database handle."""
        self.engine.close()
        if self.cache is not None:
            self.cache.close()

    # --- one paper ------------------------------------------------------------------

    def key_for(self, paper: Paper) -> str:
        """The cache key of a paper's answer under this recipe."""
        return cache_key(self.recipe, paper.title or None, paper.abstract)

    def cached_card(self, paper: Paper) -> PaperCard | None:
        """The paper's card from the cache alone (None on a miss, or with --refresh)."""
        if self.cache is None or self.settings.refresh:
            return None
        result = self.cache.get(self.key_for(paper))
        return None if result is None else self._card(paper, result, cached=True)

    def summarize_paper(self, paper: Paper) -> PaperCard:
        """The card of one Paper (blocking)."""
        _require_abstract(paper)
        card = self.cached_card(paper)
        if card is not None:
            return card
        result = self.engine.fill(paper.title or None, paper.abstract)
        return self.store(paper, result)

    async def asummarize_paper(self, paper: Paper) -> PaperCard:
        """The card of one Paper (async)."""
        _require_abstract(paper)
        card = self.cached_card(paper)
        if card is not None:
            return card
        return await self._afill_and_store(paper)

    async def _afill_and_store(self, paper: Paper, fill: Fill | None = None) -> PaperCard:
        if fill is None:
            result = await self.engine.afill(paper.title or None, paper.abstract)
        else:
            result = await fill()
        return self.store(paper, result)

    def summarize(self, abstract: str, title: str | None = None) -> PaperCard:
        """The card of one abstract (blocking)."""
        return self.summarize_paper(paper_from_text(abstract, title))

    async def asummarize(self, abstract: str, title: str | None = None) -> PaperCard:
        """The card of one abstract (async)."""
        return await self.asummarize_paper(paper_from_text(abstract, title))

    def store(self, paper: Paper, result: EngineResult) -> PaperCard:
        """Cache an engine's answer for the paper (under `key_for(paper)`) and make its card."""
        if self.cache is not None:
            self.cache.put(self.key_for(paper), result)
        return self._card(paper, result, cached=False)

    def _card(self, paper: Paper, result: EngineResult, *, cached: bool) -> PaperCard:
        grounded = ground(
            result.fields, paper.abstract, keep_ungrounded=self.settings.keep_ungrounded
        )
        fields = result.fields
        return PaperCard(
            paper_id=paper.paper_id,
            title=paper.title,
            source=paper.source,
            abstract=paper.abstract,
            problem=fields.problem,
            method=fields.method,
            method_name=fields.method_name,
            contribution=fields.contribution,
            stages=grounded.stages,
            claimed_gains=grounded.claimed_gains,
            provenance=Provenance(
                **self.recipe.model_dump(),
                usage=result.usage,
                cached=cached,
                via=None if cached else result.via,
            ),
            warnings=[*paper.warnings, *result.warnings, *grounded.warnings],
        )

    # --- many papers ----------------------------------------------------------------

    async def asummarize_many(
        self,
        papers: Iterable[Paper],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        stop: asyncio.Event | None = None,
        limiter: Limiter | None = None,
    ) -> AsyncIterator[SummaryResult]:
        """Results as they finish, with at most `concurrency` requests in flight.

        Fewer run at once while the endpoint answers 429 (pass your own `limiter` to
        watch that). A failed paper is a result with its error. Setting `stop` takes no
        new paper; those in flight finish.

        An error that every further paper would meet too (a refused key, an unknown
        model, an endpoint that is down: `error.stops_run`) stops the run early: no new
        request is sent, papers in flight and cached cards are still yielded, and then
        RunStoppedError is raised with that error as its `cause`.
        """
        work = ((paper, None) for paper in papers)
        async for result in self.afill_many(
            work, concurrency=concurrency, stop=stop, limiter=limiter
        ):
            yield result

    async def afill_many(
        self,
        work: Iterable[tuple[Paper, Fill | None]],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        stop: asyncio.Event | None = None,
        limiter: Limiter | None = None,
    ) -> AsyncIterator[SummaryResult]:
        """As `asummarize_many`, for papers that may come with their own fill (a
        coroutine function giving the engine's result, such as going on with a
        conversation a Batch API answer began). A paper with its own fill is not looked
        up in the cache: its answer was paid for already; its result is cached as usual.
        """
        limiter = limiter or AdaptiveLimiter(concurrency)
        self.engine.observers.append(limiter)
        results: asyncio.Queue[SummaryResult | None] = asyncio.Queue()
        in_flight: set[asyncio.Task[None]] = set()
        halted: list[SummarizerError] = []  # the first error that stops the run

        def stopped() -> bool:
            return stop is not None and stop.is_set()

        async def run(paper: Paper, fill: Fill | None) -> None:
            try:
                _require_abstract(paper)
                card = await self._afill_and_store(paper, fill)  # the cache was looked up
                results.put_nowait(SummaryResult(paper, card=card))
            except SummarizerError as error:
                if error.stops_run and not halted:
                    halted.append(error)
                results.put_nowait(SummaryResult(paper, error=error))
            except Exception as exc:  # a bug for one paper must not lose the others
                unexpected = SummarizerError(f"unexpected error: {type(exc).__name__}: {exc}")
                redact_error(unexpected, self.settings.secrets)
                results.put_nowait(SummaryResult(paper, error=unexpected))
            finally:
                await limiter.release()

        async def produce() -> None:
            for paper, fill in work:
                if stopped():
                    break
                looked_up = fill is None and paper.abstract.strip()
                card = self.cached_card(paper) if looked_up else None
                if card is not None:  # no slot needed: nothing is requested
                    results.put_nowait(SummaryResult(paper, card=card))
                    await asyncio.sleep(0)  # let the consumer see it now
                    continue
                if halted:  # cached cards still come; nothing more is requested
                    continue
                await limiter.acquire()
                if stopped() or halted:
                    await limiter.release()
                    if stopped():
                        break
                    continue
                task = asyncio.create_task(run(paper, fill))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            while in_flight:
                await asyncio.wait(set(in_flight))
            results.put_nowait(None)

        producer = asyncio.create_task(produce())
        try:
            while (result := await results.get()) is not None:
                yield result
            await producer
        finally:
            producer.cancel()
            for task in list(in_flight):
                task.cancel()
            self.engine.observers.remove(limiter)
        if halted:
            raise RunStoppedError(halted[0])

    def summarize_many(
        self, papers: Iterable[Paper], *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> Iterator[SummaryResult]:
        """Results as they finish (blocking iterator over a background event loop)."""
        handoff: queue.Queue[SummaryResult | BaseException | None] = queue.Queue(maxsize=64)
        stop = threading.Event()

        async def pump() -> None:
            async for result in self.asummarize_many(papers, concurrency=concurrency):
                while not stop.is_set():
                    try:
                        handoff.put(result, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return

        def worker() -> None:
            try:
                asyncio.run(pump())
            except BaseException as exc:  # handed to the caller's thread below
                handoff.put(exc)
            finally:
                handoff.put(None)

        thread = threading.Thread(target=worker, name="summarize-many", daemon=True)
        thread.start()
        try:
            while (item := handoff.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while thread.is_alive():
                try:
                    handoff.get(timeout=0.1)
                except queue.Empty:
                    continue
            thread.join()


def _require_abstract(paper: Paper) -> None:
    if not paper.abstract.strip():
        raise EmptyAbstractError(paper.title or None)


def summarize(abstract: str, title: str | None = None, **options: Any) -> PaperCard:
    """One abstract's card. Options as for `Summarizer` (model, base_url, mode, ...)."""
    with Summarizer(**options) as summarizer:
        return summarizer.summarize(abstract, title)


async def asummarize(abstract: str, title: str | None = None, **options: Any) -> PaperCard:
    """One abstract's card, async. Options as for `Summarizer`."""
    with Summarizer(**options) as summarizer:
        return await summarizer.asummarize(abstract, title)


def summarize_many(
    papers: Iterable[Paper], *, concurrency: int = DEFAULT_CONCURRENCY, **options: Any
) -> Iterator[SummaryResult]:
    """Many papers' results as they finish. Options as for `Summarizer`."""
    with Summarizer(**options) as summarizer:
        yield from summarizer.summarize_many(papers, concurrency=concurrency)


async def asummarize_many(
    papers: Iterable[Paper], *, concurrency: int = DEFAULT_CONCURRENCY, **options: Any
) -> AsyncIterator[SummaryResult]:
    """Many papers' results as they finish, async. Options as for `Summarizer`."""
    with Summarizer(**options) as summarizer:
        async for result in summarizer.asummarize_many(papers, concurrency=concurrency):
            yield result
