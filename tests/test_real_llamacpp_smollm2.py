"""Replays of a real OpenAI-compatible server that this repo did not write: llama.cpp
(llama-cpp-python 0.3.36, through `summarizer serve-local`) running SmolLM2-135M-Instruct.

They keep the real server's answers, headers and quirks in the offline tests. Re-record
with a running `summarizer serve-local` (docs/cassettes.md):

    SUMMARIZER_RECORD_BASE_URL=http://127.0.0.1:8080/v1 SUMMARIZER_RECORD_MODEL=smollm2 \\
      pytest tests/test_real_llamacpp_smollm2.py --record-mode=rewrite
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from llm_recording import REPLAY_BASE_URL, Endpoint

from summarizer import Summarizer
from summarizer.errors import ResponseError
from summarizer.grounding import check
from summarizer.papers import read_papers

MODEL = "smollm2"
# The Common Pile paper: SmolLM2 finishes its card (about 230 tokens) at temperature 0.
PAPER_ID = "the-common-pile-v0-1-17c32a28"


@pytest.fixture
def endpoint(record_mode: str) -> Iterator[Endpoint]:
    """The real server while recording; the placeholder when replaying."""
    if record_mode == "none":
        yield Endpoint(REPLAY_BASE_URL, MODEL)
        return
    url = os.environ.get("SUMMARIZER_RECORD_BASE_URL")
    if not url:
        pytest.fail("recording needs SUMMARIZER_RECORD_BASE_URL of a running serve-local")
    yield Endpoint(url, MODEL)


def paper():  # type: ignore[no-untyped-def]
    (found,) = [p for p in read_papers(["seeds"]).papers if p.paper_id == PAPER_ID]
    return found


def summarizer_for(endpoint: Endpoint, mode: str) -> Summarizer:
    return Summarizer(
        base_url=endpoint.base_url,
        model=endpoint.model,
        api_key=endpoint.api_key,
        mode=mode,
        max_reasks=0,
        max_tokens=1000,
        timeout=600,
    )


@pytest.mark.vcr
@pytest.mark.parametrize("mode", ["tools", "json_schema"])
def test_constrained_modes_give_a_schema_valid_grounded_card(endpoint: Endpoint, mode: str) -> None:
    source = paper()
    with summarizer_for(endpoint, mode) as summarizer:
        card = summarizer.summarize_paper(source)
    assert card.provenance.usage.requests == 1
    assert card.provenance.usage.completion_tokens > 0
    # Whatever the tiny model made up was dropped and said so; what is left is grounded.
    assert check(card.fields(), source.abstract) == []
    assert any(warning.startswith("dropped ungrounded") for warning in card.warnings)


@pytest.mark.vcr
def test_md_json_is_unconstrained_and_the_tiny_model_does_not_finish(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint, "md_json") as summarizer, pytest.raises(ResponseError) as raised:
        summarizer.summarize_paper(paper())
    assert raised.value.kind in {"truncated", "bad_json", "schema_invalid"}
