"""report.html for a cards file of any size, written with bounded memory.

Up to `part_size` papers (REPORT_PART_PAPERS) the report is one page, the same bytes as
`render_report` gives for the file's cards. Beyond that one page would be too big to read
or to open (every abstract of 200,000 papers is hundreds of MB; the chart alone would be
a million pixels tall), so `report.html` becomes an index page (index.py) and the papers
go, in the overview's order and numbered throughout, into parts of `part_size` papers:
`report-parts/part-001.html`, ... each a whole report on its papers, linked to the index
and to the parts before and after. Only one part's cards are in memory at a time; the
index pass keeps offsets and counts (card_file.py, index.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import CardFileError, ConfigError, SummarizerError
from summarizer.outputs import atomic_text_file
from summarizer.tables.card_file import CardIndex, index_cards
from summarizer.tables.report.gather import PartPlace, Report, gather_overview
from summarizer.tables.report.index import PartEntry, ReportTotals, index_page_chunks
from summarizer.tables.report.render import report_page_chunks
from summarizer.tables.rows import VIEWS
from summarizer.tables.table import table_of_groups

# The most papers one report page holds. A page of 1,000 seed-like papers is about 4 MB and
# opens in headless Chromium in about 1.3 s on a busy 2-core VM; 2,000 take 2.6 s, 5,000
# 9 s, and 10,000 did not load in 20 s (bench/bench_report_pages.py, docs/tables.md).
REPORT_PART_PAPERS = 1_000
_PART_FILE = re.compile(r"part-\d+\.html")


def parts_folder(path: Path) -> Path:
    """Where the parts of the report at `path` go: `report.html` -> `report-parts/`."""
    return path.with_name(f"{path.stem}-parts")


# A part's papers: (section heading, offsets of its cards in this part), in order.
_Slice = list[tuple[str | None, Sequence[int]]]


def _slices(index: CardIndex, size: int) -> Iterator[_Slice]:
    """The index's sections cut into runs of `size` papers (the last may be shorter)."""
    current: _Slice = []
    room = size
    for section in index.sections:
        start = 0
        while start < len(section.offsets):
            taken = section.offsets[start : start + room]
            current.append((section.name, taken))
            start += len(taken)
            room -= len(taken)
            if room == 0:
                yield current
                current, room = [], size
    if current:
        yield current


def _gather(
    index: CardIndex, group_by: str, piece: _Slice, *, first: int, part: PartPlace | None
) -> Report:
    groups = [(name, list(index.read(offsets))) for name, offsets in piece]
    cards = [card for _, members in groups for card in members]
    overview = table_of_groups(VIEWS["overview"], group_by, groups, papers=len(cards))
    repeated = index.repeated if part is None else 0
    return gather_overview(overview, cards, repeated=repeated, first=first, part=part)


def _part_size(part_size: int | None) -> int:
    if part_size is None:
        return REPORT_PART_PAPERS
    if part_size < 1:
        raise ConfigError("part-size", "must be at least 1")
    return part_size


def _indexed(index: CardIndex) -> CardIndex:
    if not index.papers:
        raise CardFileError(str(index.path), "no cards in the file")
    return index


def render_report_file(
    cards_path: Path,
    *,
    group_by: str = "file",
    sort: str | None = None,
    part_size: int | None = None,
) -> str:
    """The one-page report of a cards file (the same as `render_report` of its cards).

    More than `part_size` unique papers (default REPORT_PART_PAPERS) do not fit one page:
    ConfigError, saying to write the report to a file (`write_report`), in parts.
    """
    part_size = _part_size(part_size)
    index = _indexed(index_cards(cards_path, group_by=group_by, sort=sort))
    if index.papers > part_size:
        raise ConfigError(
            "report",
            f"{index.papers} papers are more than one page holds ({part_size})",
            hint="write it with -o FILE.html: an index page, and its parts in FILE-parts/",
        )
    piece = next(_slices(index, part_size), [])
    return "".join(report_page_chunks(_gather(index, group_by, piece, first=1, part=None)))


def _remove_stale_parts(folder: Path, keep: set[str]) -> None:
    """Delete earlier parts this report no longer has (and the folder once empty)."""
    if not folder.is_dir():
        return
    try:
        for stale in folder.iterdir():
            if _PART_FILE.fullmatch(stale.name) and stale.name not in keep:
                stale.unlink()
        if not keep and not any(folder.iterdir()):
            folder.rmdir()
    except OSError as exc:
        raise SummarizerError(f"{folder}: cannot remove old parts ({exc.strerror})") from None


@dataclass(frozen=True)
class _PartNames:
    count: int

    def name(self, number: int) -> str:
        return f"part-{number:0{max(3, len(str(self.count)))}d}.html"

    def neighbour(self, number: int) -> str | None:
        return self.name(number) if 1 <= number <= self.count else None


def write_report(
    cards_path: Path,
    path: Path,
    *,
    group_by: str = "file",
    sort: str | None = None,
    part_size: int | None = None,
) -> list[Path]:
    """Write the report of a cards file to `path`; the pages written, `path` first.

    Up to `part_size` unique papers (default REPORT_PART_PAPERS), one page. Beyond, `path`
    is an index page and the papers are in parts in `parts_folder(path)` (see the module's
    docstring). Each page is written atomically; parts left from an earlier, bigger report
    are removed.
    """
    part_size = _part_size(part_size)
    totals = ReportTotals()
    index = _indexed(
        index_cards(
            cards_path, group_by=group_by, sort=sort, visit=lambda _, card: totals.add(card)
        )
    )
    folder = parts_folder(path)
    if index.papers <= part_size:
        piece = next(_slices(index, part_size), [])
        with atomic_text_file(path) as out:
            out.writelines(report_page_chunks(_gather(index, group_by, piece, first=1, part=None)))
        _remove_stale_parts(folder, keep=set())
        return [path]
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise SummarizerError(f"{folder}: cannot create the folder ({exc.strerror})") from None
    names = _PartNames(-(-index.papers // part_size))
    written: list[Path] = []
    entries: list[PartEntry] = []
    first = 1
    for number, piece in enumerate(_slices(index, part_size), start=1):
        place = PartPlace(
            number=number,
            parts=names.count,
            papers=index.papers,
            index=f"../{path.name}",
            previous=names.neighbour(number - 1),
            next=names.neighbour(number + 1),
        )
        report = _gather(index, group_by, piece, first=first, part=place)
        part_path = folder / names.name(number)
        with atomic_text_file(part_path) as out:
            out.writelines(report_page_chunks(report))
        written.append(part_path)
        entries.append(_entry(report, number, f"{folder.name}/{part_path.name}", first))
        first += sum(len(offsets) for _, offsets in piece)
    inputs = [section.name for section in index.sections if section.name is not None]
    with atomic_text_file(path) as out:
        out.writelines(
            index_page_chunks(
                totals,
                inputs=inputs,
                repeated=index.repeated,
                part_size=part_size,
                parts=entries,
            )
        )
    _remove_stale_parts(folder, keep={part.name for part in written})
    return [path, *written]


def _entry(report: Report, number: int, href: str, first: int) -> PartEntry:
    names = [name for name, _ in report.sections if name is not None]
    papers = sum(len(papers) for _, papers in report.sections)
    ends = tuple(dict.fromkeys([names[0], names[-1]])) if names else ()
    return PartEntry(
        number=number,
        href=href,
        first=first,
        last=first + papers - 1,
        inputs=ends,
        input_count=len(names),
        gains=sum(len(paper.card.claimed_gains) for _, ps in report.sections for paper in ps),
        quantified=report.chart.gains,
        papers_with_stages=len(report.matrix),
    )
