"""The paper card (docs/CARD_SPEC.md): what an engine fills, and the card around it.

`CardFields` is the part an engine fills; its JSON Schema is what an LLM is asked to
produce, so the field descriptions carry the spec's rules. `PaperCard` adds what the
program fills: identity, source, evidence spans, provenance and warnings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from summarizer.errors import CardFileError
from summarizer.recipe import Recipe
from summarizer.source import Source

Contribution = Literal[
    "method", "dataset", "benchmark", "analysis", "theory", "survey", "system", "report"
]
StageKind = Literal[
    "data",
    "pretraining",
    "midtraining",
    "finetuning",
    "alignment",
    "rl",
    "distillation",
    "inference",
    "evaluation",
    "other",
]
Unit = Literal["%", "pp", "x", "abs"]
Direction = Literal["higher", "lower"]

CONTRIBUTIONS: tuple[str, ...] = Contribution.__args__  # type: ignore[attr-defined]
STAGE_KINDS: tuple[str, ...] = StageKind.__args__  # type: ignore[attr-defined]
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]


class Stage(BaseModel):
    """One ordered stage, phase or step of the method or of the pipeline studied."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1,
        max_length=80,
        description="Short name of the stage, in the abstract's own words where it has one "
        "(e.g. 'pre-training', 'Safety Rephrasing'). Its content words must occur in the "
        "abstract.",
    )
    kind: StageKind = Field(
        description="Coarse category: 'alignment' is preference optimisation (RLHF, DPO); "
        "'rl' is reinforcement learning that is not preference alignment; 'data' covers "
        "collection, filtering and synthesis; 'other' when none fits.",
    )
    description: str = Field(
        max_length=200, description="What happens in the stage, in at most 200 characters."
    )


class Gain(BaseModel):
    """One concrete improvement the abstract claims, with its verbatim evidence."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(
        min_length=1,
        description="What improved, e.g. 'accuracy', 'attack success rate', 'training throughput'.",
    )
    value: float | None = Field(
        description="The size of the claim as a number (5.6 for '5.6%', 2 for '2x'); "
        "null for an unquantified claim such as 'outperforms all baselines'.",
    )
    unit: Unit | None = Field(
        description="'%' relative percent, 'pp' percentage points, 'x' a factor, 'abs' an "
        "absolute quantity; null when value is null.",
    )
    direction: Direction = Field(
        description="'higher' if the number going up is the improvement (accuracy), "
        "'lower' if going down is (error, latency, attack success rate).",
    )
    baseline: str | None = Field(
        description="What it is compared to (e.g. 'heuristic tuning', 'Llama 2 7B'); null "
        "if the abstract names nothing.",
    )
    condition: str | None = Field(
        description="Dataset, benchmark or setting of the claim (e.g. 'RULER at 128K'); "
        "null if none is named.",
    )
    quote: str = Field(
        min_length=1,
        description="The shortest verbatim span of the abstract that states the claim, "
        "copied exactly. Every number in this gain must occur in the quote.",
    )

    @model_validator(mode="after")
    def _unit_needs_value(self) -> Gain:
        if self.value is None and self.unit is not None:
            raise ValueError("unit must be null when value is null")
        return self


class CardFields(BaseModel):
    """The structured summary of one paper, made from its title and abstract only."""

    model_config = ConfigDict(extra="forbid", title="CardFields")

    problem: str = Field(
        min_length=1,
        max_length=400,
        description="1-2 sentences, at most 400 characters: the gap, limitation or question "
        "the paper addresses, as the abstract states it. Not the method.",
    )
    method: str = Field(
        min_length=1,
        max_length=400,
        description="1-2 sentences, at most 400 characters: what the paper proposes or does "
        "to address the problem: the core idea, not the results.",
    )
    method_name: str | None = Field(
        description="The name the paper gives its method, model, dataset or framework "
        "(e.g. 'OS-R1', 'EDTalk'); null where it names none.",
    )
    contribution: Contribution = Field(
        description="The main kind of contribution. A technical report of a model is "
        "'report'; an empirical study with no new method is 'analysis'.",
    )
    stages: list[Stage] = Field(
        description="The ordered stages, phases or steps of the method (or of the pipeline "
        "the paper studies) as the abstract describes them. Empty when the abstract "
        "describes no sequence. Never invent stages the abstract does not name.",
    )
    claimed_gains: list[Gain] = Field(
        description="Each concrete improvement the abstract claims: only claims with a "
        "number or an explicit comparison. Empty when there is none.",
    )


class Span(BaseModel):
    """Character offsets [start, end) of a quote in the abstract as given."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class CardGain(Gain):
    """A gain on a finished card: the engine's gain plus where its quote is."""

    span: Span | None = Field(
        default=None,
        description="Offsets of the quote in the abstract; null if the quote was not found.",
    )


class Usage(BaseModel):
    """Tokens billed for a card, over every request made for it (re-asks included)."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            requests=self.requests + other.requests,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


# How a card's first answer came when not from an online request. (Its JSON Schema is
# given, since pydantic versions write a one-value Literal differently.)
Via = Annotated[Literal["batch_api"], WithJsonSchema({"const": "batch_api", "type": "string"})]


class Provenance(Recipe):
    """How a card was made: its recipe, what it cost, and whether it came from the cache."""

    usage: Usage = Field(default_factory=Usage)
    cached: bool = False
    # "batch_api" when the card's first answer came from a provider's Batch API (billed at
    # its price); None online. Not part of the recipe: the card is the same either way.
    via: Via | None = None


class PaperCard(BaseModel):
    """A finished card: the engine's fields, grounded, with identity and provenance."""

    model_config = ConfigDict(title="PaperCard")

    paper_id: str
    title: str
    source: Source | None = None
    # The text the evidence spans index into, so a card can be read and checked alone.
    abstract: str | None = None
    problem: str
    method: str
    method_name: str | None
    contribution: Contribution
    stages: list[Stage]
    claimed_gains: list[CardGain]
    provenance: Provenance
    warnings: list[str] = Field(default_factory=list)

    def fields(self) -> CardFields:
        """The engine-filled part of this card (spans dropped)."""
        return CardFields(
            problem=self.problem,
            method=self.method,
            method_name=self.method_name,
            contribution=self.contribution,
            stages=self.stages,
            claimed_gains=[
                Gain(**gain.model_dump(exclude={"span"})) for gain in self.claimed_gains
            ],
        )


def fields_schema() -> dict[str, Any]:
    """JSON Schema of what an engine fills (what the LLM is asked to produce)."""
    return CardFields.model_json_schema()


def card_schema() -> dict[str, Any]:
    """JSON Schema of a finished card (a line of cards.jsonl)."""
    return PaperCard.model_json_schema()


@cache
def schema_version() -> str:
    """A short hash of the engine-filled schema: cards made under another one differ."""
    canonical = json.dumps(fields_schema(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


SCHEMA_PARTS = {"card": card_schema, "fields": fields_schema}


def render_schema(part: str = "card") -> str:
    """The JSON Schema of a card part as stable, indented JSON text (as in schemas/)."""
    return json.dumps(SCHEMA_PARTS[part](), indent=2, ensure_ascii=False) + "\n"


def iter_cards(path: str | Path) -> Iterator[PaperCard]:
    """Cards of a cards.jsonl file, in file order; a bad line raises CardFileError."""
    name = str(path)
    try:
        with Path(path).open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield parse_card_line(line, name, number)
    except OSError as exc:
        raise CardFileError(name, f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise CardFileError(name, "not UTF-8 text") from None


def parse_card_line(line: str, name: str, number: int) -> PaperCard:
    """Line `number` of the cards file `name` as a card; CardFileError saying what is wrong."""
    try:
        return PaperCard.model_validate_json(line)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "line"
        raise CardFileError(name, f"not a card ({where}: {problem['msg']})", line=number) from None


def read_cards(path: str | Path) -> list[PaperCard]:
    """All cards of a cards.jsonl file; an empty file raises CardFileError."""
    cards = list(iter_cards(path))
    if not cards:
        raise CardFileError(str(path), "no cards in the file")
    return cards
