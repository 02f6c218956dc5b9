"""Table views: the rows each card gives, the headline gain, grouping and sorting."""

from __future__ import annotations

from dataclasses import replace

import pytest
from table_cards import hostile_cards, make_card, reference_cards

from summarizer.cards import STAGE_KINDS, CardGain, PaperCard
from summarizer.errors import ConfigError, SummarizerError
from summarizer.tables import FORMATS, GROUPINGS, VIEWS, build_table, headline_gain, render_table


def gain(value: float | None, unit: str | None, **fields: object) -> CardGain:
    base = {
        "metric": "m",
        "direction": "higher",
        "baseline": None,
        "condition": None,
        "quote": "q",
    }
    return CardGain(**{**base, "value": value, "unit": unit, **fields})  # type: ignore[arg-type]


RLEP = make_card(
    "RLEP: Replay",
    file="b.txt",
    method_name="RLEP",
    problem="RL drifts.",
    method="Replay successes.",
    stages=[("collect", "data"), ("replay", "rl"), ("replay again", "rl")],
    gains=[
        {"metric": "updates", "direction": "lower", "quote": "fewer updates"},
        {"metric": "accuracy", "value": 39.9, "unit": "%", "condition": "AIME-2024", "quote": "a"},
        {"metric": "accuracy", "value": 82.2, "unit": "%", "condition": "AMC-2023", "quote": "b"},
    ],
)
SURVEY = make_card("A survey of things", file="a.txt", contribution="survey")


def rows(view: str, cards: list, **options: object) -> list[tuple]:
    table = build_table(cards, view=view, **options)  # type: ignore[arg-type]
    return [row for section in table.sections for row in section.rows]


def test_overview_row_holds_the_paper_summary_and_headline_gain() -> None:
    assert rows("overview", [RLEP]) == [
        (
            "RLEP: Replay",
            "method",
            "RLEP",
            "RL drifts.",
            "Replay successes.",
            3,
            "accuracy ↑ 82.2% (AMC-2023)",
            RLEP.paper_id,
            None,
        )
    ]


def test_overview_of_a_card_without_stages_or_gains_leaves_cells_empty() -> None:
    assert rows("overview", [SURVEY])[0][5:7] == (0, None)


def test_stages_row_gives_each_kind_its_positions_and_the_pipeline() -> None:
    (row,) = rows("stages", [RLEP])
    cells = dict(zip(VIEWS["stages"].column_names, row, strict=True))
    assert cells["data"] == "1"
    assert cells["rl"] == "2, 3"
    assert all(cells[kind] is None for kind in STAGE_KINDS if kind not in ("data", "rl"))
    assert cells["pipeline"] == "data → rl → rl"
    assert cells["stage_names"] == "collect → replay → replay again"


def test_stages_columns_are_the_spec_stage_kinds_in_order() -> None:
    names = VIEWS["stages"].column_names
    assert names[1 : 1 + len(STAGE_KINDS)] == STAGE_KINDS
    assert STAGE_KINDS == (
        "data",
        "pretraining",
        "midtraining",
        "finetuning",
        "alignment",
        "rl",
        "distillation",
        "inference",
        "evaluation",
        "other",
    )


def test_a_card_without_stages_still_gets_an_empty_stages_row() -> None:
    assert rows("stages", [SURVEY]) == [("A survey of things", *[None] * 12, SURVEY.paper_id, None)]


def test_gains_view_has_one_row_per_gain_with_every_field() -> None:
    assert rows("gains", [RLEP, SURVEY]) == [
        (
            "RLEP: Replay",
            "updates",
            None,
            None,
            "lower",
            None,
            None,
            "fewer updates",
            RLEP.paper_id,
            None,
        ),
        (
            *("RLEP: Replay", "accuracy", 39.9, "%", "higher", None, "AIME-2024", "a"),
            RLEP.paper_id,
            None,
        ),
        (
            *("RLEP: Replay", "accuracy", 82.2, "%", "higher", None, "AMC-2023", "b"),
            RLEP.paper_id,
            None,
        ),
    ]


@pytest.mark.parametrize(
    ("gains", "expected"),
    [
        pytest.param([], None, id="no gains"),
        pytest.param([gain(None, None)], None, id="only unquantified"),
        pytest.param([gain(5, "%"), gain(7, "pp")], 1, id="points and percent on one scale"),
        pytest.param([gain(90, "%"), gain(2.5, "x")], 1, id="2.5x is 150 percent"),
        pytest.param([gain(60, "%"), gain(0.5, "x")], 1, id="0.5x is a 2x reduction"),
        pytest.param([gain(1000, "abs"), gain(3, "%")], 1, id="abs only without others"),
        pytest.param([gain(1000, "abs"), gain(5000, None)], 1, id="abs and no unit by value"),
        pytest.param([gain(-40, "%"), gain(30, "%")], 0, id="size ignores the sign"),
        pytest.param([gain(5, "%"), gain(5, "pp")], 0, id="ties go to the first"),
    ],
)
def test_headline_gain_is_the_largest_on_a_common_scale(
    gains: list[CardGain], expected: int | None
) -> None:
    chosen = headline_gain(gains)
    assert (None if chosen is None else gains.index(chosen)) == expected


def test_headline_gain_text_spells_each_unit() -> None:
    def headline(**fields: object) -> object:
        card = make_card("t", gains=[{"metric": "speed", "quote": "q", **fields}])
        return rows("overview", [card])[0][6]

    assert headline(value=2.0, unit="x") == "speed ↑ 2x"
    assert headline(value=3.5, unit="pp", condition="MMLU") == "speed ↑ 3.5 pp (MMLU)"
    assert headline(value=120, unit="abs", direction="lower") == "speed ↓ 120"
    assert headline(value=None, unit=None) is None


def sections(cards: list, group_by: str = "file") -> list[tuple[str | None, list]]:
    table = build_table(cards, view="overview", group_by=group_by)
    return [(section.name, [row[0] for row in section.rows]) for section in table.sections]


def test_group_by_file_makes_sections_in_file_name_order() -> None:
    cards = [RLEP, SURVEY, make_card("No source", file=None), make_card("b2", file="b.txt")]
    assert sections(cards) == [
        ("a", ["A survey of things"]),
        ("b", ["RLEP: Replay", "b2"]),
        ("(no source file)", ["No source"]),
    ]


def in_collection(card: PaperCard, collection: str | None, file: str | None = None) -> PaperCard:
    assert card.source is not None
    source = replace(card.source, collection=collection, file=file or card.source.file)
    return card.model_copy(update={"source": source})


def test_a_collection_names_its_section_and_gathers_its_files() -> None:
    cards = [
        in_collection(make_card("feed 1"), "Daily papers 2025-05-01", "feed.atom"),
        in_collection(make_card("list"), "My reading list", "refs.bib"),
        in_collection(make_card("feed 2"), "Daily papers 2025-05-01", "feed-2.atom"),
        make_card("dump", file="001_b05ba6ffc89c73b9.txt"),
    ]
    assert sections(cards) == [
        ("page 2", ["dump"]),
        ("Daily papers 2025-05-01", ["feed 1", "feed 2"]),
        ("My reading list", ["list"]),
    ]


@pytest.mark.parametrize(
    ("file", "heading"),
    [
        ("000_7a3839734a59cdb6.txt", "page 1"),
        ("003_29c641b9941a17c6.txt", "page 4"),
        ("reading-list.bib", "reading-list"),
        ("notes-20240501.txt", "notes-20240501"),  # a date is no hash
        ("2024-05-01.jsonl", "2024-05-01"),
        ("arxiv_7a3839734a59cdb6.atom", "arxiv"),
        ("7a3839734a59cdb6.txt", "7a3839734a59cdb6"),  # nothing left without the hash
        ("<stdin>", "<stdin>"),
        ("papers", "papers"),
    ],
)
def test_file_names_read_as_people_name_them(file: str, heading: str) -> None:
    assert sections([make_card("t", file=file)]) == [(heading, ["t"])]


def test_inputs_whose_headings_read_the_same_keep_their_file_names() -> None:
    cards = [make_card("x", file="list.bib"), make_card("y", file="list.txt")]
    assert sections(cards) == [("list (list.bib)", ["x"]), ("list (list.txt)", ["y"])]


def test_group_by_contribution_follows_the_spec_order() -> None:
    cards = [SURVEY, make_card("d", contribution="dataset"), RLEP]
    table = build_table(cards, view="overview", group_by="contribution")
    assert [section.name for section in table.sections] == ["method", "dataset", "survey"]


def test_group_by_none_is_one_unnamed_section_in_card_order() -> None:
    table = build_table([RLEP, SURVEY], view="overview", group_by="none")
    assert [(section.name, len(section.rows)) for section in table.sections] == [(None, 2)]


def test_sort_by_text_is_natural_case_insensitive_and_stable() -> None:
    titles = ["paper 10", "Paper 2", "b", "paper 2", "A"]
    cards = [make_card(title, file=None) for title in titles]
    ordered = [row[0] for row in rows("overview", cards, sort="title")]
    assert ordered == ["A", "b", "Paper 2", "paper 2", "paper 10"]
    reversed_ = [row[0] for row in rows("overview", cards, sort="-title")]
    assert reversed_ == ["paper 10", "paper 2", "Paper 2", "b", "A"]
    # Rows with the same key keep the cards' order, whichever the direction.
    metrics = [row[1] for row in rows("gains", [RLEP], sort="title")]
    assert metrics == ["updates", "accuracy", "accuracy"]
    assert [row[1] for row in rows("gains", [RLEP], sort="-title")] == metrics


def test_sort_by_number_puts_empty_cells_last_both_ways() -> None:
    cards = [RLEP, SURVEY, make_card("two", file=None, gains=[{"metric": "x", "value": 2.0}])]
    values = [row[2] for row in rows("gains", cards, sort="value")]
    assert values == [2.0, 39.9, 82.2, None]
    values = [row[2] for row in rows("gains", cards, sort="-value")]
    assert values == [82.2, 39.9, 2.0, None]


def test_sort_within_each_section() -> None:
    table = build_table(reference_cards(), view="overview", group_by="file", sort="-stages")
    for section in table.sections:
        stages = [row[5] for row in section.rows]
        assert stages == sorted(stages, reverse=True)


def test_unknown_sort_field_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        build_table([RLEP], view="gains", sort="size")
    message = str(caught.value)
    assert "unknown field 'size' for the gains view" in message
    assert "title, metric, value, unit, direction, baseline, condition, quote, paper_id" in message


def test_unknown_sort_field_is_rejected_even_without_cards() -> None:
    with pytest.raises(ConfigError):
        build_table([], view="overview", sort="nope")


@pytest.mark.parametrize(
    ("option", "value"), [("view", "matrix"), ("group_by", "year"), ("fmt", "xlsx")]
)
def test_unknown_view_grouping_or_format_is_a_clear_error(option: str, value: str) -> None:
    with pytest.raises(SummarizerError, match=f"unknown .*'{value}'.*use one of"):
        render_table([RLEP], **{option: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("view", sorted(VIEWS))
@pytest.mark.parametrize("group_by", sorted(GROUPINGS))
def test_every_table_is_byte_identical_when_made_twice(fmt: str, view: str, group_by: str) -> None:
    cards = hostile_cards() + reference_cards()
    first = render_table(cards, view=view, fmt=fmt, group_by=group_by, sort="title")
    again = render_table(list(cards), view=view, fmt=fmt, group_by=group_by, sort="title")
    assert first.encode() == again.encode()
    assert first.endswith("\n")


def test_the_same_cards_reordered_give_the_same_sorted_table() -> None:
    cards = reference_cards()
    forward = render_table(cards, view="overview", fmt="csv", group_by="file", sort="title")
    backward = render_table(cards[::-1], view="overview", fmt="csv", group_by="file", sort="title")
    assert forward == backward
