"""Progress of a batch: a rich bar on a terminal, plain periodic lines otherwise, or none."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO


class Progress(Protocol):
    """Told of each finished paper; shows the user how far the batch is."""

    def start(self, total: int) -> None: ...

    def advance(self, *, cached: bool, failed: bool) -> None: ...

    def note(self, text: str) -> None:
        """Show what the run is waiting for (e.g. batches at a provider), replacing the
        last note."""
        ...

    def stop(self) -> None: ...


class _Counts:
    def __init__(self) -> None:
        self.total = self.done = self.cached = self.failed = 0
        self.started = time.monotonic()

    def add(self, *, cached: bool, failed: bool) -> None:
        self.done += 1
        self.cached += cached
        self.failed += failed

    def line(self, *, final: bool = False) -> str:
        """The counts and rate; while running, an ETA; at the end, whether it stopped early
        (an ETA left on the last line of a run that stopped would be a false promise)."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        counts = (
            f"{self.done}/{self.total} papers ({self.cached} cached, {self.failed} failed), "
            f"{rate:.1f}/s"
        )
        if final:
            return counts + (", stopped early" if self.done < self.total else "")
        remaining = (self.total - self.done) / rate if rate > 0 else float("inf")
        eta = f"{remaining:.0f}s" if remaining != float("inf") else "?"
        return f"{counts}, ETA {eta}"


class QuietProgress:
    """Shows nothing (--quiet)."""

    def start(self, total: int) -> None:
        del total

    def advance(self, *, cached: bool, failed: bool) -> None:
        del cached, failed

    def note(self, text: str) -> None:
        del text

    def stop(self) -> None:
        pass


class PlainProgress:
    """A line every few seconds, for logs and pipes (not a terminal)."""

    def __init__(self, out: TextIO, every_seconds: float = 5.0) -> None:
        self.out = out
        self.every = every_seconds
        self.counts = _Counts()
        self._last = 0.0
        self._note: str | None = None

    def start(self, total: int) -> None:
        self.counts = _Counts()
        self.counts.total = total
        self._last = time.monotonic()

    def note(self, text: str) -> None:
        """Written when it says something new (a poll that changed nothing is quiet)."""
        if text != self._note:
            self._note = text
            self.out.write(text + "\n")
            self.out.flush()

    def advance(self, *, cached: bool, failed: bool) -> None:
        self.counts.add(cached=cached, failed=failed)
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self.out.write(self.counts.line() + "\n")
            self.out.flush()

    def stop(self) -> None:
        if self.counts.total:
            self.out.write(self.counts.line(final=True) + "\n")
            self.out.flush()


class RichProgress:
    """A progress bar with counts, rate and ETA (terminals)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.counts = _Counts()
        self._bar: Any = None
        self._task: Any = None
        self._eta: tuple[Any, ...] = ()

    def start(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichBar

        self.counts = _Counts()
        self.counts.total = total
        self._eta = (TextColumn("ETA"), TimeRemainingColumn())
        self._bar = RichBar(
            TextColumn("[bold]cards"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            *self._eta,
            TextColumn("{task.fields[note]}"),
            console=Console(file=self.out),
            transient=False,
        )
        self._bar.start()
        self._task = self._bar.add_task("cards", total=total, detail="", note="")

    def advance(self, *, cached: bool, failed: bool) -> None:
        self.counts.add(cached=cached, failed=failed)
        detail = f"{self.counts.cached} cached, {self.counts.failed} failed"
        self._bar.update(self._task, advance=1, detail=detail)

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, note=text)

    def stop(self) -> None:
        if self._bar is None:
            return
        if self.counts.done < self.counts.total:
            from rich.progress import TextColumn

            # Stopped early: the ETA would stay on screen as a false promise.
            columns = [column for column in self._bar.columns if column not in self._eta]
            self._bar.columns = (*columns, TextColumn("stopped early"))
            self._bar.refresh()
        self._bar.stop()


PROGRESS_KINDS: dict[str, Callable[[TextIO], Progress]] = {
    "rich": RichProgress,
    "plain": PlainProgress,
    "quiet": lambda out: QuietProgress(),
}


def progress_for(quiet: bool, out: TextIO | None = None) -> Progress:
    """A bar on a terminal, plain lines when not, nothing when quiet."""
    stream = out or sys.stderr
    kind = "quiet" if quiet else ("rich" if stream.isatty() else "plain")
    return PROGRESS_KINDS[kind](stream)
