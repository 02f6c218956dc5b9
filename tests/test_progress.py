"""Progress output: counts, rate and an ETA while running; no stale ETA once stopped."""

from __future__ import annotations

import io

from summarizer.progress import PlainProgress, RichProgress


def test_plain_lines_end_without_an_eta_and_say_when_stopped_early() -> None:
    out = io.StringIO()
    progress = PlainProgress(out, every_seconds=0.0)
    progress.start(10)
    for _ in range(3):
        progress.advance(cached=False, failed=False)
    progress.stop()
    *running, last = out.getvalue().splitlines()
    assert all(", ETA " in line for line in running) and len(running) == 3
    assert last.startswith("3/10 papers (0 cached, 0 failed), ")
    assert last.endswith("/s, stopped early")


def test_a_finished_plain_run_ends_with_its_counts() -> None:
    out = io.StringIO()
    progress = PlainProgress(out, every_seconds=3600.0)
    progress.start(2)
    progress.advance(cached=True, failed=False)
    progress.advance(cached=False, failed=True)
    progress.stop()
    (last,) = out.getvalue().splitlines()
    assert last.startswith("2/2 papers (1 cached, 1 failed), ") and last.endswith("/s")


def test_the_bar_of_a_stopped_run_shows_no_eta() -> None:
    out = io.StringIO()
    progress = RichProgress(out)
    progress.start(10)
    progress.advance(cached=False, failed=False)
    progress.stop()
    final = out.getvalue().splitlines()[-1]
    assert "stopped early" in final and "ETA" not in final
