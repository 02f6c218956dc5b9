"""Abstracts not in English: the `not_english` warning, CJK sentence ends, offline cards."""

from __future__ import annotations

import pytest

from summarizer.engines.offline import OfflineEngine
from summarizer.engines.offline.sentences import split_sentences
from summarizer.engines.offline.summary import NOT_STATED
from summarizer.language import is_english
from summarizer.papers import NOT_ENGLISH, TRUNCATED, quality_warnings

CHINESE = (
    "预训练语言模型在近年来取得了巨大进展。本文研究了这些模型在中文文本上的表现\uff0c"
    "并提出了一种新的适应方法。实验表明\uff0c我们的方法比现有方法提高了5%。"
)
GERMAN = (
    "Vortrainierte Sprachmodelle haben in den letzten Jahren große Fortschritte erzielt. "
    "In dieser Arbeit untersuchen wir, wie sich die Leistung solcher Modelle auf deutschen "
    "Texten verhält, und schlagen ein neues Verfahren zur Anpassung vor. Unsere Experimente "
    "zeigen eine Verbesserung um 5% gegenüber den bisherigen Methoden."
)
FRENCH = (
    "Les modèles de langue pré-entraînés ont fait de grands progrès ces dernières années. "
    "Dans ce travail, nous étudions leur comportement sur des textes français et proposons "
    "une nouvelle méthode d'adaptation, qui améliore les résultats de 5%."
)
ENGLISH = (
    "Pre-trained language models have made great progress in recent years. In this work, "
    "we study how they behave on German text and propose a new adaptation method, which "
    "improves accuracy by 5% over prior methods."
)


@pytest.mark.parametrize(
    ("text", "expected"), [(CHINESE, False), (GERMAN, False), (FRENCH, False), (ENGLISH, True)]
)
def test_is_english(text: str, expected: bool) -> None:
    assert is_english(text) is expected


def test_short_texts_and_english_with_foreign_names_are_english() -> None:
    assert is_english("Dropout für Transformer")  # too short to judge
    assert is_english(
        "We evaluate on the Müller-Straße corpus and the Zürich dialect set, and we show "
        "that our tagger is more robust than prior taggers on both of them."
    )


def test_the_warning_is_given_and_a_cjk_full_stop_is_a_sentence_end() -> None:
    assert quality_warnings("T", CHINESE) == (NOT_ENGLISH,)
    assert quality_warnings("T", GERMAN) == (NOT_ENGLISH,)
    assert quality_warnings("T", ENGLISH) == ()
    assert TRUNCATED in quality_warnings("T", CHINESE[:-1])


def test_cjk_sentences_split_at_their_full_stops() -> None:
    assert [s.text for s in split_sentences(CHINESE)] == [
        "预训练语言模型在近年来取得了巨大进展。",
        "本文研究了这些模型在中文文本上的表现\uff0c并提出了一种新的适应方法。",
        "实验表明\uff0c我们的方法比现有方法提高了5%。",
    ]


@pytest.mark.parametrize("abstract", [CHINESE, GERMAN])
def test_offline_cards_of_other_languages_invent_no_stages_or_gains(abstract: str) -> None:
    card = OfflineEngine().fill("T", abstract).fields
    sentences = [s.text for s in split_sentences(abstract)]
    assert card.stages == [] and card.claimed_gains == []
    assert card.problem == sentences[0]
    assert card.method.startswith(sentences[1]) and card.method != card.problem


def test_a_one_sentence_abstract_in_another_language_states_no_problem() -> None:
    card = OfflineEngine().fill("T", CHINESE.split("。")[0] + "。").fields
    assert (card.problem, card.method) == (NOT_STATED, "预训练语言模型在近年来取得了巨大进展。")
