"""The Python API on Ray: a Ray Dataset of papers in, a Ray Dataset of cards out.

    import ray
    from summarizer.scaleout import summarize_dataset

    papers = ray.data.read_parquet("s3://bucket/arxiv-abstracts/")  # title, abstract, ...
    cards = summarize_dataset(papers, base_url="http://vllm:8000/v1", model="qwen",
                              concurrency=256)
    cards.write_parquet("s3://bucket/cards/")

For people whose papers already live in a Ray or Parquet pipeline: no output folder, no
resume (the dataset is theirs to write where they like; the cache still spares every
answer already paid for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from summarizer.api import Summarizer
from summarizer.engines import engine_kind
from summarizer.scaleout.actor import RECORD_ROWS
from summarizer.scaleout.cluster import cluster_cpus, import_ray
from summarizer.scaleout.dataset import results_dataset
from summarizer.scaleout.driver import start_control
from summarizer.scaleout.options import RayOptions, split_work
from summarizer.settings import DEFAULT_CONCURRENCY, Settings, resolve_settings

if TYPE_CHECKING:
    from ray.data import Dataset


def summarize_dataset(
    papers: Dataset,
    settings: Settings | None = None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    actors: int | None = None,
    actor_concurrency: int | None = None,
    actor_cpus: float | None = None,
    batch_size: int | None = None,
    source_name: str = "dataset",
    **options: Any,
) -> Dataset:
    """A dataset with one row per row of `papers`: its card, or why it has none.

    `papers` has a `title` and an `abstract` column (matched as a JSONL reading list's
    fields are: "Abstract Note" works too), and optionally `url`, `doi`, `arxiv_id`,
    `authors` and `year`, which fill the card's source (`file` is `source_name`). Rows
    are summarized as given: duplicates are not merged, and nothing is screened out.

    The result's columns are strings: `paper_id`, `title`, `source` (JSON), and either
    `card` (the card's JSON, docs/CARD_SPEC.md; `PaperCard.model_validate_json` reads
    it) or `error` (JSON: `type`, `reason`, ...). Settings as for `Summarizer` (give
    `settings`, or the options: model, base_url, ...). `concurrency` requests are in
    flight at most over all actors together, fewer while the endpoint answers 429;
    `actors`, `actor_concurrency` and `actor_cpus` as for `summarizer batch --ray`.

    Ray must be installed (the `ray` extra); it is initialized here if it is not yet (as
    `ray.init()` does: RAY_ADDRESS, a cluster on this machine, or a new local Ray). The
    dataset is lazy, like every Ray Dataset: the work is done when it is consumed.
    """
    ray = import_ray()
    if settings is not None and options:
        raise TypeError("give settings or options, not both")
    settings = settings or resolve_settings(**options)
    Summarizer(settings).close()  # settings no actor could work with fail here, at once
    if not ray.is_initialized():
        ray.init()
    split = split_work(
        RayOptions(None, actors, actor_concurrency, actor_cpus, batch_size),
        concurrency=concurrency,
        asks_model=engine_kind(settings.engine).asks_model,
        cluster_cpus=cluster_cpus(ray),
    )
    control = start_control(ray, split)
    return results_dataset(
        papers,
        settings,
        control,
        split,
        rows=RECORD_ROWS,
        source_name=source_name,
        report_unattempted=True,
    )
