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

from dataclasses import dataclass

from summarizer.batch_api.options import MAX_UNANSWERED_LINES, RetryVia
from summarizer.batch_api.provider import BatchClient
from summarizer.batch_api.results import (
    Answered,
    LineHTTPError,
    Outcome,
    Refused,
    ResultIndex,
    Unanswered,
)
from summarizer.batch_api.state import Part, PartPaper, StateStore
from summarizer.cards import Usage
from summarizer.engines.base import EngineResult
from summarizer.engines.llm import Conversation, LLMEngine
from summarizer.errors import BatchAPIError, EndpointError, SummarizerError
from summarizer.redaction import redact_error
from summarizer.retries import is_retryable

RESULT_KINDS = ("output", "error")


@dataclass(frozen=True)
class Decision:
    """What becomes of one paper of an ended part."""

    paper: PartPaper  # with its count of lines that got no answer, this one included
    line: str  # answered, refused, or the code of a line that did not run
    settled: EngineResult | SummarizerError | None = None
    # A conversation to go on with (its next request): online, or in a follow-up batch.
    go_on: Conversation | None = None
    follow_up: bool = False
    usage: Usage | None = None  # the answer's tokens, billed at the Batch API's price


class Collector:
    """Downloads a part's result files and decides each paper."""

    def __init__(self, engine: LLMEngine, client: BatchClient, *, retry: RetryVia) -> None:
        self.engine = engine
        self.client = client
        self.retry = retry

    async def read(self, part: Part, store: StateStore) -> ResultIndex:
        """The part's output and error files, downloaded beside its papers file. A file
        the provider no longer has (deleted, or expired after 30 days) is read as empty:
        its lines count as missing and their papers are asked again."""
        paths = []
        for kind, file_id in zip(
            RESULT_KINDS, (part.output_file_id, part.error_file_id), strict=True
        ):
            if not file_id:
                continue
            path = store.result_path(part.token, kind)
            try:
                await self.client.download(file_id, path)
            except BatchAPIError as error:
                if error.status != 404:
                    raise
                continue
            paths.append(path)
        return ResultIndex(paths)

    def decide(self, paper: PartPaper, results: ResultIndex) -> Decision:
        """The paper's fate from its line."""
        outcome = results.outcome(paper.key)
        line = _line_kind(outcome)
        try:
            conversation = self._conversation(paper)
        except SummarizerError as error:  # e.g. a context the price table now says is too small
            return Decision(paper, line, settled=error)
        if isinstance(outcome, Answered):
            return self._take(paper, conversation, outcome)
        if isinstance(outcome, Refused):
            failure = LineHTTPError(outcome.status, outcome.body)
            if not is_retryable(failure):
                return Decision(paper, line, settled=self._settle_failed(conversation, failure))
            return self._retry(paper, line, conversation, failure)
        return self._retry(paper, line, conversation, _not_run(outcome))

    def _conversation(self, paper: PartPaper) -> Conversation:
        title = paper.title or None
        if paper.conversation is not None:
            return self.engine.restore(title, paper.abstract, paper.conversation)
        return self.engine.conversation(title, paper.abstract)

    def _take(self, paper: PartPaper, conversation: Conversation, answer: Answered) -> Decision:
        usage = getattr(answer.completion, "usage", None)
        billed = Usage(
            requests=1,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
        )
        conversation.via = "batch_api"
        try:
            result = self.engine.take_answer(conversation, answer.completion)
        except SummarizerError as error:
            return Decision(paper, "answered", settled=error, usage=billed)
        if result is not None:
            return Decision(paper, "answered", settled=result, usage=billed)
        # A re-ask was prepared: the answer was invalid or ungrounded.
        decision = self._retry(paper, "answered", conversation, None)
        return Decision(
            decision.paper,
            "answered",
            settled=decision.settled,
            go_on=decision.go_on,
            follow_up=decision.follow_up,
            usage=billed,
        )

    def _retry(
        self,
        paper: PartPaper,
        line: str,
        conversation: Conversation,
        failure: BaseException | None,
    ) -> Decision:
        """Online, or in a follow-up batch until a paper's lines got no answer in
        MAX_UNANSWERED_LINES batches."""
        if self.retry == "online":
            return Decision(paper, line, go_on=conversation)
        count = paper.unanswered + (1 if failure is not None else 0)
        if failure is not None and count >= MAX_UNANSWERED_LINES:
            settled = self._settle_failed(conversation, failure, batches=count)
            return Decision(paper, line, settled=settled)
        counted = paper.model_copy(update={"unanswered": count})
        return Decision(counted, line, go_on=conversation, follow_up=True)

    def _settle_failed(
        self, conversation: Conversation, failure: BaseException, *, batches: int | None = None
    ) -> EngineResult | SummarizerError:
        try:
            return self.engine.give_up(conversation, failure)
        except SummarizerError as error:
            if batches is not None:
                error.message += f"; given up after {batches} batches"
                error.hint = "run the same command again to retry it, or use --batch-retry online"
            return redact_error(error, self.engine.settings.secrets)


def _line_kind(outcome: Outcome) -> str:
    if isinstance(outcome, Answered):
        return "answered"
    if isinstance(outcome, Refused):
        return "refused"
    return outcome.code


def _not_run(outcome: Unanswered) -> EndpointError:
    detail = f": {outcome.message}" if outcome.message else ""
    return EndpointError(f"the Batch API did not run the request ({outcome.code}{detail})")
