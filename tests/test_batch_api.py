"""Runs through the Batch API against the test server, on a clock the test moves: every
paper ends as a card or an error, no paper is sent twice, nothing paid for is lost."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from summarizer.api import Summarizer
from summarizer.batch import BatchReport, dry_run, run_batch
from summarizer.batch_api import BatchAPIOptions, BatchLimits, cancel_batches
from summarizer.batch_api.provider import BatchClient
from summarizer.batch_api.source import BatchAPISource
from summarizer.batch_api.state import StateStore
from summarizer.concurrency import AdaptiveLimiter
from summarizer.errors import BatchesOpenError, ConfigError, ContextTooLongError
from summarizer.papers import Paper, read_papers
from summarizer.prices import load_prices
from summarizer.progress import PlainProgress, QuietProgress, RichProgress
from summarizer.screening import skip_reason
from summarizer.settings import Settings, resolve_settings
from summarizer.source import Source
from summarizer.testserver import ManualClock, Server, ServerConfig, running_server

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_CARDS = 295  # unique seed papers less the one flagged not_abstract
ONE_FILE = str(SEEDS / "000_7a3839734a59cdb6.txt")  # 8 papers worth a card
ONE_FILE_CARDS = 8


class Killed(BaseException):
    """Stands for SIGKILL at a chosen point: nothing after it runs."""


class Notes(QuietProgress):
    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def server(clock: ManualClock) -> Iterator[Server]:
    with running_server(ServerConfig(clock=clock)) as running:
        yield running


def settings_for(server: Server, cache: Path, model: str = "test-model") -> Settings:
    return resolve_settings(base_url=server.base_url, model=model, cache_dir=cache, environ={})


def options(clock: ManualClock, sleeps: list[float] | None = None, **extra: Any) -> BatchAPIOptions:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)
        clock.advance(seconds)
        await asyncio.sleep(0)

    return BatchAPIOptions(sleep=sleep, clock=clock, **extra)


def cards(out: Path) -> list[dict[str, Any]]:
    path = out / "cards.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def errors(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]


def todo_ids(path: str) -> list[str]:
    """The ids of the papers a run asks for, in the order their lines are written."""
    return [paper.paper_id for paper in read_papers([path]).papers if skip_reason(paper) is None]


def engine_fields(card: dict[str, Any]) -> dict[str, Any]:
    return {
        name: card[name]
        for name in ("problem", "method", "method_name", "contribution", "stages", "claimed_gains")
    }


def sent_once(server: Server) -> bool:
    return set(server.stats.snapshot().batch_custom_ids.values()) == {1}


def input_lines(server: Server, batch_index: int) -> list[dict[str, Any]]:
    """The request lines of the server's batch_index-th batch (0: the first created)."""
    with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as sdk:
        batches = list(sdk.batches.list(limit=100).data)[::-1]
        content = sdk.files.content(batches[batch_index].input_file_id).text
    return [json.loads(line) for line in content.splitlines()]


# --- the whole run ---------------------------------------------------------------------


def test_seed_papers_are_carded_through_a_batch_with_lines_failing_inside_it(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    """10% of lines fail inside the batch (HTTP errors, broken, cut and ungrounded
    answers): every paper ends as a card or an error line, cards equal the online ones,
    and the only errors are the answers cut off at the token limit, as online."""
    server.config.batch.fault_rate = 0.1
    out = tmp_path / "out"
    report = run_batch(
        [str(SEEDS)], out, settings_for(server, tmp_path / "cache"), batch_api=options(clock)
    )
    stats = server.stats.snapshot()
    made, failed = cards(out), errors(out)
    assert len(made) + len(failed) == SEED_CARDS
    assert stats.batches_created == 1 and stats.batch_lines == SEED_CARDS and sent_once(server)
    faults = {name: n for name, n in stats.by_batch_outcome.items() if name != "ok"}
    assert 15 <= sum(faults.values()) <= 45  # about 10% of 295
    assert len(failed) == faults.get("truncated", 0)
    assert {line["error"] for line in failed} <= {"ResponseError"}
    # Every other failed line was asked again online, once each.
    assert stats.requests == sum(faults.values()) - len(failed)
    assert report.batch_api is not None
    assert report.batch_api["retried_online"] == stats.requests
    assert report.batch_api["open"] == 0 and report.batch_api["papers_waiting"] == 0
    assert report.new_cards == len(made) and report.failed == len(failed)
    assert report.not_attempted == 0
    # A paper whose line got an HTTP error was made online; the others from the batch.
    refused = sum(faults.get(name, 0) for name in ("429", "500", "503"))
    online_made = [card for card in made if card["provenance"]["via"] is None]
    assert len(online_made) == refused
    assert all(card["provenance"]["via"] == "batch_api" for card in made if card not in online_made)

    online_out = tmp_path / "online"
    with running_server(ServerConfig()) as online_server:
        run_batch([str(SEEDS)], online_out, settings_for(online_server, tmp_path / "c2"))
    online = {card["paper_id"]: card for card in cards(online_out)}
    for card in made:
        assert engine_fields(card) == engine_fields(online[card["paper_id"]])
        mine = {k: v for k, v in card["provenance"].items() if k not in ("usage", "via")}
        theirs = {k: v for k, v in online[card["paper_id"]]["provenance"].items()}
        assert mine == {k: v for k, v in theirs.items() if k not in ("usage", "via")}
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["recipe"] == json.loads((online_out / "run.json").read_text())["recipe"]
    assert not (out / "batch-api").exists()  # papers files go once their batch is collected


def test_the_cache_is_shared_with_the_online_engine(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    run_batch([ONE_FILE], tmp_path / "a", settings_for(server, cache), batch_api=options(clock))
    assert server.stats.snapshot().batch_lines == ONE_FILE_CARDS
    # An online run of the same papers, and a single summarize, cost nothing.
    report = run_batch([ONE_FILE], tmp_path / "b", settings_for(server, cache))
    assert report.cached == ONE_FILE_CARDS and server.stats.snapshot().requests == 0
    paper = read_papers([ONE_FILE]).papers[0]
    with Summarizer(settings_for(server, cache)) as summarizer:
        card = summarizer.summarize(paper.abstract, paper.title)
    assert card.provenance.cached and card.provenance.via is None
    assert server.stats.snapshot().requests == 0
    # And the other way: papers answered online are not sent in a batch.
    other = str(SEEDS / "001_dfed78a48e075cb1.txt")
    run_batch([other], tmp_path / "c", settings_for(server, cache))
    report = run_batch(
        [other], tmp_path / "d", settings_for(server, cache), batch_api=options(clock)
    )
    assert server.stats.snapshot().batches_created == 1
    assert report.cached == report.new_cards > 0


def test_no_wait_submits_then_a_later_run_collects_sending_no_paper_twice(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    server.config.batch.seconds = 3600
    out, settings = tmp_path / "out", settings_for(server, tmp_path / "cache")
    first = run_batch([ONE_FILE], out, settings, batch_api=options(clock, wait=False))
    assert first.new_cards == 0 and first.failed == 0 and first.not_attempted == 0
    assert first.batch_api is not None
    assert first.batch_api["papers_waiting"] == ONE_FILE_CARDS
    assert first.batch_api["open"] == 1 and first.batch_api["submitted"] == 1
    assert first.summary().endswith(
        "Batch API: 1 batch submitted, 0 collected (0 lines answered, 0 failed); 0 papers "
        "retried online, 0 in a batch. 1 batch is still open at the provider with 8 papers "
        "of this run: run the same command again to collect them."
    )
    state = StateStore(out).load()
    assert state is not None and [part.stage for part in state.parts] == ["submitted"]
    assert state.parts[0].status == "in_progress"
    # Again before it ended: nothing is resubmitted, nothing collected.
    second = run_batch([ONE_FILE], out, settings, batch_api=options(clock, wait=False))
    assert second.batch_api is not None and second.batch_api["submitted"] == 0
    assert second.batch_api["papers_waiting"] == ONE_FILE_CARDS
    assert server.stats.snapshot().batches_created == 1
    clock.advance(3600)
    third = run_batch([ONE_FILE], out, settings, batch_api=options(clock, wait=False))
    assert third.new_cards == ONE_FILE_CARDS and third.batch_api is not None
    assert third.batch_api["collected"] == 1 and third.batch_api["open"] == 0
    assert len(cards(out)) == ONE_FILE_CARDS
    stats = server.stats.snapshot()
    assert stats.batches_created == 1 and stats.requests == 0 and sent_once(server)


def test_polling_walks_every_status_and_backs_off_while_nothing_changes(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    server.script_batch_statuses(
        ["validating", "validating", "validating", "in_progress", "finalizing", "completed"]
    )
    sleeps: list[float] = []
    notes = Notes()
    out = tmp_path / "out"
    run_batch(
        [ONE_FILE],
        out,
        settings_for(server, tmp_path / "cache"),
        progress=notes,
        batch_api=options(clock, sleeps, poll_seconds=10),
    )
    assert notes.notes == [
        "1 batch at the provider: validating 0/8",
        "1 batch at the provider: validating 0/8",
        "1 batch at the provider: validating 0/8",
        "1 batch at the provider: in_progress 4/8",
        "1 batch at the provider: finalizing 8/8",
        "collecting batches",
    ]
    # The first status is seen at creation; validating twice more backs off.
    assert sleeps == [10, 15, 22.5, 10, 10]
    assert len(cards(out)) == ONE_FILE_CARDS


# --- lines that fail -------------------------------------------------------------------


def test_each_kind_of_failed_line_is_retried_or_settled_as_online(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    """HTTP errors a retry may fix are asked again; a prompt over the context is not;
    broken and ungrounded answers are re-asked online as the conversation's next turn."""
    outcomes = ["500", "400_context", "ungrounded", "bad_json", "schema_invalid", "429"]
    server.script_batch_lines(outcomes)
    out = tmp_path / "out"
    report = run_batch(
        [ONE_FILE], out, settings_for(server, tmp_path / "cache"), batch_api=options(clock)
    )
    papers = todo_ids(ONE_FILE)
    by_id = {card["paper_id"]: card for card in cards(out)}
    failed = errors(out)
    assert [line["paper_id"] for line in failed] == [papers[1]]
    assert failed[0]["error"] == "ContextTooLongError"
    stats = server.stats.snapshot()
    assert stats.requests == 5 and stats.reasks == 3  # 500 and 429 asked afresh
    for index in (2, 3, 4):  # re-asked: the batch answer and one online request
        assert by_id[papers[index]]["provenance"]["usage"]["requests"] == 2
        assert by_id[papers[index]]["provenance"]["via"] == "batch_api"
    for index in (0, 5):  # no answer in the batch: made online
        assert by_id[papers[index]]["provenance"]["usage"]["requests"] == 1
        assert by_id[papers[index]]["provenance"]["via"] is None
    assert report.batch_api is not None
    assert report.batch_api["lines"] == {"answered": 5, "refused": 3}
    assert report.batch_api["retried_online"] == 5


def test_failed_lines_go_to_a_follow_up_batch_with_the_re_ask(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    server.script_batch_lines(["ungrounded", "500"])
    out = tmp_path / "out"
    report = run_batch(
        [ONE_FILE],
        out,
        settings_for(server, tmp_path / "cache"),
        batch_api=options(clock, retry="batch"),
    )
    stats = server.stats.snapshot()
    assert stats.requests == 0 and stats.batches_created == 2
    assert len(cards(out)) == ONE_FILE_CARDS
    follow_up = input_lines(server, 1)
    assert len(follow_up) == 2
    reask, again = sorted(follow_up, key=lambda line: len(line["body"]["messages"]))[::-1]
    roles = [message["role"] for message in reask["body"]["messages"]]
    assert roles[:2] == ["system", "user"] and len(roles) > 2  # the answer and the fix
    assert again["body"] == input_lines(server, 0)[1]["body"]  # the 500: asked again as is
    assert report.batch_api is not None and report.batch_api["retried_in_batch"] == 2
    papers = todo_ids(ONE_FILE)
    reasked = next(card for card in cards(out) if card["paper_id"] == papers[0])
    assert reasked["provenance"]["usage"]["requests"] == 2


def test_a_paper_whose_lines_keep_failing_in_batches_is_given_up(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    # The first paper's line fails in each of three batches; the others' lines are fine.
    server.script_batch_lines(["503"] + ["ok"] * (ONE_FILE_CARDS - 1) + ["503", "503"])
    out = tmp_path / "out"
    run_batch(
        [ONE_FILE],
        out,
        settings_for(server, tmp_path / "cache"),
        batch_api=options(clock, retry="batch"),
    )
    failed = errors(out)
    assert len(failed) == 1 and len(cards(out)) == ONE_FILE_CARDS - 1
    assert failed[0]["reason"].startswith("LLM endpoint at ")
    assert "given up after 3 batches" in failed[0]["reason"]
    assert server.stats.snapshot().batches_created == 3


def test_a_failed_batch_is_asked_again_online_or_in_another_batch(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    server.script_batch_statuses(["failed"])  # the enqueued-token limit is full
    out = tmp_path / "online"
    report = run_batch(
        [ONE_FILE], out, settings_for(server, tmp_path / "c1"), batch_api=options(clock)
    )
    assert len(cards(out)) == ONE_FILE_CARDS
    assert server.stats.snapshot().requests == ONE_FILE_CARDS
    assert report.batch_api is not None
    assert report.batch_api["batches"][0]["status"] == "failed"
    assert report.batch_api["batches"][0]["errors"][0].startswith(
        "token_limit_exceeded: Enqueued token limit reached for test-model"
    )
    assert report.batch_api["lines"] == {"missing": ONE_FILE_CARDS}
    server.script_batch_statuses(["failed"])
    out = tmp_path / "batch"
    run_batch(
        [ONE_FILE],
        out,
        settings_for(server, tmp_path / "c2"),
        batch_api=options(clock, retry="batch"),
    )
    assert len(cards(out)) == ONE_FILE_CARDS
    assert server.stats.snapshot().requests == ONE_FILE_CARDS  # none more online
    assert server.stats.snapshot().batches_created == 3


@pytest.mark.parametrize("retry", ["online", "batch"])
def test_an_expired_batch_keeps_its_answers_and_asks_again_for_the_rest(
    server: Server, clock: ManualClock, tmp_path: Path, retry: str
) -> None:
    server.config.batch.seconds_per_request = 100.0  # 8 lines: 800 s, expiring at 500 s
    server.config.batch.expiry_seconds = 500.0
    out = tmp_path / "out"
    report = run_batch(
        [ONE_FILE],
        out,
        settings_for(server, tmp_path / "cache"),
        batch_api=options(clock, retry=retry, poll_seconds=60),
    )
    assert len(cards(out)) == ONE_FILE_CARDS
    assert report.batch_api is not None
    first = report.batch_api["batches"][0]
    assert first["status"] == "expired" and first["request_counts"]["completed"] == 5
    answered = 5 + (3 if retry == "batch" else 0)  # the follow-up batch answers the rest
    assert report.batch_api["lines"] == {"answered": answered, "batch_expired": 3}
    stats = server.stats.snapshot()
    assert sent_once(server) and stats.batch_lines == 5 + (3 if retry == "batch" else 0)
    assert stats.requests == (3 if retry == "online" else 0)


# --- interruptions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "stage", "batches"),
    [("upload", "uploading", 1), ("before_create", "creating", 1), ("after_create", "creating", 1)],
)
def test_a_run_killed_while_submitting_is_finished_by_the_next_without_paying_twice(
    server: Server,
    clock: ManualClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    when: str,
    stage: str,
    batches: int,
) -> None:
    out, settings = tmp_path / "out", settings_for(server, tmp_path / "cache")
    upload, create = BatchClient.upload, BatchClient.create

    async def killed_upload(self: BatchClient, path: Path) -> str:
        if when == "upload":
            await upload(self, path)
            raise Killed
        return await upload(self, path)

    async def killed_create(self: BatchClient, file_id: str, metadata: dict[str, str]) -> Any:
        if when == "before_create":
            raise Killed
        await create(self, file_id, metadata)
        raise Killed

    monkeypatch.setattr(BatchClient, "upload", killed_upload)
    monkeypatch.setattr(BatchClient, "create", killed_create)
    with pytest.raises(Killed):
        run_batch([ONE_FILE], out, settings, batch_api=options(clock))
    state = StateStore(out).load()
    assert state is not None and [part.stage for part in state.parts] == [stage]
    # A run that would pay again for papers that may be in a live batch is refused.
    with pytest.raises(BatchesOpenError):
        run_batch([ONE_FILE], out, settings)
    monkeypatch.undo()
    report = run_batch([ONE_FILE], out, settings, batch_api=options(clock))
    assert len(cards(out)) == ONE_FILE_CARDS
    stats = server.stats.snapshot()
    assert stats.batches_created == batches and sent_once(server) and stats.requests == 0
    assert report.batch_api is not None
    adopted = when == "after_create"
    assert report.batch_api["dropped_unsubmitted"] == (0 if adopted else 1)
    assert report.batch_api["submitted"] == (0 if adopted else 1)


def test_a_run_killed_while_collecting_is_collected_again_from_the_files(
    server: Server, clock: ManualClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script_batch_lines(["500", "500"])  # two papers to ask online
    out, settings = tmp_path / "out", settings_for(server, tmp_path / "cache")
    finish = Summarizer.afill_many

    async def killed(self: Summarizer, work: Any, **kwargs: Any) -> Any:
        work = list(work)
        async for result in finish(self, work[:1], **kwargs):
            yield result
        raise Killed

    monkeypatch.setattr(Summarizer, "afill_many", killed)
    with pytest.raises(Killed):
        run_batch([ONE_FILE], out, settings, batch_api=options(clock))
    assert len(cards(out)) == ONE_FILE_CARDS - 1
    state = StateStore(out).load()
    assert state is not None and state.parts[0].stage == "ended"
    monkeypatch.undo()
    report = run_batch([ONE_FILE], out, settings, batch_api=options(clock))
    assert report.new_cards == 1 and len(cards(out)) == ONE_FILE_CARDS
    assert len({card["paper_id"] for card in cards(out)}) == ONE_FILE_CARDS
    stats = server.stats.snapshot()
    assert stats.batches_created == 1 and stats.requests == 2 and sent_once(server)


def test_cancelled_batches_are_collected_and_the_rest_asked_again(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    server.config.batch.seconds_per_request = 100.0
    out, settings = tmp_path / "out", settings_for(server, tmp_path / "cache")
    run_batch([ONE_FILE], out, settings, batch_api=options(clock, wait=False))
    clock.advance(450)  # four of eight lines are done
    done = cancel_batches(out, settings)
    assert (done.cancelled, done.papers, done.ended) == (1, ONE_FILE_CARDS, 0)
    state = StateStore(out).load()
    assert state is not None and state.parts[0].status in ("cancelling", "cancelled")
    assert cancel_batches(out, settings).cancelled == 0  # nothing is running any more
    report = run_batch([ONE_FILE], out, settings, batch_api=options(clock))
    assert len(cards(out)) == ONE_FILE_CARDS
    assert report.batch_api is not None
    assert report.batch_api["lines"] == {"answered": 4, "batch_cancelled": 4}
    assert server.stats.snapshot().requests == 4


# --- what a folder with open batches refuses -------------------------------------------


def test_a_folder_with_open_batches_refuses_runs_that_would_pay_twice(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    server.config.batch.seconds = 3600
    out, settings = tmp_path / "out", settings_for(server, tmp_path / "cache")
    run_batch([ONE_FILE], out, settings, batch_api=options(clock, wait=False))
    hint = "or cancel them with --cancel-batches"
    with pytest.raises(BatchesOpenError) as online:
        run_batch([ONE_FILE], out, settings)
    assert str(online.value) == (
        f"{out}: has 1 open batch holding 8 papers at the provider (batch-api.json); an "
        f"online run would pay for those papers again (add --batch-api to collect them, {hint})"
    )
    with pytest.raises(BatchesOpenError) as over:
        run_batch([ONE_FILE], out, settings, start_over=True, batch_api=options(clock))
    assert "collect them first (run without --start-over, with --batch-api)" in str(over.value)
    other = settings.with_overrides(max_tokens=1000)
    with pytest.raises(BatchesOpenError) as recipe:
        run_batch([ONE_FILE], out, other, batch_api=options(clock))
    assert "made with another recipe (max tokens 2048 there, 1000 now)" in str(recipe.value)
    assert server.stats.snapshot().batches_created == 1


def test_start_over_moves_a_closed_state_aside(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    out, settings = tmp_path / "out", settings_for(server, tmp_path / "cache")
    run_batch([ONE_FILE], out, settings, batch_api=options(clock))
    report = run_batch([ONE_FILE], out, settings, start_over=True, batch_api=options(clock))
    assert report.moved_aside is not None
    assert (Path(report.moved_aside) / "batch-api.json").exists()
    assert report.cached == ONE_FILE_CARDS  # the answers were kept in the cache


# --- cost ------------------------------------------------------------------------------


def test_a_batch_costs_half_the_online_run_retries_at_online_prices(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    online = run_batch(
        [ONE_FILE], tmp_path / "a", settings_for(server, tmp_path / "c1", "gpt-4o-mini")
    )
    batch = run_batch(
        [ONE_FILE],
        tmp_path / "b",
        settings_for(server, tmp_path / "c2", "gpt-4o-mini"),
        batch_api=options(clock),
    )
    assert online.estimated_cost_usd is not None and online.estimated_cost_usd > 0
    assert batch.estimated_cost_usd == pytest.approx(online.estimated_cost_usd / 2)
    assert batch.usage == online.usage
    server.script_batch_lines(["500", "ungrounded"])
    retried = run_batch(
        [ONE_FILE],
        tmp_path / "c",
        settings_for(server, tmp_path / "c3", "gpt-4o-mini"),
        batch_api=options(clock),
    )
    section = retried.batch_api
    assert section is not None
    assert section["usage_online"]["requests"] == 2
    assert section["usage_batch"]["requests"] == ONE_FILE_CARDS - 1
    assert retried.estimated_cost_usd == pytest.approx(
        section["cost_batch_usd"] + section["cost_online_usd"]
    )
    # Online prices for the online part, half of them for the batch part.
    price_in, price_out = 0.15 / 1e6, 0.60 / 1e6
    assert section["cost_online_usd"] == pytest.approx(
        section["usage_online"]["prompt_tokens"] * price_in
        + section["usage_online"]["completion_tokens"] * price_out
    )
    assert section["cost_batch_usd"] == pytest.approx(
        (section["usage_batch"]["prompt_tokens"] * price_in
        + section["usage_batch"]["completion_tokens"] * price_out) / 2
    )  # fmt: skip
    assert section["online_equivalent_cost_usd"] > retried.estimated_cost_usd
    run_json = json.loads((tmp_path / "c" / "run.json").read_text())
    assert run_json["batch_api"]["estimated_cost_usd"] == run_json["estimated_cost_usd"]


def test_batch_prices_come_from_the_table_when_given(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(
        '[models."test-model"]\ninput = 1.0\noutput = 2.0\nbatch_input = 0.8\nbatch_output = 1.6\n'
    )
    report = run_batch(
        [ONE_FILE],
        tmp_path / "out",
        settings_for(server, tmp_path / "cache"),
        prices_file=prices,
        batch_api=options(clock),
    )
    usage = report.usage
    assert report.estimated_cost_usd == pytest.approx(
        (usage["prompt_tokens"] * 0.8 + usage["completion_tokens"] * 1.6) / 1e6
    )


def test_a_dry_run_prices_the_batch_and_leaves_out_papers_in_open_batches(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    settings = settings_for(server, tmp_path / "cache", "gpt-4o-mini")
    plain = dry_run([ONE_FILE], out, settings)
    planned = dry_run([ONE_FILE], out, settings, batch_api=True)
    assert plain.estimated_cost_usd is not None
    assert planned.estimated_cost_usd == pytest.approx(plain.estimated_cost_usd / 2)
    assert planned.online_cost_usd == plain.estimated_cost_usd
    server.config.batch.seconds = 3600
    run_batch([ONE_FILE], out, settings, batch_api=options(clock, wait=False))
    later = dry_run([ONE_FILE], out, settings, batch_api=True)
    assert (later.in_open_batches, later.cached, later.to_request) == (ONE_FILE_CARDS, 0, 0)
    assert later.estimated_cost_usd == 0
    assert server.stats.snapshot().batches_created == 1


# --- papers the batch cannot take ------------------------------------------------------


def test_papers_too_large_for_a_batch_or_the_context_are_errors_not_requests(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    limits = BatchLimits(max_tokens=1500)  # about 1,000-2,000 tokens per request here
    report = run_batch(
        [ONE_FILE],
        out,
        settings_for(server, tmp_path / "cache"),
        batch_api=options(clock, limits=limits),
    )
    failed = errors(out)
    assert failed and len(failed) + len(cards(out)) == ONE_FILE_CARDS
    assert all("more than --batch-max-tokens" in line["reason"] for line in failed)
    assert report.batch_api is not None and report.batch_api["too_large"] == len(failed)
    # The ones that fit went in batches of at most 1,500 estimated tokens: one each.
    assert server.stats.snapshot().batches_created == len(cards(out))


def test_a_prompt_over_the_models_context_is_refused_before_submitting(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    prices = Path.home() / ".config" / "summarizer"
    prices.mkdir(parents=True)
    (prices / "prices.toml").write_text(
        '[models."tiny"]\ninput = 1.0\noutput = 1.0\ncontext = 2500\n'
    )
    out = tmp_path / "out"
    run_batch(
        [ONE_FILE], out, settings_for(server, tmp_path / "cache", "tiny"), batch_api=options(clock)
    )
    assert {line["error"] for line in errors(out)} == {ContextTooLongError.__name__}
    assert server.stats.snapshot().batches_created == 0


def test_two_papers_with_the_same_text_are_asked_once(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    """Readers mark such papers duplicates; given anyway, the second comes from the cache."""
    paper = read_papers([ONE_FILE]).papers[0]
    twin = Paper("twin", paper.title, paper.abstract, Source(file="x", index=1))
    with Summarizer(settings_for(server, tmp_path / "cache")) as summarizer:
        source = BatchAPISource(
            summarizer,
            tmp_path,
            options(clock),
            progress=QuietProgress(),
            limiter=AdaptiveLimiter(2),
        )

        async def collect() -> list[Any]:
            return [result async for result in source.results([paper, twin], asyncio.Event())]

        results = asyncio.run(collect())
    assert [result.paper.paper_id for result in results] == [paper.paper_id, "twin"]
    assert results[1].card is not None and results[1].card.provenance.cached
    assert server.stats.snapshot().batch_lines == 1 and server.stats.snapshot().requests == 0


def test_the_report_section_is_in_run_json(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    report: BatchReport = run_batch(
        [ONE_FILE], out, settings_for(server, tmp_path / "cache"), batch_api=options(clock)
    )
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["batch_api"] == json.loads(json.dumps(report.batch_api))
    batch = run_json["batch_api"]["batches"][0]
    assert batch["status"] == "completed" and batch["stage"] == "collected"
    assert batch["request_counts"] == {"total": 8, "completed": 8, "failed": 0}
    assert batch["batch_id"].startswith("batch_") and batch["input_file_id"].startswith("file-")


def test_a_damaged_state_file_is_one_line_with_its_fix(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "batch-api.json").write_text("{not json")
    with pytest.raises(ConfigError) as damaged:
        run_batch([ONE_FILE], out, settings_for(server, tmp_path / "c"), batch_api=options(clock))
    assert str(damaged.value) == (
        f"{out / 'batch-api.json'}: cannot be read (not a batch state file) (it lists the "
        "folder's batches at the provider: restore it, or move it away to forget them "
        "(their answers are then not collected))"
    )
    assert server.stats.snapshot().batches_created == 0


def test_a_price_table_with_a_bad_batch_price_is_refused(tmp_path: Path) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text('[models."m"]\ninput = 1.0\noutput = 2.0\nbatch_input = "cheap"\n')
    with pytest.raises(ConfigError) as refused:
        load_prices(prices)
    assert "numeric 'batch_input', 'batch_output'" in str(refused.value)
    prices.write_text('[models."m"]\ninput = 1.0\noutput = 2.0\n')
    assert load_prices(prices)["m"].batch_cost(1_000_000, 1_000_000) == pytest.approx(1.5)


def test_plain_progress_writes_a_note_when_it_changes() -> None:
    out = io.StringIO()
    progress = PlainProgress(out)
    for text in ("1 batch at the provider: validating 0/8", "same", "same", "other"):
        progress.note(text if text != "same" else "1 batch at the provider: in_progress 4/8")
    assert out.getvalue().splitlines() == [
        "1 batch at the provider: validating 0/8",
        "1 batch at the provider: in_progress 4/8",
        "other",
    ]


def test_a_result_file_the_provider_no_longer_has_is_asked_again(
    server: Server, clock: ManualClock, tmp_path: Path
) -> None:
    server.config.batch.seconds = 3600
    out, settings = tmp_path / "out", settings_for(server, tmp_path / "cache")
    run_batch([ONE_FILE], out, settings, batch_api=options(clock, wait=False))
    clock.advance(3600)
    with openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0) as sdk:
        ended = sdk.batches.list().data[0]
        assert ended.status == "completed" and ended.output_file_id
        sdk.files.delete(ended.output_file_id)  # as after OpenAI's 30 days
    report = run_batch([ONE_FILE], out, settings, batch_api=options(clock))
    assert len(cards(out)) == ONE_FILE_CARDS
    assert report.batch_api is not None
    assert report.batch_api["lines"] == {"missing": ONE_FILE_CARDS}
    assert server.stats.snapshot().requests == ONE_FILE_CARDS


def test_the_bar_shows_the_batches_note_and_no_eta_when_papers_wait() -> None:
    out = io.StringIO()
    progress = RichProgress(out)
    progress.start(8)
    progress.note("1 batch at the provider: in_progress 4/8")
    progress.stop()
    final = out.getvalue().splitlines()[-1]
    assert "1 batch at the provider: in_progress 4/8" in final
    assert "stopped early" in final and "ETA" not in final
