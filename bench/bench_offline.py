"""Speed of the offline engine on the seed papers, and (optionally) their cards.

    python bench/bench_offline.py [PATHS...] [--repeat 5] [--cards out/offline_cards.jsonl]

Prints the one-off load time of the role weights, then abstracts per second of
`OfflineEngine.fill` and of whole card building (grounding, spans; the offline engine's
cards are never cached), each the best of --repeat passes over the unique papers.
With --cards, writes the cards as JSONL (for `summarizer eval`).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from summarizer.api import Summarizer
from summarizer.engines.offline import OfflineEngine
from summarizer.engines.offline.roles import shipped_model
from summarizer.grounding import clear_caches
from summarizer.papers import read_papers, unique_papers

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(REPO / "seeds")])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cards", type=Path, help="write the cards here (JSONL)")
    args = parser.parse_args()

    papers = unique_papers(read_papers(args.paths, strict=True).papers)
    started = time.perf_counter()
    model = shipped_model()
    load = time.perf_counter() - started
    engine = OfflineEngine()
    passes = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for paper in papers:
            engine.fill(paper.title, paper.abstract)
        passes.append(time.perf_counter() - started)
    card_passes = []
    with Summarizer(engine="offline") as summarizer:  # the whole pipeline: grounding, spans
        for _ in range(args.repeat):
            # Grounding caches each abstract's normalised text; every pass starts cold,
            # as a batch of new papers would.
            clear_caches()
            started = time.perf_counter()
            cards = [summarizer.summarize_paper(paper) for paper in papers]
            card_passes.append(time.perf_counter() - started)
    card_time = min(card_passes)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(f"model {model.model_id}: weights loaded in {load * 1000:.0f} ms")
    print(
        f"{len(papers)} abstracts, best of {args.repeat} passes: {min(passes):.3f} s, "
        f"{len(papers) / min(passes):.0f} abstracts/s (fill)"
    )
    print(
        f"cards with spans, best of {args.repeat} passes: {card_time:.3f} s, "
        f"{len(papers) / card_time:.0f} abstracts/s"
    )
    if args.cards:
        args.cards.parent.mkdir(parents=True, exist_ok=True)
        with args.cards.open("w", encoding="utf-8") as handle:
            for card in cards:
                handle.write(card.model_dump_json() + "\n")
        print(f"wrote {len(cards)} cards to {args.cards}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
