"""Claimed gains: quantified claims, comparisons, and numbers that are not gains."""

from __future__ import annotations

import pytest

from summarizer.engines.offline import OfflineEngine
from summarizer.engines.offline.gains import FoundGain, find_gains
from summarizer.engines.offline.sentences import split_sentences


def _gains(abstract: str, role: str = "result") -> list[FoundGain]:
    sentences = split_sentences(abstract)
    return find_gains(abstract, sentences, [role] * len(sentences))


def _assert_grounded(abstract: str, gains: list[FoundGain]) -> None:
    for gain in gains:
        assert abstract[gain.start : gain.end] == gain.quote
        if gain.value is not None:
            assert f"{gain.value:g}" in gain.quote.replace(",", "")


def test_from_a_to_b_is_the_new_value_and_lower_for_attack_success() -> None:
    abstract = (
        "Our safety-pretrained models reduce attack success rates from 38.8% to 8.4% on "
        "standard LLM safety benchmarks with no performance degradation on general tasks."
    )
    [gain] = _gains(abstract)
    assert (gain.value, gain.unit, gain.direction) == (8.4, "%", "lower")
    assert gain.baseline == "38.8%"
    assert "from 38.8% to 8.4%" in gain.quote
    _assert_grounded(abstract, [gain])


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "direction"),
    [
        ("We observed a 200-fold speedup over the original algorithm.", 200, "x", "higher"),
        ("The new solver is 1.5 times faster than the old one.", 1.5, "x", "higher"),
        ("It achieves a 3x speedup in training throughput.", 3, "x", "higher"),
        ("Our model improves accuracy by 4.2 percentage points.", 4.2, "pp", "higher"),
        ("Our method raises F1 by 2 points on SQuAD.", 2, "pp", "higher"),
        ("It cuts inference latency by 35% on average.", 35, "%", "lower"),
        ("We reduce the error rate by 12.5% relative to the baseline.", 12.5, "%", "lower"),
        (
            "It achieves up to 5.6% performance improvement over heuristic tuning.",
            5.6,
            "%",
            "higher",
        ),
        ("Our retriever gets a 5.03 absolute NDCG@10 improvement.", 5.03, "abs", "higher"),
        ("Our fix reduces the gap from 8.3 to 1.4 BLEU.", 1.4, "abs", "lower"),
        ("It raises the pass rate from 41% to 57% on MBPP.", 57, "%", "higher"),
        ("Our method improves accuracy by 4.5\\% on GSM8K.", 4.5, "%", "higher"),
        ("We get 1.9* training throughput over the baseline.", 1.9, "x", "higher"),
        (
            "It cuts the distilling iterations by more than 8 times without performance drop.",
            8,
            "x",
            "lower",
        ),
        ("Our method wins by a 5-point margin over the baseline.", 5, "pp", "higher"),
        ("The kernel is 3-times faster than FlashAttention.", 3, "x", "higher"),
        ("Our model achieves a 2.5-percentage-point gain on MMLU.", 2.5, "pp", "higher"),
        ("It reduces latency by almost 40% on long prompts.", 40, "%", "lower"),
    ],
)
def test_quantified_units_and_directions(
    sentence: str, value: float, unit: str, direction: str
) -> None:
    [gain] = _gains(sentence)
    assert (gain.value, gain.unit, gain.direction) == (value, unit, direction)
    _assert_grounded(sentence, [gain])


def test_sizes_bounds_and_fractions_are_not_gains() -> None:
    abstract = (
        "We train a 7B model on 600 billion tokens from 2019 to 2023 with 8x A100 GPUs. "
        "Using only 10% of the training data, it keeps quality with <1% performance "
        "degradation."
    )
    assert _gains(abstract) == []


def test_unquantified_comparison_keeps_a_short_quote() -> None:
    abstract = (
        "Experiments across multiple reasoning benchmarks show that our framework "
        "consistently outperforms strong RL baselines with minimal overhead."
    )
    [gain] = _gains(abstract)
    assert gain.value is None and gain.unit is None
    assert gain.quote == (
        "our framework consistently outperforms strong RL baselines with minimal overhead"
    )
    _assert_grounded(abstract, [gain])


def test_each_clause_of_a_list_is_its_own_gain() -> None:
    abstract = (
        "It improves accuracy on AIME-2024 from 38.2% to 39.9%, on AIME-2025 from 19.8% "
        "to 22.3%, and on AMC-2023 from 77.0% to 82.2%."
    )
    gains = _gains(abstract)
    assert [gain.value for gain in gains] == [39.9, 22.3, 82.2]
    assert [gain.condition for gain in gains] == ["AIME-2024", "AIME-2025", "AMC-2023"]
    _assert_grounded(abstract, gains)


def test_no_gains_in_an_abstract_without_claims() -> None:
    abstract = (
        "We study how transformers represent syntax. We probe twelve layers of a "
        "pretrained encoder and describe what each layer stores."
    )
    assert _gains(abstract) == []


def test_background_numbers_of_others_are_skipped() -> None:
    abstract = "Prior systems outperform humans by 20% on this benchmark."
    assert _gains(abstract, role="background") == []
    assert [gain.value for gain in _gains(abstract, role="result")] == [20]


def test_a_comparison_word_before_a_size_is_not_a_gain() -> None:
    abstract = (
        "We introduce Keye-VL. It rests on a dataset exceeding 600 billion tokens. "
        "Keye-VL outperforms prior models on video benchmarks."
    )
    quotes = [gain.quote for gain in OfflineEngine().fill("Keye-VL", abstract).fields.claimed_gains]
    assert quotes == ["Keye-VL outperforms prior models on video benchmarks"]


def test_two_claims_in_one_clause_get_their_own_quote_baseline_and_direction() -> None:
    abstract = (
        "Our router beats the greedy scheduler by 12.5% and outperforms the static "
        "planner by 4.2% on the routing benchmark. It cuts latency by 30% and improves "
        "throughput by 2x."
    )
    gains = _gains(abstract)
    assert [(g.value, g.baseline) for g in gains[:2]] == [
        (12.5, "the greedy scheduler"),
        (4.2, "the static planner"),
    ]
    assert gains[0].quote == "Our router beats the greedy scheduler by 12.5%"
    assert gains[1].quote.startswith("outperforms the static planner by 4.2%")
    assert [(g.value, g.direction, g.metric) for g in gains[2:]] == [
        (30, "lower", "latency"),
        (2, "higher", "throughput"),
    ]
    assert gains[2].quote == "It cuts latency by 30%"
    _assert_grounded(abstract, gains)


def test_a_second_baseline_after_and_belongs_to_the_second_number() -> None:
    abstract = "The detector outperforms YOLO by 3.1 points and DETR by 1.2 points."
    gains = _gains(abstract)
    assert [(g.value, g.baseline) for g in gains] == [(3.1, "YOLO"), (1.2, "DETR")]


def test_two_metrics_joined_by_and_are_not_baselines() -> None:
    abstract = "Our filter reduces the training examples by 5x and training time by 3x."
    assert [g.baseline for g in _gains(abstract)] == [None, None]


def test_the_metric_comes_from_the_claims_clause_not_a_later_one() -> None:
    abstract = (
        "The merged model improves by 15.3% on twenty tasks, while keeping its memory "
        "footprint constant."
    )
    [gain] = _gains(abstract)
    assert (gain.value, gain.metric) == (15.3, "performance")


def test_a_bracketed_share_of_a_training_run_is_not_a_gain() -> None:
    abstract = "The test needs only a small fraction (1%) of her training run on new data."
    assert _gains(abstract) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "We identify three issues in the state-of-the-art.",
        "We compare our algorithm against ten other state-of-the-art morphing algorithms.",
        "Unlike state-of-the-art learning approaches, our solver needs no labels.",
    ],
)
def test_state_of_the_art_as_the_name_of_others_work_is_no_claim(sentence: str) -> None:
    assert _gains(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Our method achieves new state-of-the-art results on ImageNet.",
        "Experiments show the state-of-the-art performance of our method.",
        "Experiments demonstrate the superiority of our approach over the original algorithm.",
        "The resulting model is more accurate and scalable than previous clustering methods.",
    ],
)
def test_reaching_the_state_of_the_art_or_beating_a_method_is_a_claim(sentence: str) -> None:
    [gain] = _gains(sentence)
    assert gain.value is None
    _assert_grounded(sentence, [gain])


def test_a_comparison_lead_in_quotes_the_claim_that_follows_it() -> None:
    abstract = (
        "However, compared to the state-of-the-art alternative, our model is simpler to derive."
    )
    gains = _gains(abstract)
    assert [g.quote for g in gains] == [
        "compared to the state-of-the-art alternative, our model is simpler to derive"
    ]


def test_a_comparison_lead_in_before_quantified_claims_is_not_a_claim_of_its_own() -> None:
    abstract = "Compared with prior work, our method surpasses the baseline by 8.4%."
    gains = _gains(abstract)
    assert [(g.value, g.baseline) for g in gains] == [(8.4, "the baseline")]


def test_by_an_average_of_n_is_a_quantified_claim() -> None:
    abstract = "Our mixer outperforms uniform sampling by an average of 0.27 perplexity points."
    [gain] = _gains(abstract)
    assert (gain.value, gain.direction, gain.metric) == (0.27, "lower", "perplexity")
    assert gain.baseline == "uniform sampling"
