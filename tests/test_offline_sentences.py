"""Sentence splitting: abbreviations, decimals and links do not end sentences."""

from __future__ import annotations

from summarizer.engines.offline.sentences import split_sentences


def _texts(text: str) -> list[str]:
    return [sentence.text for sentence in split_sentences(text)]


def test_abbreviations_and_decimals_do_not_split() -> None:
    text = (
        "Models (e.g. BERT, i.e. encoders) were compared by Smith et al. in 2020. "
        "Ours gains 3.5 points vs. the baseline. Fig. 2 shows it."
    )
    assert _texts(text) == [
        "Models (e.g. BERT, i.e. encoders) were compared by Smith et al. in 2020.",
        "Ours gains 3.5 points vs. the baseline.",
        "Fig. 2 shows it.",
    ]


def test_offsets_point_into_the_text() -> None:
    text = "  First one.  Second one?\nThird!  "
    sentences = split_sentences(text)
    assert [text[s.start : s.end] for s in sentences] == ["First one.", "Second one?", "Third!"]
    assert [s.text for s in sentences] == ["First one.", "Second one?", "Third!"]


def test_glued_sentences_split_but_links_stay_whole() -> None:
    text = "It converges.Our code is at https://github.com/Org.Repo today. Done."
    assert _texts(text) == [
        "It converges.",
        "Our code is at https://github.com/Org.Repo today.",
        "Done.",
    ]


def test_no_final_period_and_empty_text() -> None:
    assert _texts("A sentence. An unfinished one") == ["A sentence.", "An unfinished one"]
    assert _texts("   ") == []
