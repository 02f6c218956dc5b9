"""The Batch API path against the online one: wall time, requests and cost.

Starts the repo's test server in its own process, with an online latency L per chat
request and a batch that takes B seconds plus P per line to run, 10% of its lines
failing (HTTP errors and broken, cut or ungrounded answers; the same rate of random
faults online), and runs seeds/ (295 papers to card) four ways, each into a fresh folder
and cache, with a priced model name (gpt-4o-mini's prices) so costs are comparable:

1. online, concurrency C;
2. --batch-api, waiting (polls from --poll-interval, backing off);
3. --batch-api --batch-retry batch (failed lines in follow-up batches);
4. --batch-api --no-wait, then the same command again once the batch has ended.

For each: wall time, client CPU, the chat requests the online endpoint saw, batch lines,
Files/Batches calls, cards and errors, and the estimated cost.

With --memory SIZES it measures instead the peak memory (the whole process's peak RSS)
of `summarizer batch LIST` online and with --batch-api, for reading lists of that many
distinct papers (bench_memory.py's), against the test server with no latency or faults.

    python bench/bench_batch_api.py [--latency 0.5] [--concurrency 16]
        [--batch-seconds 20] [--per-line 0.02] [--fault-rate 0.1]
    python bench/bench_batch_api.py --memory 5000 20000

Prints a Markdown table (the numbers in docs/benchmarks.md come from it).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_common import machine, reset_server, server_stats
from bench_common import test_server as server_process

from summarizer.batch import BatchReport, run_batch
from summarizer.batch_api import BatchAPIOptions
from summarizer.settings import resolve_settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = str(REPO / "seeds")
MODEL = "gpt-4o-mini"  # any name is served; this one is in the price table


@contextmanager
def test_server(args: argparse.Namespace) -> Iterator[str]:
    """The test server in its own process; yields its base URL."""
    command = [
        "--latency", str(args.latency), "--seed", "1",
        "--fault-rate", str(args.fault_rate),
        "--faults", "429,500,503,bad_json,schema_invalid,truncated,ungrounded",
        "--retry-after", "0.2",
        "--batch-seconds", str(args.batch_seconds),
        "--batch-seconds-per-request", str(args.per_line),
        "--batch-fault-rate", str(args.fault_rate),
    ]  # fmt: skip
    with server_process(*command) as base_url:
        yield base_url


@dataclass
class Measured:
    label: str
    wall: float
    cpu: float
    report: BatchReport
    server: dict[str, Any]


def run(
    label: str,
    base_url: str,
    scratch: Path,
    concurrency: int,
    batch_api: BatchAPIOptions | None,
    *,
    collect_after: bool = False,
) -> Measured:
    """One run of seeds/ into a fresh folder and cache (and, with `collect_after`, the
    same command again after the batch ended)."""
    reset_server(base_url)
    name = label.replace(" ", "-").replace("/", "")
    settings = resolve_settings(
        base_url=base_url, model=MODEL, cache_dir=scratch / f"cache-{name}", environ={}
    )
    out = scratch / f"out-{name}"
    cpu, start = os.times(), time.perf_counter()
    report = run_batch([SEEDS], out, settings, concurrency=concurrency, tables=False,
                       batch_api=batch_api)  # fmt: skip
    if collect_after:
        while report.batch_api and report.batch_api["open"]:
            time.sleep(1.0)
            report = run_batch([SEEDS], out, settings, concurrency=concurrency,
                               tables=False, batch_api=batch_api)  # fmt: skip
    wall, cpu_end = time.perf_counter() - start, os.times()
    used = (cpu_end.user - cpu.user) + (cpu_end.system - cpu.system)
    cards = sum(1 for _ in (out / "cards.jsonl").open())
    assert cards + report.failed == 295, report.summary()
    return Measured(label, wall, used, report, server_stats(base_url))


def row(measured: Measured, online_cost: float | None) -> str:
    server, report = measured.server, measured.report
    section = report.batch_api or {}
    cost = report.estimated_cost_usd
    share = f" ({cost / online_cost:.0%} of online)" if cost and online_cost else ""
    calls = (
        f"{server['files_uploaded']} uploads, {server['batches_created']} batches, "
        f"{server['file_downloads']} downloads"
        if section
        else "-"
    )
    failed_lines = sum(n for name, n in server["by_batch_outcome"].items() if name != "ok")
    lines = f"{server['batch_lines']} ({failed_lines} failed)" if section else "0"
    return (
        f"| {measured.label} | {measured.wall:.1f} s | {measured.cpu:.2f} s | "
        f"{server['requests']} | {lines} | {calls} | "
        f"{report.new_cards} cards, {report.failed} errors | ${cost:.4f}{share} |"
    )


def memory(sizes: list[int]) -> None:
    """Peak RSS of a batch online and through the Batch API, as the reading list grows."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_memory import measure, write_reading_list

    command = [sys.executable, "-m", "summarizer.testserver", "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    base_url = server.stdout.readline().strip()
    print(f"Machine: {machine()}.\n")
    print("| papers | run | peak RSS | wall |")
    print("|---|---|---|---|")
    try:
        with tempfile.TemporaryDirectory() as scratch_dir:
            scratch = Path(scratch_dir)
            for size in sizes:
                reading_list = scratch / f"papers-{size}.jsonl"
                write_reading_list(reading_list, size)
                for label, extra in (("online", []), ("--batch-api", ["--batch-api"])):
                    name = f"{size}-{label.strip('-')}"
                    run = [
                        sys.executable, "-m", "summarizer", "batch", str(reading_list),
                        "-o", str(scratch / f"out-{name}"), "--base-url", base_url,
                        "--model", MODEL, "--quiet", "--cache-dir", str(scratch / f"c-{name}"),
                        "--poll-interval", "1", *extra,
                    ]  # fmt: skip
                    if not extra:
                        run = run[: run.index("--poll-interval")]
                    peak, wall, _ = measure(run)
                    print(f"| {size} | {label} | {peak:.0f} MB | {wall:.1f} s |")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--batch-seconds", type=float, default=20.0)
    parser.add_argument("--per-line", type=float, default=0.02)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--poll-interval", type=float, default=2.0)
    parser.add_argument("--memory", type=int, nargs="+", metavar="SIZE")
    args = parser.parse_args()
    if args.memory:
        memory(args.memory)
        return
    waiting = BatchAPIOptions(poll_seconds=args.poll_interval)
    with test_server(args) as base_url, tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        run("warm-up", base_url, scratch, args.concurrency, None)  # imports, connections
        online = run("online", base_url, scratch, args.concurrency, None)
        runs = [
            online,
            run("--batch-api", base_url, scratch, args.concurrency, waiting),
            run(
                "--batch-api --batch-retry batch",
                base_url,
                scratch,
                args.concurrency,
                BatchAPIOptions(poll_seconds=args.poll_interval, retry="batch"),
            ),
            run(
                "--batch-api --no-wait, then again until collected",
                base_url,
                scratch,
                args.concurrency,
                BatchAPIOptions(poll_seconds=args.poll_interval, wait=False),
                collect_after=True,
            ),
        ]
    print(
        f"Machine: {machine()}. Online latency {args.latency} s, concurrency "
        f"{args.concurrency}; a batch runs {args.batch_seconds:g} s + {args.per_line:g} s "
        f"per line; {args.fault_rate:.0%} of online requests and batch lines fail.\n"
    )
    print(
        "| run | wall | client CPU | online requests | batch lines | Files/Batches calls "
        "| outcome | est. cost |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for measured in runs:
        print(row(measured, online.report.estimated_cost_usd))


if __name__ == "__main__":
    main()
