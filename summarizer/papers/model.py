"""The records readers make and the results `read_papers` returns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import InputError
from summarizer.source import Source

# Why an entry of an input became no paper.
NO_ABSTRACT = "no_abstract"  # a reading list's entry without an abstract: normal, never fatal
BAD_RECORD = "bad_record"  # a record that cannot be read: fatal with --strict


@dataclass(frozen=True)
class Paper:
    """One paper as read from an input: the unit every engine summarizes."""

    paper_id: str
    title: str
    abstract: str
    source: Source
    warnings: tuple[str, ...] = ()
    duplicate_of: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "paper_id": self.paper_id,
            "title": self.title,
            "abstract": self.abstract,
            "source": self.source.to_dict(),
            "warnings": list(self.warnings),
            "duplicate_of": self.duplicate_of,
        }
        if self.metadata:
            record["metadata"] = dict(self.metadata)
        return record


@dataclass(frozen=True)
class Record:
    """One entry of an input as a reader found it, identifiers already normalised."""

    title: str
    abstract: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    url: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    year: int | None = None


@dataclass(frozen=True)
class Skipped:
    """An entry that became no paper: where it is (file:line), its title if known, and why."""

    where: str
    reason: str
    kind: str = BAD_RECORD
    title: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        title = f" ({self.title!r})" if self.title else ""
        return f"{self.where}: skipped{title}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """The skipped entry as JSON-ready values (for a run's report)."""
        record: dict[str, Any] = {"where": self.where, "kind": self.kind, "reason": self.reason}
        if self.title:
            record["title"] = self.title
        return record

    def as_error(self) -> InputError:
        """The entry as the error --strict stops at."""
        return InputError(self.where, self.reason, hint=self.hint)


@dataclass(frozen=True)
class FileReading:
    """What a reader made of one input's text: its records and the entries it skipped."""

    records: list[Record]
    skipped: list[Skipped] = field(default_factory=list)

    @classmethod
    def of(cls, reads: Iterable[Record | Skipped]) -> FileReading:
        """The records and the skipped entries of a reader's results, each in order."""
        records: list[Record] = []
        skipped: list[Skipped] = []
        for read in reads:
            if isinstance(read, Record):
                records.append(read)
            else:
                skipped.append(read)
        return cls(records, skipped)


@dataclass(frozen=True)
class ReadResult:
    """The papers read from some inputs, the inputs that could not be read, and the
    entries of readable inputs that became no paper (no abstract, or a bad record)."""

    papers: list[Paper]
    problems: list[InputError]
    skipped: list[Skipped] = field(default_factory=list)
