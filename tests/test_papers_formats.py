"""Reading lists and feeds: BibTeX, RIS, CSL-JSON, arXiv Atom; identifiers, dedupe, skips.

The fixtures in tests/fixtures/reading-lists/ are written by hand in the formats Zotero
(Better BibTeX, CSL JSON), Mendeley (RIS) and the arXiv API (Atom) produce; the papers
in them are made up. See tests/fixtures/README.md.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cli_runner import run_cli
from conftest import REPO
from test_papers import ABSTRACT_A, ABSTRACT_B, write

from summarizer.errors import InputError
from summarizer.papers import (
    BAD_RECORD,
    NO_ABSTRACT,
    Paper,
    read_papers,
    read_text,
)
from summarizer.papers import identifiers as ids
from summarizer.source import Source

LISTS = REPO / "tests" / "fixtures" / "reading-lists"
BIB = LISTS / "Zotero export.bib"
RIS = LISTS / "Mendeley export.ris"
CSL = LISTS / "Zotero CSL.json"
ATOM = LISTS / "arxiv query.atom"
CSV = LISTS / "reading list.csv"


def papers_of(path: Path) -> list[Paper]:
    result = read_papers([str(path)])
    assert result.problems == []
    return result.papers


# --- BibTeX ---------------------------------------------------------------------------


def test_bibtex_export_with_strings_accents_escapes_and_comments() -> None:
    chunked, residual, grobner, sparse = papers_of(BIB)
    assert chunked.title == "Chunked Attention for Long Inputs"
    assert "improves accuracy by 4.2% over" in chunked.abstract
    assert chunked.source == Source(
        file="Zotero export.bib",
        index=0,
        url="https://aclanthology.org/2024.acl-long.1",
        doi="10.18653/v1/2024.acl-long.1",
        arxiv_id="2401.01234",
        authors=("Jörg Müller", "Ana García", "John Smith"),
        year=2024,
        collection="Zotero export",
    )
    # @string acl resolved into the venue.
    assert chunked.metadata == {
        "citation_key": "muller2024chunked",
        "entry_type": "inproceedings",
        "venue": "Proceedings of the 62nd Annual Meeting of the Association for "
        "Computational Linguistics",
    }
    # Google Scholar's "arXiv preprint arXiv:ID" journal gives the arXiv id and the link.
    assert (residual.source.arxiv_id, residual.source.url) == (
        "2403.05678",
        "https://arxiv.org/abs/2403.05678",
    )
    assert residual.source.authors == ("Jane Doe", "Pieter van der Berg")
    assert residual.abstract.startswith("Graph neural networks over-smooth as they grow deeper,")
    assert "\n" not in residual.abstract
    assert grobner.title == "Gröbner Bases for Neural Network Verification"
    assert grobner.source.authors == ("Lena Schröder", "Mads Østergaard")
    assert "in $\\mathcal{O}(2^n)$ time" in grobner.abstract  # math kept as written
    assert grobner.source.url == "https://doi.org/10.1007/s10817-022-09631-x"
    assert sparse.title == "Sparse Retrieval for Code Search"  # read after the broken entry


def test_bibtex_skips_the_entry_without_abstract_and_the_broken_block() -> None:
    skipped = read_papers([str(BIB)]).skipped
    assert [(skip.where, skip.kind, skip.title) for skip in skipped] == [
        (f"{BIB}:35", NO_ABSTRACT, "Tabular Foundation Models: A Survey"),
        (f"{BIB}:52", BAD_RECORD, None),
    ]
    assert skipped[1].reason.startswith("not valid BibTeX (Unexpected block start")
    assert skipped[1].hint == "the block starts '@article{broken2021,'"


def test_bibtex_corporate_author_and_duplicate_key() -> None:
    text = (
        "@article{a, title={One}, author={{Barnes and Noble, Inc.} and Smith, Jr., John},"
        " abstract={First.}}\n"
        "@article{a, title={Two}, abstract={Second.}}\n"
    )
    first, second = read_text(text, "x.bib", ".bib").records
    assert first.authors == ("Barnes and Noble, Inc.", "Smith, Jr., John")
    assert second.title == "Two"  # a repeated citation key does not lose the paper


def test_bibtex_without_entries_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no BibTeX entries in the file"):
        read_text("% just a comment\n@comment{x}\n", "x.bib", ".bib")


# --- RIS ------------------------------------------------------------------------------


def test_ris_export_with_ab_n2_do_ur_and_crlf() -> None:
    chunked, reward = papers_of(RIS)
    assert chunked.title == "Chunked attention for long inputs"
    assert chunked.abstract.endswith("while using 38% less memory.")
    assert (chunked.source.doi, chunked.source.url, chunked.source.year) == (
        "10.18653/v1/2024.acl-long.1",
        "https://aclanthology.org/2024.acl-long.1",
        2024,
    )
    assert chunked.metadata == {
        "type": "JOUR",
        "venue": "Proceedings of the 62nd Annual Meeting of the ACL",
    }
    # N2 holds the abstract, its continuation lines joined; the arXiv URL gives the id.
    assert reward.abstract.startswith("Reward models are brittle under distribution shift, and")
    assert reward.abstract.endswith("without lowering the final reward.")
    assert (reward.source.arxiv_id, reward.source.url) == (
        "2402.11111",
        "http://arxiv.org/abs/2402.11111v1",
    )
    assert reward.source.authors == ("Chidi Okafor", "Thi Nguyen")


def test_ris_unclosed_record_is_skipped_with_its_line() -> None:
    skipped = read_papers([str(RIS)]).skipped
    assert [(skip.where, skip.kind, skip.reason) for skip in skipped] == [
        (f"{RIS}:27", BAD_RECORD, "record not closed by 'ER  -' before the next 'TY'"),
        (f"{RIS}:31", NO_ABSTRACT, "no abstract"),
    ]


def test_ris_text_outside_records_is_skipped_and_no_record_is_an_error() -> None:
    text = f"junk line\nTY  - JOUR\nTI  - Chunked Attention\nAB  - {ABSTRACT_A}\nER  - \n"
    reading = read_text(text, "x.ris", ".ris")
    assert [record.title for record in reading.records] == ["Chunked Attention"]
    assert [(skip.where, skip.reason) for skip in reading.skipped] == [
        ("x.ris:1", "text outside a record")
    ]
    with pytest.raises(InputError, match="no RIS records in the file"):
        read_text("Title\nAbstract.\n", "x.ris", ".ris")


# --- CSL-JSON -------------------------------------------------------------------------


def test_zotero_csl_json_export() -> None:
    residual, calibrated = papers_of(CSL)
    assert residual.source == Source(
        file="Zotero CSL.json",
        index=0,
        url="http://arxiv.org/abs/2403.05678",
        doi="10.48550/arxiv.2403.05678",
        arxiv_id="2403.05678",
        authors=("Jane Doe", "Pieter van der Berg"),
        year=2024,
        collection="Zotero CSL",
    )
    assert calibrated.source.authors == ("The VLM Calibration Team",)
    assert calibrated.metadata["venue"] == "Proceedings of CVPR"


def test_csl_json_skips_items_by_the_line_they_start_on() -> None:
    skipped = read_papers([str(CSL)]).skipped
    assert [(skip.where, skip.kind) for skip in skipped] == [
        (f"{CSL}:29", NO_ABSTRACT),
        (f"{CSL}:36", BAD_RECORD),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"title": "T"}', "x.json: a .json file must hold a JSON array of items"),
        ('[{"title": "T", "abstract": "A."}\n{"title": "U"}]', "x.json:2: not valid JSON"),
        ('[{"title": "T",\n "abstract": "A."', "x.json:2: not valid JSON"),
        ("[]", "x.json: the list is empty"),
    ],
)
def test_broken_json_list_is_an_input_error(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_text(text, "x.json", ".json")
    assert str(caught.value).startswith(message)


def test_saved_hugging_face_daily_list_is_read_as_json() -> None:
    items = [
        {
            "title": "Chunked Attention",
            "publishedAt": "2025-06-02T09:00:00.000Z",
            "paper": {
                "id": "2401.01234",
                "title": "Chunked Attention",
                "summary": ABSTRACT_A,
                "authors": [{"_id": "1", "name": "Jörg Müller", "hidden": False}],
                "publishedAt": "2024-01-03T18:59:02.000Z",
                "upvotes": 42,
            },
        }
    ]
    [record] = read_text(json.dumps(items), "day.json", ".json").records
    assert (record.arxiv_id, record.url, record.authors, record.year) == (
        "2401.01234",
        "https://arxiv.org/abs/2401.01234",
        ("Jörg Müller",),
        2024,
    )
    assert record.metadata == {"upvotes": 42}


# --- Atom -----------------------------------------------------------------------------


def test_arxiv_atom_feed_with_versioned_ids_and_namespaced_fields() -> None:
    chunked, reward, speculative = papers_of(ATOM)
    assert chunked.source == Source(
        file="arxiv query.atom",
        index=0,
        url="https://arxiv.org/abs/2401.01234",
        doi="10.18653/v1/2024.acl-long.1",
        arxiv_id="2401.01234",
        authors=("Jörg Müller", "Ana García", "John Smith"),
        year=2024,
        collection="arxiv query",
    )
    assert chunked.metadata == {"primary_category": "cs.CL"}
    assert chunked.abstract.startswith("Large language models struggle with long inputs because")
    assert speculative.title == "Speculative Decoding with Draft Trees"
    assert reward.source.arxiv_id == "2402.11111"


def test_arxiv_error_feed_is_an_input_error() -> None:
    feed = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        "<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>"
        "<title>Error</title><summary>incorrect id format for 1234</summary>"
        "</entry></feed>"
    )
    with pytest.raises(InputError) as caught:
        read_text(feed, "q.atom", ".atom")
    assert str(caught.value) == (
        "q.atom: the arXiv API answered with an error: incorrect id format for 1234"
    )


def test_not_a_feed_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        read_text("Rate exceeded.", "q.xml", ".xml")
    assert str(caught.value) == (
        "q.xml:1: not an Atom feed (not valid XML: syntax error) "
        "(give an Atom feed as the arXiv API returns it)"
    )
    with pytest.raises(InputError, match=r"q\.xml: not an Atom feed \(its root is <rss>\)"):
        read_text("<rss><channel/></rss>", "q.xml", ".xml")


# --- identifiers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2401.01234", "2401.01234"),
        ("arXiv:2401.01234v3", "2401.01234"),
        ("http://arxiv.org/abs/2401.01234v2", "2401.01234"),
        ("https://arxiv.org/pdf/2401.01234v1.pdf", "2401.01234"),
        ("10.48550/arXiv.2401.01234", "2401.01234"),
        ("hep-th/9901001v2", "hep-th/9901001"),
        ("math.GT/0309136", "math/0309136"),
        ("http://arxiv.org/abs/cond-mat/0102536v1", "cond-mat/0102536"),
        ("10.18653/v1/2024.acl-long.1", None),
        ("https://aclanthology.org/2024.acl-long.1", None),
        ("2401.0123", None),  # four-digit numbers ended in 2014
        ("1412.3456", "1412.3456"),
        ("", None),
    ],
)
def test_arxiv_ids_are_found_and_lose_their_version(value: str, expected: str | None) -> None:
    assert ids.normalize_arxiv_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.18653/V1/2024.ACL-LONG.1", "10.18653/v1/2024.acl-long.1"),
        ("https://doi.org/10.1145/3597503.3623322", "10.1145/3597503.3623322"),
        ("http://dx.doi.org/10.1000/xyz.", "10.1000/xyz"),
        ("doi: 10.1000/abc", "10.1000/abc"),
        ("10.1/x", None),
        ("not a doi", None),
    ],
)
def test_dois_are_bare_and_lower_case(value: str, expected: str | None) -> None:
    assert ids.normalize_doi(value) == expected


def test_author_names_and_years() -> None:
    assert ids.display_name("Müller,  Jörg") == "Jörg Müller"
    assert ids.display_name("John Smith, Jr.") == "John Smith, Jr."
    assert [ids.year_from(value) for value in (2024, "2024/03/01/", "Mar 1999", True, "n.d.")] == [
        2024,
        2024,
        1999,
        None,
        None,
    ]


# --- dedupe ---------------------------------------------------------------------------


def test_duplicates_by_doi_and_arxiv_id_across_titles(tmp_path: Path) -> None:
    rows = [
        {"title": "Chunked Attention", "abstract": ABSTRACT_A, "doi": "10.1000/chunk"},
        {"title": "Long Inputs, Chunked", "abstract": ABSTRACT_A, "doi": "10.1000/CHUNK"},
        {"title": "Deep GNNs", "abstract": ABSTRACT_B, "arxiv_id": "2403.05678"},
        {
            "title": "GNN Preprint",
            "abstract": ABSTRACT_B,
            "url": "https://arxiv.org/abs/2403.05678v2",
        },
        # The preprint's own title again: a copy of the first paper through the second.
        {"title": "gnn preprint", "abstract": ABSTRACT_B},
        {"title": "Unrelated", "abstract": ABSTRACT_B, "doi": "10.1000/other"},
    ]
    path = write(tmp_path, "l.jsonl", "\n".join(json.dumps(row) for row in rows))
    papers = read_papers([path]).papers
    ids_ = [paper.paper_id for paper in papers]
    assert [paper.duplicate_of for paper in papers] == [None, ids_[0], None, ids_[2], ids_[2], None]


def test_the_mixed_folder_cards_each_paper_once() -> None:
    """A .bib, a .ris, a CSL-JSON file, an Atom feed and a CSV, in one folder."""
    result = read_papers([str(LISTS)])
    assert result.problems == []
    unique = [paper for paper in result.papers if paper.duplicate_of is None]
    assert sorted(paper.title for paper in unique) == [
        "Calibrated Uncertainty for Vision-Language Models",
        "Chunked attention for long inputs",
        "Curriculum Sampling for Small Language Models",
        "Gröbner Bases for Neural Network Verification",
        "Residual normalisation keeps deep GNNs distinct",
        "Reward Ensembles Against Reward Hacking",
        "Sparse Retrieval for Code Search",
        "Speculative Decoding with Draft Trees",
    ]
    assert all(paper.source.url for paper in result.papers)
    assert len(result.papers) == 13
    assert len(result.skipped) == 6


# --- stdin and folders ----------------------------------------------------------------


@pytest.mark.parametrize("path", [BIB, RIS, CSL, ATOM, CSV], ids=lambda path: path.suffix)
def test_stdin_sniffs_every_format(path: Path) -> None:
    from_file = [(paper.title, paper.source.doi) for paper in papers_of(path)]
    result = read_papers(["-"], stdin=io.BytesIO(path.read_bytes()))
    assert [(paper.title, paper.source.doi) for paper in result.papers] == from_file
    assert {paper.source.file for paper in result.papers} == {"<stdin>"}
    assert {paper.source.collection for paper in result.papers} == {None}


def test_unknown_extension_is_named_never_read_as_a_dump(tmp_path: Path) -> None:
    path = write(tmp_path, "papers.md", f"Chunked Attention\n{ABSTRACT_A}\n")
    result = run_cli("papers", path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"summarizer: {path}: an unknown file type (.md) (give .txt, .jsonl, .csv, .bib, "
        ".ris, .json, .atom or .xml files (see docs/inputs.md))\n"
    )


def test_cli_lists_skipped_entries_and_exits_1_for_bad_records() -> None:
    result = run_cli("papers", str(BIB), "--format", "jsonl")
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 4
    assert result.stderr == (
        f"summarizer: {BIB}:35: skipped ('Tabular Foundation Models: A Survey'): no abstract\n"
        f"summarizer: {BIB}:52: skipped: not valid BibTeX (Unexpected block start: "
        "`@inproceedings`. Was still looking for field-value closing `,` or `}`)\n"
    )


def test_cli_entries_without_abstract_alone_exit_0(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "l.bib",
        f"@article{{a, title={{Chunked Attention}}, abstract={{{ABSTRACT_A}}}}}\n"
        "@book{b, title={No Abstract}}\n",
    )
    result = run_cli("papers", path, "--format", "jsonl")
    assert (result.exit_code, len(result.stdout.splitlines())) == (0, 1)
    assert result.stderr == f"summarizer: {path}:2: skipped ('No Abstract'): no abstract\n"


def test_strict_stops_at_a_bad_bibtex_block() -> None:
    result = run_cli("papers", str(BIB), "--strict")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"summarizer: {BIB}:52: not valid BibTeX")


def test_atom_with_the_namespaces_on_the_root_and_https_ids() -> None:
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
        "<id>https://arxiv.org/api/x</id><title>arXiv Query</title>\n"
        "<entry><id>https://arxiv.org/abs/2401.01234v2</id>"
        "<title>Chunked\n  Attention</title><summary>We chunk attention.</summary>"
        "<published>2024-01-03T18:59:02Z</published><arxiv:doi>10.1000/ABC</arxiv:doi>"
        '<arxiv:primary_category term="cs.CL"/><author><name>Jörg Müller</name></author>'
        "</entry></feed>\n"
    )
    [record] = read_text(feed, "q.atom", ".atom").records
    assert (record.title, record.arxiv_id, record.doi, record.url) == (
        "Chunked Attention",
        "2401.01234",
        "10.1000/abc",
        "https://arxiv.org/abs/2401.01234",
    )


def test_batch_summarizes_the_mixed_folder_in_one_command(tmp_path: Path) -> None:
    """Done when: one command over a .bib, .ris, CSL-JSON, Atom feed and CSV; every card
    links to its paper; a paper listed in several files (same arXiv id) is carded once."""
    out = tmp_path / "out"
    result = run_cli("batch", str(LISTS), "-o", str(out), "--quiet")
    # Each fixture holds one bad record on purpose: named on stderr, exit 1, rest carded.
    assert result.exit_code == 1, result.stderr
    bad = result.stderr.splitlines()
    assert len(bad) == 3 and all(": skipped: " in line for line in bad)
    run = json.loads((out / "run.json").read_text())
    assert [line.removeprefix("summarizer: ") for line in bad] == run["bad_records"]
    kinds = {entry["kind"] for entry in run["skipped"]}
    assert kinds == {"bad_record", "no_abstract"}
    cards = [json.loads(line) for line in (out / "cards.jsonl").read_text().splitlines()]
    assert len(cards) == 8
    assert len({card["paper_id"] for card in cards}) == 8
    assert all(card["source"]["url"].startswith("http") for card in cards)
    by_title = {card["title"]: card["source"] for card in cards}
    assert by_title["Residual normalisation keeps deep GNNs distinct"]["arxiv_id"] == "2403.05678"
    assert by_title["Gröbner Bases for Neural Network Verification"]["collection"] == (
        "Zotero export"
    )


def test_reading_imports_the_format_libraries_only_when_needed() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from summarizer.papers import read_papers\n"
        "read_papers(['seeds/'])\n"
        "heavy = ('httpx2', 'bibtexparser', 'rispy', 'pylatexenc', 'diskcache')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
