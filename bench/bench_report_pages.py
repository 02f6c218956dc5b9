"""How big a one-page report can be and stay usable: its size, and Chromium's times.

    python bench/bench_report_pages.py [--papers 500 1000 2000 5000] [--screenshots DIR]

For each number of papers, writes the one-page report of that many cards (the seed
batch's cards repeated with distinct titles, as bench_tables_memory.py makes them) and
opens it in headless Chromium (tests/cdp.py): the page's size, the seconds to its load
event (parsing, layout, the script's setup), the milliseconds the overview filter takes
for one typed word, and a sort by title (a click on its heading). This is how
REPORT_PART_PAPERS (summarizer/tables/report/parts.py) was chosen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

from bench_tables_memory import seed_batch_cards, write_cards_file  # noqa: E402
from cdp import TIMEOUT, Browser, BrowserError, chromium_path  # noqa: E402

from summarizer.tables import write_report  # noqa: E402

TIMED_FILTER = """(() => {
  const box = document.getElementById("filter");
  const start = performance.now();
  box.value = "copy";
  box.dispatchEvent(new Event("input"));
  document.body.offsetHeight;  // force the layout the change needs
  return performance.now() - start;
})()"""
TIMED_SORT = """(() => {
  const start = performance.now();
  document.querySelector("table.cards thead th button").click();
  document.body.offsetHeight;
  return performance.now() - start;
})()"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[500, 1000, 2000, 5000])
    parser.add_argument("--screenshots", type=Path, help="save a screenshot of each page here")
    args = parser.parse_args()
    executable = chromium_path()
    if executable is None:
        raise SystemExit("needs Chromium: apt-get install chromium")
    work = Path(tempfile.mkdtemp(prefix="bench-report-pages-"))
    seeds = seed_batch_cards(work)
    print(f"{'papers':>7} {'MB':>6} {'load s':>7} {'filter ms':>10} {'sort ms':>8}")
    with Browser(executable, width=1280, height=800) as browser:
        for papers in args.papers:
            cards = work / f"cards-{papers}.jsonl"
            write_cards_file(cards, seeds, papers)
            (page,) = write_report(cards, work / f"report-{papers}.html", part_size=papers)
            started = time.monotonic()
            size = page.stat().st_size / 1e6
            try:
                browser.open(page.as_uri())
            except BrowserError:
                print(f"{papers:>7} {size:>6.1f}   no load event in {TIMEOUT:.0f} s")
                break
            load = time.monotonic() - started
            filtered = browser.evaluate(TIMED_FILTER)
            browser.evaluate('document.getElementById("filter").value = ""')
            sort = browser.evaluate(TIMED_SORT)
            print(f"{papers:>7} {size:>6.1f} {load:>7.1f} {filtered:>10.0f} {sort:>8.0f}")
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                browser.open(page.as_uri())
                browser.screenshot(args.screenshots / f"report-{papers}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
