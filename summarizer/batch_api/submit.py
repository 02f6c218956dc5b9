"""Submitting papers as batches, and finishing submissions a killed run left half done.

Each part is recorded before each call that could make something at the provider: its
papers file and `uploading` before the upload, `creating` with the file id before the
batch is created, `submitted` with the batch id after. A re-run drops an `uploading`
part (no batch can exist without its file id), and looks for a `creating` part's batch
by the token in its metadata: found, it is adopted; not found, the part is dropped and
its file deleted. Either way no paper is left in two live batches, or in none.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence

from summarizer.batch_api.provider import BatchClient, BatchInfo
from summarizer.batch_api.requests import BatchLimits, RequestLine, input_file, split
from summarizer.batch_api.state import BatchState, Part, PartPaper, StateStore

# The metadata key that names a part in its batch (OpenAI allows 16 pairs of 64/512).
TOKEN_KEY = "summarizer_part"
RECIPE_KEY = "summarizer_recipe"


def update_part(part: Part, info: BatchInfo) -> bool:
    """Copy the provider's view of the batch into the part; True if anything changed."""
    before = part.model_dump()
    part.batch_id = info.id
    part.status = info.status
    part.output_file_id = info.output_file_id
    part.error_file_id = info.error_file_id
    part.request_counts = {
        "total": info.total,
        "completed": info.completed,
        "failed": info.failed,
    }
    part.errors = list(info.errors)
    if info.ended and part.stage == "submitted":
        part.stage = "ended"
    return part.model_dump() != before


class Submitter:
    """Puts papers into batches at the provider, recording each step in the state."""

    def __init__(
        self,
        client: BatchClient,
        store: StateStore,
        state: BatchState,
        *,
        limits: BatchLimits,
        recipe_fingerprint: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.store = store
        self.state = state
        self.limits = limits
        self.recipe_fingerprint = recipe_fingerprint
        self.clock = clock

    async def submit(
        self,
        papers: Sequence[PartPaper],
        lines: Sequence[RequestLine],
        *,
        round_number: int,
        stopped: Callable[[], bool] = lambda: False,
    ) -> list[Part]:
        """Submit the papers (line i asks for papers[i]) in as few batches as the limits
        allow; the parts made. Stops between batches once `stopped()` is true."""
        by_key = {paper.key: paper for paper in papers}
        made: list[Part] = []
        for group in split(lines, self.limits):
            if stopped():
                break
            made.append(
                await self._submit_part(
                    [by_key[line.custom_id] for line in group], group, round_number
                )
            )
        return made

    async def _submit_part(
        self, papers: list[PartPaper], lines: list[RequestLine], round_number: int
    ) -> Part:
        token = uuid.uuid4().hex[:20]
        part = Part(
            token=token,
            round=round_number,
            papers=len(papers),
            stage="uploading",
            submitted_at=self.clock(),
        )
        self.store.write_papers(token, papers)
        self.state.parts.append(part)
        self.store.save(self.state)
        part.input_file_id = await self.client.upload(
            f"summarizer-{token}.jsonl", input_file(lines)
        )
        part.stage = "creating"
        self.store.save(self.state)
        info = await self.client.create(
            part.input_file_id, {TOKEN_KEY: token, RECIPE_KEY: self.recipe_fingerprint}
        )
        part.stage = "submitted"
        update_part(part, info)
        self.store.save(self.state)
        return part

    async def recover(self) -> list[Part]:
        """Finish the submissions a killed run left: adopt a `creating` part's batch if
        the provider has it, drop the parts that never became a batch. The parts dropped."""
        dropped: list[Part] = []
        for part in self.state.parts:
            if part.stage == "uploading":
                dropped.append(part)
            elif part.stage == "creating":
                info = await self.client.find(TOKEN_KEY, part.token, since=part.submitted_at)
                if info is None:
                    if part.input_file_id:
                        await self.client.delete_file(part.input_file_id)
                    dropped.append(part)
                else:
                    part.stage = "submitted"
                    update_part(part, info)
                    self.store.save(self.state)
        for part in dropped:
            part.stage = "dropped"
            self.store.save(self.state)
            self.store.remove_papers(part.token)
        return dropped
