"""Properties of number grounding on generated abstracts: a number the abstract writes as
one token grounds a gain, and digits of separate tokens run together never do.

Quote matching folds spacing, hyphens and superscripts, so each fused quote below is
found in its abstract (asserted): what rejects it is the number rule alone.
"""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from summarizer.cards import CardFields, Gain
from summarizer.grounding import GroundingProblem, check, find_span, ground, number_tokens

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = st.lists(
    st.sampled_from(
        ["the", "model", "improves", "accuracy", "on", "GLUE", "over", "baseline", "and", "we"]
    ),
    min_size=1,
    max_size=6,
).map(" ".join)
# Whole numbers with no leading zero, so that running two together makes a new number.
WHOLE = st.integers(min_value=1, max_value=99_999).map(str)
# Decimals whose last digit is not 0: never equal to a whole number.
DECIMAL = st.builds(
    lambda whole, fraction: f"{whole}.{fraction}",
    st.integers(min_value=0, max_value=999),
    st.from_regex(r"\A[0-9]{0,2}[1-9]\Z"),
)
GROUPED = st.integers(min_value=1_000, max_value=10**9).map(lambda n: f"{n:,}")
SIGN = st.sampled_from(["", "-", "\u2212", "+"])
UNIT = st.sampled_from(["", "%", "x", "\u00d7", "-fold", " points"])
# Separators the quote matcher ignores: a quote may drop them, its numbers may not.
IGNORED_SEPARATOR = st.sampled_from(["-", "\u2013", "\u2014", "\u2212", "\u2011", " ", "\u00a0"])
SUPERSCRIPT = str.maketrans(
    "0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b"
)


def fields(
    quote: str,
    value: float | None,
    baseline: str | None = None,
    condition: str | None = None,
) -> CardFields:
    gain = Gain(
        metric="accuracy",
        value=value,
        unit="%" if value is not None else None,
        direction="higher",
        baseline=baseline,
        condition=condition,
        quote=quote,
    )
    return CardFields(
        problem="p",
        method="m",
        method_name=None,
        contribution="method",
        stages=[],
        claimed_gains=[gain],
    )


def number_kinds(problems: list[GroundingProblem]) -> list[str]:
    return [problem.kind for problem in problems]


@FAST
@given(
    before=WORDS,
    after=WORDS,
    number=st.one_of(WHOLE, DECIMAL, GROUPED),
    sign=SIGN,
    unit=UNIT,
    negative=st.booleans(),
)
def test_a_number_written_as_one_token_grounds_its_gain(
    before: str, after: str, number: str, sign: str, unit: str, negative: bool
) -> None:
    claim = f"by {sign}{number}{unit}"
    abstract = f"{before} {claim} {after}."
    value = float(number.replace(",", ""))
    grounded = ground(fields(claim, -value if negative else value), abstract)
    assert grounded.warnings == []
    stored = grounded.claimed_gains[0]
    assert stored.span is not None
    assert stored.quote == abstract[stored.span.start : stored.span.end] == claim


@FAST
@given(
    before=WORDS,
    first=WHOLE,
    second=st.one_of(WHOLE, DECIMAL),
    separator=IGNORED_SEPARATOR,
    unit=UNIT,
)
def test_two_numbers_run_together_never_ground_a_gain(
    before: str, first: str, second: str, separator: str, unit: str
) -> None:
    abstract = f"{before} by {first}{separator}{second}{unit} on GLUE."
    quote = f"by {first}{second}{unit} on GLUE"
    assert find_span(quote, abstract) is not None
    problems = check(fields(quote, float(first + second)), abstract)
    assert number_kinds(problems) == ["gain_number"]
    # Each of the two numbers alone is one the abstract wrote.
    for alone in (first, second):
        assert check(fields(quote, float(alone)), abstract) == []


@FAST
@given(
    whole=st.integers(min_value=0, max_value=999), fraction=st.from_regex(r"\A[0-9]{0,2}[1-9]\Z")
)
def test_a_decimal_is_one_number_never_its_digits(whole: int, fraction: str) -> None:
    abstract = f"Accuracy rises by {whole}.{fraction} points on GLUE."
    quote = f"by {whole}.{fraction} points"
    assert check(fields(quote, float(f"{whole}.{fraction}")), abstract) == []
    for wrong in {float(f"{whole}{fraction}"), float(whole), float(fraction)}:
        assert number_kinds(check(fields(quote, wrong), abstract)) == ["gain_number"]


@FAST
@given(
    name=st.sampled_from(["Llama", "GPT", "Qwen", "Mistral"]),
    version=st.integers(min_value=1, max_value=99).map(str),
    size=st.integers(min_value=1, max_value=999).map(str),
    joiner=st.sampled_from(["-", " ", "\u2011"]),
)
def test_a_model_name_in_a_baseline_keeps_its_numbers_apart(
    name: str, version: str, size: str, joiner: str
) -> None:
    abstract = f"FooNet outperforms {name}{joiner}{version} {size}B on MMLU."
    fused = f"{name} {version}{size}B"
    quote = f"outperforms {fused} on MMLU"
    assert find_span(quote, abstract) is not None
    problems = check(fields(quote, None, baseline=fused), abstract)
    assert number_kinds(problems) == ["gain_number"]
    apart = f"{name} {version} {size}B"
    assert check(fields(quote, None, baseline=apart, condition="MMLU"), abstract) == []


@FAST
@given(
    base=st.integers(min_value=1, max_value=99),
    exponent=st.integers(min_value=0, max_value=12),
    negative=st.booleans(),
)
def test_a_superscript_is_never_a_further_digit_of_its_base(
    base: int, exponent: int, negative: bool
) -> None:
    written = f"{'-' if negative else ''}{exponent}".translate(SUPERSCRIPT)
    abstract = f"It needs {base}{written} fewer steps than SGD."
    quote = f"needs {base}{exponent} fewer steps"
    assert find_span(quote, abstract) is not None
    assert number_kinds(check(fields(quote, float(f"{base}{exponent}")), abstract)) == [
        "gain_number"
    ]
    for alone in (base, exponent):
        assert check(fields(quote, float(alone)), abstract) == []
    # Only a power of ten is read as a value too (10² is 100; 2³ is not 8).
    signed = -exponent if negative else exponent
    power = float(f"1e{signed}") if base == 10 else float(base) ** signed
    power_grounded = check(fields(quote, power), abstract) == []
    assert power_grounded is (base == 10 or power in (base, exponent))


@FAST
@given(
    leading=st.integers(min_value=1, max_value=999).map(str),
    group=st.one_of(st.from_regex(r"\A[0-9]{1,2}\Z"), st.from_regex(r"\A[0-9]{4,5}\Z")),
    last=WHOLE,
)
def test_a_comma_joins_only_groups_of_three_digits(leading: str, group: str, last: str) -> None:
    abstract = f"We test on sizes {leading},{group} and {last} in all runs."
    quote = f"sizes {leading},{group} and {last}"
    assert check(fields(quote, float(leading + group)), abstract)[0].kind == "gain_number"
    for alone in (leading, group, last):
        assert check(fields(quote, float(alone)), abstract) == []


@FAST
@given(
    number=st.one_of(WHOLE.filter(lambda n: len(n) > 1), DECIMAL),
    cut=st.integers(min_value=1, max_value=5),
    from_left=st.booleans(),
)
def test_a_number_the_quote_cuts_grounds_nothing(number: str, cut: int, from_left: bool) -> None:
    assume(cut < len(number))
    part = number[cut:] if from_left else number[:-cut]
    assume(part.strip(".") and not part.startswith(".") and not part.endswith("."))
    assume(float(part) != float(number))
    abstract = f"Our model wins by {number}% on GLUE."
    quote = f"{part}% on GLUE" if from_left else f"wins by {part}"
    assert find_span(quote, abstract) is not None
    assert number_kinds(check(fields(quote, float(part)), abstract)) == ["gain_number"]


@FAST
@given(
    numbers=st.lists(st.one_of(WHOLE, DECIMAL, GROUPED), min_size=1, max_size=6),
    separators=st.lists(
        st.sampled_from([" ", "-", "\u2013", "/", ":", ", ", " and ", "% to ", "x, "]),
        min_size=6,
        max_size=6,
    ),
)
def test_the_tokenizer_reads_back_every_number_written(
    numbers: list[str], separators: list[str]
) -> None:
    text = "".join(
        number + separator for number, separator in zip(numbers, separators, strict=False)
    )
    read = [token.value for token in number_tokens(text)]
    assert read == [float(number.replace(",", "")) for number in numbers]


@FAST
@given(
    words=st.lists(
        st.sampled_from(["pre", "training", "gains", "4.2%", "\u201cSafe\u201d", "on", "GLUE"]),
        min_size=2,
        max_size=8,
    ),
    separators=st.lists(st.sampled_from([" ", "  ", "\n", "- ", "-", "\u00a0"]), min_size=8),
)
def test_a_grounded_quote_is_stored_as_the_abstract_writes_it(
    words: list[str], separators: list[str]
) -> None:
    claim = "".join(w + s for w, s in zip(words, separators, strict=False)).rstrip()
    abstract = f"Before it. {claim} After it."
    quote = " ".join(words).replace("\u201c", '"').replace("\u201d", '"')
    value = 4.2 if "4.2%" in words else None
    grounded = ground(fields(quote, value), abstract)
    assert grounded.warnings == []
    stored = grounded.claimed_gains[0]
    assert stored.span is not None
    assert stored.quote == abstract[stored.span.start : stored.span.end]
    assert find_span(stored.quote, abstract) == stored.span
