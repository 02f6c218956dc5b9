"""Papers fetched by reference: `arxiv:ID`, `arxiv:FILE`, `hf-daily:DATE`.

No test touches the network. The cassettes in cassettes/papers_remote/ are written by
hand from the documented answer formats of the arXiv API (Atom) and of Hugging Face's
daily_papers API (JSON); they are not recordings of the live services. Other tests use
httpx2's in-process MockTransport, or a closed port on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cli_runner import run_cli

from summarizer.errors import FetchError
from summarizer.papers import BAD_RECORD, read_papers
from summarizer.papers.remote import arxiv, hf_daily, http
from summarizer.papers.remote.http import Fetcher
from summarizer.source import Source


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    """GETs differ only by their query: match on it; never replay one answer twice."""
    return {
        "match_on": ["method", "scheme", "host", "port", "path", "query"],
        "allow_playback_repeats": False,
    }


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The services' spacing and backoff are real in use; tests do not sleep through them."""
    monkeypatch.setattr(arxiv, "REQUEST_INTERVAL", 0.0)
    monkeypatch.setattr(hf_daily, "REQUEST_INTERVAL", 0.0)
    monkeypatch.setattr(http, "MIN_BACKOFF", 0.0)


# --- arXiv ----------------------------------------------------------------------------


@pytest.mark.vcr
def test_arxiv_references_are_fetched_together_and_cached() -> None:
    refs = ["arxiv:2405.00042", "arxiv:2401.01234v2"]
    first = read_papers(refs)
    # The cassette holds one answer and allows no repeat: a second request would fail.
    again = read_papers(refs)
    assert first == again
    assert (first.problems, first.skipped) == ([], [])
    speculative, chunked = first.papers
    assert speculative.title == "Speculative Decoding with Draft Trees"
    assert speculative.source == Source(
        file="arxiv:2405.00042",
        index=0,
        url="https://arxiv.org/abs/2405.00042",
        arxiv_id="2405.00042",
        authors=("Priya Raman",),
        year=2024,
        collection="arXiv",
    )
    assert chunked.source.file == "arxiv:2401.01234v2"
    assert chunked.source.doi == "10.18653/v1/2024.acl-long.1"
    assert chunked.abstract.startswith("Large language models struggle with long inputs because")


@pytest.mark.vcr
def test_a_file_of_ids_skips_bad_lines_and_ids_arxiv_lacks(tmp_path: Path) -> None:
    ids_file = tmp_path / "to-read.txt"
    ids_file.write_text(
        "# papers to read this week\n"
        "2402.11111\n"
        "arXiv:2401.01234  # the chunked one\n"
        "not-an-id\n"
        "https://arxiv.org/abs/2409.99999v1\n",
        encoding="utf-8",
    )
    result = read_papers([f"arxiv:{ids_file}"])
    assert [(paper.title, paper.source.file, paper.source.index) for paper in result.papers] == [
        ("Reward Ensembles Against Reward Hacking", "arxiv:to-read.txt", 0),
        ("Chunked Attention for Long Inputs", "arxiv:to-read.txt", 1),
    ]
    assert [(skip.where, skip.kind, skip.reason) for skip in result.skipped] == [
        (f"{ids_file}:4", BAD_RECORD, "not an arXiv id"),
        (f"{ids_file}:5", BAD_RECORD, "2409.99999 not found on arXiv"),
    ]


@pytest.mark.vcr
def test_rate_limited_request_is_retried_after_the_wait_asked() -> None:
    [paper] = read_papers(["arxiv:2402.11111"]).papers
    assert paper.source.arxiv_id == "2402.11111"


@pytest.mark.vcr
def test_arxiv_still_failing_after_the_retries_is_one_line() -> None:
    result = run_cli("papers", "arxiv:2402.11111")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "summarizer: arxiv:2402.11111: export.arxiv.org failed (HTTP 503) (wait a few minutes "
        "and run again: answers already fetched are cached)\n"
    )


@pytest.mark.vcr
def test_an_error_feed_is_reported_and_not_cached() -> None:
    # Two runs, two requests: the error answer was not kept as if it were papers.
    for _ in range(2):
        [problem] = read_papers(["arxiv:2402.11111"]).problems
        assert str(problem) == (
            "arxiv:2402.11111: the arXiv API answered with an error: "
            "service is temporarily unavailable"
        )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_offline_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    api = f"http://127.0.0.1:{closed_port()}/api/query"
    result = run_cli(
        "batch", "arxiv:2401.01234", "-o", str(tmp_path / "out"), env={"SUMMARIZER_ARXIV_API": api}
    )
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "summarizer: no LLM configured (--model, OPENAI_API_KEY or OPENAI_BASE_URL): "
        "using the offline engine\n"
        "summarizer: arxiv:2401.01234: cannot reach 127.0.0.1: [Errno 111] Connection refused "
        "(check your connection, or give files instead)\n"
    )


def test_files_are_still_read_when_the_network_is_down(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_ARXIV_API", f"http://127.0.0.1:{closed_port()}/q")
    listing = tmp_path / "l.jsonl"
    listing.write_text(json.dumps({"title": "Chunked Attention", "abstract": "We chunk."}) + "\n")
    result = read_papers(["arxiv:2401.01234", str(listing)])
    assert [paper.title for paper in result.papers] == ["Chunked Attention"]
    [problem] = result.problems
    assert problem.path == "arxiv:2401.01234"
    assert "cannot reach 127.0.0.1" in problem.problem


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("arxiv:nowhere.txt", "arxiv:nowhere.txt: neither an arXiv id nor a file of ids"),
        ("hf-daily:June 2", "hf-daily:June 2: not a date (write hf-daily:YYYY-MM-DD)"),
    ],
)
def test_bad_references_need_no_request(reference: str, message: str) -> None:
    [problem] = read_papers([reference]).problems
    assert str(problem).startswith(message)


# --- Hugging Face daily papers --------------------------------------------------------


@pytest.mark.vcr
def test_a_days_hugging_face_list() -> None:
    result = read_papers(["hf-daily:2025-06-02", "hf-daily:2025-06-02"])
    assert (result.problems, result.skipped) == ([], [])
    first_read = result.papers[:3]
    assert [paper.title for paper in first_read] == [
        "Draft Trees for Faster Speculative Decoding at Scale",
        "A Benchmark for Long-Horizon Web Agents",
        "Chunked Attention for Long Inputs",
    ]
    draft = first_read[0]
    assert draft.source == Source(
        file="hf-daily:2025-06-02",
        index=0,
        url="https://arxiv.org/abs/2506.01001",
        arxiv_id="2506.01001",
        authors=("Priya Raman", "Wei Zhang"),
        year=2025,
        collection="Hugging Face daily papers, 2025-06-02",
    )
    assert draft.metadata == {"upvotes": 57}
    assert draft.abstract.endswith("decoding is 2.4x faster with identical outputs.")
    # The same day twice: one request (cached), and the second copy marked duplicate.
    assert [paper.duplicate_of for paper in result.papers[3:]] == [
        paper.paper_id for paper in first_read
    ]


@pytest.mark.vcr
def test_a_day_with_no_papers() -> None:
    [problem] = read_papers(["hf-daily:2025-06-01"]).problems
    assert str(problem) == (
        "hf-daily:2025-06-01: Hugging Face lists no papers for 2025-06-01 "
        "(there are none on weekends and holidays; check the date)"
    )


def test_a_day_still_to_come_makes_no_request() -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    [problem] = read_papers([f"hf-daily:{tomorrow}"]).problems
    assert f"{tomorrow} has not come yet" in str(problem)


# --- the fetcher ----------------------------------------------------------------------


def mock_fetcher(
    tmp_path: Path, answer: Callable[[httpx2.Request], httpx2.Response], sleeps: list[float]
) -> tuple[Fetcher, list[str]]:
    asked: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        asked.append(str(request.url))
        return answer(request)

    fetcher = Fetcher(
        tmp_path / "fetch", transport=httpx2.MockTransport(handler), sleep=sleeps.append
    )
    return fetcher, asked


def test_requests_to_one_host_are_spaced_and_name_summarizer(tmp_path: Path) -> None:
    agents: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        agents.append(request.headers["user-agent"])
        return httpx2.Response(200, content=b"ok")

    sleeps: list[float] = []
    fetcher, asked = mock_fetcher(tmp_path, answer, sleeps)
    with fetcher:
        for page in range(3):
            fetcher.get(f"https://spacing.test/q?p={page}", interval=3.0)
    assert len(asked) == 3
    assert len(sleeps) == 2 and all(2.5 < wait <= 3.0 for wait in sleeps)
    assert all(agent.startswith("summarizer/") for agent in agents)


def test_answers_are_cached_by_url_across_fetchers(tmp_path: Path) -> None:
    sleeps: list[float] = []
    for _ in range(2):
        fetcher, asked = mock_fetcher(
            tmp_path, lambda request: httpx2.Response(200, content=b"body"), sleeps
        )
        with fetcher:
            assert fetcher.get("https://cache.test/a", interval=0) == b"body"
    assert asked == []  # the second fetcher answered from the cache


def test_dns_failure_names_the_host(tmp_path: Path) -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("[Errno -3] Temporary failure in name resolution")

    fetcher, _ = mock_fetcher(tmp_path, answer, [])
    with fetcher, pytest.raises(FetchError) as caught:
        fetcher.get("https://export.arxiv.org/api/query?id_list=2401.01234", interval=0)
    assert str(caught.value) == (
        "cannot reach export.arxiv.org: [Errno -3] Temporary failure in name resolution "
        "(check your connection, or give files instead)"
    )


def test_a_refused_request_is_not_retried(tmp_path: Path) -> None:
    fetcher, asked = mock_fetcher(tmp_path, lambda request: httpx2.Response(404), [])
    with fetcher, pytest.raises(FetchError, match=r"refused the request \(HTTP 404\)"):
        fetcher.get("https://gone.test/x", interval=0)
    assert len(asked) == 1


def test_ids_go_in_batches_with_max_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arxiv, "BATCH_SIZE", 2)
    empty_feed = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>q</title></feed>'
    fetcher, asked = mock_fetcher(tmp_path, lambda r: httpx2.Response(200, content=empty_feed), [])
    with fetcher:
        found = arxiv.fetch_arxiv(
            ["2403.05678", "2401.01234", "2402.11111"], fetcher, "https://api.test/q"
        )
    assert found == {}
    assert asked == [
        "https://api.test/q?id_list=2401.01234%2C2402.11111&max_results=2",
        "https://api.test/q?id_list=2403.05678&max_results=1",
    ]


def test_service_urls_are_read_when_a_read_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    assert arxiv.arxiv_api({}) == "https://export.arxiv.org/api/query"
    assert hf_daily.hf_daily_api({}) == "https://huggingface.co/api/daily_papers"
    monkeypatch.setenv("SUMMARIZER_ARXIV_API", "http://mirror.test/api/query")
    assert arxiv.arxiv_api() == "http://mirror.test/api/query"


def daily_item(number: int) -> dict[str, Any]:
    paper = {"id": f"2506.{number:05d}", "title": f"Paper {number}", "summary": "We do it."}
    return {"title": f"Paper {number}", "paper": paper}


@pytest.mark.parametrize(
    ("honours_paging", "titles"),
    [(True, [f"Paper {n}" for n in range(5)]), (False, ["Paper 0", "Paper 1"])],
)
def test_daily_pages_end_short_empty_or_repeated(
    tmp_path: Path, honours_paging: bool, titles: list[str]
) -> None:
    """A server that caps pages at 2 items (below the 100 asked): every page is read
    when it honours `p`; when it does not, the repeated page ends the list."""
    day = [daily_item(number) for number in range(5)]

    def answer(request: httpx2.Request) -> httpx2.Response:
        page = int(request.url.params["p"]) if honours_paging else 0
        return httpx2.Response(200, json=day[page * 2 : page * 2 + 2])

    fetcher, asked = mock_fetcher(tmp_path, answer, [])
    with fetcher:
        reading = hf_daily.fetch_hf_daily(
            datetime(2025, 6, 2).date(), fetcher, "https://hf.test/api/daily_papers", "d"
        )
    assert [record.title for record in reading.records] == titles
    assert len(asked) == (3 if honours_paging else 2)
