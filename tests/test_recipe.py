"""One recipe for a card's identity: the cache key, the provenance, the resume check,
run.json and --dry-run all derive from it, so changing any one field changes them all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch import check_resume, dry_run, run_batch
from summarizer.cache import cache_key
from summarizer.cards import PaperCard, Provenance, Usage
from summarizer.errors import RecipeMismatchError
from summarizer.recipe import Recipe, recipe_for
from summarizer.settings import Settings, resolve_settings
from summarizer.testserver import Server

BASE = Recipe(
    engine="llm",
    model="m",
    mode="tools",
    prompt_version="p1",
    schema_version="s1",
    temperature=0.0,
    max_reasks=2,
    max_tokens=2048,
    grounding="drop",
    engine_version=None,
)
OTHER_VALUES: dict[str, Any] = {
    "engine": "local",
    "model": "m2",
    "mode": "json_schema",
    "prompt_version": "p2",
    "schema_version": "s2",
    "temperature": 0.7,
    "seed": 7,
    "max_reasks": 0,
    "max_tokens": 1000,
    "grounding": "keep",
    "engine_version": "e1",
}


def test_every_field_has_another_value_here() -> None:
    assert set(OTHER_VALUES) == set(Recipe.model_fields)


def _card(provenance: Provenance) -> PaperCard:
    return PaperCard(
        paper_id="p",
        title="T",
        problem="p",
        method="m",
        method_name=None,
        contribution="method",
        stages=[],
        claimed_gains=[],
        provenance=provenance,
    )


@pytest.mark.parametrize("name", sorted(OTHER_VALUES))
def test_changing_one_field_changes_key_provenance_resume_and_report(
    name: str, tmp_path: Path
) -> None:
    changed = BASE.model_copy(update={name: OTHER_VALUES[name]})
    # The cache key.
    assert cache_key(changed, "T", "A") != cache_key(BASE, "T", "A")
    # The provenance a card carries is the recipe, field for field.
    provenance = Provenance(**changed.model_dump(), usage=Usage(requests=1), cached=False)
    assert provenance.recipe() == changed != BASE
    assert provenance.differences(BASE) == [name]
    # The resume check names exactly that field.
    with pytest.raises(RecipeMismatchError) as refused:
        check_resume([_card(provenance)], BASE, tmp_path / "cards.jsonl")
    assert refused.value.fields == [name]
    check_resume([_card(provenance)], changed, tmp_path / "cards.jsonl")  # same: accepted
    # run.json and --dry-run print the recipe: its fingerprint tells them apart.
    assert changed.fingerprint() != BASE.fingerprint()


def test_a_recipe_needs_no_key_and_builds_no_client() -> None:
    settings = resolve_settings(model="gpt-4o-mini", environ={})  # no key anywhere
    recipe = recipe_for(settings)
    assert (recipe.engine, recipe.model, recipe.mode, recipe.grounding) == (
        "llm",
        "gpt-4o-mini",
        "tools",
        "drop",
    )
    assert recipe.prompt_version and recipe.schema_version


def _llm(server: Server, cache: Path, **changes: Any) -> Settings:
    settings = resolve_settings(
        base_url=server.base_url, model="test-model", cache_dir=cache, environ={}
    )
    return settings.with_overrides(**changes) if changes else settings


# Each setting that feeds the recipe, and the recipe field it changes.
SETTING_CHANGES = [
    ("model", {"model": "other-model"}),
    ("mode", {"mode": "json_schema"}),
    ("max_reasks", {"max_reasks": 0}),
    ("max_tokens", {"max_tokens": 1500}),
    ("grounding", {"keep_ungrounded": True}),
    ("temperature", {"temperature": 0.5}),
    ("seed", {"seed": 7}),
]


@pytest.mark.parametrize(("field", "change"), SETTING_CHANGES, ids=[f for f, _ in SETTING_CHANGES])
def test_a_setting_changes_all_five_together(
    field: str, change: dict[str, Any], test_server: Server, tmp_path: Path, repo: Path
) -> None:
    seeds = [str(repo / "seeds" / "000_7a3839734a59cdb6.txt")]
    cache = tmp_path / "cache"
    base_settings, changed_settings = _llm(test_server, cache), _llm(test_server, cache, **change)
    first = tmp_path / "first"
    run_batch(seeds, first, base_settings, limit=2)
    requests = test_server.stats.snapshot().requests
    # Resume and --dry-run on that folder both refuse, naming the field.
    for attempt in (run_batch, dry_run):
        with pytest.raises(RecipeMismatchError) as refused:
            attempt(seeds, first, changed_settings, limit=2)
        assert refused.value.fields == [field]
    assert test_server.stats.snapshot().requests == requests
    # In another folder: the cache misses (new requests), and the provenance and
    # run.json carry the changed field.
    second = tmp_path / "second"
    plan = dry_run(seeds, second, changed_settings, limit=2)
    assert plan.cached == 0 and plan.recipe == recipe_for(changed_settings)
    run_batch(seeds, second, changed_settings, limit=2)
    assert test_server.stats.snapshot().requests > requests
    before = json.loads((first / "run.json").read_text())["recipe"]
    after = json.loads((second / "run.json").read_text())["recipe"]
    assert [name for name in before if before[name] != after[name]] == [field]
    cards = [
        PaperCard.model_validate_json(line)
        for line in (second / "cards.jsonl").read_text().splitlines()
    ]
    assert cards and all(card.provenance.recipe() == recipe_for(changed_settings) for card in cards)
    assert after == recipe_for(changed_settings).model_dump(mode="json")
    # The same settings again: everything cached, nothing refused.
    assert dry_run(seeds, tmp_path / "third", changed_settings, limit=2).to_request == 0


def test_a_field_left_unset_is_not_part_of_the_key() -> None:
    """A recipe field added later (None unless set) keeps every existing cache key."""
    unset = BASE.model_copy(update={"engine_version": None})
    assert "engine_version" not in unset.identity()
    assert cache_key(unset, "T", "A") == cache_key(
        Recipe.model_validate(unset.identity()), "T", "A"
    )
