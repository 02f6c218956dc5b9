"""Peak memory and time of writing a batch's tables and report from its cards file.

    python bench/bench_tables_memory.py [--sizes 20000 200000] [--in-memory 20000]
                                        [--part-size N] [--work DIR]

Makes the seed batch's cards (`summarizer batch seeds/ --quiet`, offline: 295 cards) and,
for each size, a cards file of that many cards: the seed cards repeated, each copy with its
own title and paper_id. Then, each in a process of its own (peak resident memory from
`wait4`'s ru_maxrss, which covers the whole process, interpreter and imports included):

- `stream`: what `summarizer batch` now does after its run: `write_batch_tables` and
  `write_batch_report` from the file;
- `in-memory` (the sizes given to --in-memory): what it did before, which gives the same
  bytes: every card loaded (`load_existing_cards`, `unique_by_id`), each of the nine tables
  rendered as one string (`render_table`) and report.html as one page (`render_report`).

Prints the peak MB, seconds, and the size of what was written (tables, report pages).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def seed_batch_cards(work: Path) -> list[str]:
    """The lines of the seed batch's cards.jsonl (made once in `work`)."""
    out = work / "seed-batch"
    cards = out / "cards.jsonl"
    if not cards.exists():
        command = [sys.executable, "-m", "summarizer", "batch", str(REPO / "seeds"), "-o"]
        command += [str(out), "--quiet", "--cache-dir", str(work / "cache")]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return [line for line in cards.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_cards_file(path: Path, seeds: list[str], size: int) -> None:
    """`size` cards: the seed cards repeated, each copy with its own title and paper_id."""
    from summarizer.papers import paper_id_for

    with path.open("w", encoding="utf-8") as out:
        for number in range(size):
            card = json.loads(seeds[number % len(seeds)])
            card["title"] = f"{card['title']} (copy {number // len(seeds)})"
            card["paper_id"] = paper_id_for(card["title"])
            out.write(json.dumps(card, ensure_ascii=False) + "\n")


def child(mode: str, cards: Path, out: Path, part_size: int | None) -> None:
    """Write the tables and report of `cards` into `out` the way `mode` names."""
    if mode == "stream":
        from summarizer.tables import write_batch_report, write_batch_tables

        write_batch_tables(cards, out / "tables")
        write_batch_report(cards, out, part_size=part_size)
        return
    from summarizer.outputs import load_existing_cards, unique_by_id, write_atomically
    from summarizer.tables import BATCH_FORMATS, EXTENSIONS, VIEWS, render_report, render_table

    loaded = unique_by_id(load_existing_cards(cards))
    (out / "tables").mkdir(parents=True, exist_ok=True)
    for view in VIEWS:
        for fmt in BATCH_FORMATS:
            text = render_table(loaded, view=view, fmt=fmt, group_by="file")
            write_atomically(out / "tables" / f"{view}.{EXTENSIONS[fmt]}", text)
    write_atomically(out / "report.html", render_report(loaded, group_by="file"))


def measure(command: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one command in its own process."""
    started = time.monotonic()
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        message = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed: {message}")
    return usage.ru_maxrss / 1024, wall


def megabytes(paths: list[Path]) -> float:
    return sum(path.stat().st_size for path in paths) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--in-memory", type=int, nargs="*", default=[20_000])
    parser.add_argument("--part-size", type=int, help="report part size (default: the library's)")
    parser.add_argument("--work", type=Path, help="keep the files here (default: a temp folder)")
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "CARDS", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        mode, cards, out = args.child
        child(mode, Path(cards), Path(out), args.part_size)
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-tables-memory-"))
    work.mkdir(parents=True, exist_ok=True)
    seeds = seed_batch_cards(work)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{len(seeds)} seed batch cards repeated")
    print(
        f"{'cards':>8} {'mode':>10} {'peak MB':>8} {'seconds':>8} {'tables MB':>10} {'report':>18}"
    )
    for size in sorted(set(args.sizes) | set(args.in_memory)):
        cards = work / f"cards-{size}.jsonl"
        if not cards.exists():
            write_cards_file(cards, seeds, size)
        modes = (["stream"] if size in args.sizes else []) + (
            ["in-memory"] if size in args.in_memory else []
        )
        for mode in modes:
            out = work / f"out-{size}-{mode}"
            command = [sys.executable, __file__, "--child", mode, str(cards), str(out)]
            if args.part_size:
                command += ["--part-size", str(args.part_size)]
            peak, wall = measure(command)
            tables = megabytes(sorted((out / "tables").iterdir()))
            parts = sorted((out / "report-parts").glob("part-*.html"))
            pages = [out / "report.html", *parts]
            report = f"{megabytes(pages):.1f} MB, {len(pages)} page{'s' if len(pages) > 1 else ''}"
            print(f"{size:>8} {mode:>10} {peak:>8.0f} {wall:>8.1f} {tables:>10.1f} {report:>18}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
