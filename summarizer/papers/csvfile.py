"""CSV reading lists: a header row naming title and abstract columns, a paper per row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from summarizer.errors import InputError
from summarizer.papers.model import FileReading, Record, Skipped
from summarizer.papers.rows import find_column, record_from_row

# The csv module refuses fields over 128 KiB by default; a reading list may carry long
# text columns. 2**31 - 1 is the largest limit every platform's C long accepts.
_CSV_FIELD_LIMIT = 2**31 - 1


def has_paper_columns(header: list[str]) -> bool:
    """True when a header names a title and an abstract column."""
    return all(find_column(header, field) for field in ("title", "abstract"))


def stream_csv(lines: Iterable[str], name: str) -> Iterator[Record | Skipped]:
    """Each row's record, or why it is skipped, one at a time (constant memory).

    A header without title and abstract columns, or a broken quote (it would swallow the
    rows after it), raises InputError.
    """
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    # strict: an unclosed quote is an error, not a field that swallows the rest of the file.
    reader = csv.DictReader(lines, strict=True)
    try:
        header = list(reader.fieldnames or [])
        if not has_paper_columns(header):
            found = ", ".join(repr(column) for column in header[:6])
            raise InputError(
                name,
                "a CSV needs 'title' and 'abstract' columns in its header",
                hint=f"found {found or 'no columns'}; the separator must be a comma",
            )
        for row in reader:
            where = f"{name}:{reader.line_num}"
            if row.get(None):
                yield Skipped(
                    where, "more cells than header columns", hint="quote fields that contain commas"
                )
                continue
            yield record_from_row(row, where)
    except csv.Error as exc:
        raise InputError(
            f"{name}:{reader.reader.line_num}",
            f"not valid CSV ({exc})",
            hint="check the quotes: a quoted field ends with a quote and a comma",
        ) from None


def read_csv(text: str, name: str) -> FileReading:
    """Every row's record; a row with extra cells is skipped, the rest read.

    A broken quote cannot be skipped (it swallows the rows after it): it stops the file.
    """
    reads = list(stream_csv(io.StringIO(text, newline=""), name))
    if not reads:
        raise InputError(name, "no records in the file")
    return FileReading.of(reads)
