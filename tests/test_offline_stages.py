"""Stages from the abstract's own sequencing, with kinds mapped from words."""

from __future__ import annotations

import re

import pytest

from summarizer.engines.offline.sentences import split_sentences
from summarizer.engines.offline.stages import FoundStage, find_stages, stage_kind


def _stages(abstract: str) -> list[FoundStage]:
    stages = find_stages(abstract, split_sentences(abstract))
    words = set(re.findall(r"\w+", abstract.lower()))
    for stage in stages:  # grounded by construction: every name word is in the abstract
        assert set(re.findall(r"\w+", stage.name.lower())) <= words
        assert len(stage.name) <= 80 and len(stage.description) <= 200
    return stages


def test_roman_enumeration() -> None:
    abstract = (
        "We propose a pipeline that (i) collects web documents, (ii) filters them with a "
        "quality classifier, and (iii) fine-tunes a model on the result."
    )
    stages = _stages(abstract)
    assert [s.name for s in stages] == [
        "collects web documents",
        "filters them",
        "fine-tunes a model on the result",
    ]
    assert [s.kind for s in stages] == ["data", "data", "finetuning"]


def test_numbered_enumeration_names_stop_at_which() -> None:
    abstract = (
        "It introduces (1) Pairwise Trajectory Sampling, which selects high-contrast "
        "trajectories, and (2) Advantage-based Trajectory Shuffle, which reshuffles batches."
    )
    assert [s.name for s in _stages(abstract)] == [
        "Pairwise Trajectory Sampling",
        "Advantage-based Trajectory Shuffle",
    ]


def test_two_stage_colon_list() -> None:
    abstract = (
        "Recent one-step models follow a two-stage process: first training a teacher "
        "diffusion model and then distilling it into a one-step student model."
    )
    stages = _stages(abstract)
    assert [s.name for s in stages] == [
        "training a teacher diffusion model",
        "distilling it into a one-step student model",
    ]
    assert stages[1].kind == "distillation"


def test_first_then_inside_a_sentence() -> None:
    abstract = "Our framework first collects verified trajectories and then replays them."
    assert [s.name for s in _stages(abstract)] == ["collects verified trajectories", "replays them"]


def test_consists_of_steps() -> None:
    abstract = (
        "The method consists of three steps: supervised fine-tuning on demonstrations, "
        "reward modelling, and preference optimization with DPO."
    )
    stages = _stages(abstract)
    assert [s.kind for s in stages] == ["finetuning", "rl", "alignment"]


def test_ordinal_sentences() -> None:
    abstract = (
        "We build the model in stages. First, we pre-train on code. Next, we align it with "
        "RLHF. Finally, we evaluate it on HumanEval."
    )
    assert [s.kind for s in _stages(abstract)] == ["pretraining", "alignment", "evaluation"]


def test_findings_in_order_are_not_stages() -> None:
    abstract = (
        "We offer three sources of evidence. First, we prove that transformers can do it. "
        "Second, we show that trained models match it. Third, we find it in the weights."
    )
    assert _stages(abstract) == []


def test_no_stages_without_a_sequence() -> None:
    abstract = (
        "Large models are costly. We propose a sparse attention that halves memory. "
        "Experiments on three benchmarks confirm the savings."
    )
    assert _stages(abstract) == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("preference optimization with DPO", "alignment"),
        ("reinforcement learning with verifiable rewards", "rl"),
        ("continued pre-training on math", "pretraining"),
        ("supervised fine-tuning", "finetuning"),
        ("synthesize question-answer pairs", "data"),
        ("distill the teacher into a student", "distillation"),
        ("speculative decoding at inference", "inference"),
        ("evaluate on held-out tasks", "evaluation"),
        ("a warmup phase", "other"),
    ],
)
def test_stage_kinds(text: str, kind: str) -> None:
    assert stage_kind(text) == kind


def test_a_step_then_a_passive_then_in_the_next_sentence() -> None:
    abstract = (
        "Our method involves shuffling pixels during the conversion to protect data. "
        "Those are then fed into a network with deformable operators."
    )
    stages = _stages(abstract)
    assert [s.name for s in stages] == ["shuffling pixels", "fed into a network"]
    assert stages[0].kind == "data"


def test_a_passive_then_after_and_in_one_sentence() -> None:
    abstract = (
        "We sample reasoning steps with an LLM and score each step, and the LLM is then "
        "fine-tuned on the scored steps."
    )
    stages = _stages(abstract)
    assert [s.name for s in stages] == ["sample reasoning steps", "fine-tuned on the scored steps"]
    assert stages[1].kind == "finetuning"


def test_a_relative_then_is_no_sequence() -> None:
    abstract = (
        "Each machine computes scalar projected gradients, which are then used to update "
        "the weights. The approach needs one byte per gradient."
    )
    assert _stages(abstract) == []


def test_a_then_compound_names_two_steps() -> None:
    abstract = "This generate-then-train process is repeated until convergence."
    stages = _stages(abstract)
    assert [(s.name, s.kind) for s in stages] == [("generate", "inference"), ("train", "other")]
    assert stages[0].description == stages[1].description == abstract


@pytest.mark.parametrize(
    "abstract",
    [
        "We combine the layers with (1) sliding-window attention or (2) global attention.",
        "The task needs a planning step that either (a) finds new links in a graph or "
        "(b) builds new patterns.",
    ],
)
def test_an_enumeration_of_alternatives_is_no_sequence(abstract: str) -> None:
    assert _stages(abstract) == []


def test_ordinal_sentences_after_announced_points_are_no_stages() -> None:
    abstract = (
        "This approach differs from human cognition in several respects. First, people "
        "plan ahead. Second, people judge their own predictions. We propose a new model."
    )
    assert _stages(abstract) == []


def test_ordinal_sentences_after_a_proposal_that_names_challenges_are_stages() -> None:
    abstract = (
        "To address these challenges, we propose a framework. First, we collect seed "
        "problems. Then, a back-translation step is employed to obtain questions."
    )
    assert [stage.name for stage in _stages(abstract)] == [
        "collect seed problems",
        "back-translation step is employed",
    ]


def test_sentences_opened_by_in_the_first_stage_are_the_stages() -> None:
    abstract = (
        "We propose a two-stage training strategy. In the first stage, we warm up the "
        "model by distilling long answers. In the second stage, we apply RLVR to the "
        "warmed-up model. Our experiments show that this approach offers several "
        "benefits: (i) the warmup phase alone helps, (ii) it saves data."
    )
    stages = _stages(abstract)
    assert [(stage.name, stage.kind) for stage in stages] == [
        ("warm up the model", "distillation"),
        ("apply RLVR", "rl"),
    ]


def test_an_announced_list_of_benefits_is_no_stage_list() -> None:
    abstract = "This two-phase approach offers several benefits: it is cheap, and it is fast."
    assert _stages(abstract) == []


@pytest.mark.parametrize(
    "abstract",
    [
        # findings of experiments
        "We show in many settings that our objective (i) learns large skill sets and "
        "(ii) outperforms other approaches.",
        # the paper's contributions
        "We (i) propose new greedy rules; (ii) explore practical issues; and (iii) "
        "consider active-set identification.",
        # options, not a sequence
        "The problem is mitigated by two simple strategies: (1) employing a milder decay "
        "schedule, and (2) replacing decay with model averaging.",
        # a contrast with what others do
        "Training Pipeline: while the two-stage training is commonly adopted, we apply a "
        "single-stage training pipeline.",
    ],
)
def test_lists_that_are_not_steps_of_the_method(abstract: str) -> None:
    assert _stages(abstract) == []


def test_stage_sentences_named_by_their_phase() -> None:
    abstract = (
        "The process involves both a supervised learning and a reinforcement learning "
        "phase. In the supervised phase we sample from an initial model, then generate "
        "self-critiques and revisions. In the RL phase, we sample from the finetuned model "
        "and train a preference model."
    )
    assert [s.name for s in _stages(abstract)] == ["supervised phase", "RL phase"]


def test_stage_sentences_out_of_order_are_a_description() -> None:
    abstract = (
        "The parasite develops in five stages. The fourth stage looks similar to the fifth. "
        "The third stage looks like branched jellyfish. The second stage is viscous."
    )
    assert _stages(abstract) == []


def test_the_first_stage_termed_x() -> None:
    abstract = (
        "We train the model in a two-stage process. The first stage, termed Scale-Up, "
        "initializes the larger model with weights from a smaller model. The second stage, "
        "Scale-Out, uses a pre-trained dense model to initialize the experts."
    )
    assert [s.name for s in _stages(abstract)] == ["Scale-Up", "Scale-Out"]


def test_semicolon_list_keeps_commas_inside_items() -> None:
    abstract = (
        "DPT operates in three stages: training a classifier on labeled data, which "
        "predicts pseudo-labels; training a generative model using these pseudo-labels; "
        "and retraining the classifier with a mix of real and pseudo images."
    )
    assert [s.name for s in _stages(abstract)] == [
        "training a classifier on labeled data",
        "training a generative model",
        "retraining the classifier",
    ]


def test_comprising_list_after_a_count() -> None:
    abstract = (
        "VARGPT undergoes a three-stage unified training process on curated datasets, "
        "comprising a pre-training phase and two mixed visual instruction-tuning phases."
    )
    assert [s.name for s in _stages(abstract)] == [
        "pre-training phase",
        "two mixed visual instruction-tuning phases",
    ]


def test_challenges_addressed_do_not_make_the_list_a_list_of_points() -> None:
    abstract = (
        "To address these challenges, we propose a two-stage training approach: (1) a "
        "speech pretraining stage using contrastive learning, followed by (2) a task-specific "
        "fine-tuning stage requiring minimal data."
    )
    assert [s.name for s in _stages(abstract)] == [
        "speech pretraining stage",
        "task-specific fine-tuning stage requiring minimal data",
    ]
    points = "The method has two limitations: (1) it is slow, and (2) it is costly."
    assert _stages(points) == []


def test_parts_that_enable_a_system_are_no_stages() -> None:
    abstract = (
        "This is enabled by (i) dry adhesives that are selectively turned on, (ii) a "
        "load-sharing system that scales patches, and (iii) a passive wrist."
    )
    assert _stages(abstract) == []


def test_first_then_in_the_passive() -> None:
    abstract = (
        "The model is first pre-trained using text corpora for language understanding, and "
        "then is continually pre-trained on summarization corpora."
    )
    assert [s.name for s in _stages(abstract)] == [
        "pre-trained",
        "continually pre-trained on summarization corpora",
    ]


def test_training_phase_followed_by_another() -> None:
    abstract = (
        "This recipe features a four-stage pre-training process for alignment, followed by "
        "a two-phase post-training process."
    )
    assert [s.name for s in _stages(abstract)] == [
        "four-stage pre-training process",
        "two-phase post-training process",
    ]
    other = "The model is tested on images, followed by a discussion of results."
    assert _stages(other) == []
