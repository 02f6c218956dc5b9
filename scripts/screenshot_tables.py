"""Render a table (or the report) as HTML and screenshot it in headless Chromium.

    python scripts/screenshot_tables.py [--view overview] [--group-by file] [--out FILE.png]
    python scripts/screenshot_tables.py --report [--cards out/cards.jsonl] [--part gains]

The reference cards by default, or a cards file. Used to look at the pages while changing
their CSS (docs/tables.md shows the results).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from cdp import Browser, chromium_path
from table_cards import hostile_cards, reference_cards

from summarizer.cards import read_cards
from summarizer.tables import render_report, render_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--view", default="overview")
    parser.add_argument("--group-by", default="file")
    parser.add_argument("--hostile", action="store_true", help="add the hostile test cards")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--filter", default="", help="type this into the filter box first")
    parser.add_argument("--sort", default="", help="click this column's heading first")
    parser.add_argument("--scroll", type=int, default=0, help="scroll down this many pixels")
    parser.add_argument("--cards", type=Path, help="a cards.jsonl instead of the reference cards")
    parser.add_argument("--report", action="store_true", help="the report instead of a table")
    parser.add_argument(
        "--part", default="", help="the report's part to show: overview, gains, stages, papers"
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp/tables-overview.png"))
    args = parser.parse_args()
    cards = read_cards(args.cards) if args.cards else reference_cards()
    cards = (hostile_cards() if args.hostile else []) + cards
    if args.report:
        html = render_report(cards, group_by=args.group_by)
    else:
        html = render_table(cards, view=args.view, fmt="html", group_by=args.group_by)
    executable = chromium_path()
    if executable is None:
        sys.exit("chromium is not installed")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "table.html"
        page.write_text(html, encoding="utf-8")
        with Browser(executable, width=args.width, height=args.height) as browser:
            browser.open(page.as_uri())
            if args.sort:
                browser.click(f"th.col-{args.sort} button")
            if args.filter:
                browser.type_into("#filter", args.filter)
            if args.part:
                browser.evaluate(f"document.getElementById({args.part!r}).scrollIntoView()")
            if args.scroll:
                browser.evaluate(f"window.scrollBy(0, {args.scroll})")
            browser.screenshot(args.out, full_page=args.full_page)
            print(f"{args.out}: problems={browser.problems()}")


if __name__ == "__main__":
    main()
