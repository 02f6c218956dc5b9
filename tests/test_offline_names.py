"""method_name from the title and abstract; contribution from cue phrases."""

from __future__ import annotations

import pytest

from summarizer.engines.offline.contribution import find_contribution
from summarizer.engines.offline.names import find_method_name
from summarizer.engines.offline.sentences import split_sentences


@pytest.mark.parametrize(
    ("title", "abstract", "name"),
    [
        ("OS-R1: Agentic Kernel Tuning", "We tune kernels with agents.", "OS-R1"),
        ("ThinkDial: An Open Recipe", "We introduce a recipe.", "ThinkDial"),
        (
            "Faster k-Medoids Clustering: Improving PAM",
            "We propose modifications to PAM.",
            None,
        ),
        (
            "Distilling More Times",
            "To address this, we propose Progressive Dataset Distillation (PDD).",
            "PDD",
        ),
        (
            "One-stop Training",
            "We use a joint training algorithm called Two-Stage Joint-Training (TSJT).",
            "TSJT",
        ),
        ("Talking Heads", "In this paper, we present EDTalk, a talking-head model.", "EDTalk"),
        (
            "Process Supervision",
            "Large language models (LLMs) reason poorly. We study Monte Carlo Tree Search "
            "(MCTS) for them.",
            None,
        ),
        ("A Study of Things", "We measure things carefully.", None),
    ],
)
def test_method_name(title: str, abstract: str, name: str | None) -> None:
    assert find_method_name(title, split_sentences(abstract)) == name


@pytest.mark.parametrize(
    ("title", "abstract", "kind"),
    [
        ("Foo Technical Report", "We describe Foo, a 7B model.", "report"),
        ("Bar", "In this technical report, we describe Bar.", "report"),
        ("Agents", "We survey recent work on LLM agents and organize it.", "survey"),
        ("Baz", "We introduce a new benchmark for code repair, with 500 tasks.", "benchmark"),
        ("Qux", "We release a large dataset of annotated scans.", "dataset"),
        ("Bounds", "We prove a lower bound on the sample complexity of learning.", "theory"),
        (
            "Probing",
            "We investigate how models store facts and find that layers differ.",
            "analysis",
        ),
        ("Vodka", "We propose Progressive Dataset Distillation (PDD).", "method"),
        ("Quux", "We present Quux, an open-source library for training agents.", "system"),
        ("Plain", "A new loss improves training.", "method"),
        # A study that also proposes a new method is a method paper.
        (
            "Rethinking Curricula",
            "We investigate why curricula help. We then propose a new sampling scheme.",
            "method",
        ),
        (
            "Copying",
            "Our study examines copying, and the proposed method removes it.",
            "method",
        ),
        # ... but "the proposed hypothesis" or a tool "called X" is no new method.
        (
            "Grokking",
            "We explore grokking with a probe called crosscoders, confirming the proposed "
            "hypothesis.",
            "analysis",
        ),
        # "We study the problem of" opens theory papers too: the proof decides.
        (
            "Bandits",
            "We study the problem of dueling bandits. We prove a regret bound for it.",
            "theory",
        ),
        # An experiment, not a proof: no theory cue left, so the default.
        ("Few-shot", "We empirically prove that the two phases can be separated.", "method"),
        # Background theory words next to a new method: a method paper.
        (
            "Line Search",
            "Line searches have known convergence rates. We propose an alternative approach.",
            "method",
        ),
        (
            "Does Pretraining Help?",
            "Here we propose to use a standard network on random data.",
            "analysis",
        ),
        ("MetaShift: A Dataset of Datasets", "We present MetaShift.", "dataset"),
        # A model released with its size, or a family of models: a model's report.
        (
            "AquilaMoE",
            "We present AquilaMoE, a bilingual 8*16B Mixture of Experts language model.",
            "report",
        ),
        ("Sky", "We present Sky, a family of large language models.", "report"),
        ("Zed", "We present Zed, a new method for training language models.", "method"),
        ("Dataset Distillation by Matching", "We match trajectories.", "method"),
        # A title that announces proofs: theory, whatever method the abstract names.
        ("Provable Representation Learning in Bandits", "We propose a new algorithm.", "theory"),
        ("Regret Bounds for Dueling Bandits", "We introduce a novel method.", "theory"),
        ("A Statistical Theory of Data Selection", "We study data selection.", "theory"),
        ("Sampling: Architectures and Theoretical Limits", "We propose a scheme.", "theory"),
        # ... but not a method guided by theory, nor a theory of mind.
        ("Theory-Guided Pruning", "We propose a novel pruning method.", "method"),
        ("Agents with a Theory of Mind", "We propose a new agent.", "method"),
        ("A Game Theory Approach to Pricing", "We propose a new pricing method.", "method"),
        # A title that names a study, with no new method in the abstract: analysis.
        (
            "Analyzing Mitigation Strategies for Forgetting",
            "This paper evaluates three.",
            "analysis",
        ),
        ("Understanding the Geometry of Memory", "We train RNNs on memory tasks.", "analysis"),
        ("Understanding and Mitigating Copying", "We propose a novel mitigation method.", "method"),
        # "A Dataset of ..." in the title, even with its spaces lost in a PDF.
        ("The Pile: An8TBDataset of Openly Licensed Text", "We collect text.", "dataset"),
        # A toolbox "known as X" is a system; adjectives with commas still reach the noun.
        (
            "PILOT",
            "This paper introduces a pre-trained model-based continual learning toolbox known "
            "as PILOT.",
            "system",
        ),
        (
            "Do We Need So Many Samples?",
            "This paper presents a simple, effective, and cost-efficient strategy to scale "
            "test-time compute.",
            "method",
        ),
        # "upper bounds on the model performance" is a figure of speech, not a proof.
        (
            "CodeGen2: Lessons for Training LLMs",
            "Scaling laws impose upper bounds on the model performance. In this study, we "
            "unify four key components.",
            "analysis",
        ),
        ("Dense Networks", "A replica symmetric analysis of learning in dense networks.", "theory"),
    ],
)
def test_contribution(title: str, abstract: str, kind: str) -> None:
    assert find_contribution(title, abstract) == kind
