"""`summarizer batch --ray` and `summarize_dataset` on one local Ray (2 CPUs, the session's):
the same cards as a local run, nothing lost or paid twice under faults, kills and stops,
one concurrency budget for the whole cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer.api import Summarizer
from summarizer.batch import BatchReport, run_batch
from summarizer.cards import PaperCard
from summarizer.errors import ConfigError
from summarizer.papers import read_papers
from summarizer.scaleout import RayOptions, summarize_dataset
from summarizer.scaleout.rows import paper_from_record_row
from summarizer.settings import Settings, resolve_settings
from summarizer.testserver import Server

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_cluster")]

SEED_CARDS = 295  # 296 unique seed papers, one flagged not_abstract (skipped)
ONE_FILE = "002_b05ba6ffc89c73b9.txt"  # 53 papers
ONE_FILE_PAPERS = 53
KEY = "sk-test-ray-secret-4a7"  # key-like, under the length key scanners flag


def llm_settings(server: Server, cache: Path, **options: object) -> Settings:
    return resolve_settings(
        base_url=server.base_url,
        model="test-model",
        cache_dir=cache,
        environ={},
        **options,  # type: ignore[arg-type]
    )


def cards_by_id(out: Path) -> dict[str, str]:
    lines = (out / "cards.jsonl").read_text(encoding="utf-8").splitlines()
    cards = {json.loads(line)["paper_id"]: line for line in lines}
    assert len(cards) == len(lines), "a paper has two cards"
    return cards


def errors_by_id(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    errors = {json.loads(line)["paper_id"]: json.loads(line) for line in lines}
    assert len(errors) == len(lines)
    return errors


def counts(report: BatchReport) -> tuple[int, ...]:
    return (
        report.papers_read,
        report.duplicates,
        report.unique_papers,
        report.new_cards,
        report.failed,
        len(report.skipped),
        report.cards_in_file,
    )


def test_the_offline_engine_makes_the_same_outputs_on_ray(tmp_path: Path, repo: Path) -> None:
    settings = resolve_settings(engine="offline", environ={})
    seeds = [str(repo / "seeds")]
    local = run_batch(seeds, tmp_path / "local", settings)
    on_ray = run_batch(seeds, tmp_path / "ray", settings, ray=RayOptions())
    assert cards_by_id(tmp_path / "ray") == cards_by_id(tmp_path / "local")
    assert len(cards_by_id(tmp_path / "ray")) == SEED_CARDS
    assert counts(on_ray) == counts(local)
    assert on_ray.skipped == local.skipped
    assert on_ray.concurrency["actors"] == 2
    for table in ("overview.md", "gains.csv", "stages.md"):  # rows in the cards' order
        ours = (tmp_path / "ray" / "tables" / table).read_text(encoding="utf-8")
        theirs = (tmp_path / "local" / "tables" / table).read_text(encoding="utf-8")
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines())


def test_actors_no_node_can_hold_are_refused_before_any_output(tmp_path: Path, repo: Path) -> None:
    settings = resolve_settings(engine="offline", environ={})
    with pytest.raises(ConfigError) as refused:
        run_batch([str(repo / "seeds")], tmp_path / "out", settings, ray=RayOptions(actor_cpus=3))
    assert str(refused.value) == (
        "actor-cpus: each actor asks for 3 CPUs, and the largest node of the cluster has 2 "
        "(use --actor-cpus 2 or less)"
    )
    assert not (tmp_path / "out" / "cards.jsonl").exists()


def test_a_cluster_address_where_nothing_listens_is_one_line(tmp_path: Path, repo: Path) -> None:
    command = [
        sys.executable, "-m", "summarizer", "batch", str(repo / "seeds"),
        "-o", str(tmp_path / "out"), "--ray-address", "127.0.0.1:9",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.endswith(
        "summarizer: ray-address: nothing answers at 127.0.0.1:9 (Connection refused) (check "
        "the address (`ray status` on the head node prints it), or leave --ray-address and "
        "RAY_ADDRESS out for a local Ray)\n"
    )
    assert not (tmp_path / "out" / "cards.jsonl").exists()


def test_one_budget_holds_the_total_over_all_actors_and_cards_match_a_local_run(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.latency = 0.05
    test_server.config.max_concurrent = 3  # a 429 beyond 3 requests in flight
    seeds = [str(repo / "seeds" / ONE_FILE)]
    # Two actors of 3 requests each could send 6 at once: the budget lets 3 through.
    options = RayOptions(actors=2, actor_concurrency=3)
    settings = llm_settings(test_server, tmp_path / "c1")
    report = run_batch(seeds, tmp_path / "ray", settings, concurrency=3, ray=options)
    stats = test_server.stats.snapshot()
    assert report.new_cards == ONE_FILE_PAPERS and report.failed == 0
    assert stats.max_in_flight <= 3 and "over_capacity" not in stats.by_outcome
    assert stats.requests == ONE_FILE_PAPERS
    assert report.concurrency == {
        "maximum": 3, "lowest": 3, "rate_limits": 0, "actors": 2, "actor_concurrency": 3,
    }  # fmt: skip
    run_batch(seeds, tmp_path / "local", llm_settings(test_server, tmp_path / "c2"), concurrency=3)
    assert cards_by_id(tmp_path / "ray") == cards_by_id(tmp_path / "local")


def test_a_429_slows_the_whole_run_and_every_card_still_comes(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.latency = 0.02
    test_server.config.max_concurrent = 2
    test_server.config.retry_after = 0.02
    report = run_batch(
        [str(repo / "seeds" / ONE_FILE)],
        tmp_path / "out",
        llm_settings(test_server, tmp_path / "c"),
        concurrency=8,
        ray=RayOptions(),
    )
    assert report.new_cards == ONE_FILE_PAPERS and report.failed == 0
    assert report.concurrency["rate_limits"] > 0
    assert report.concurrency["lowest"] < 8  # the run's limit, shared by both actors
    assert report.concurrency["actors"] == 2


def test_faults_lose_and_duplicate_nothing_and_a_rerun_pays_for_nothing_twice(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    test_server.config.fault_rate = 0.25
    test_server.config.seed = 11
    test_server.config.faults = (
        "429", "500", "503", "drop", "bad_json", "schema_invalid", "truncated", "ungrounded",
    )  # fmt: skip
    test_server.config.retry_after = 0.02
    seeds, out, cache = [str(repo / "seeds" / ONE_FILE)], tmp_path / "out", tmp_path / "c"
    settings = llm_settings(test_server, cache)
    report = run_batch(seeds, out, settings, concurrency=8, ray=RayOptions())
    carded, failed = cards_by_id(out), errors_by_id(out)
    assert carded.keys().isdisjoint(failed)
    assert len(carded) + len(failed) == ONE_FILE_PAPERS
    assert (report.new_cards, report.failed) == (len(carded), len(failed))
    assert {error["error"] for error in failed.values()} <= {"ResponseError", "EndpointError"}
    outcomes = test_server.stats.snapshot().by_outcome
    assert sum(count for name, count in outcomes.items() if name != "ok") > 0
    assert test_server.stats.snapshot().requests <= report.usage["requests"]

    test_server.config.fault_rate = 0.0
    test_server.reset()
    again = run_batch(seeds, out, llm_settings(test_server, cache), ray=RayOptions())
    assert again.already_done == len(carded) and again.new_cards == len(failed)
    assert test_server.stats.snapshot().requests == len(failed)  # only the failed ones
    assert len(cards_by_id(out)) == ONE_FILE_PAPERS

    test_server.reset()
    rerun = run_batch(seeds, out, llm_settings(test_server, cache), ray=RayOptions())
    fresh = run_batch(seeds, tmp_path / "fresh", llm_settings(test_server, cache), ray=RayOptions())
    assert test_server.stats.snapshot().requests == 0
    assert rerun.already_done == ONE_FILE_PAPERS and rerun.new_cards == 0
    assert fresh.cached == ONE_FILE_PAPERS


def test_a_refused_key_stops_every_actor_and_is_never_written(
    test_server: Server, tmp_path: Path, repo: Path
) -> None:
    import ray

    test_server.config.require_key = "the-right-key"
    test_server.config.latency = 0.05
    out = tmp_path / "out"
    settings = llm_settings(test_server, tmp_path / "c", api_key=KEY)
    report = run_batch([str(repo / "seeds")], out, settings, concurrency=4, ray=RayOptions())
    assert report.stopped_by is not None and "HTTP 401" in report.stopped_by
    assert report.new_cards == 0 and 1 <= report.failed <= 4  # those in flight
    assert test_server.stats.snapshot().requests <= 4
    assert report.not_attempted == SEED_CARDS - report.failed
    assert {error["error"] for error in errors_by_id(out).values()} == {"AuthenticationError"}
    context = ray.get_runtime_context()
    if hasattr(context, "get_temp_dir"):  # Ray 2.52 and later
        session = Path(context.get_temp_dir()) / context.get_session_name()
    else:  # the session fixture's Ray keeps Ray's default temp folder
        session = Path("/tmp/ray/session_latest")
    logs = list((session / "logs").rglob("*"))
    assert logs, session
    for path in [*out.rglob("*"), *logs]:
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path


def _ray_batch(
    server: Server, out: Path, cache: Path, repo: Path, address: str
) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "summarizer", "batch", str(repo / "seeds"), "-o", str(out),
        "--base-url", server.base_url, "--model", "test-model", "--cache-dir", str(cache),
        "--concurrency", "4", "--ray-address", address,
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_cards(out: Path, at_least: int, process: subprocess.Popen[str]) -> None:
    cards = out / "cards.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if cards.exists() and cards.read_bytes().count(b"\n") >= at_least:
            return
        if process.poll() is not None:
            raise AssertionError(f"batch ended early: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError("the batch wrote no cards")


def test_a_killed_run_resumes_with_every_paper_once_and_nothing_paid_twice(
    test_server: Server, tmp_path: Path, repo: Path, ray_cluster: str
) -> None:
    test_server.config.latency = 0.1
    out, cache = tmp_path / "out", tmp_path / "cache"
    process = _ray_batch(test_server, out, cache, repo, ray_cluster)
    _wait_for_cards(out, 20, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    kept = cards_by_id(out)  # every line written is a whole card
    assert 20 <= len(kept) < SEED_CARDS
    time.sleep(1)  # the dead driver's actors end; requests they had in flight end too
    requests_before = test_server.stats.snapshot().requests
    test_server.config.latency = 0.0
    report = run_batch(
        [str(repo / "seeds")], out, llm_settings(test_server, cache), ray=RayOptions()
    )
    assert set(cards_by_id(out)) == {
        paper.paper_id
        for paper in read_papers([str(repo / "seeds")]).papers
        if paper.duplicate_of is None and paper.title != "Appendix412 Table of Contents"
    }
    assert report.already_done == len(kept)
    new_requests = test_server.stats.snapshot().requests - requests_before
    assert new_requests == report.new_cards - report.cached  # answers cached before the kill
    assert new_requests <= SEED_CARDS - len(kept)


def test_ctrl_c_keeps_finished_cards_and_exits_130(
    test_server: Server, tmp_path: Path, repo: Path, ray_cluster: str
) -> None:
    test_server.config.latency = 0.1
    out = tmp_path / "out"
    process = _ray_batch(test_server, out, tmp_path / "cache", repo, ray_cluster)
    _wait_for_cards(out, 10, process)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Interrupted: run the same command again to resume." in stdout
    run = json.loads((out / "run.json").read_text())
    assert run["interrupted"] is True
    assert run["cards_in_file"] == len(cards_by_id(out)) < SEED_CARDS
    assert test_server.stats.snapshot().in_flight == 0
    assert "Traceback" not in stderr


def test_a_dataset_of_records_becomes_a_dataset_of_cards(repo: Path) -> None:
    import ray

    papers = [
        paper for paper in read_papers([str(repo / "seeds")]).papers if paper.duplicate_of is None
    ][:40]
    records = [{"title": paper.title, "abstract": paper.abstract} for paper in papers]
    records.append({"title": "A title alone", "abstract": None})
    rows = summarize_dataset(ray.data.from_items(records), engine="offline").take_all()
    assert len(rows) == len(records)
    by_title = {row["title"]: row for row in rows}
    assert json.loads(by_title["A title alone"]["error"])["reason"] == (
        "dataset (A title alone): no abstract"
    )
    with Summarizer(engine="offline") as summarizer:
        for record in records[:-1]:
            paper = paper_from_record_row(record, "dataset")
            assert not isinstance(paper, Exception)
            card = PaperCard.model_validate_json(by_title[paper.title]["card"])
            assert card == summarizer.summarize_paper(paper)


def test_a_dataset_run_that_stops_gives_every_row_its_reason(
    test_server: Server, repo: Path
) -> None:
    import ray

    test_server.config.require_key = "the-right-key"
    papers = read_papers([str(repo / "seeds" / ONE_FILE)]).papers
    records = [{"title": paper.title, "abstract": paper.abstract} for paper in papers]
    cards = summarize_dataset(
        ray.data.from_items(records),
        base_url=test_server.base_url,
        model="test-model",
        api_key="a-wrong-key",
        concurrency=2,
    )
    rows = cards.take_all()
    assert len(rows) == len(records) and all(row["card"] is None for row in rows)
    kinds = [json.loads(row["error"])["type"] for row in rows]
    assert set(kinds) == {"AuthenticationError", "RunStoppedError"}
    assert kinds.count("AuthenticationError") <= 2
    assert test_server.stats.snapshot().requests <= 2
