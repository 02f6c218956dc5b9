"""Peak memory of a local batch as it grows: the whole process's peak RSS.

    python bench/bench_memory.py [--sizes 5000 20000 200000] [--engine offline]
                                 [--resume] [--work DIR]

For each size, writes a JSONL reading list of that many distinct papers (the seed
abstracts repeated, each copy with its own title, so that none is a duplicate), runs
`summarizer batch LIST -o OUT --quiet` in a process of its own, and reports its peak
resident memory (`wait4`'s ru_maxrss, which covers the whole process), wall time and
papers per second. With --resume it then runs the same command again on the finished
folder (every paper already there) and reports that too.
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
sys.path.insert(0, str(REPO))

from summarizer.papers import read_papers, unique_papers  # noqa: E402


def write_reading_list(path: Path, size: int) -> None:
    """`size` distinct papers made from the unique seed papers, as JSONL."""
    seeds = [
        paper
        for paper in unique_papers(read_papers([str(REPO / "seeds")]).papers)
        if not paper.warnings
    ]
    with path.open("w", encoding="utf-8") as out:
        for number in range(size):
            paper = seeds[number % len(seeds)]
            copy = number // len(seeds)
            record = {"title": f"{paper.title} (copy {copy})", "abstract": paper.abstract}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def measure(command: list[str]) -> tuple[float, float, int]:
    """(peak RSS in MB, wall seconds, exit code) of one command in its own process."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        message = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed ({code}): {message}")
    return usage.ru_maxrss / 1024, wall, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 20_000, 200_000])
    parser.add_argument("--engine", default="offline")
    parser.add_argument("--resume", action="store_true", help="also re-run each finished folder")
    parser.add_argument("--work", type=Path, help="keep the files here (default: a temp folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'papers':>8} {'run':>7} {'peak MB':>8} {'seconds':>8} {'papers/s':>9}")
    for size in args.sizes:
        reading_list = work / f"papers-{size}.jsonl"
        if not reading_list.exists():
            write_reading_list(reading_list, size)
        out = work / f"out-{size}"
        shutil.rmtree(out, ignore_errors=True)
        command = [
            sys.executable, "-m", "summarizer", "batch", str(reading_list), "-o", str(out),
            "--engine", args.engine, "--quiet", "--cache-dir", str(work / "cache"),
        ]  # fmt: skip
        runs = [("fresh", command)] + ([("resume", command)] if args.resume else [])
        for label, run in runs:
            peak, wall, _ = measure(run)
            print(f"{size:>8} {label:>7} {peak:>8.0f} {wall:>8.1f} {size / wall:>9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
