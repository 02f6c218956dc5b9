"""Papers and results as Ray Dataset rows: plain strings, rebuilt on the other side.

A row crosses processes and machines, so it holds JSON text, never Python objects: a
paper as `Paper.to_dict()` (its metadata stays with the reader, no card uses it), a card
as its CARD_SPEC JSON, an error as its class, message, hint, usage and whether it stops
the run. Every column is a string, so Ray never has to reconcile block schemas (a column
of nulls in one block, of objects in the next).

Nothing here imports Ray: the codecs are tested without a cluster.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from typing import Any

from summarizer.api import SummaryResult
from summarizer.cards import PaperCard, Usage
from summarizer.errors import InputError, SummarizerError
from summarizer.papers import Paper, Skipped
from summarizer.papers.reader import paper_from_record
from summarizer.papers.rows import record_from_row
from summarizer.source import Source

# A dataset of papers made by the batch: one column, each paper's JSON.
PAPER_COLUMN = "paper"
# The columns of a dataset of results, in order; `card` and `error` are null or JSON.
RESULT_COLUMNS = ("paper_id", "title", "source", "card", "error")


def paper_row(paper: Paper) -> str:
    """A paper as the JSON its row carries."""
    record = paper.to_dict()
    record.pop("metadata", None)
    return json.dumps(record, ensure_ascii=False)


def paper_from_json(text: str) -> Paper:
    """The paper a `paper_row` carries."""
    record = json.loads(text)
    return Paper(
        paper_id=record["paper_id"],
        title=record["title"],
        abstract=record["abstract"],
        source=source_from_dict(record["source"]),
        warnings=tuple(record.get("warnings", ())),
        duplicate_of=record.get("duplicate_of"),
    )


def source_from_dict(record: Mapping[str, Any]) -> Source:
    """A Source from `Source.to_dict()`."""
    values = dict(record)
    values["authors"] = tuple(values.get("authors", ()))
    return Source(**values)


def paper_from_record_row(row: Mapping[str, Any], name: str) -> Paper | InputError:
    """A paper from a user's row with `title` and `abstract` (and optionally url, doi,
    arxiv_id, authors, year), read as a JSONL reading list's line is; else why not."""
    title = row.get("title")
    where = f"{name} ({title})" if isinstance(title, str) and title.strip() else name
    read = record_from_row(row, where)
    if isinstance(read, Skipped):
        return read.as_error()
    return paper_from_record(read, index=0, name=name, collection=None)


def error_to_dict(error: SummarizerError) -> dict[str, Any]:
    """An error as JSON-ready values, enough to rebuild it (its text already redacted)."""
    kind = type(error)
    usage = error.usage if isinstance(error.usage, Usage) else None
    return {
        "type": kind.__name__,
        "module": kind.__module__,
        "reason": str(error),
        "message": error.message,
        "hint": error.hint,
        "stops_run": error.stops_run,
        "usage": usage.model_dump(mode="json") if usage is not None else None,
    }


def error_from_dict(record: Mapping[str, Any]) -> SummarizerError:
    """The error `error_to_dict` describes, of the same class where it can be imported
    (its text and flags restored; fields only its constructor sets are absent)."""
    kind = _error_class(str(record.get("module", "")), str(record.get("type", "")))
    error = kind.__new__(kind)
    SummarizerError.__init__(error, str(record["message"]), hint=record.get("hint"))
    if bool(record.get("stops_run")) != kind.stops_run:
        error.stops_run = bool(record.get("stops_run"))
    if record.get("usage") is not None:
        error.usage = Usage.model_validate(record["usage"])
    return error


def _error_class(module: str, name: str) -> type[SummarizerError]:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError:
        found = None
    if isinstance(found, type) and issubclass(found, SummarizerError):
        return found
    return SummarizerError


def result_row(result: SummaryResult) -> dict[str, str | None]:
    """One paper's outcome as a row of RESULT_COLUMNS."""
    paper = result.paper
    return {
        "paper_id": paper.paper_id,
        "title": paper.title,
        "source": json.dumps(paper.source.to_dict(), ensure_ascii=False),
        "card": result.card.model_dump_json() if result.card is not None else None,
        "error": (
            json.dumps(error_to_dict(result.error), ensure_ascii=False)
            if result.error is not None
            else None
        ),
    }


def error_row(paper_id: str, title: str, source: Source, error: SummarizerError) -> dict[str, Any]:
    """The row of a paper that got no card."""
    return result_row(SummaryResult(_bare_paper(paper_id, title, source), error=error))


def result_from_row(row: Mapping[str, Any]) -> SummaryResult:
    """The SummaryResult a `result_row` carries (the paper: its id, title and source)."""
    paper = _bare_paper(row["paper_id"], row["title"], source_from_dict(json.loads(row["source"])))
    if row.get("card") is not None:
        return SummaryResult(paper, card=PaperCard.model_validate_json(row["card"]))
    return SummaryResult(paper, error=error_from_dict(json.loads(row["error"])))


def _bare_paper(paper_id: str, title: str, source: Source) -> Paper:
    return Paper(paper_id=paper_id, title=title, abstract="", source=source)
