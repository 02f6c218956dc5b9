"""An ended batch's results, decided paper by paper with the online engine's own logic.

Each answer goes through `LLMEngine.take_answer`: the same parsing, validation and
grounding as an online answer, and the same re-ask when it fails. So each paper of the
part ends one of three ways:

- settled: a final result (a card's fields) or error, as online would have it;
- online: a conversation to go on with online (a re-ask, or the first request again
  when the line got no answer);
- follow-up: the same, as a line of a follow-up batch (`--batch-retry batch`).

An HTTP error that no retry fixes (a prompt over the context, a refused key) settles
the paper with the error online would give; one that a retry may fix (429, 5xx), and a
line that never ran (expired, cancelled, missing), is retried.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from summarizer.batch_api.options import MAX_UNANSWERED_LINES, RetryVia
from summarizer.batch_api.provider import BatchClient
from summarizer.batch_api.results import (
    Answered,
    LineHTTPError,
    Outcome,
    Refused,
    ResultLines,
    Unanswered,
    read_results,
)
from summarizer.batch_api.state import Part, PartPaper
from summarizer.cards import Usage
from summarizer.engines.base import EngineResult
from summarizer.engines.llm import Conversation, LLMEngine
from summarizer.errors import BatchAPIError, EndpointError, SummarizerError
from summarizer.redaction import redact_error
from summarizer.retries import is_retryable


@dataclass
class Decided:
    """What became of a part's papers (those `wanted`)."""

    settled: list[tuple[PartPaper, EngineResult | SummarizerError]] = field(default_factory=list)
    online: list[tuple[PartPaper, Conversation]] = field(default_factory=list)
    follow_up: list[tuple[PartPaper, Conversation]] = field(default_factory=list)
    # Tokens of each answer read, by cache key (billed at the Batch API's price).
    answer_usage: dict[str, Usage] = field(default_factory=dict)
    lines: Counter[str] = field(default_factory=Counter)  # answered, refused, or the code
    unreadable: int = 0


class Collector:
    """Downloads a part's result files and decides each paper."""

    def __init__(self, engine: LLMEngine, client: BatchClient, *, retry: RetryVia) -> None:
        self.engine = engine
        self.client = client
        self.retry = retry

    async def read(self, part: Part) -> ResultLines:
        """The outcomes in the part's output and error files. A file the provider no
        longer has (deleted, or expired after 30 days) is read as empty: its lines count
        as missing and their papers are asked again."""
        files = []
        for file_id in (part.output_file_id, part.error_file_id):
            if not file_id:
                continue
            try:
                files.append(await self.client.download(file_id))
            except BatchAPIError as error:
                if error.status != 404:
                    raise
        return read_results(files)

    def decide(
        self, papers: list[PartPaper], lines: ResultLines, wanted: Callable[[str], bool]
    ) -> Decided:
        """Each wanted paper's fate from its line (papers not wanted are left alone)."""
        decided = Decided(unreadable=lines.unreadable)
        for paper in papers:
            if wanted(paper.key):
                self._decide(paper, lines.outcome(paper.key), decided)
        return decided

    def _decide(self, paper: PartPaper, outcome: Outcome, decided: Decided) -> None:
        try:
            conversation = self._conversation(paper)
        except SummarizerError as error:  # e.g. a context the price table now says is too small
            decided.settled.append((paper, error))
            return
        if isinstance(outcome, Answered):
            decided.lines["answered"] += 1
            self._take(paper, conversation, outcome, decided)
        elif isinstance(outcome, Refused):
            decided.lines["refused"] += 1
            failure = LineHTTPError(outcome.status, outcome.body)
            if is_retryable(failure):
                self._retry(paper, conversation, decided, failure, unanswered=True)
            else:
                self._settle_failed(paper, conversation, failure, decided)
        else:
            decided.lines[outcome.code] += 1
            self._retry(paper, conversation, decided, _not_run(outcome), unanswered=True)

    def _conversation(self, paper: PartPaper) -> Conversation:
        title = paper.title or None
        if paper.conversation is not None:
            return self.engine.restore(title, paper.abstract, paper.conversation)
        return self.engine.conversation(title, paper.abstract)

    def _take(
        self, paper: PartPaper, conversation: Conversation, answer: Answered, decided: Decided
    ) -> None:
        usage = getattr(answer.completion, "usage", None)
        decided.answer_usage[paper.key] = Usage(
            requests=1,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )
        conversation.via = "batch_api"
        try:
            result = self.engine.take_answer(conversation, answer.completion)
        except SummarizerError as error:
            decided.settled.append((paper, error))
            return
        if result is not None:
            decided.settled.append((paper, result))
        else:  # a re-ask was prepared: the answer was invalid or ungrounded
            self._retry(paper, conversation, decided, None, unanswered=False)

    def _retry(
        self,
        paper: PartPaper,
        conversation: Conversation,
        decided: Decided,
        failure: BaseException | None,
        *,
        unanswered: bool,
    ) -> None:
        if self.retry == "online":
            decided.online.append((paper, conversation))
            return
        count = paper.unanswered + (1 if unanswered else 0)
        if failure is not None and count >= MAX_UNANSWERED_LINES:
            self._settle_failed(paper, conversation, failure, decided, batches=count)
            return
        decided.follow_up.append((paper.model_copy(update={"unanswered": count}), conversation))

    def _settle_failed(
        self,
        paper: PartPaper,
        conversation: Conversation,
        failure: BaseException,
        decided: Decided,
        *,
        batches: int | None = None,
    ) -> None:
        try:
            decided.settled.append((paper, self.engine.give_up(conversation, failure)))
        except SummarizerError as error:
            if batches is not None:
                error.message += f"; given up after {batches} batches"
                error.hint = "run the same command again to retry it, or use --batch-retry online"
            decided.settled.append((paper, redact_error(error, self.engine.settings.secrets)))


def _not_run(outcome: Unanswered) -> EndpointError:
    detail = f": {outcome.message}" if outcome.message else ""
    return EndpointError(f"the Batch API did not run the request ({outcome.code}{detail})")
