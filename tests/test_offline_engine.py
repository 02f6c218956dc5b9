"""The offline engine: schema-valid, grounded cards; the role classifier it relies on."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest

from summarizer.api import Summarizer
from summarizer.cards import CardFields
from summarizer.engines import engine_kind
from summarizer.engines.offline import OfflineEngine
from summarizer.engines.offline.role_features import abstract_features
from summarizer.engines.offline.roles import LABELS, shipped_model
from summarizer.errors import EmptyAbstractError
from summarizer.papers import read_papers, unique_papers
from summarizer.recipe import recipe_for
from summarizer.settings import resolve_settings

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"

ABSTRACT = (
    "Reinforcement learning for language models is unstable and costly. "
    "We present RLEP, a two-phase framework that first collects verified trajectories "
    "and then replays them during subsequent training. "
    "On AIME-2024, RLEP improves accuracy from 38.2% to 39.9%. "
    "It also outperforms GRPO on AMC, while training a 7B model on 10 billion tokens."
)


def test_fill_gives_grounded_schema_valid_fields() -> None:
    fields = OfflineEngine().fill("RLEP: Reinforcement Learning with Experience Replay", ABSTRACT)
    card = fields.fields
    CardFields.model_validate(card.model_dump())
    assert card.method_name == "RLEP"
    assert card.contribution == "method"
    assert [stage.name for stage in card.stages] == [
        "collects verified trajectories",
        "replays them",
    ]
    assert [(gain.value, gain.unit) for gain in card.claimed_gains] == [(39.9, "%"), (None, None)]
    for gain in card.claimed_gains:
        assert gain.quote in ABSTRACT
    assert "unstable" in card.problem
    assert card.method.startswith("We present RLEP")


def test_abstract_with_no_stages_and_no_gains() -> None:
    abstract = (
        "Why do transformers learn in context? We study the question with linear models "
        "and describe the circuits that appear during training."
    )
    card = OfflineEngine().fill("In-context learning", abstract).fields
    assert card.stages == [] and card.claimed_gains == []
    assert card.method_name is None
    assert card.contribution == "analysis"


def test_empty_abstract_is_an_error() -> None:
    with pytest.raises(EmptyAbstractError):
        OfflineEngine().fill("Title", "   ")


def test_engine_identity_and_afill() -> None:
    engine = OfflineEngine()
    recipe = recipe_for(resolve_settings(engine="offline", environ={}))
    assert (recipe.engine, recipe.mode, recipe.prompt_version, recipe.max_tokens) == (
        "offline",
        None,
        None,
        None,
    )
    assert recipe.model == shipped_model().model_id and recipe.engine_version
    assert not engine_kind("offline").asks_model  # recomputed, never cached
    assert asyncio.run(engine.afill("T", ABSTRACT)) == engine.fill("T", ABSTRACT)


def test_every_seed_card_is_valid_and_grounded() -> None:
    papers = unique_papers(read_papers([str(SEEDS)]).papers)
    with Summarizer(engine="offline") as summarizer:
        cards = [summarizer.summarize_paper(paper) for paper in papers]
    assert len(cards) == len(papers) == 296
    for paper, card in zip(papers, cards, strict=True):
        assert card.provenance.engine == "offline"
        assert len(card.problem) <= 400 and len(card.method) <= 400
        assert not any(warning.startswith("dropped") for warning in card.warnings)
        for gain in card.claimed_gains:
            assert gain.span is not None
            assert paper.abstract[gain.span.start : gain.span.end] == gain.quote


def test_classifier_beats_the_majority_label_on_dev() -> None:
    gold: list[str] = []
    predicted: list[str] = []
    model = shipped_model()
    with (FIXTURES / "csabstruct_dev_head40.jsonl").open() as handle:
        for line in handle:
            record = json.loads(line)
            gold.extend(record["labels"])
            predicted.extend(model.predict(record["sentences"]))
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    majority = Counter(gold).most_common(1)[0][1] / len(gold)
    assert set(predicted) <= set(LABELS)
    assert accuracy > majority + 0.2


def test_structure_features_place_sentences_around_the_authors_first_sentence() -> None:
    sentences = [
        "Models fail on long inputs.",
        "Prior fixes are costly.",
        "In this paper, we propose Foo.",
        "Our experiments show Foo is faster.",
        "We release the code.",
    ]
    structure = [
        {
            name
            for name in names
            if ":" in name and name.split(":")[0] in {"we", "wecount", "res", "wefirst"}
        }
        for names in abstract_features(sentences)
    ]
    assert structure[0] == {"we:before2", "wecount:0", "res:before"}
    assert structure[1] == {"we:before1", "wecount:0", "res:before"}
    assert structure[2] == {
        "we:first",
        "wecount:0",
        "res:before",
        "wefirst:in",
        "wefirst:this",
        "wefirst:paper",
        "wefirst:we",
    }
    assert structure[3] == {"we:after1", "wecount:1", "res:at"}
    assert structure[4] == {"we:after2", "wecount:2", "res:after"}
    assert {"we:none"} <= abstract_features(["Models fail.", "Fixes are costly."])[0]


def test_the_problem_keeps_the_gap_when_its_context_sentence_does_not_fit_beside_it() -> None:
    context = (
        "Model merging has emerged as a promising approach for multi-task learning, "
        "offering a data-efficient alternative to conventional fine-tuning of large "
        "foundation models across many domains, tasks and languages of the world. "
    )
    gap = (
        "However, with the rapid growth of open model hubs, existing merging methods "
        "face two key limitations: they assume in-house fine-tuned models, and they "
        "struggle to scale when merging numerous model checkpoints from unknown sources "
        "with partially unknown task information. "
    )
    abstract = context + gap + "We propose FW-Merging, a Frank-Wolfe merging method."
    assert len(context + gap) > 400
    card = OfflineEngine().fill("FW-Merging", abstract).fields
    assert card.problem.startswith("However, with the rapid growth")


def test_the_problem_is_the_gap_with_its_context_when_both_fit() -> None:
    abstract = (
        "Model merging is a promising approach. However, existing methods do not scale. "
        "We propose FW-Merging, a Frank-Wolfe merging method."
    )
    card = OfflineEngine().fill("FW-Merging", abstract).fields
    assert card.problem == (
        "Model merging is a promising approach. However, existing methods do not scale."
    )


def test_a_furthermore_proposal_does_not_displace_the_main_one() -> None:
    abstract = (
        "Kernel tuning is essential for system performance. This paper introduces OS-R1, "
        "an agentic kernel tuning framework. Furthermore, we propose a two-phase training "
        "process that speeds up convergence."
    )
    card = OfflineEngine().fill("OS-R1", abstract).fields
    assert card.method.startswith("This paper introduces OS-R1")
    assert card.problem == "Kernel tuning is essential for system performance."
