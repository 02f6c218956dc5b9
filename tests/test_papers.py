"""The paper reader: dump layouts, quality flags, duplicates, ids, JSONL/CSV and bad input."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import SEEDS

from summarizer.errors import InputError
from summarizer.listing import write_jsonl
from summarizer.papers import (
    BAD_RECORD,
    NO_ABSTRACT,
    NOT_ABSTRACT,
    STARTS_MID_SENTENCE,
    TRUNCATED,
    Paper,
    decode_text,
    normalize_title,
    paper_id_for,
    parse_dump,
    quality_warnings,
    read_papers,
    read_text,
    unique_papers,
)

# Three abstracts long enough to be read as abstracts on their own.
ABSTRACT_A = (
    "Large language models struggle with long inputs. We propose a chunked attention "
    "scheme that keeps memory linear in the input length. On three benchmarks it improves "
    "accuracy by 4.2 points over the strongest baseline."
)
ABSTRACT_B = (
    "Graph neural networks over-smooth as they grow deeper. We introduce a residual "
    "normalisation that keeps node features distinct after many layers. Experiments on "
    "citation graphs show consistent gains over prior normalisation methods."
)
ABSTRACT_C = (
    "Reward models are brittle under distribution shift. We train an ensemble of reward "
    "models with diverse data and penalise their disagreement during policy optimisation, "
    "which reduces reward hacking across four tasks."
)
BOILERPLATE = [
    "new",
    "Get trending papers in your email inbox once a day!",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
    "Oct 8",
]
READABLE = ".txt, .jsonl, .csv, .bib, .ris, .json, .atom or .xml"
SEED_COUNTS = {
    "000_7a3839734a59cdb6.txt": 9,
    "001_dfed78a48e075cb1.txt": 119,
    "002_b05ba6ffc89c73b9.txt": 53,
    "003_29c641b9941a17c6.txt": 119,
}


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return str(path)


def titles(text: str) -> list[str]:
    return [title for title, _ in parse_dump(text)]


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    result = read_papers([str(SEEDS)])
    assert result.problems == []
    return result.papers


# --- dump layouts ---------------------------------------------------------------------


def test_blank_line_layout_with_boilerplate() -> None:
    text = "\n\n".join([*BOILERPLATE, "Chunked Attention", ABSTRACT_A, "Deep GNNs", ABSTRACT_B])
    assert parse_dump(text + "\n") == [("Chunked Attention", ABSTRACT_A), ("Deep GNNs", ABSTRACT_B)]


def test_consecutive_layout_with_glued_subscribe() -> None:
    text = "\n".join(
        [
            "Get trending papers in your email inbox once a day!",
            "Get trending papers in your email inbox!",
            "SubscribeOS-R1: Kernel Tuning with RL",
            ABSTRACT_A,
            "Deep GNNs",
            ABSTRACT_B,
        ]
    )
    assert parse_dump(text) == [
        ("OS-R1: Kernel Tuning with RL", ABSTRACT_A),
        ("Deep GNNs", ABSTRACT_B),
    ]


def test_subscribe_is_cut_only_when_glued_to_a_title() -> None:
    assert titles(f"Subscriber Churn Prediction\n{ABSTRACT_A}") == ["Subscriber Churn Prediction"]
    assert titles(f"Subscribe\n3D Gaussians\n{ABSTRACT_A}") == ["3D Gaussians"]
    assert titles(f"Subscribe3D Gaussians\n{ABSTRACT_A}") == ["3D Gaussians"]
    assert titles(f"SubscribeSubscribe\nReal Title\n{ABSTRACT_A}") == ["Real Title"]


def test_orphan_heading_before_a_title_is_not_a_title() -> None:
    text = f"Instructional Material\nChunked Attention\n{ABSTRACT_A}\nDeep GNNs\n{ABSTRACT_B}"
    assert titles(text) == ["Chunked Attention", "Deep GNNs"]


def test_question_title_after_an_orphan_heading_is_a_title() -> None:
    text = f"Instructional Material\nAre Emergent Abilities a Mirage?\n{ABSTRACT_A}"
    assert parse_dump(text) == [("Are Emergent Abilities a Mirage?", ABSTRACT_A)]


def test_windows_line_endings_tabs_and_stray_spaces() -> None:
    tabbed = ABSTRACT_A.replace(" ", "\t")
    text = f"  Chunked\tAttention \r\n\r\n{tabbed}\r\n\r\nDeep GNNs\r\n{ABSTRACT_B}  \r\n"
    assert parse_dump(text) == [("Chunked Attention", ABSTRACT_A), ("Deep GNNs", ABSTRACT_B)]


def test_old_mac_line_endings() -> None:
    assert titles(f"Chunked Attention\r{ABSTRACT_A}\rDeep GNNs\r{ABSTRACT_B}") == [
        "Chunked Attention",
        "Deep GNNs",
    ]


@pytest.mark.parametrize("separator", ["\n", "\n\n"])
def test_short_abstract_is_read_in_both_layouts(separator: str) -> None:
    short = "We prove a tight bound for sparse recovery."
    text = separator.join(["Sparse Bounds", short, "Chunked Attention", ABSTRACT_A])
    assert parse_dump(text) == [("Sparse Bounds", short), ("Chunked Attention", ABSTRACT_A)]


def test_short_abstract_as_last_record() -> None:
    short = "We prove a tight bound for sparse recovery."
    assert parse_dump(f"Chunked Attention\n{ABSTRACT_A}\nSparse Bounds\n{short}\n")[-1] == (
        "Sparse Bounds",
        short,
    )


def test_title_ending_with_a_period() -> None:
    text = f"Attention Is Not All You Need.\n{ABSTRACT_A}\nDeep GNNs\n{ABSTRACT_B}"
    assert titles(text) == ["Attention Is Not All You Need.", "Deep GNNs"]


def test_second_paragraph_continues_the_abstract() -> None:
    text = f"Chunked Attention\n\n{ABSTRACT_A}\n\n{ABSTRACT_B}\n\nDeep GNNs\n\n{ABSTRACT_C}"
    assert parse_dump(text) == [
        ("Chunked Attention", f"{ABSTRACT_A} {ABSTRACT_B}"),
        ("Deep GNNs", ABSTRACT_C),
    ]


def test_abstract_without_a_title_is_skipped() -> None:
    assert parse_dump(f"{ABSTRACT_A}\nDeep GNNs\n{ABSTRACT_B}") == [("Deep GNNs", ABSTRACT_B)]


@pytest.mark.parametrize(
    "line",
    [
        *BOILERPLATE,
        "May 12",
        "Sept. 3, 2024",
        "12 October 2025",
        "2025-10-08",
        "By AK",
        "42",
        "---",
    ],
)
def test_boilerplate_and_letterless_lines_are_never_titles(line: str) -> None:
    assert titles(f"{line}\n{ABSTRACT_A}\nDeep GNNs\n{ABSTRACT_B}") == ["Deep GNNs"]


@pytest.mark.parametrize("title", ["Octopus 2", "Mamba 2", "Decoding 3", "New Frontiers in RL"])
def test_titles_that_start_like_boilerplate_are_kept(title: str) -> None:
    assert titles(f"{title}\n{ABSTRACT_A}") == [title]


def test_very_long_line_is_read() -> None:
    long_abstract = "We study scaling. " * 20_000
    assert parse_dump(f"Scaling Study\n{long_abstract}") == [
        ("Scaling Study", long_abstract.strip())
    ]


# --- the seeds ------------------------------------------------------------------------


def test_seeds_have_300_records_296_unique(seed_papers: list[Paper]) -> None:
    assert len(seed_papers) == 300
    assert len(unique_papers(seed_papers)) == 296
    assert Counter(paper.source.file for paper in seed_papers) == SEED_COUNTS


def test_seed_sources_count_from_zero_in_each_file(seed_papers: list[Paper]) -> None:
    for name, count in SEED_COUNTS.items():
        indexes = [paper.source.index for paper in seed_papers if paper.source.file == name]
        assert indexes == list(range(count))


def test_seed_titles_are_real_titles(seed_papers: list[Paper]) -> None:
    lines = {
        " ".join(line.split()).removeprefix("Subscribe")
        for path in SEEDS.iterdir()
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    boilerplate = {line.casefold() for line in BOILERPLATE}
    for paper in seed_papers:
        assert paper.title in lines
        assert paper.title.casefold() not in boilerplate
        assert not paper.title.startswith("Subscribe")
        assert paper.title != "Instructional Material"
        assert 10 <= len(paper.title) <= 200
        assert len(paper.abstract) >= 300
        assert paper.abstract in lines


def test_seed_glued_subscribe_is_cut(seed_papers: list[Paper]) -> None:
    first = {paper.source.file: paper.title for paper in seed_papers if paper.source.index == 0}
    assert first["001_dfed78a48e075cb1.txt"].startswith("OS-R1: Agentic Operating System")
    assert first["003_29c641b9941a17c6.txt"].startswith("Untie the Knots:")
    assert first["000_7a3839734a59cdb6.txt"].startswith("Parameter Dynamics of Online")
    assert first["002_b05ba6ffc89c73b9.txt"].startswith("EDTalk:")


def test_seed_appendix_fragment_is_flagged(seed_papers: list[Paper]) -> None:
    flagged = [paper for paper in seed_papers if NOT_ABSTRACT in paper.warnings]
    assert [paper.title for paper in flagged] == ["Appendix412 Table of Contents"]


def test_seed_duplicates_point_at_the_first_copy(seed_papers: list[Paper]) -> None:
    first_by_title: dict[str, Paper] = {}
    duplicates = 0
    for paper in seed_papers:
        key = normalize_title(paper.title)
        if key in first_by_title:
            duplicates += 1
            assert paper.duplicate_of == first_by_title[key].paper_id
        else:
            first_by_title[key] = paper
            assert paper.duplicate_of is None
    assert duplicates == 4


def test_seed_jsonl_is_identical_run_to_run() -> None:
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        write_jsonl(read_papers([str(SEEDS)]).papers, out)
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == 300


# --- quality flags --------------------------------------------------------------------

LINE_NUMBERED = (
    "Starting from the output, the corpus filters papers that are too short, have453 "
    "incorrect metadata, are in other languages, and contain errors using a combination454 "
    "of heuristic filtering steps. We refer the reader to the code for more455 details."
)


@pytest.mark.parametrize(
    ("title", "abstract"),
    [
        ("Appendix412 Table of Contents", LINE_NUMBERED),
        ("A Corpus Study", LINE_NUMBERED),
        ("Appendix B: Proofs", ABSTRACT_A),
        ("Table of Contents", ABSTRACT_A),
        ("References", ABSTRACT_A),
    ],
)
def test_not_abstract_flags(title: str, abstract: str) -> None:
    assert NOT_ABSTRACT in quality_warnings(title, abstract)


@pytest.mark.parametrize(
    "abstract",
    [
        "We train on CIFAR-100 and test on AIME-2024, improving by 3.08 points. Done.",
        "F1 rises from 0.81 to 0.82 and 0.84 across seeds. Done.",
        "We test on V100 A100 H100 GPUs with ResNet50 ResNet101 and ResNet152.",
        "Results for 2021 2022 2023 show steady growth in the 12 13 14 benchmarks.",
        ABSTRACT_A,
    ],
)
def test_numbers_in_normal_abstracts_are_not_line_numbers(abstract: str) -> None:
    assert NOT_ABSTRACT not in quality_warnings("A Normal Title", abstract)


@pytest.mark.parametrize("title", ["Referenced Memory Networks", "Contents-Aware Retrieval"])
def test_titles_near_headings_are_not_flagged(title: str) -> None:
    assert quality_warnings(title, ABSTRACT_A) == ()


@pytest.mark.parametrize(
    "abstract",
    [
        "and we show that the method converges.",
        "However, L2O lacks rigorous theoretical backing. We fix that.",
        "Moreover, the bound is tight.",
        "In contrast, our method scales.",
        ", which improves accuracy by 3 points.",
        "models trained this way generalise better.",
        "state-of-the-art methods fail on long inputs.",
    ],
)
def test_starts_mid_sentence_flags(abstract: str) -> None:
    assert STARTS_MID_SENTENCE in quality_warnings("T", abstract)


@pytest.mark.parametrize(
    "abstract",
    [
        ABSTRACT_A,
        "mRNA design is hard. We make it easy.",
        "k-means clustering is a classic method.",
        "iPhone photos are noisy. We denoise them.",
        "t-SNE plots mislead. We show why.",
        "word2vec embeddings encode analogies.",
        "In contrast to prior work, we train end to end.",
        '"Chain of thought" prompting helps. We study why.',
        "(Large) language models hallucinate. We measure it.",
        "3D reconstruction from one image is ill-posed. We regularise it.",
    ],
)
def test_clean_starts_are_not_flagged(abstract: str) -> None:
    assert STARTS_MID_SENTENCE not in quality_warnings("T", abstract)


@pytest.mark.parametrize(
    "abstract",
    [
        "We study the risks posed by non-i.i.d.",
        "We evaluate on several tasks, e.g.",
        "We compare to the baselines, i.e.",
        "The method improves accuracy by",
        "Results are shown in Fig.",
        "We propose a method that...",
        "We propose a method that\u2026",
        "Our main results are:",
        "We train a model on",
    ],
)
def test_truncated_flags(abstract: str) -> None:
    assert TRUNCATED in quality_warnings("T", abstract)


@pytest.mark.parametrize(
    "abstract",
    [
        ABSTRACT_A,
        "Code is available at https://github.com/LHY-24/OS-R1",
        "Code is available at: https://github.com/xo28/efficient- NLP-multistage-training",
        "Code: github.com/org/repo",
        "Our code is at https://github.com/org/repo.",
        "We use images, text, audio, etc.",
        "We follow the protocol of Smith et al.",
        "We assume the samples are i.i.d.",
        'The model answers "yes."',
        "Does scale help? We find that it does!",
        "The gap closes (see Section 4).",
    ],
)
def test_whole_abstracts_are_not_truncated(abstract: str) -> None:
    assert TRUNCATED not in quality_warnings("T", abstract)


def test_flags_combine_and_empty_text_has_none() -> None:
    assert quality_warnings("Appendix", "and the rest of the") == (
        NOT_ABSTRACT,
        STARTS_MID_SENTENCE,
        TRUNCATED,
    )
    assert quality_warnings("", "") == ()


def test_flagged_paper_is_still_read(tmp_path: Path) -> None:
    path = write(tmp_path, "d.txt", f"Appendix412 Table of Contents\n{LINE_NUMBERED}\n")
    [paper] = read_papers([path]).papers
    assert paper.warnings == (NOT_ABSTRACT,)
    assert paper.abstract == LINE_NUMBERED


# --- identity and duplicates ----------------------------------------------------------

SAFE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def test_paper_id_is_stable() -> None:
    # Pinned: ids name cached cards and output files, so they must never change.
    title = "OS-R1: Agentic Operating System Kernel Tuning with Reinforcement Learning"
    assert paper_id_for(title) == "os-r1-agentic-operating-7438b774"
    assert paper_id_for("Kwai Keye-VL Technical Report") == paper_id_for(
        "  kwai keye VL,  technical report! "
    )


@pytest.mark.parametrize(
    "title",
    [
        "OS-R1: Agentic Operating System Kernel Tuning with Reinforcement Learning",
        "Über die Vollständigkeit der Logik",
        "大型语言模型的推理能力",
        "Ансамбли моделей для ранжирования",
        "???",
        "$\\times$",
        "a" * 500,
        "A Survey of LLM $\\times$ DATA",
        "../../etc/passwd",
        "CON",
    ],
)
def test_paper_id_is_short_and_file_name_safe(title: str) -> None:
    paper_id = paper_id_for(title)
    assert SAFE_ID.fullmatch(paper_id)
    assert 8 <= len(paper_id) <= 33
    assert paper_id == paper_id_for(title)


def test_accents_and_case_do_not_change_the_id() -> None:
    assert paper_id_for("Über die Logik") == paper_id_for("uber die LOGIK")


def test_punctuation_only_titles_get_distinct_ids() -> None:
    assert paper_id_for("???") != paper_id_for("!!!")
    assert paper_id_for("大型语言模型") != paper_id_for("小型语言模型")


def test_duplicates_across_files_and_within_a_file(tmp_path: Path) -> None:
    first = write(tmp_path, "a.txt", f"Chunked Attention\n{ABSTRACT_A}\nDeep GNNs\n{ABSTRACT_B}")
    second = write(
        tmp_path,
        "b.txt",
        f"Deep GNNs\n{ABSTRACT_C}\nCHUNKED attention!\n{ABSTRACT_A}\nDeep  GNNs.\n{ABSTRACT_B}",
    )
    papers = read_papers([first, second]).papers
    ids = [paper.paper_id for paper in papers]
    assert [paper.duplicate_of for paper in papers] == [None, None, ids[1], ids[0], ids[1]]
    assert [(paper.source.file, paper.source.index) for paper in papers] == [
        ("a.txt", 0),
        ("a.txt", 1),
        ("b.txt", 0),
        ("b.txt", 1),
        ("b.txt", 2),
    ]
    assert unique_papers(papers) == papers[:2]


def test_same_file_name_in_two_folders_counts_each_from_zero(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = write(tmp_path / "x", "p.txt", f"Chunked Attention\n{ABSTRACT_A}")
    second = write(tmp_path / "y", "p.txt", f"Deep GNNs\n{ABSTRACT_B}")
    papers = read_papers([first, second]).papers
    assert [paper.source.index for paper in papers] == [0, 0]


# --- JSONL and CSV --------------------------------------------------------------------


def test_jsonl_keeps_other_fields_as_metadata(tmp_path: Path) -> None:
    rows = [
        {"Title": "Chunked Attention", "abstract": ABSTRACT_A, "DOI": "10.1/x", "year": 2024},
        {"title": "Deep GNNs", "abstract": ABSTRACT_B, "tags": ["gnn"], "note": None},
    ]
    path = write(tmp_path, "list.jsonl", "\n".join(json.dumps(row) for row in rows) + "\n\n")
    papers = read_papers([path]).papers
    assert [(paper.title, paper.abstract) for paper in papers] == [
        ("Chunked Attention", ABSTRACT_A),
        ("Deep GNNs", ABSTRACT_B),
    ]
    assert [dict(paper.metadata) for paper in papers] == [
        {"DOI": "10.1/x", "year": 2024},
        {"tags": ["gnn"]},
    ]
    assert papers[0].to_dict()["metadata"] == {"DOI": "10.1/x", "year": 2024}
    [record] = read_text('{"title": "T", "abstract": "A."}', "x", ".jsonl").records
    assert record.metadata == {}


def rows_of(text: str, suffix: str) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (record.title, record.abstract, dict(record.metadata))
        for record in read_text(text, f"x{suffix}", suffix).records
    ]


def test_jsonl_with_crlf_and_line_separator_inside_a_string() -> None:
    text = json.dumps({"title": "T\u2028wo", "abstract": "A\u2029b."}, ensure_ascii=False)
    assert rows_of(text + "\r\n" + text + "\r\n", ".jsonl") == [
        ("T wo", "A b.", {}),
        ("T wo", "A b.", {}),
    ]


def test_jsonl_nan_metadata_becomes_null() -> None:
    assert rows_of('{"title": "T", "abstract": "A.", "score": NaN}', ".jsonl") == [("T", "A.", {})]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"abstract": "A."}', "x.jsonl:2: no 'title' field with text"),
        ('{"title": "  ", "abstract": "A."}', "x.jsonl:2: no 'title' field with text"),
        ('{"title": 42, "abstract": "A."}', "x.jsonl:2: 'title' is a number, not text"),
        ('{"title": ["T"], "abstract": "A."}', "x.jsonl:2: 'title' is a list, not text"),
        ('{"title": "T", "abstract": {"a": 1}}', "x.jsonl:2: 'abstract' is an object, not text"),
        ('{"title": "T", "abstract": true}', "x.jsonl:2: 'abstract' is a boolean, not text"),
        ('["T", "A."]', "x.jsonl:2: each line must be a JSON object"),
        ('{"title": "T", ', "x.jsonl:2: not valid JSON (Expecting property name enclosed in"),
        ("[" * 100_000, "x.jsonl:2: not valid JSON (nested too deeply)"),
        ('{"n": 1' + "0" * 5000 + "}", "x.jsonl:2: not valid JSON (Exceeds the limit"),
    ],
)
def test_bad_jsonl_line_is_skipped_naming_the_line(line: str, message: str) -> None:
    good = json.dumps({"title": "Good", "abstract": "Fine."})
    reading = read_text(f"{good}\n{line}\n{good}\n", "x.jsonl", ".jsonl")
    assert [record.title for record in reading.records] == ["Good", "Good"]
    [skipped] = reading.skipped
    assert (skipped.kind, f"{skipped.where}: {skipped.reason}".startswith(message)) == (
        BAD_RECORD,
        True,
    )
    assert str(skipped.as_error()).startswith(message)


def test_jsonl_line_without_abstract_is_skipped_as_such() -> None:
    reading = read_text('{"title": "T"}\n{"title": "U", "abstract": " "}\n', "x.jsonl", ".jsonl")
    assert [(s.where, s.kind, s.title, s.reason) for s in reading.skipped] == [
        ("x.jsonl:1", NO_ABSTRACT, "T", "no abstract"),
        ("x.jsonl:2", NO_ABSTRACT, "U", "no abstract"),
    ]
    assert str(reading.skipped[0]) == "x.jsonl:1: skipped ('T'): no abstract"


def test_one_bad_jsonl_line_no_longer_drops_the_file(tmp_path: Path) -> None:
    good = json.dumps({"title": "Chunked Attention", "abstract": ABSTRACT_A})
    other = good.replace("Chunked", "Sparse")
    path = write(tmp_path, "list.jsonl", f"{good}\n{{not json\n{other}\n")
    result = read_papers([path])
    assert [paper.title for paper in result.papers] == ["Chunked Attention", "Sparse Attention"]
    assert [paper.source.index for paper in result.papers] == [0, 1]
    reason = "not valid JSON (Expecting property name enclosed in double quotes)"
    assert [str(skip) for skip in result.skipped] == [f"{path}:2: skipped: {reason}"]
    assert result.problems == []
    with pytest.raises(InputError) as caught:
        read_papers([path], strict=True)
    assert str(caught.value) == f"{path}:2: {reason}"


def test_csv_with_metadata_quoted_newlines_bom_and_extra_columns(tmp_path: Path) -> None:
    content = (
        "\ufeffid,Title,ABSTRACT,venue,empty\r\n"
        '1,"Chunked, Attention","Line one.\r\nLine ""two"".",ICML,\r\n'
        "\r\n"
        f"2,Deep GNNs,{ABSTRACT_B.replace(',', ';')},,\r\n"
    )
    papers = read_papers([write(tmp_path, "list.csv", content)]).papers
    assert [(paper.title, paper.abstract) for paper in papers] == [
        ("Chunked, Attention", 'Line one. Line "two".'),
        ("Deep GNNs", ABSTRACT_B.replace(",", ";")),
    ]
    assert [dict(paper.metadata) for paper in papers] == [{"id": "1", "venue": "ICML"}, {"id": "2"}]


def test_csv_field_longer_than_the_csv_module_default() -> None:
    long_abstract = "x" * 200_000
    assert rows_of(f'title,abstract\nT,"{long_abstract}"\n', ".csv") == [("T", long_abstract, {})]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,summary\nT,A.\n", "x.csv: a CSV needs 'title' and 'abstract' columns"),
        ("title;abstract\nT;A.\n", "x.csv: a CSV needs 'title' and 'abstract' columns"),
        ("title,abstract\n", "x.csv: no records in the file"),
        ('title,abstract\n"T,A.\n', "x.csv:2: not valid CSV (unexpected end of data)"),
        ('title,abstract\n"T"x,A.\n', "x.csv:2: not valid CSV (',' expected after '\"')"),
    ],
)
def test_bad_csv_is_reported(content: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_text(content, "x.csv", ".csv")
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("content", "skipped"),
    [
        ("title,abstract\nT,A.\nU\n", ("x.csv:3", NO_ABSTRACT, "no abstract")),
        ("title,abstract\nT,A.\n,A.\n", ("x.csv:3", BAD_RECORD, "no 'title' field with text")),
        (
            "title,abstract\nT,A.\nT,We did X, and Y.\n",
            ("x.csv:3", BAD_RECORD, "more cells than header columns"),
        ),
    ],
)
def test_bad_csv_row_is_skipped(content: str, skipped: tuple[str, str, str]) -> None:
    reading = read_text(content, "x.csv", ".csv")
    assert [(record.title, record.abstract) for record in reading.records] == [("T", "A.")]
    assert [(skip.where, skip.kind, skip.reason) for skip in reading.skipped] == [skipped]


def test_zotero_csv_export_columns() -> None:
    content = (
        '"Key","Item Type","Publication Year","Author","Title","DOI","Url","Abstract Note"\n'
        '"ABCD1234","journalArticle","2024","Müller, Jörg; García, Ana","Chunked Attention",'
        '"10.18653/v1/2024.acl-long.1","https://aclanthology.org/2024.acl-long.1",'
        f'"{ABSTRACT_A}"\n'
    )
    [record] = read_text(content, "x.csv", ".csv").records
    assert (record.title, record.abstract) == ("Chunked Attention", ABSTRACT_A)
    assert (record.url, record.doi, record.authors, record.year) == (
        "https://aclanthology.org/2024.acl-long.1",
        "10.18653/v1/2024.acl-long.1",
        ("Jörg Müller", "Ana García"),
        2024,
    )


def test_csv_without_columns_names_what_it_found() -> None:
    with pytest.raises(InputError) as caught:
        read_text("title;abstract\nT;A.\n", "x.csv", ".csv")
    assert caught.value.hint == "found 'title;abstract'; the separator must be a comma"


# --- stdin ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        f"Chunked Attention\n{ABSTRACT_A}\n",
        json.dumps({"title": "Chunked Attention", "abstract": ABSTRACT_A}) + "\n",
        f'Title,Abstract\n"Chunked Attention","{ABSTRACT_A}"\n',
    ],
    ids=["dump", "jsonl", "csv"],
)
def test_stdin_format_is_detected(content: str) -> None:
    result = read_papers(["-"], stdin=io.BytesIO(content.encode()))
    assert [(p.title, p.abstract, p.source.file) for p in result.papers] == [
        ("Chunked Attention", ABSTRACT_A, "<stdin>")
    ]


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (b" \n\t\r\n", "the file is empty"),
        (b"\xef\xbb\xbf\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "a PDF, not text"),
        ("Title\nAbstract.".encode("utf-16"), "UTF-16 text, not UTF-8"),
        ("Title\nR\u00e9sum\u00e9.".encode("latin-1"), "not UTF-8 text (bad byte 0xe9 on line 2)"),
    ],
)
def test_undecodable_files(data: bytes, problem: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_text(data, "f.txt")
    assert caught.value.path == "f.txt"
    assert caught.value.problem == problem
    assert caught.value.hint


def test_decode_strips_the_bom() -> None:
    assert decode_text(b"\xef\xbb\xbfTitle", "f.txt") == "Title"


def bad_inputs(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Each bad input, by name: (path, the message its one stderr line carries)."""
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    other_files = tmp_path / "other"
    other_files.mkdir()
    write(other_files, "notes.md", "# notes")
    write(other_files, ".hidden.txt", f"Chunked Attention\n{ABSTRACT_A}")
    cases = {
        "missing": (str(tmp_path / "missing.txt"), "no such file or folder"),
        "empty folder": (str(empty_folder), f"no {READABLE} files in this folder"),
        "only other files": (str(other_files), f"no {READABLE} files in this folder"),
        "unknown extension": (write(tmp_path, "notes.md", "# notes"), "an unknown file type (.md)"),
        "no extension": (write(tmp_path, "dump", "Title\nText."), "no file extension"),
        "empty file": (write(tmp_path, "empty.txt", ""), "the file is empty"),
        "whitespace": (write(tmp_path, "blank.txt", "\n \n\t\n"), "the file is empty"),
        "binary": (write(tmp_path, "bin.txt", b"\x00\x01\x02abc"), "binary file, not text"),
        "latin-1": (write(tmp_path, "l1.txt", "Caf\u00e9".encode("latin-1")), "not UTF-8 text"),
        "boilerplate": (
            write(tmp_path, "bp.txt", "\n".join(BOILERPLATE)),
            "no papers found (only page boilerplate or no title/abstract pairs)",
        ),
        "bad jsonl": (write(tmp_path, "bad.jsonl", "{not json}\n"), "not valid JSON"),
        "only bad jsonl lines": (
            write(tmp_path, "bad2.jsonl", '{not json}\n["a list"]\n'),
            ":1: not valid JSON (Expecting property name enclosed in double quotes)"
            " (and 1 more entries skipped)",
        ),
        "no abstracts": (
            write(tmp_path, "noabs.jsonl", '{"title": "T"}\n{"title": "U"}\n'),
            "none of its 2 entries has an abstract",
        ),
        "bad bib": (write(tmp_path, "bad.bib", "% only a comment\n"), "no BibTeX entries"),
        "bad ris": (write(tmp_path, "bad.ris", "not RIS\n"), "no RIS records in the file"),
        "bad json": (write(tmp_path, "bad.json", '{"title": "T"}'), "a JSON array of items"),
        "bad atom": (write(tmp_path, "bad.atom", "not xml"), "not an Atom feed"),
        "csv columns": (
            write(tmp_path, "bad.csv", "name,text\nT,A.\n"),
            "a CSV needs 'title' and 'abstract' columns",
        ),
    }
    return cases


def test_each_bad_input_is_one_problem_naming_the_file(tmp_path: Path) -> None:
    for name, (path, problem) in bad_inputs(tmp_path).items():
        result = read_papers([path])
        assert result.papers == [], name
        assert len(result.problems) == 1, name
        assert problem in str(result.problems[0]), name
        assert str(result.problems[0]).startswith(path), name
        with pytest.raises(InputError):
            read_papers([path], strict=True)


def test_bad_inputs_do_not_stop_the_others(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", f"Chunked Attention\n{ABSTRACT_A}")
    missing = str(tmp_path / "missing.txt")
    empty = write(tmp_path, "empty.txt", "")
    result = read_papers([missing, good, empty])
    assert [paper.title for paper in result.papers] == ["Chunked Attention"]
    assert [problem.path for problem in result.problems] == [missing, empty]


def test_strict_raises_the_first_bad_input_in_argument_order(tmp_path: Path) -> None:
    good = write(tmp_path, "good.txt", f"Chunked Attention\n{ABSTRACT_A}")
    empty = write(tmp_path, "empty.txt", "")
    missing = str(tmp_path / "missing.txt")
    with pytest.raises(InputError) as caught:
        read_papers([good, empty, missing], strict=True)
    assert caught.value.path == empty


def test_folder_reads_sorted_readable_files_and_skips_others(tmp_path: Path) -> None:
    write(tmp_path, "b.txt", f"Deep GNNs\n{ABSTRACT_B}")
    write(tmp_path, "a.jsonl", json.dumps({"title": "Chunked Attention", "abstract": ABSTRACT_A}))
    write(tmp_path, "c.CSV", f"title,abstract\nReward Ensembles,{ABSTRACT_C.replace(',', '')}\n")
    write(tmp_path, "notes.md", "# not read")
    write(tmp_path, "._b.txt", b"\x00\x05binary resource fork")
    (tmp_path / "sub.txt").mkdir()
    result = read_papers([str(tmp_path)])
    assert result.problems == []
    assert [paper.source.file for paper in result.papers] == ["a.jsonl", "b.txt", "c.CSV"]


def test_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "p.txt", f"Chunked Attention\n{ABSTRACT_A}")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    [problem] = read_papers([path]).problems
    assert str(problem) == f"{path}: cannot read (Permission denied)"
