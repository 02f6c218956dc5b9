"""The scale-out's parts that need no cluster: the split, the row codecs, the shared
budget's arithmetic and the command line (tests/test_scaleout_ray.py runs them on Ray)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run_cli

from summarizer.api import Summarizer, SummaryResult
from summarizer.cards import Usage
from summarizer.errors import (
    AuthenticationError,
    ConfigError,
    InputError,
    ResponseError,
    SummarizerError,
)
from summarizer.papers import Paper, read_papers
from summarizer.scaleout.budget import RunControl, SharedLimiter
from summarizer.scaleout.cluster import check_reachable
from summarizer.scaleout.options import RayOptions, split_work
from summarizer.scaleout.rows import (
    error_from_dict,
    error_to_dict,
    paper_from_json,
    paper_from_record_row,
    paper_row,
    result_from_row,
    result_row,
)
from summarizer.source import Source


def seed_papers(repo: Path, count: int) -> list[Paper]:
    papers = read_papers([str(repo / "seeds")]).papers
    return [paper for paper in papers if paper.duplicate_of is None][:count]


# --- how the work is split ----------------------------------------------------------------


def test_requests_are_split_evenly_over_one_actor_per_cpu() -> None:
    split = split_work(RayOptions(), concurrency=16, asks_model=True, cluster_cpus=4)
    assert (split.actors, split.actor_concurrency, split.reachable) == (4, 4, 16)
    assert split.batch_size == 16  # four rounds of the actor's requests


def test_no_more_actors_than_requests_and_an_uneven_total_rounds_up() -> None:
    assert split_work(RayOptions(), concurrency=3, asks_model=True, cluster_cpus=8).actors == 3
    split = split_work(RayOptions(), concurrency=10, asks_model=True, cluster_cpus=4)
    assert (split.actors, split.actor_concurrency, split.total) == (4, 3, 10)


def test_given_actors_and_per_actor_requests_are_kept_under_the_total() -> None:
    options = RayOptions(actors=2, actor_concurrency=8, actor_cpus=0.5)
    split = split_work(options, concurrency=4, asks_model=True, cluster_cpus=2)
    assert (split.actors, split.actor_concurrency, split.actor_cpus) == (2, 8, 0.5)
    assert split.reachable == 4  # the shared budget holds the total


def test_the_offline_engine_gets_one_actor_per_cpu_and_larger_batches() -> None:
    split = split_work(RayOptions(), concurrency=8, asks_model=False, cluster_cpus=6)
    assert (split.actors, split.actor_concurrency, split.batch_size) == (6, 1, 64)
    halves = split_work(RayOptions(actor_cpus=2), concurrency=8, asks_model=False, cluster_cpus=6)
    assert halves.actors == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"actors": 0}, "actors: must be at least 1"),
        ({"actor_concurrency": 0}, "actor-concurrency: must be at least 1"),
        ({"actor_cpus": 0.0}, "actor-cpus: must be more than 0"),
    ],
)
def test_bad_ray_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        RayOptions(**options)
    assert str(error.value) == message


# --- rows ----------------------------------------------------------------------------------


def test_a_paper_crosses_as_json_and_comes_back_the_same(repo: Path) -> None:
    for paper in seed_papers(repo, 20):
        back = paper_from_json(paper_row(paper))
        assert back == Paper(
            paper.paper_id, paper.title, paper.abstract, paper.source, paper.warnings
        )


def test_a_card_result_comes_back_with_the_same_card(repo: Path) -> None:
    paper = seed_papers(repo, 1)[0]
    with Summarizer(engine="offline") as summarizer:
        card = summarizer.summarize_paper(paper)
    row = result_row(SummaryResult(paper, card=card))
    assert set(row) == {"paper_id", "title", "source", "card", "error"}
    assert all(value is None or isinstance(value, str) for value in row.values())
    back = result_from_row(json.loads(json.dumps(row)))
    assert back.card == card and back.error is None
    assert (back.paper.paper_id, back.paper.source) == (paper.paper_id, paper.source)


def test_an_error_comes_back_as_its_class_with_its_text_usage_and_stop() -> None:
    error = AuthenticationError("the key was refused", base_url="http://x/v1", status=401)
    error.usage = Usage(requests=1, prompt_tokens=10)
    back = error_from_dict(json.loads(json.dumps(error_to_dict(error))))
    assert type(back) is AuthenticationError
    assert str(back) == str(error) and back.stops_run
    assert back.usage == Usage(requests=1, prompt_tokens=10)
    response = error_from_dict(error_to_dict(ResponseError("cut off", kind="truncated")))
    assert type(response) is ResponseError and not response.stops_run


def test_an_error_of_an_unknown_class_comes_back_as_a_summarizer_error() -> None:
    record = error_to_dict(SummarizerError("a plugin failed", hint="reinstall it"))
    record.update(type="PluginError", module="not_installed_plugin.errors", stops_run=True)
    back = error_from_dict(record)
    assert type(back) is SummarizerError
    assert str(back) == "a plugin failed (reinstall it)" and back.stops_run


def test_a_users_row_is_read_as_a_jsonl_line_is(repo: Path, tmp_path: Path) -> None:
    row = {
        "Title": "  Attention Is  All You Need ",
        "Abstract Note": "The dominant sequence transduction models are complex.",
        "doi": "https://doi.org/10.48550/arXiv.1706.03762",
        "year": "2017",
    }
    listing = tmp_path / "list.jsonl"
    listing.write_text(json.dumps(row) + "\n")
    read = read_papers([str(listing)]).papers[0]
    paper = paper_from_record_row(row, "arxiv")
    assert isinstance(paper, Paper)
    assert (paper.paper_id, paper.title) == (read.paper_id, read.title)
    assert (paper.abstract, paper.warnings) == (read.abstract, read.warnings)
    assert paper.source == Source(
        file="arxiv",
        index=0,
        url=read.source.url,
        doi="10.48550/arxiv.1706.03762",
        arxiv_id="1706.03762",
        year=2017,
    )


def test_a_users_row_without_an_abstract_is_an_input_error() -> None:
    problem = paper_from_record_row({"title": "Only a title", "abstract": " "}, "arxiv")
    assert isinstance(problem, InputError)
    assert str(problem) == "arxiv (Only a title): no abstract"


# --- the shared budget ---------------------------------------------------------------------


def test_the_budget_holds_the_total_and_halves_it_on_a_429() -> None:
    async def scenario() -> list[object]:
        control = RunControl(4)
        seen: list[object] = [await control.acquire() for _ in range(4)]
        waiting = asyncio.create_task(control.acquire())
        await asyncio.sleep(0.01)
        seen.append(waiting.done())  # a fifth waits
        await control.rate_limited(1.0)  # limit 2: two releases free no slot yet
        await control.release()
        await control.release()
        await asyncio.sleep(0.01)
        seen.append(waiting.done())
        await control.release()
        await asyncio.sleep(0.01)
        seen.append(waiting.done())  # in flight 1 < 2 now
        stats = await control.stats()
        seen.append((stats.maximum, stats.lowest, stats.rate_limits))
        return seen

    assert asyncio.run(scenario()) == [True, True, True, True, False, False, True, (4, 2, 1)]


def test_successes_reported_with_releases_grow_the_limit_back() -> None:
    async def scenario() -> int:
        control = RunControl(4)
        await control.rate_limited(None)  # 2
        await control.acquire()
        await control.release(successes=2)  # two in a row at limit 2: one more
        return control.limits.limit

    assert asyncio.run(scenario()) == 3


def test_a_stop_wakes_every_waiter_with_no_slot() -> None:
    async def scenario() -> tuple[list[bool], str | None]:
        control = RunControl(1)
        await control.acquire()
        waiters = [asyncio.create_task(control.acquire()) for _ in range(3)]
        await asyncio.sleep(0.01)
        await control.stop("HTTP 401")
        await control.stop("later reasons are not kept")
        return [await waiter for waiter in waiters], await control.stop_reason()

    assert asyncio.run(scenario()) == ([False, False, False], "HTTP 401")


class _Method:
    def __init__(self, calls: list[tuple[str, tuple[Any, ...]]], name: str, answer: Any) -> None:
        self.calls, self.name, self.answer = calls, name, answer

    def remote(self, *args: Any) -> asyncio.Future[Any]:
        self.calls.append((self.name, args))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_result(self.answer)
        return future


class _FakeControl:
    """A RunControl handle whose calls are recorded (acquire answers `granted`)."""

    def __init__(self, granted: bool) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.acquire = _Method(self.calls, "acquire", granted)
        self.release = _Method(self.calls, "release", None)
        self.rate_limited = _Method(self.calls, "rate_limited", None)


def test_an_actors_limiter_reports_successes_and_429s_to_the_budget() -> None:
    async def scenario() -> list[tuple[str, tuple[Any, ...]]]:
        control = _FakeControl(granted=True)
        limiter = SharedLimiter(control, 2, asyncio.Event())
        await limiter.acquire()
        limiter.rate_limited(0.5)
        limiter.succeeded()
        await limiter.release()
        return control.calls

    assert asyncio.run(scenario()) == [
        ("acquire", ()),
        ("rate_limited", (0.5,)),
        ("release", (1,)),
    ]


def test_after_a_stop_an_actor_takes_no_slot_and_gives_none_back() -> None:
    async def scenario() -> tuple[bool, list[tuple[str, tuple[Any, ...]]]]:
        control = _FakeControl(granted=False)
        stop = asyncio.Event()
        limiter = SharedLimiter(control, 1, stop)
        await limiter.acquire()
        await limiter.release()
        await limiter.acquire()  # its own slot came back: no deadlock
        return stop.is_set(), control.calls

    stopped, calls = asyncio.run(scenario())
    assert stopped and calls == [("acquire", ()), ("acquire", ())]


# --- the command line ----------------------------------------------------------------------


def test_actor_options_without_ray_are_a_usage_error(repo: Path, tmp_path: Path) -> None:
    result = run_cli("batch", str(repo / "seeds"), "-o", str(tmp_path / "out"), "--actors", "2")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: --actors needs --ray\n")
    assert not (tmp_path / "out").exists()


def test_ray_missing_is_one_line_saying_what_to_install(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray: ImportError
    result = run_cli("batch", str(repo / "seeds"), "-o", str(tmp_path / "out"), "--ray")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "summarizer: ray: Ray is not installed (pip install 'summarizer[ray]')\n"
    )
    assert not (tmp_path / "out" / "cards.jsonl").exists()


def test_an_address_where_nothing_listens_fails_at_once() -> None:
    with pytest.raises(ConfigError) as refused:
        check_reachable("127.0.0.1:9")
    assert str(refused.value).startswith(
        "ray-address: nothing answers at 127.0.0.1:9 (Connection refused)"
    )
    for left_to_ray in (None, "auto", "local", "not-an-address"):
        check_reachable(left_to_ray)


def test_importing_the_batch_and_the_scale_out_imports_no_ray() -> None:
    code = (
        "import sys, summarizer.batch, summarizer.scaleout\n"
        "print([name for name in ('ray', 'pyarrow') if name in sys.modules])\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
