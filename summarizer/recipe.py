"""A card's recipe: everything that decides its content, declared once.

The cache key, a card's provenance, the resume check of a batch folder, run.json and
`batch --dry-run` all derive from one `Recipe`, so they cannot disagree about what makes
two cards comparable. A recipe is computed from the settings alone (`recipe_for`): no
client is built and no key is needed.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from summarizer.settings import Settings

GroundingPolicy = Literal["drop", "keep"]


class Recipe(BaseModel):
    """What a card was made with. Two cards are comparable when their recipes are equal.

    Fields that do not apply to an engine are None (the offline engine has no prompt,
    temperature or token limit). Defaults exist only so that cards written before a
    field existed still load; such a card's recipe differs from any new one.
    """

    model_config = ConfigDict(frozen=True)

    engine: str
    model: str | None = None
    mode: str | None = None
    prompt_version: str | None = None
    schema_version: str
    temperature: float | None = None
    seed: int | None = None
    max_reasks: int | None = None
    # Where a smaller limit cuts answers short: only for engines that generate text.
    max_tokens: int | None = None
    grounding: GroundingPolicy | None = None
    # For engines whose code is their model (the offline engine's rules and weights).
    engine_version: str | None = None

    def recipe(self) -> Recipe:
        """This recipe alone (subclasses such as a card's provenance carry more)."""
        return Recipe.model_validate(self.model_dump(include=set(Recipe.model_fields)))

    def fingerprint(self) -> str:
        """A short stable hash of the recipe, for logs and file names."""
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()[:12]

    def identity(self) -> dict[str, Any]:
        """The fields that are set, as JSON values: what the cache key and the fingerprint
        hash. A field left None is not part of it, so a field added later (None unless
        set) leaves every existing key, and every answer cached under it, as it was."""
        return self.recipe().model_dump(mode="json", exclude_none=True)

    def canonical_json(self) -> str:
        """The recipe's identity as canonical JSON (sorted keys, no spaces)."""
        return json.dumps(
            self.identity(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )

    def differences(self, other: Recipe) -> list[str]:
        """Names of the fields whose values differ between two recipes, in field order."""
        mine, theirs = self.recipe().model_dump(), other.recipe().model_dump()
        return [name for name in Recipe.model_fields if mine[name] != theirs[name]]

    def describe(self) -> str:
        """One line for people: the fields that are set, e.g. 'engine llm, model gpt-4o-mini'."""
        values = self.recipe().model_dump()
        return ", ".join(
            f"{name.replace('_', ' ')} {value}"
            for name, value in values.items()
            if value is not None
        )


def recipe_for(settings: Settings) -> Recipe:
    """The recipe of the cards these settings make (no client built, no key needed)."""
    from summarizer.engines import engine_recipe

    return engine_recipe(settings)


def grounding_policy(settings: Settings) -> GroundingPolicy:
    """What happens to items the abstract does not support: dropped, or kept flagged."""
    return "keep" if settings.keep_ungrounded else "drop"
