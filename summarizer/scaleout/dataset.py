"""Papers as a Ray Dataset, and the dataset of results the card-making actors make of it.

The batch reads its inputs on the driver (formats, duplicates, resume and screening are
decided there, as in a local run) and puts the papers still to do into Ray's object
store in blocks, as they are read; the driver keeps only the blocks' references, and
Ray spills blocks to disk when its store is full. Each block goes whole to one actor
(options.split_work sizes them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, cast

from summarizer.papers import Paper
from summarizer.scaleout.actor import PAPER_ROWS, CardMaker
from summarizer.scaleout.options import WorkSplit
from summarizer.scaleout.rows import PAPER_COLUMN, paper_row
from summarizer.settings import Settings

if TYPE_CHECKING:
    from ray.data import Dataset


def _chunks(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    chunk: list[Paper] = []
    for paper in papers:
        chunk.append(paper)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def papers_dataset(papers: Iterable[Paper], *, block_papers: int) -> Dataset | None:
    """The papers as a dataset of one `paper` column (None when there are none)."""
    import pyarrow
    import ray
    import ray.data

    blocks = [
        ray.put(pyarrow.table({PAPER_COLUMN: [paper_row(paper) for paper in chunk]}))
        for chunk in _chunks(papers, block_papers)
    ]
    return ray.data.from_arrow_refs(cast(Any, blocks)) if blocks else None


def results_dataset(
    papers: Dataset,
    settings: Settings,
    control: Any,
    split: WorkSplit,
    *,
    rows: str = PAPER_ROWS,
    source_name: str = "dataset",
    report_unattempted: bool = False,
) -> Dataset:
    """The dataset of results (summarizer.scaleout.rows.RESULT_COLUMNS) of `papers`,
    made by a fixed pool of `split.actors` CardMaker actors."""
    import ray.data

    return papers.map_batches(
        CardMaker,
        fn_constructor_kwargs={
            "settings": settings,
            "control": control,
            "actor_concurrency": split.actor_concurrency,
            "rows": rows,
            "source_name": source_name,
            "report_unattempted": report_unattempted,
        },
        compute=ray.data.ActorPoolStrategy(size=split.actors),
        batch_size=split.batch_size,
        batch_format="pyarrow",
        num_cpus=split.actor_cpus,
    )
