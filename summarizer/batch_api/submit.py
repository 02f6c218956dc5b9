"""Submitting papers as batches, and finishing submissions a killed run left half done.

Papers stream into a `PartDraft`: its papers file and input file grow on disk line by
line, so memory holds one request at a time; a draft full to the limits is submitted and
the next one begun. Each part is recorded before each call that could make something at
the provider: `uploading` once its files are complete, `creating` with the file id
before the batch is created, `submitted` with the batch id after. A re-run drops an
`uploading` part (no batch can exist without its file id), and looks for a `creating`
part's batch by the token in its metadata: found, it is adopted; not found, the part is
dropped and its file deleted. Either way no paper is left in two live batches, or in none.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import IO

from summarizer.batch_api.provider import BatchClient, BatchInfo
from summarizer.batch_api.requests import BatchLimits, PartSize, RequestLine
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


class PartDraft:
    """A batch being filled: its papers file and input file, written line by line."""

    def __init__(self, store: StateStore, limits: BatchLimits, round_number: int) -> None:
        self.token = uuid.uuid4().hex[:20]
        self.store = store
        self.limits = limits
        self.round = round_number
        self.size = PartSize()
        store.parts_dir.mkdir(exist_ok=True)
        self._papers: IO[str] | None = store.papers_path(self.token).open("w", encoding="utf-8")
        self._input: IO[bytes] | None = store.input_path(self.token).open("wb")

    def fits(self, line: RequestLine) -> bool:
        return self.size.fits(line, self.limits)

    def add(self, paper: PartPaper, line: RequestLine) -> None:
        assert self._papers is not None and self._input is not None
        self._papers.write(paper.model_dump_json() + "\n")
        self._input.write(line.data)
        self.size.add(line)

    def close(self) -> None:
        """Flush both files to disk (before the state may name them)."""
        for handle in (self._papers, self._input):
            if handle is not None:
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
        self._papers = self._input = None

    def discard(self) -> None:
        """Close and remove the files (a draft that will not be submitted)."""
        self.close()
        self.store.remove_part_files(self.token)


class Submitter:
    """Puts drafts into batches at the provider, recording each step in the state."""

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

    def draft(self, round_number: int) -> PartDraft:
        """A new, empty batch to fill (1: first asks; 2 and more: follow-ups)."""
        return PartDraft(self.store, self.limits, round_number)

    async def submit(self, draft: PartDraft) -> Part:
        """Upload the draft's input and create its batch; the part made."""
        draft.close()
        part = Part(
            token=draft.token,
            round=draft.round,
            papers=draft.size.requests,
            stage="uploading",
            submitted_at=self.clock(),
        )
        self.state.parts.append(part)
        self.store.save(self.state)
        part.input_file_id = await self.client.upload(self.store.input_path(draft.token))
        part.stage = "creating"
        self.store.save(self.state)
        info = await self.client.create(
            part.input_file_id, {TOKEN_KEY: part.token, RECIPE_KEY: self.recipe_fingerprint}
        )
        part.stage = "submitted"
        update_part(part, info)
        self.store.save(self.state)
        self.store.input_path(part.token).unlink(missing_ok=True)  # the provider has it
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
                    self.store.input_path(part.token).unlink(missing_ok=True)
        for part in dropped:
            part.stage = "dropped"
            self.store.save(self.state)
            self.store.remove_part_files(part.token)
        return dropped
