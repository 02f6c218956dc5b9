"""Cues of the contribution kind added from the development labels (invented sentences)."""

from __future__ import annotations

import pytest

from summarizer.engines.offline.contribution import find_contribution


@pytest.mark.parametrize(
    ("title", "abstract", "kind"),
    [
        # "We also release" a dataset beside a study: the study is the contribution.
        (
            "Checking Every Step",
            "We conduct a careful comparison of two kinds of feedback and find that one wins. "
            "We also release ToyData, a dataset of graded solutions.",
            "analysis",
        ),
        # A title naming the framework outranks a benchmark the abstract presents beside it.
        (
            "ORCA: A Multi-agent Framework for Video Search",
            "We present ToyBench, a video benchmark of questions. We propose ORCA to solve it.",
            "method",
        ),
        # ... also with the title's spaces lost in a PDF ("AMulti-agent").
        (
            "ORCA: AMulti-agent Framework for Video Search",
            "We present ToyBench, a video benchmark of questions.",
            "method",
        ),
        # ... but a formal framework is no method.
        (
            "Copying: A Formal Framework",
            "We give a definition of copying and prove lower bounds on detection.",
            "theory",
        ),
        # A testbed of environments is a benchmark.
        (
            "ToyGym",
            "We introduce ToyGym, a testbed of environments for data generation agents.",
            "benchmark",
        ),
        # The passive voice still proposes a method, even inside "this study".
        (
            "Course Learning for Pretraining",
            "In this study, a multi-view course method is proposed for pretraining.",
            "method",
        ),
        # A method introduced with its name, after a verb of study.
        (
            "Random Subsets for Speed",
            "We revisit random sampling and introduce an approach called RSS.",
            "method",
        ),
        # ... but a known method used under its name is no new one.
        (
            "Features over Training",
            "We track features using a dictionary learning method called crosscoders. We find "
            "that they form early.",
            "analysis",
        ),
        # ", and propose a" continues the authors' own sentence.
        (
            "Strategic Shifts",
            "We study learning when outcomes change. We characterize two shifts, and propose a "
            "learning algorithm.",
            "method",
        ),
        # A bound is a theory result even after "we study" or "our analysis".
        (
            "Buying Information",
            "We study how to buy information and design a 2-competitive algorithm.",
            "theory",
        ),
        (
            "Neuron Alignment",
            "Our analysis shows that neurons align early, with an upper bound on the time taken.",
            "theory",
        ),
        # "Improving X" announces a way to improve X.
        (
            "Improving Online Learning with Averages",
            "We study ensembling in online learning and show that averaging weights helps.",
            "method",
        ),
        # "We look at" and "we conduct an investigation" open studies.
        (
            "Competences of Translation Models",
            "We look at three competences and find that they are learned in order.",
            "analysis",
        ),
        (
            "Two Kinds of Feedback",
            "We conduct our own investigation of the two kinds of feedback.",
            "analysis",
        ),
    ],
)
def test_contribution_cues(title: str, abstract: str, kind: str) -> None:
    assert find_contribution(title, abstract) == kind
