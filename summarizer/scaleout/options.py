"""How a run spreads over a Ray cluster: actors, requests per actor, the total.

Nothing here imports Ray: the command line builds `RayOptions` before Ray is loaded,
and the split is plain arithmetic, tested without a cluster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from summarizer.errors import ConfigError

RAY_EXTRA_HINT = "pip install 'summarizer[ray]'"
# Papers per batch an actor takes from Ray Data, per request it may have in flight: a
# batch's last requests leave the actor's other slots idle, so a batch holds several
# rounds of requests.
ROUNDS_PER_BATCH = 4
# Papers per batch for an engine that sends no request (the offline engine): enough
# that Ray's cost per batch is small beside the work.
OFFLINE_BATCH = 64
# Papers per block of the dataset at most; each block goes whole to one actor.
MAX_BLOCK_PAPERS = 1000
# Blocks per actor at least, when there are papers enough: Ray hands blocks out as
# actors free up, so a slow block does not leave the others idle at the end.
BLOCKS_PER_ACTOR = 4


@dataclass(frozen=True)
class RayOptions:
    """What `--ray` and its options ask for; None leaves the choice to `split_work`.

    `address` is a Ray cluster's address (`ray.init(address=...)`): None joins the one
    RAY_ADDRESS names, else the latest one started on this machine, else starts a local
    Ray for the run.
    """

    address: str | None = None
    actors: int | None = None
    actor_concurrency: int | None = None
    actor_cpus: float | None = None
    batch_size: int | None = None

    def __post_init__(self) -> None:
        for name in ("actors", "actor_concurrency", "batch_size"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(name.replace("_", "-"), "must be at least 1")
        if self.actor_cpus is not None and self.actor_cpus <= 0:
            raise ConfigError("actor-cpus", "must be more than 0")


@dataclass(frozen=True)
class WorkSplit:
    """How many actors run, how many requests each and all of them have in flight, and
    how papers are cut into blocks (each goes whole to one actor) and batches."""

    actors: int
    actor_concurrency: int  # requests in flight in one actor, at most
    total: int  # requests in flight over the whole cluster, at most (--concurrency)
    actor_cpus: float
    batch_size: int
    block_papers: int = MAX_BLOCK_PAPERS

    @property
    def reachable(self) -> int:
        """Requests in flight at most: the total, unless the actors cannot hold it."""
        return min(self.total, self.actors * self.actor_concurrency)

    def to_report(self) -> dict[str, int]:
        """The split as run.json's `concurrency` shows it (counts only)."""
        return {"actors": self.actors, "actor_concurrency": self.actor_concurrency}


def split_work(
    options: RayOptions,
    *,
    concurrency: int,
    asks_model: bool,
    cluster_cpus: float,
    papers: int | None = None,
) -> WorkSplit:
    """Actors, per-actor concurrency and blocks for a run of `concurrency` requests in all
    (over `papers` papers, when known).

    An engine that sends requests gets one actor per CPU of the cluster (at most one per
    request of the total) and the total split evenly over them; the shared budget caps
    the total whatever the split. An engine that sends none (offline) is bound by CPU:
    one actor per CPU, one paper at a time each. No more actors start than there are
    blocks of papers for them.
    """
    if concurrency < 1:
        raise ConfigError("concurrency", "must be at least 1")
    cpus = options.actor_cpus or 1.0
    fitting = max(1, math.floor(cluster_cpus / cpus))
    actors = options.actors or (min(fitting, concurrency) if asks_model else fitting)
    split = _split_for(options, actors, concurrency, asks_model, cpus, papers)
    if papers is not None and papers < split.actors * split.block_papers:
        blocks = max(1, math.ceil(papers / split.block_papers))
        if blocks < split.actors:
            split = _split_for(options, blocks, concurrency, asks_model, cpus, papers)
            split = replace(split, actors=min(split.actors, blocks))
    return split


def _split_for(
    options: RayOptions,
    actors: int,
    concurrency: int,
    asks_model: bool,
    cpus: float,
    papers: int | None,
) -> WorkSplit:
    if asks_model:
        per_actor = options.actor_concurrency or math.ceil(concurrency / actors)
        batch = options.batch_size or max(OFFLINE_BATCH // 4, ROUNDS_PER_BATCH * per_actor)
    else:
        per_actor = options.actor_concurrency or 1
        batch = options.batch_size or OFFLINE_BATCH
    block = MAX_BLOCK_PAPERS
    if papers is not None:
        spread = math.ceil(papers / (actors * BLOCKS_PER_ACTOR))
        block = max(1, min(MAX_BLOCK_PAPERS, max(batch, spread)))
    return WorkSplit(actors, per_actor, concurrency, cpus, batch, block)
