"""What a folder has at a provider's Batch API, on disk, so no run pays for a paper twice.

OUT_DIR/batch-api.json        every batch ("part") the folder submitted: its stage here,
                              the provider's ids and status, request counts, errors
OUT_DIR/batch-api/TOKEN.jsonl the papers a part holds (cache key, paper id, title,
                              abstract, source, and a conversation to go on with, if
                              any), written before its upload, removed once it is collected
OUT_DIR/batch-api/TOKEN.*.jsonl  its input file until the provider has it, and its result
                              files while it is collected (read line by line from disk)

A part moves uploading -> creating (file uploaded) -> submitted (batch created) -> ended
(the provider is done with it) -> collected (every paper got its card or error, or went
to another part); a part a killed run left uploading, or creating with no batch at the
provider, is dropped and its papers asked again. Each change is written atomically
before the next call to the provider, so a kill at any point leaves a state that a
re-run can finish from.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TextIO

from pydantic import BaseModel, Field, ValidationError

from summarizer.errors import BatchesOpenError, ConfigError
from summarizer.outputs import BATCH_STATE_FILE, write_atomically
from summarizer.recipe import Recipe

STATE_FILE = BATCH_STATE_FILE
PARTS_DIR = "batch-api"
STATE_VERSION = 1

Stage = Literal["uploading", "creating", "submitted", "ended", "collected", "dropped"]
# Parts whose papers may still get an answer from the provider.
OPEN_STAGES = frozenset({"uploading", "creating", "submitted", "ended"})


class PartPaper(BaseModel):
    """One paper of a part (a line of its papers file)."""

    key: str  # the cache key, and the request's custom_id
    paper_id: str
    title: str
    abstract: str
    source: dict[str, Any] = Field(default_factory=dict)  # Source.to_dict()
    warnings: list[str] = Field(default_factory=list)  # the reader's
    # A conversation that goes on in this part (a re-ask), as Conversation.snapshot().
    conversation: dict[str, Any] | None = None
    # Batch lines of this paper that got no answer before this part.
    unanswered: int = 0


class Part(BaseModel):
    """One batch this folder submitted."""

    token: str  # ours: in the batch's metadata, and the name of its papers file
    round: int = 1  # 1: first asked; 2 and more: a follow-up batch of retries
    papers: int
    stage: Stage
    submitted_at: float  # Unix seconds on this machine, when the part was begun
    input_file_id: str | None = None
    batch_id: str | None = None
    status: str | None = None  # the provider's
    output_file_id: str | None = None
    error_file_id: str | None = None
    request_counts: dict[str, int | None] | None = None
    errors: list[str] = Field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.stage in OPEN_STAGES


class BatchState(BaseModel):
    """Every part of a folder, under one recipe."""

    version: int = STATE_VERSION
    recipe: dict[str, Any]
    parts: list[Part] = Field(default_factory=list)

    def open_parts(self) -> list[Part]:
        return [part for part in self.parts if part.open]

    def part(self, token: str) -> Part:
        return next(part for part in self.parts if part.token == token)


class StateStore:
    """The state file and the papers files of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / STATE_FILE
        self.parts_dir = out_dir / PARTS_DIR

    def load(self) -> BatchState | None:
        """The folder's state, or None if it never used the Batch API."""
        if not self.path.exists():
            return None
        try:
            return BatchState.model_validate_json(self.path.read_bytes())
        except (OSError, ValidationError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not a batch state file"
            raise ConfigError(
                str(self.path),
                f"cannot be read ({reason})",
                hint="it lists the folder's batches at the provider: restore it, or move "
                "it away to forget them (their answers are then not collected)",
            ) from None

    def save(self, state: BatchState) -> None:
        write_atomically(self.path, state.model_dump_json(indent=2) + "\n")

    def papers_path(self, token: str) -> Path:
        return self.parts_dir / f"{token}.jsonl"

    def input_path(self, token: str) -> Path:
        return self.parts_dir / f"{token}.input.jsonl"

    def result_path(self, token: str, kind: str) -> Path:
        """Where a part's `output` or `error` file is downloaded."""
        return self.parts_dir / f"{token}.{kind}.jsonl"

    def iter_papers(self, token: str) -> Iterator[PartPaper] | None:
        """The papers of a part, one at a time, or None if its file is gone."""
        path = self.papers_path(token)
        try:
            handle = path.open(encoding="utf-8")
        except FileNotFoundError:
            return None
        return self._papers(path, handle)

    @staticmethod
    def _papers(path: Path, handle: TextIO) -> Iterator[PartPaper]:
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield PartPaper.model_validate_json(line)
                except ValidationError:
                    raise ConfigError(
                        f"{path}:{number}", "cannot be read (not a paper of a batch)"
                    ) from None

    def remove_part_files(self, token: str) -> None:
        """A part's papers, input and result files (once it is collected or dropped)."""
        for path in self.parts_dir.glob(f"{token}.*"):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            os.rmdir(self.parts_dir)  # only when it is empty

    def remove_strays(self, state: BatchState) -> None:
        """Files of parts the state does not list as open (a run killed while filling
        a batch it never began): nothing at the provider needs them."""
        if not self.parts_dir.is_dir():
            return
        keep = {part.token for part in state.open_parts()}
        for path in self.parts_dir.iterdir():
            if path.name.split(".", 1)[0] not in keep:
                path.unlink(missing_ok=True)


def open_keys(out_dir: Path) -> set[str]:
    """The cache keys of the papers the folder's open parts hold (read from disk only)."""
    store = StateStore(out_dir)
    state = store.load()
    if state is None:
        return set()
    return {
        paper.key
        for part in state.open_parts()
        for paper in store.iter_papers(part.token) or iter(())
    }


def open_state(out_dir: Path) -> BatchState | None:
    """The folder's state, when it has parts still open at a provider."""
    state = StateStore(out_dir).load()
    return state if state is not None and state.open_parts() else None


def check_open_batches(out_dir: Path, recipe: Recipe, *, batch_api: bool, start_over: bool) -> None:
    """BatchesOpenError when this run would leave behind, or pay again for, papers that
    the folder has in batches still open at a provider."""
    state = open_state(out_dir)
    if state is None:
        return
    parts = state.open_parts()
    held = sum(part.papers for part in parts)
    what = f"{len(parts)} open batch{'es' if len(parts) != 1 else ''} holding {held} papers"
    cancel = "or cancel them with --cancel-batches"
    if start_over:
        raise BatchesOpenError(
            str(out_dir),
            f"has {what} at the provider ({STATE_FILE})",
            hint=f"collect them first (run without --start-over, with --batch-api), {cancel}",
        )
    if not batch_api:
        raise BatchesOpenError(
            str(out_dir),
            f"has {what} at the provider ({STATE_FILE}); an online run would pay for "
            "those papers again",
            hint=f"add --batch-api to collect them, {cancel}",
        )
    theirs = Recipe.model_validate(state.recipe)
    differing = theirs.differences(recipe)
    if differing:
        mine = recipe.model_dump()
        listed = ", ".join(
            f"{name.replace('_', ' ')} {state.recipe.get(name)} there, {mine[name]} now"
            for name in differing
        )
        raise BatchesOpenError(
            str(out_dir),
            f"has {what} made with another recipe ({listed})",
            hint=f"collect them with the earlier settings, {cancel}",
        )
