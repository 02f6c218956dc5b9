"""The problem/method selector: candidate spans, its scores, and the choice it makes."""

from __future__ import annotations

import pytest

from summarizer.engines.offline import OfflineEngine
from summarizer.engines.offline.roles import shipped_model
from summarizer.engines.offline.selection import (
    Candidate,
    candidate_vector,
    candidates,
    select,
    sentence_features,
    sentence_units,
    shipped_selector,
)
from summarizer.engines.offline.sentences import split_sentences
from summarizer.engines.offline.summary import NO_PROBLEM

ABSTRACT = (
    "Dense retrieval needs large labelled corpora. "
    "In this paper, we study retrieval for low-resource languages. "
    "To cut the labelling cost, we introduce a distillation scheme from a multilingual "
    "teacher. Experiments show gains on six languages."
)


def _texts(found: list[Candidate]) -> list[str]:
    return [" | ".join(ABSTRACT[u.start : u.end] for u in c.units) for c in found]


def test_units_drop_lead_ins_and_split_purpose_from_proposal() -> None:
    units = sentence_units(split_sentences(ABSTRACT))
    spans = [(unit.sentence, unit.kind, ABSTRACT[unit.start : unit.end]) for unit in units]
    assert spans == [
        (0, "full", "Dense retrieval needs large labelled corpora."),
        (1, "full", "In this paper, we study retrieval for low-resource languages."),
        (1, "no_lead_in", "we study retrieval for low-resource languages."),
        (
            2,
            "full",
            "To cut the labelling cost, we introduce a distillation scheme from a "
            "multilingual teacher.",
        ),
        (2, "proposal_part", "we introduce a distillation scheme from a multilingual teacher."),
        (2, "purpose_part", "To cut the labelling cost"),
        (3, "full", "Experiments show gains on six languages."),
    ]


def test_candidates_pair_units_of_neighbouring_sentences_only() -> None:
    found = candidates(sentence_units(split_sentences(ABSTRACT)))
    texts = _texts(found)
    assert "Dense retrieval needs large labelled corpora." in texts
    assert (
        "Dense retrieval needs large labelled corpora. | "
        "we study retrieval for low-resource languages."
    ) in texts
    # Sentences 0 and 2 are not neighbours; a unit never pairs with its own sentence.
    assert not any(t.startswith("Dense") and "To cut" in t for t in texts)
    assert all(len({unit.sentence for unit in c.units}) == len(c.units) for c in found)


def test_scores_by_parts_equal_the_full_linear_score() -> None:
    sentences = split_sentences(ABSTRACT)
    model = shipped_model()
    logs = model.log_probabilities([s.text for s in sentences])
    rows = sentence_features("Distilled retrieval", sentences, logs, model.decode(logs))
    found = candidates(sentence_units(sentences))
    selector = shipped_selector()
    for aspect in ("problem", "method"):
        weights = selector.aspects[aspect]
        flat = [
            *weights.first,
            *weights.second,
            *weights.first_kind,
            *weights.second_kind,
            weights.pair,
            weights.adjacent,
            weights.length,
            weights.length_squared,
        ]
        expected = [
            weights.bias + sum(w * x for w, x in zip(flat, candidate_vector(rows, c), strict=True))
            for c in found
        ]
        assert selector.scores(rows, found, aspect) == pytest.approx(expected)


def test_problem_and_method_never_share_text() -> None:
    sentences = split_sentences(ABSTRACT)
    model = shipped_model()
    logs = model.log_probabilities([s.text for s in sentences])
    chosen = select(shipped_selector(), "T", sentences, logs, model.decode(logs))
    assert chosen.problem is not None and chosen.method is not None
    assert not chosen.problem.overlaps(chosen.method)
    card = OfflineEngine().fill("T", ABSTRACT).fields
    assert card.problem != card.method


def test_a_one_sentence_abstract_says_it_states_no_problem() -> None:
    card = OfflineEngine().fill("T", "We propose a parser for long sentences.").fields
    assert card.method == "We propose a parser for long sentences."
    assert card.problem == "Not stated in the abstract (aim: long sentences)."
    plain = OfflineEngine().fill("T", "We propose a new parser.").fields
    assert plain.problem == NO_PROBLEM == "Not stated in the abstract."


def test_a_method_first_abstract_takes_a_later_gap_but_not_a_later_method_sentence() -> None:
    abstract = (
        "We present Foo, a parser for long documents. Foo first chunks the text and then "
        "links the chunks. Existing parsers fail on documents longer than a page."
    )
    card = OfflineEngine().fill("Foo", abstract).fields
    assert card.problem == "Existing parsers fail on documents longer than a page."
    without_gap = "We present Foo, a parser for long documents. Foo first chunks the text."
    assert OfflineEngine().fill("Foo", without_gap).fields.problem == (
        "Not stated in the abstract (aim: long documents)."
    )


def test_an_abstract_cut_after_its_background_states_no_method() -> None:
    abstract = (
        "Pre-trained models hold strong potential for adaptation. However, this potential "
        "is often impeded in online settings, where shifting data leads to unstable updates."
    )
    card = OfflineEngine().fill("Parameter dynamics", abstract).fields
    assert card.method == NO_PROBLEM
    assert card.problem != card.method


def test_goal_and_proposal_of_one_sentence_become_problem_and_method() -> None:
    abstract = (
        "To make speech recognition robust to accents, we introduce an accent-aware "
        "adapter trained on twelve dialects."
    )
    card = OfflineEngine().fill("Accent adapters", abstract).fields
    assert card.problem == "To make speech recognition robust to accents"
    assert card.method == "We introduce an accent-aware adapter trained on twelve dialects."
