"""How fast the batch is: against the ideal, against a naive loop, per card, cached, start-up.

Starts the repo's test server in its own process (python -m summarizer.testserver) with
an injected latency, and measures:

1. latency L, N papers, concurrency C: the batch's wall time against the ideal N*L/C;
2. the same N papers through the sequential loop a user would write with instructor;
3. zero latency: cards per second and client CPU per card (cache on and off);
4. a fully cached re-run of seeds/ as a fresh process (`summarizer batch` into a new
   folder, every answer in the cache), and a resumed re-run (same folder);
5. `summarizer --help` start-up time.

    python bench/bench_batch.py [--latency 0.5] [--concurrency 16] [--naive-papers 296]

Prints a Markdown table (the numbers in docs/benchmarks.md come from it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import machine, test_server

from summarizer.batch import run_batch
from summarizer.papers import Paper, read_papers
from summarizer.settings import resolve_settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = str(REPO / "seeds")
MODEL = "test-model"


def unique_papers() -> list[Paper]:
    return [paper for paper in read_papers([SEEDS]).papers if paper.duplicate_of is None]


def batch_wall_time(base_url: str, concurrency: int, *, cache: Path | None) -> tuple[float, float]:
    """Seconds of wall time and of client CPU for one in-process batch of seeds/."""
    settings = resolve_settings(
        base_url=base_url,
        model=MODEL,
        use_cache=cache is not None,
        cache_dir=cache,
        environ={},
    )
    with tempfile.TemporaryDirectory() as out:
        cpu, start = os.times(), time.perf_counter()
        report = run_batch([SEEDS], Path(out), settings, concurrency=concurrency, tables=False)
        wall, cpu_end = time.perf_counter() - start, os.times()
    assert report.new_cards + len(report.skipped) == len(unique_papers()), report.summary()
    return wall, (cpu_end.user - cpu.user) + (cpu_end.system - cpu.system)


def warm_up(base_url: str) -> None:
    """Import openai and instructor and open a connection, outside the timings."""
    settings = resolve_settings(base_url=base_url, model=MODEL, use_cache=False, environ={})
    with tempfile.TemporaryDirectory() as out:
        run_batch([SEEDS], Path(out), settings, limit=2, tables=False)


def naive_loop(base_url: str, papers: list[Paper]) -> float:
    """What a user writes without summarizer: instructor, one paper after the other."""
    import instructor
    import openai

    from summarizer.cards import CardFields
    from summarizer.prompts import render_messages

    client = instructor.from_openai(
        openai.OpenAI(base_url=base_url, api_key="unused"), mode=instructor.Mode.TOOLS
    )
    start = time.perf_counter()
    for paper in papers:
        client.chat.completions.create(
            model=MODEL,
            response_model=CardFields,
            messages=render_messages(paper.title, paper.abstract),  # type: ignore[arg-type]
            temperature=0,
        )
    return time.perf_counter() - start


def command_seconds(args: list[str], runs: int) -> float:
    """Median wall time of a command, process start included."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cached_reruns(base_url: str, runs: int) -> tuple[float, float]:
    """Median seconds of `summarizer batch seeds/` with every answer cached: into a new
    folder (cache hits), and into the same folder (resume)."""
    summarizer = console_script()
    with tempfile.TemporaryDirectory() as scratch:
        cache, out = Path(scratch) / "cache", Path(scratch) / "out"
        common = ["--base-url", base_url, "--model", MODEL, "--cache-dir", str(cache), "--quiet"]
        subprocess.run([summarizer, "batch", SEEDS, "-o", str(out), *common], check=True)
        fresh_times = []
        for run in range(runs):
            start = time.perf_counter()
            fresh = Path(scratch) / f"fresh{run}"
            subprocess.run(
                [summarizer, "batch", SEEDS, "-o", str(fresh), *common],
                check=True,
                capture_output=True,
            )
            fresh_times.append(time.perf_counter() - start)
        resumed = command_seconds([summarizer, "batch", SEEDS, "-o", str(out), *common], runs)
    return statistics.median(fresh_times), resumed


def console_script() -> str:
    """The `summarizer` command of this Python's environment."""
    beside = Path(sys.executable).parent / "summarizer"
    return str(beside) if beside.exists() else (shutil.which("summarizer") or "summarizer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--naive-papers", type=int, default=296, help="papers for the sequential loop"
    )
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    papers = unique_papers()
    rows: list[tuple[str, str, str]] = []

    with test_server("--latency", str(args.latency)) as base_url:
        warm_up(base_url)
        wall, _ = batch_wall_time(base_url, args.concurrency, cache=None)
        ideal = len(papers) * args.latency / args.concurrency
        rows.append(
            (
                f"batch, N={len(papers)}, L={args.latency} s, C={args.concurrency}",
                f"{wall:.2f} s (ideal {ideal:.2f} s: {wall / ideal:.2f}x)",
                "within 1.15x of ideal",
            )
        )
        if args.naive_papers:
            naive = naive_loop(base_url, papers[: args.naive_papers])
            scale = len(papers) / args.naive_papers
            rows.append(
                (
                    f"naive sequential instructor loop, {args.naive_papers} papers",
                    f"{naive:.1f} s ({naive * scale / wall:.1f}x slower than the batch"
                    + (", scaled to N" if scale != 1 else "")
                    + ")",
                    "",
                )
            )

    with test_server("--latency", "0") as base_url:
        warm_up(base_url)
        for label, cache in (("cache off", None), ("cache on", Path(tempfile.mkdtemp()))):
            wall, cpu = batch_wall_time(base_url, args.concurrency, cache=cache)
            rows.append(
                (
                    f"zero latency, {label}, C={args.concurrency}",
                    f"{len(papers) / wall:.0f} cards/s, client CPU {cpu / len(papers) * 1000:.2f}"
                    " ms/card",
                    ">= 300 cards/s",
                )
            )
            if cache is not None:
                shutil.rmtree(cache, ignore_errors=True)
        fresh, resumed = cached_reruns(base_url, args.runs)
        rows.append(("fully cached re-run of seeds/, new folder", f"{fresh:.2f} s", "< 1.5 s"))
        rows.append(("re-run of seeds/, same folder (resume)", f"{resumed:.2f} s", "< 1.5 s"))

    summarizer = console_script()
    help_seconds = command_seconds([summarizer, "--help"], max(args.runs, 10))
    rows.append(("`summarizer --help`", f"{help_seconds * 1000:.0f} ms", "< 300 ms"))

    print(f"Machine: {machine()}\n")
    print("| measurement | result | goal |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
