"""The files a batch writes in its output folder, written so that nothing is ever lost.

cards.jsonl and errors.jsonl grow by whole lines: each line is one `os.write` of a
complete record on a file opened for appending, so a crash, SIGKILL or Ctrl-C leaves
every finished card whole. A torn last line (power loss) is cut off when the file is
opened again. run.json and tables are replaced atomically (temp file, then rename).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from summarizer.cards import PaperCard
from summarizer.errors import CardFileError, SummarizerError

CARDS_FILE = "cards.jsonl"
ERRORS_FILE = "errors.jsonl"
RUN_FILE = "run.json"
TABLES_DIR = "tables"
REPORT_FILE = "report.html"
# Where a report too big for one page puts its parts (report.html is then their index).
REPORT_PARTS_DIR = "report-parts"
# The folder's batches at a provider's Batch API (summarizer.batch_api.state).
BATCH_STATE_FILE = "batch-api.json"


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """A text file (UTF-8, newlines untouched) that replaces `path` when the block ends.

    What the block writes goes to a temporary file beside `path`; when the block ends
    without error it is flushed to disk and renamed over `path` in one step, so readers
    never see half a file. If the block raises (a bad card, Ctrl-C), the temporary file is
    removed and `path` keeps its old content. A failure to write raises SummarizerError
    naming the path.
    """
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise SummarizerError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise SummarizerError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines untouched) to `path` so readers never see half a file.

    The text goes to a temporary file beside `path`, flushed to disk, then replaces it in
    one step. A failure raises SummarizerError naming the path.
    """
    with atomic_text_file(path) as out:
        out.write(text)


class LineLog:
    """An append-only JSON-lines file written one whole line per call."""

    def __init__(self, path: Path, *, truncate: bool = False) -> None:
        self.path = path
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        self._fd: int | None = os.open(path, flags, 0o644)

    def append(self, record: str) -> None:
        """Write one record (a JSON text without newline) as a complete line."""
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        data = (record + "\n").encode("utf-8")
        while data:
            written = os.write(self._fd, data)
            data = data[written:]

    def close(self) -> None:
        """Flush to disk and close."""
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


def repair_torn_tail(path: Path) -> bool:
    """Cut a last line that has no newline (an interrupted write). True if it did."""
    if not path.is_file() or path.stat().st_size == 0:
        return False
    with path.open("rb+") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 1))
        if handle.read(1) == b"\n":
            return False
        # Walk back to the last newline; everything after it is the torn line.
        position = size
        chunk = 4096
        while position > 0:
            start = max(0, position - chunk)
            handle.seek(start)
            block = handle.read(position - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                handle.truncate(start + newline + 1)
                return True
            position = start
        handle.truncate(0)
        return True


def iter_existing_cards(path: Path) -> Iterator[PaperCard]:
    """Cards already in an output folder's cards.jsonl, one at a time (none if it does
    not exist); a torn last line is cut first, a damaged line raises CardFileError."""
    if not path.exists():
        return
    repair_torn_tail(path)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield PaperCard.model_validate_json(line)
            except ValueError:
                raise CardFileError(
                    str(path),
                    "not a card; fix or remove this line, or use another output folder",
                    line=number,
                ) from None


def load_existing_cards(path: Path) -> list[PaperCard]:
    """Cards already in an output folder's cards.jsonl, all in memory (small folders)."""
    return list(iter_existing_cards(path))


def error_record(paper_id: str, title: str, source: dict[str, Any], error: Exception) -> str:
    """One line of errors.jsonl."""
    return json.dumps(
        {
            "paper_id": paper_id,
            "title": title,
            "source": source,
            "error": type(error).__name__,
            "reason": str(error),
        },
        ensure_ascii=False,
    )


def write_json(path: Path, value: Any) -> None:
    """Pretty JSON, replaced atomically."""
    write_atomically(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def unique_by_id(cards: Iterable[PaperCard]) -> list[PaperCard]:
    """Cards with the first one of each paper_id kept."""
    seen: set[str] = set()
    kept: list[PaperCard] = []
    for card in cards:
        if card.paper_id not in seen:
            seen.add(card.paper_id)
            kept.append(card)
    return kept
