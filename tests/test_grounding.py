"""Every grounding rule of CARD_SPEC, on small written cases and on the reference cards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.cards import CardFields, Gain, Stage
from summarizer.grounding import check, find_span, ground, numbers_in
from summarizer.papers import normalize_title, read_papers

ABSTRACT = (
    "Our safety-pretrained models reduce attack success rates from 38.8% to 8.4% on "
    "standard LLM safety benchmarks. We use a two-stage pipeline: pre- training on "
    "filtered data, then “Safety Rephrasing”. Throughput improves 2x over the baseline."
)


def gain(quote: str, value: float | None = 8.4, **changes: object) -> Gain:
    fields: dict[str, object] = {
        "metric": "attack success rate",
        "value": value,
        "unit": "%" if value is not None else None,
        "direction": "lower",
        "baseline": None,
        "condition": None,
        "quote": quote,
    }
    fields.update(changes)
    return Gain.model_validate(fields)


def card(gains: list[Gain] = (), stages: list[Stage] = ()) -> CardFields:  # type: ignore[assignment]
    return CardFields(
        problem="p",
        method="m",
        method_name=None,
        contribution="method",
        stages=list(stages),
        claimed_gains=list(gains),
    )


def test_verbatim_quote_is_found_with_its_exact_span() -> None:
    quote = "reduce attack success rates from 38.8% to 8.4%"
    span = find_span(quote, ABSTRACT)
    assert span is not None
    assert ABSTRACT[span.start : span.end] == quote


@pytest.mark.parametrize(
    ("variant", "original"),
    [
        ("reduce  attack\nsuccess rates", "reduce attack success rates"),  # spacing
        ("pre-training on filtered data", "pre- training on filtered data"),  # line break
        ("pretraining on filtered data", "pre- training on filtered data"),  # hyphen dropped
        ('then "Safety Rephrasing"', "then “Safety Rephrasing”"),  # straight quote marks
    ],
)
def test_quote_matches_after_normalising_spacing_hyphens_and_quote_marks(
    variant: str, original: str
) -> None:
    span = find_span(variant, ABSTRACT)
    assert span is not None
    assert ABSTRACT[span.start : span.end] == original


def test_quote_not_in_abstract_is_a_problem() -> None:
    problems = check(card([gain("reduce attack success rates to 5%", value=5)]), ABSTRACT)
    assert [(p.kind, p.index) for p in problems] == [("gain_quote", 0)]


def test_value_not_in_quote_is_a_problem() -> None:
    problems = check(card([gain("reduce attack success rates from 38.8%", value=8.4)]), ABSTRACT)
    assert [p.kind for p in problems] == ["gain_number"]
    assert "8.4" in problems[0].detail


def test_number_in_baseline_must_be_in_quote() -> None:
    ok = gain("from 38.8% to 8.4%", baseline="38.8% before")
    bad = gain("to 8.4%", baseline="38.8% before")
    assert check(card([ok]), ABSTRACT) == []
    assert [p.kind for p in check(card([bad]), ABSTRACT)] == ["gain_number"]


def test_number_words_count_as_numbers() -> None:
    assert 2.0 in numbers_in("doubles the throughput")
    assert numbers_in("from 1,234 to 5.6%") == {1234.0, 5.6}


def test_unquantified_gain_needs_only_its_quote() -> None:
    assert (
        check(card([gain("Throughput improves 2x over the baseline", value=None)]), ABSTRACT) == []
    )


def test_stage_name_words_must_occur_in_abstract() -> None:
    good = Stage(name="Safety Rephrasing", kind="data", description="d")
    plural = Stage(name="pre-training stage", kind="pretraining", description="d")
    bad = Stage(name="reward modelling", kind="rl", description="d")
    problems = check(card(stages=[good, plural, bad]), ABSTRACT)
    assert [(p.kind, p.index) for p in problems] == [("stage_name", 2)]


def test_ground_drops_ungrounded_items_with_a_warning_by_default() -> None:
    fields = card(
        [gain("from 38.8% to 8.4%"), gain("made-up quote 9.9%", value=9.9)],
        [Stage(name="reward modelling", kind="rl", description="d")],
    )
    grounded = ground(fields, ABSTRACT)
    assert [g.quote for g in grounded.claimed_gains] == ["from 38.8% to 8.4%"]
    assert grounded.claimed_gains[0].span is not None
    assert grounded.stages == []
    assert len(grounded.warnings) == 2
    assert all(w.startswith("dropped ungrounded") for w in grounded.warnings)


def test_ground_keeps_and_flags_when_asked() -> None:
    fields = card([gain("made-up quote 9.9%", value=9.9)])
    grounded = ground(fields, ABSTRACT, keep_ungrounded=True)
    assert grounded.claimed_gains[0].span is None
    assert grounded.warnings == [
        "ungrounded claimed_gains[0]: quote not in the abstract: 'made-up quote 9.9%'"
    ]


def test_every_reference_card_is_grounded(repo: Path) -> None:
    """The hand-written reference cards follow CARD_SPEC, so grounding must accept them."""
    reference = repo / "tests" / "data" / "reference_cards.jsonl"
    papers = {normalize_title(p.title): p for p in read_papers([str(repo / "seeds")]).papers}
    checked = 0
    for line in reference.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        fields = CardFields.model_validate({key: record[key] for key in CardFields.model_fields})
        abstract = papers[normalize_title(record["title"])].abstract
        assert check(fields, abstract) == [], record["title"]
        checked += 1
    assert checked == 40


@pytest.mark.parametrize(
    "abstract",
    [
        "We use `quoted` words and -- dashes -- in plain ASCII text.",
        "We use \u2018curly\u2019 quotes, non\u2011breaking hyphens and \u00a0spaces.",
    ],
)
def test_ascii_and_unicode_abstracts_normalise_alike(abstract: str) -> None:
    quote = "'quoted' words" if "`" in abstract else "'curly' quotes"
    span = find_span(quote, abstract)
    assert span is not None
    assert find_span(abstract[span.start : span.end], abstract) == span


# The numbers of a gain are read from the abstract's own text where its quote was found,
# never from the quote: matching folds spaces, hyphens and superscripts, which would fuse
# the abstract's separate numbers into the quote's one.
FUSED = (
    "FooNet improves accuracy by 3-5% on GLUE. It outperforms Llama-2 7B on MMLU, "
    "with a 10² speed-up over the dense baseline."
)


def test_a_range_is_two_numbers_never_their_digits_run_together() -> None:
    fused = gain("improves accuracy by 35%", value=35, direction="higher")
    problems = check(card([fused]), FUSED)
    assert [p.kind for p in problems] == ["gain_number"]
    assert "value 35 " in problems[0].detail and "'improves accuracy by 3-5%'" in problems[0].detail
    for value in (3, 5):
        assert check(card([gain("improves accuracy by 3-5%", value=value)]), FUSED) == []


def test_a_model_name_keeps_its_version_apart_from_its_size() -> None:
    fused = gain("outperforms Llama 27B on MMLU", value=None, baseline="Llama 27B")
    problems = check(card([fused]), FUSED)
    assert [p.kind for p in problems] == ["gain_number"]
    assert "baseline number 27 " in problems[0].detail
    apart = gain("outperforms Llama 2 7B on MMLU", value=None, baseline="Llama 2 7B")
    assert check(card([apart]), FUSED) == []


def test_a_superscript_is_an_exponent_never_a_further_digit() -> None:
    fused = gain("a 102 speed-up", value=102, unit="x")
    assert [p.kind for p in check(card([fused]), FUSED)] == ["gain_number"]
    # 10² is written as a power: its value, its base and its exponent are its numbers.
    for value in (100, 10, 2):
        assert check(card([gain("a 10² speed-up", value=value, unit="x")]), FUSED) == []


def test_a_number_the_quote_cuts_is_not_a_number_of_the_quote() -> None:
    abstract = "It lowers the error by 15% and reaches 85.37 F1 on SQuAD."
    assert check(card([gain("5% and", value=5)]), abstract)[0].kind == "gain_number"
    assert check(card([gain("reaches 85.3", value=85.3)]), abstract)[0].kind == "gain_number"
    assert check(card([gain("by 15% and", value=15)]), abstract) == []


@pytest.mark.parametrize(
    ("written", "value", "grounded"),
    [
        ("1,000", 1000, True),
        ("1,000", 1, False),
        ("1\u2009000", 1000, True),  # a thin space groups digits
        ("1 000", 1000, False),  # a plain space separates numbers
        ("3,5 and 7", 35, False),
        ("3,5 and 7", 5, True),
        ("3.5", 3.5, True),
        ("3.5", 35, False),
        ("3.5", 3, False),
        ("3.5", 5, False),
        ("\u22123.2", -3.2, True),  # a size is compared by its magnitude
        ("\u22123.2", 3.2, True),
        ("+4.1", 4.1, True),
        ("5.6%", 5.6, True),
        ("2x", 2, True),
        ("2\u00d7", 2, True),
        ("2-fold", 2, True),
        ("twice", 2, True),
        ("v1.2.3", 2, True),  # a version is its parts ...
        ("v1.2.3", 1.2, False),  # ... never a decimal number
    ],
)
def test_numbers_are_whole_tokens_of_the_abstract(
    written: str, value: float, grounded: bool
) -> None:
    abstract = f"The model changes the score by {written} on the test set."
    problems = check(card([gain(f"by {written} on the test", value=value)]), abstract)
    assert (problems == []) is grounded, problems


def test_a_grounded_quote_is_stored_as_the_abstract_writes_it() -> None:
    quote = 'pre-training on filtered data, then "Safety Rephrasing"'
    grounded = ground(card([gain(quote, value=None)]), ABSTRACT)
    stored = grounded.claimed_gains[0]
    assert stored.quote == "pre- training on filtered data, then “Safety Rephrasing”"
    assert stored.span is not None and ABSTRACT[stored.span.start : stored.span.end] == stored.quote


def test_a_kept_ungrounded_gain_keeps_its_quote_and_its_warning() -> None:
    fused = gain("improves  accuracy by 35%", value=35)
    grounded = ground(card([fused]), FUSED, keep_ungrounded=True)
    assert grounded.claimed_gains[0].quote == "improves  accuracy by 35%"
    assert grounded.warnings == [
        "ungrounded claimed_gains[0]: value 35 not a number of the abstract where its quote "
        "is, 'improves accuracy by 3-5%' (numbers there: 3, 5)"
    ]
