"""Cancelling a folder's open batches at the provider (`batch --cancel-batches`).

A cancelled batch keeps what it finished (billed); the next `--batch-api` run collects
it and asks again for the papers it did not run, as after an expiry.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from summarizer.batch_api.provider import BatchClient
from summarizer.batch_api.requests import BatchLimits
from summarizer.batch_api.state import StateStore
from summarizer.batch_api.submit import Submitter, update_part
from summarizer.errors import BatchAPIError
from summarizer.recipe import recipe_for
from summarizer.run_folder import FolderLock
from summarizer.settings import Settings


@dataclass(frozen=True)
class Cancelled:
    """What `cancel_batches` did."""

    cancelled: int  # batches asked to cancel
    papers: int  # papers they hold
    ended: int  # open batches that had ended already (collected by the next run)


def cancel_batches(out_dir: Path, settings: Settings) -> Cancelled:
    """Cancel every batch of `out_dir` still running at the provider (holding the
    folder's lock); the state file records it."""
    if not StateStore(out_dir).path.exists():
        return Cancelled(0, 0, 0)
    with FolderLock(out_dir):
        return asyncio.run(_cancel(out_dir, settings))


async def _cancel(out_dir: Path, settings: Settings) -> Cancelled:
    store = StateStore(out_dir)
    state = store.load()
    if state is None or not state.open_parts():
        return Cancelled(0, 0, 0)
    client = BatchClient(settings)
    try:
        submitter = Submitter(
            client,
            store,
            state,
            limits=BatchLimits(),
            recipe_fingerprint=recipe_for(settings).fingerprint(),
        )
        await submitter.recover()
        cancelled = papers = ended = 0
        for part in state.open_parts():
            if part.status in ("cancelling", "cancelled"):
                continue  # asked already
            if part.stage != "submitted" or part.batch_id is None:
                ended += 1
                continue
            try:
                info = await client.cancel(part.batch_id)
            except BatchAPIError as error:
                if error.status != 409:  # 409: it ended meanwhile
                    raise
                info = await client.retrieve(part.batch_id)
            update_part(part, info)
            store.save(state)
            if info.ended and info.status != "cancelled":
                ended += 1
            else:
                cancelled += 1
                papers += part.papers
        return Cancelled(cancelled, papers, ended)
    finally:
        await client.close()
