"""The batch on Ray against the local batch: offline engine, LLM engine, shared budget.

    python bench/bench_ray.py [--papers 20000] [--llm-papers 1000] [--latency 0.5]
                              [--concurrency 16] [--put-papers 200000]
                              [--only offline llm budget ceiling control put]

Each run is `run_batch` in this process, without tables (they cost the same either way),
into a fresh folder and cache; `--ray` runs start a local Ray (one actor per core of this
machine) and stop it, inside the measured time. Reported: wall time, time to the first
card, and the steady rate (cards per second between the 10% and the 90% card), which
leaves Ray's start and the last batch's tail out.

1. offline: the offline engine over PAPERS distinct abstracts (the seed abstracts
   repeated, each copy with its own title, as bench_memory.py makes them).
2. llm: the LLM engine over LLM_PAPERS of them against the test server (its own process)
   at a fixed latency L, CONCURRENCY requests in flight, against the ideal N*L/C.
3. budget: the server answers 429 beyond CONCURRENCY/2 requests in flight. One process
   (one limiter of CONCURRENCY), `--ray` (one budget of CONCURRENCY shared by the actors),
   and what a home-made split does: two `summarizer batch` processes of CONCURRENCY/2,
   half the papers each, whose limiters only hear their own 429s. Counted: the 429s sent.
4. ceiling: one actor at zero latency, CONCURRENCY in flight: the client's own cost per
   card (the server shares this machine's cores).
5. control: the budget actor alone: acquire + release pairs per second from two actors
   with 32 requests each waiting (every request of a run makes one pair).
6. put: the driver reading PUT_PAPERS papers (deduplicated, as the batch's second pass
   does) and putting them into Ray's object store in blocks of 1,000: papers per second.

Prints Markdown tables (docs/benchmarks.md, "Scale-out on Ray", comes from them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from bench_common import server_stats, test_server  # noqa: E402
from bench_memory import write_reading_list  # noqa: E402

from summarizer.batch import BatchReport, run_batch  # noqa: E402
from summarizer.scaleout import RayOptions  # noqa: E402
from summarizer.settings import resolve_settings  # noqa: E402


class Timeline:
    """A batch progress that notes when each card came."""

    def __init__(self) -> None:
        self.started = 0.0
        self.times: list[float] = []

    def start(self, total: int) -> None:
        del total
        self.started = time.perf_counter()

    def advance(self, *, cached: bool, failed: bool) -> None:
        del cached, failed
        self.times.append(time.perf_counter())

    def stop(self) -> None:
        pass

    def first(self) -> float:
        return self.times[0] - self.started if self.times else float("nan")

    def steady_rate(self) -> float:
        """Cards per second between the 10% and the 90% card."""
        count = len(self.times)
        low, high = count // 10, (count * 9) // 10
        if high <= low:
            return float("nan")
        return (high - low) / (self.times[high - 1] - self.times[low])


def timed_batch(
    papers: Path, work: Path, *, ray: RayOptions | None, concurrency: int = 8, **settings: object
) -> tuple[float, Timeline, BatchReport]:
    out, cache = work / "out", work / "cache"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    resolved = resolve_settings(cache_dir=cache, environ={}, **settings)  # type: ignore[arg-type]
    timeline = Timeline()
    started = time.perf_counter()
    report = run_batch(
        [str(papers)],
        out,
        resolved,
        concurrency=concurrency,
        progress=timeline,
        tables=False,
        ray=ray,
    )
    return time.perf_counter() - started, timeline, report


def over_capacity(base_url: str) -> int:
    """429s the test server sent for being over its --max-concurrent."""
    outcomes = server_stats(base_url)["by_outcome"]
    assert isinstance(outcomes, dict)
    return int(outcomes.get("over_capacity", 0))


def reading_list(work: Path, size: int) -> Path:
    papers = work / f"papers-{size}.jsonl"
    if not papers.exists():
        write_reading_list(papers, size)
    return papers


RUNS: tuple[tuple[str, RayOptions | None], ...] = (("local", None), ("--ray", RayOptions()))


def offline(work: Path, size: int) -> None:
    print(f"\n### Offline engine, {size} papers\n")
    print("| run | wall s | first card s | steady cards/s | cards |")
    print("|---|---|---|---|---|")
    papers = reading_list(work, size)
    for label, ray in RUNS:
        wall, timeline, report = timed_batch(papers, work, ray=ray, engine="offline")
        actors = f" ({report.concurrency['actors']} actors)" if ray else ""
        print(
            f"| {label}{actors} | {wall:.1f} | {timeline.first():.1f} | "
            f"{timeline.steady_rate():.0f} | {report.new_cards} |"
        )


def llm(work: Path, size: int, latency: float, concurrency: int) -> None:
    papers = reading_list(work, size)
    ideal = size * latency / concurrency
    print(f"\n### LLM engine, {size} papers, latency {latency} s, concurrency {concurrency}\n")
    print(f"Ideal N*L/C = {ideal:.1f} s; ideal steady rate C/L = {concurrency / latency:.0f}/s.\n")
    print("| run | wall s | x ideal | first card s | steady cards/s | requests |")
    print("|---|---|---|---|---|---|")
    with test_server("--latency", str(latency)) as base_url:
        for label, ray in RUNS:
            before = int(str(server_stats(base_url)["requests"]))
            wall, timeline, report = timed_batch(
                papers, work, ray=ray, concurrency=concurrency, base_url=base_url, model="m"
            )
            requests = int(str(server_stats(base_url)["requests"])) - before
            assert report.new_cards == size, report.summary()
            print(
                f"| {label} | {wall:.1f} | {wall / ideal:.2f} | {timeline.first():.1f} | "
                f"{timeline.steady_rate():.0f} | {requests} |"
            )


def budget(work: Path, size: int, latency: float, concurrency: int) -> None:
    limit = concurrency // 2
    papers = reading_list(work, size)
    print(
        f"\n### A provider limit: 429 beyond {limit} requests in flight, {size} papers, "
        f"latency {latency} s, concurrency {concurrency}\n"
    )
    print(f"Ideal at the limit N*L/{limit} = {size * latency / limit:.1f} s.\n")
    print("| run | wall s | 429s sent | lowest limit | cards |")
    print("|---|---|---|---|---|")
    server = ("--latency", str(latency), "--max-concurrent", str(limit), "--retry-after", "0.2")
    for label, ray in (("one process", None), ("--ray, one shared budget", RayOptions())):
        with test_server(*server) as base_url:
            wall, _, report = timed_batch(
                papers, work, ray=ray, concurrency=concurrency, base_url=base_url, model="m"
            )
            print(
                f"| {label} | {wall:.1f} | {over_capacity(base_url)} | "
                f"{report.concurrency['lowest']} | {report.new_cards} |"
            )
    lines = papers.read_text().splitlines(keepends=True)
    with test_server(*server) as base_url:
        started = time.perf_counter()
        processes = []
        for index in (0, 1):
            half, out = work / f"half-{index}.jsonl", work / f"out-half-{index}"
            half.write_text("".join(lines[index::2]))
            shutil.rmtree(out, ignore_errors=True)
            command = [
                sys.executable, "-m", "summarizer", "batch", str(half), "-o", str(out),
                "--no-cache", "--quiet",
                "--base-url", base_url, "--model", "m", "--concurrency", str(limit),
            ]  # fmt: skip
            processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        for process in processes:
            process.wait()
        wall = time.perf_counter() - started
        runs = [json.loads((work / f"out-half-{i}" / "run.json").read_text()) for i in (0, 1)]
        lowest = "/".join(str(run["concurrency"]["lowest"]) for run in runs)
        cards = sum(run["new_cards"] for run in runs)
        label = f"two processes of {limit}, half the papers each"
        print(f"| {label} | {wall:.1f} | {over_capacity(base_url)} | {lowest} | {cards} |")


def ceiling(work: Path, size: int, concurrency: int) -> None:
    papers = reading_list(work, size)
    print(f"\n### One actor's ceiling: latency 0, {size} papers, {concurrency} in flight\n")
    print("| run | wall s | steady cards/s | client CPU per card |")
    print("|---|---|---|---|")
    with test_server("--latency", "0") as base_url:
        for label, ray in (("local", None), ("--ray, 1 actor", RayOptions(actors=1))):
            cpu = time.process_time()
            wall, timeline, _ = timed_batch(
                papers,
                work,
                ray=ray,
                concurrency=concurrency,
                base_url=base_url,
                model="m",
                use_cache=False,
            )
            # The driver's CPU only for --ray: the actor's is in another process.
            per_card = (time.process_time() - cpu) / size * 1000
            rate = timeline.steady_rate()
            print(f"| {label} | {wall:.1f} | {rate:.0f} | {per_card:.2f} ms (this process) |")


def control(pairs: int = 4_000, width: int = 32) -> None:
    import asyncio

    import ray

    from summarizer.scaleout.budget import RunControl

    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    budget = ray.remote(num_cpus=0, max_concurrency=2000)(RunControl).remote(64)

    @ray.remote(num_cpus=1)
    class Client:
        async def run(self, budget: object, count: int) -> None:
            async def one() -> None:
                for _ in range(count // width):
                    await budget.acquire.remote()  # type: ignore[attr-defined]
                    await budget.release.remote(1)  # type: ignore[attr-defined]

            await asyncio.gather(*(one() for _ in range(width)))

    clients = [Client.remote() for _ in range(2)]  # type: ignore[attr-defined]
    ray.get([client.run.remote(budget, 256) for client in clients])  # warm up
    started = time.perf_counter()
    ray.get([client.run.remote(budget, pairs) for client in clients])
    wall = time.perf_counter() - started
    ray.shutdown()
    print("\n### The budget actor alone\n")
    print(f"{2 * pairs} acquire + release pairs from 2 actors ({width} waiting each): ")
    print(f"{wall:.2f} s, **{2 * pairs / wall:.0f} pairs/s**.")


def put(work: Path, size: int) -> None:
    import ray

    from summarizer.batch import BatchInputs, BatchPlan
    from summarizer.scaleout.dataset import papers_dataset

    papers = reading_list(work, size)
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    started = time.perf_counter()
    todo = BatchInputs.of([str(papers)]).todo(set(), BatchPlan())
    dataset = papers_dataset(todo, block_papers=1000)
    wall = time.perf_counter() - started
    assert dataset is not None and dataset.count() == size
    ray.shutdown()
    print(f"\n### Putting {size} papers into Ray\n")
    print(f"Read, deduplicated and put in blocks of 1,000: {wall:.1f} s, ")
    print(f"**{size / wall:.0f} papers/s**.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=20_000)
    parser.add_argument("--llm-papers", type=int, default=1_000)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--work", type=Path, help="keep the files here (default: a temp folder)")
    parser.add_argument("--put-papers", type=int, default=200_000)
    parts = ("offline", "llm", "budget", "ceiling", "control", "put")
    parser.add_argument("--only", nargs="+", choices=parts, help="run only these parts")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-ray-"))
    work.mkdir(parents=True, exist_ok=True)
    chosen = args.only or parts
    import ray

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, Ray {ray.__version__}"
    )
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if "offline" in chosen:
        offline(work, args.papers)
    if "llm" in chosen:
        llm(work, args.llm_papers, args.latency, args.concurrency)
    if "budget" in chosen:
        budget(work, args.llm_papers, args.latency, args.concurrency)
    if "ceiling" in chosen:
        ceiling(work, args.llm_papers, args.concurrency)
    if "control" in chosen:
        control()
    if "put" in chosen:
        put(work, args.put_papers)
    print(f"\nload average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
