"""Time every table view in every format for 300 cards, and the report.

    python bench/bench_tables.py [--cards 300] [--repeat 5]

The cards are the reference and hostile test cards repeated under distinct titles. Each
number is the best of --repeat runs of render_table (rows, grouping by file, sorting by
title, rendering). The report is timed on those cards and on the offline engine's cards
of the 296 seed papers (with their abstracts and evidence spans, as a batch writes it);
the last lines time the whole `summarizer table` command, interpreter start and reading
the cards file included.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from table_cards import hostile_cards, reference_cards, seed_cards

from summarizer.cards import PaperCard
from summarizer.papers import paper_id_for
from summarizer.tables import FORMATS, VIEWS, render_report, render_table


def bench_cards(count: int) -> list[PaperCard]:
    """`count` cards cycling through the fixtures, each with its own title and id."""
    pool = reference_cards() + hostile_cards()
    cards = []
    for number in range(count):
        card = pool[number % len(pool)]
        title = f"{card.title} (copy {number})"
        cards.append(card.model_copy(update={"title": title, "paper_id": paper_id_for(title)}))
    return cards


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The shortest of `repeat` timed runs, in seconds."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cards = bench_cards(args.cards)
    gains = sum(len(card.claimed_gains) for card in cards)
    print(f"{len(cards)} cards, {gains} gains; best of {args.repeat}, milliseconds")
    print(f"{'view':<10}" + "".join(f"{fmt:>9}" for fmt in FORMATS))
    for view in VIEWS:
        cells = [
            best_of(
                args.repeat,
                lambda view=view, fmt=fmt: render_table(
                    cards, view=view, fmt=fmt, group_by="file", sort="title"
                ),
            )
            for fmt in FORMATS
        ]
        print(f"{view:<10}" + "".join(f"{cell * 1000:9.1f}" for cell in cells))
    seeds = seed_cards()
    for name, chosen in ((f"{len(cards)} bench cards", cards), (f"{len(seeds)} seed cards", seeds)):
        took = best_of(args.repeat, lambda chosen=chosen: render_report(chosen, group_by="file"))
        size = len(render_report(chosen, group_by="file").encode())
        print(f"report of {name}: {took * 1000:.1f} ms, {size / 1e6:.2f} MB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cards.jsonl"
        path.write_text("".join(card.model_dump_json() + "\n" for card in cards))
        for view, fmt in (("overview", "md"), ("gains", "html"), (None, "report")):
            command = [sys.executable, "-m", "summarizer", "table", str(path)]
            command += [*(["--view", view] if view else []), "--format", fmt]
            command += ["--group-by", "file"]
            took = best_of(
                args.repeat,
                lambda command=command: subprocess.run(
                    command, check=True, stdout=subprocess.DEVNULL
                ),
            )
            shown = f"--view {view} " if view else ""
            print(f"summarizer table {shown}--format {fmt}: {took * 1000:.0f} ms (whole)")


if __name__ == "__main__":
    main()
