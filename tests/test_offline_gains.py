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
    assert gain.metric == "attack success rates"
    # The starting value is in the quote; a baseline names a system or setting.
    assert gain.baseline is None
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
    # No metric named: the claim's own task qualifies it, never the later "memory".
    assert (gain.value, gain.metric) == (15.3, "performance on twenty tasks")


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


def test_the_size_of_a_beaten_model_is_not_a_gain() -> None:
    abstract = (
        "Our model is parameter-efficient in that it outperforms the 600x larger PaLM-540B "
        "on XSum, and the finetuned 200x larger GPT3-175B on SAMSum."
    )
    gains = _gains(abstract)
    assert gains and all(g.value is None for g in gains)
    assert gains[0].baseline == "the 600x larger PaLM-540B"
    assert gains[0].metric == "performance on XSum"


def test_a_point_in_training_and_a_share_of_the_data_are_not_gains() -> None:
    abstract = (
        "Introducing visual tokens 80% of the way through pre-training results in a 2% "
        "average improvement. Our method improves accuracy by 3% and 0.1% with 1% and 10% "
        "labeled data."
    )
    assert [g.value for g in _gains(abstract)] == [2, 3, 0.1]


def test_a_level_with_no_comparison_is_not_a_claimed_gain() -> None:
    abstract = (
        "Our model achieves a 42.13% task success rate, a 14.61% absolute gain over the "
        "base model. Llama3 extends the tokenizer primarily for multilingual (48%) use."
    )
    gains = _gains(abstract)
    assert [(g.value, g.metric, g.baseline) for g in gains] == [
        (14.61, "task success rate", "the base model")
    ]


def test_values_and_metrics_of_a_list_are_paired_in_order() -> None:
    abstract = (
        "MAGNET achieves up to 89% and 65% relative improvements over baseline methods on "
        "BLEU@4 and GPT evaluation scores in the QA task."
    )
    gains = _gains(abstract)
    assert [(g.value, g.metric) for g in gains] == [
        (89, "BLEU@4"),
        (65, "GPT evaluation scores"),
    ]
    assert {g.condition for g in gains} == {"the QA task"}


def test_a_baseline_is_a_system_never_a_number_phrase() -> None:
    abstract = (
        "Our L2O framework demonstrates over 50% better optimality than GD and superior "
        "robustness over state-of-the-art L2O methods on synthetic datasets."
    )
    [gain] = _gains(abstract)
    assert (gain.value, gain.metric) == (50, "optimality")
    assert gain.baseline is not None and gain.baseline.startswith("GD")


@pytest.mark.parametrize(
    ("sentence", "metric", "direction"),
    [
        ("GAPT reduces MBE by 50% on the test set.", "MBE", "lower"),
        ("It improves cross-entropy by 4.8% on held-out data.", "cross-entropy", "lower"),
        ("Our sampler gets a 5.03 absolute NDCG@10 improvement.", "NDCG@10", "higher"),
        ("It achieves a 97% improvement in separation.", "separation", "higher"),
        ("DP generates 3.4x fewer samples than the baseline.", "samples", "lower"),
        ("RINAS improves the throughput of model training by up to 59%.", "throughput", "higher"),
        (
            "We improve ELECTRA's average performance by 2.8% on GLUE.",
            "average performance",
            "higher",
        ),
        (
            "It reduces the number of effective epochs by 12.4%.",
            "number of effective epochs",
            "lower",
        ),
        (
            "This yields performance gains of 2% in general tasks.",
            "performance on general tasks",
            "higher",
        ),
    ],
)
def test_the_metric_is_the_phrase_the_claim_names(
    sentence: str, metric: str, direction: str
) -> None:
    [gain] = _gains(sentence)
    assert (gain.metric, gain.direction) == (metric, direction)


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        (
            "Up-scaling consistently improves helpfulness and factuality of the models.",
            "helpfulness and factuality",
        ),
        ("GUIDE significantly reduces catastrophic forgetting.", "catastrophic forgetting"),
        ("The proposed algorithm achieves faster convergence than SGD.", "convergence speed"),
        ("It offers faster convergence and better generalization.", "convergence speed"),
        ("The new solver is faster than the old one.", "speed"),
        (
            "DPT outperforms semi-supervised baselines on ImageNet classification tasks.",
            "performance on ImageNet classification tasks",
        ),
        (
            "Our tool outperforms by a wide margin in data selection effectiveness.",
            "data selection effectiveness",
        ),
    ],
)
def test_an_unquantified_claim_names_what_improved(sentence: str, metric: str) -> None:
    [gain] = _gains(sentence)
    assert gain.value is None and gain.metric == metric


@pytest.mark.parametrize(
    "sentence",
    [
        "Our results make meaningful reduction in dimensionality accessible to more data.",
        "These results highlight the importance of adaptations for more efficient RL training.",
        "Training serves the engineering goal of reducing loss.",
        "Why do some augmentation schemes perform much better than others?",
        "Human raters are only slightly better than random chance at telling them apart.",
        "We try to explain why hard negatives perform better than random sampling.",
        "While not necessarily superior to classical solvers, it is simpler to deploy.",
    ],
)
def test_words_of_improvement_that_state_no_comparison_are_no_claims(sentence: str) -> None:
    assert _gains(sentence) == []


def test_a_claim_that_names_no_metric_takes_the_one_its_sentence_names() -> None:
    abstract = (
        "Our model outperforms strong baselines on ImageNet classification tasks, achieving "
        "top-1 accuracies of 59.0 and 69.5 with one or two labels per class."
    )
    gains = _gains(abstract)
    _assert_grounded(abstract, gains)
    compared = [gain for gain in gains if gain.value is None]
    assert [gain.metric for gain in compared] == ["accuracies on ImageNet classification tasks"]
    # Two metrics in the sentence: no way to tell which, so the metric stays generic.
    both = (
        "Our model outperforms strong baselines on three benchmarks, as BLEU and perplexity show."
    )
    assert [gain.metric for gain in _gains(both)] == ["performance on three benchmarks"]
    vague = "Our model outperforms strong baselines on three benchmarks."
    assert [gain.metric for gain in _gains(vague)] == ["performance on three benchmarks"]


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        # A task goes before the metric, the way a reader writes it.
        (
            "Our model outperforms the baselines on both parsing and language modeling.",
            "parsing and language modeling performance",
        ),
        ("Our agent outperforms strong baselines on coding tasks.", "coding performance"),
        # A domain's benchmarks say where, not what: no rewording.
        (
            "The method outperforms prior work on four speech benchmarks.",
            "performance on four speech benchmarks",
        ),
        # A setting's kind is what qualifies the metric; a bare setting says nothing.
        ("Our model outperforms the baselines in the few-shot setting.", "few-shot performance"),
        ("Our approach outperforms the teacher in both settings.", "performance"),
        ("Our approach outperforms the teacher on larger models.", "performance"),
        # A benchmark name, a vague collection and an unknown place stay as they are.
        ("Our model outperforms the baselines on MMLU-Pro.", "performance on MMLU-Pro"),
        ("Our model outperforms the baselines on GLUE tasks.", "performance on GLUE tasks"),
        (
            "Our model outperforms the baselines on two standard benchmarks.",
            "performance on two standard benchmarks",
        ),
    ],
)
def test_a_generic_metric_is_reworded_by_what_its_place_names(sentence: str, metric: str) -> None:
    [gain] = _gains(sentence)
    assert gain.metric == metric
    _assert_grounded(sentence, [gain])


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        (
            "In our tests their total returns eventually exceed those of the best single fund.",
            "total returns",
        ),
        (
            "With our curriculum the planning ability is enhanced with few samples.",
            "planning ability",
        ),
        ("Answer diversity steadily improves with more attention layers.", "Answer diversity"),
    ],
)
def test_the_subject_of_a_claim_is_its_metric_when_it_is_a_quantity(
    sentence: str, metric: str
) -> None:
    [gain] = _gains(sentence)
    assert gain.value is None and gain.metric == metric
    assert gain.baseline is None or not gain.baseline.startswith("those")


@pytest.mark.parametrize(
    "sentence",
    [
        "Our method is improved with more data.",
        "FastNet surpasses that of the baseline.",
    ],
)
def test_a_system_as_subject_is_not_a_metric(sentence: str) -> None:
    assert all(gain.metric == "performance" for gain in _gains(sentence))


def test_a_clause_that_says_what_is_measured_belongs_to_the_claim_before_it() -> None:
    abstract = (
        "Sampling with our models outperforms nucleus sampling over long texts, both in "
        "terms of diversity and human ratings."
    )
    [gain] = _gains(abstract)
    assert gain.metric == "diversity and human ratings"
    assert gain.quote.endswith("both in terms of diversity and human ratings")
    _assert_grounded(abstract, [gain])
    quantified = "Our model beats the baseline by 4.1%, in terms of exact match."
    [gain] = _gains(quantified)
    assert (gain.value, gain.metric) == (4.1, "exact match")
    _assert_grounded(quantified, [gain])


def test_based_is_never_a_metric() -> None:
    abstract = "Our ranking improves based on user feedback compared to the old ranker."
    assert all(gain.metric != "based" for gain in _gains(abstract))


@pytest.mark.parametrize(
    "sentence",
    [
        "Existing detectors can be also improved with the generated data.",
        "Our bounds improve on the local model and sometimes match those of the central model.",
    ],
)
def test_an_adverb_before_the_verb_is_no_subject_metric(sentence: str) -> None:
    assert all(gain.metric not in {"also", "sometimes"} for gain in _gains(sentence))


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        # Metric names after the number: upper-case AP, F-score, a "speed up".
        ("Our detector beats the baseline by 25% and 30% AP on the test set.", "AP"),
        ("Our parser improves the F-score of the baseline from 0.86 to 0.97.", "F-score"),
        ("Our layer allows a 40 fold speed up over the old layer.", "speed"),
        # "in terms of X" names X whatever X is.
        (
            "Our search obtained a mean gain improvement of 15 percentage points in terms of "
            "the estimated click probability.",
            "estimated click probability",
        ),
        # What an improvement noun is in, before "by".
        (
            "We show a reduction in required communication rounds by 10x over the baseline.",
            "required communication rounds",
        ),
        # The subject of a passive or intransitive improvement verb.
        (
            "The root mean squared error is reduced from 43.76 to 3.64 with our method.",
            "root mean squared error",
        ),
        ("The click-through rate (CTR) improved by 23% over the old ranker.", "click-through rate"),
        ("Type II error of our model drops significantly to 23.9% from 43.3%.", "Type II error"),
        # "by between N and M" and a second object after "and".
        (
            "The new circuit reduced power consumption by between 47% and 56% versus the old one.",
            "power consumption",
        ),
    ],
)
def test_quantified_metrics_named_around_the_number(sentence: str, metric: str) -> None:
    gains = _gains(sentence)
    assert gains and gains[0].metric == metric
    _assert_grounded(sentence, gains)


def test_the_second_object_of_a_verb_with_two_values_each() -> None:
    sentence = (
        "The new circuit reduced power consumption by between 47% and 56% and path delay by "
        "between 29% and 60% compared to the old one."
    )
    assert [gain.metric for gain in _gains(sentence)] == [
        "power consumption",
        "power consumption",
        "path delay",
        "path delay",
    ]


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        # An ability keeps what it is an ability to do; an owner after "of" is not that.
        (
            "Our training makes the model robust and improving its ability to follow instructions.",
            "ability to follow instructions",
        ),
        (
            "Our sampler greatly enhances the capability of generating rare samples.",
            "capability of generating rare samples",
        ),
        ("Our transfer method improves the capabilities of the student model.", "capabilities"),
        # After "and", "improves" is a verb, not an adjective.
        (
            "Our tree keeps high accuracy on training data and improves on generalization "
            "accuracy compared to pruned trees.",
            "generalization accuracy",
        ),
        # The metrics a comparison is made under.
        (
            "Our decoder outperforms its rivals under automatic and human evaluation metrics.",
            "automatic and human evaluation metrics",
        ),
        # "superior to X": X is the baseline; a metric right before it is the metric.
        (
            "Our sets are superior to a few search methods under the same budget on data size.",
            "performance",
        ),
        (
            "Our network achieves a linear Pearson correlation superior to previous methods.",
            "linear Pearson correlation",
        ),
        ("Our method outperforms the baselines in terms of the IGD metric.", "IGD metric"),
        # A system called DICE is no Dice score (found on the ACLSum check set).
        ("DICE outperforms a wide range of embedding models.", "performance"),
        ("Our model improves the Dice score over the baseline.", "Dice score"),
    ],
)
def test_unquantified_metrics_named_by_the_claim(sentence: str, metric: str) -> None:
    [gain] = _gains(sentence)
    assert gain.value is None and gain.metric == metric
    _assert_grounded(sentence, [gain])


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        # A dimension is no benchmark name.
        (
            "Our network outperforms the state of the art in single view 3D object reconstruction.",
            "single view 3D object reconstruction performance",
        ),
        # Experiments on a task measure that task; "the tasks of X" are X.
        (
            "Our method outperforms existing approaches in image classification experiments.",
            "image classification performance",
        ),
        (
            "Our detector outperforms the baselines on the tasks of localization and detection.",
            "localization and detection performance",
        ),
        # A lone modifier shares the task after "and".
        (
            "Our model achieves state-of-the-art performance in unconditional and conditional "
            "image generation.",
            "unconditional and conditional image generation performance",
        ),
        # "of" and a task right after the generic word.
        (
            "Our model achieves SOTA performance of semi-supervised classification on all sets.",
            "semi-supervised classification performance",
        ),
        # A non-task collection stays where it is.
        (
            "Our model outperforms the baselines on the generated dataset.",
            "performance on generated dataset",
        ),
    ],
)
def test_a_task_place_is_read_in_more_forms(sentence: str, metric: str) -> None:
    [gain] = _gains(sentence)
    assert gain.metric == metric
    _assert_grounded(sentence, [gain])


@pytest.mark.parametrize(
    ("sentence", "metric"),
    [
        (
            "Experiments across multiple reasoning benchmarks show that our agent outperforms "
            "strong baselines.",
            "reasoning performance",
        ),
        (
            "Extensive experiments on the machine translation benchmark WMT10 show that our "
            "method outperforms the baselines.",
            "machine translation performance",
        ),
        (
            "Experimental results on two publicly available retrieval datasets show that our "
            "model outperforms the baselines.",
            "retrieval performance",
        ),
        # A lead-in that names no task leaves the metric alone.
        (
            "Extensive experiments on six datasets show that our method outperforms the baselines.",
            "performance",
        ),
    ],
)
def test_a_bare_generic_metric_takes_the_task_of_its_sentences_lead_in(
    sentence: str, metric: str
) -> None:
    [gain] = _gains(sentence)
    assert gain.metric == metric
