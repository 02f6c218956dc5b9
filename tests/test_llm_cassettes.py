"""The LLM engine end to end, replayed from cassettes recorded against the test server.

Re-record with `pytest tests/test_llm_cassettes.py --record-mode=rewrite` (docs/cassettes.md).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from llm_recording import Endpoint

from summarizer import Summarizer
from summarizer.cli import cli
from summarizer.errors import (
    AuthenticationError,
    ContextTooLongError,
    ModelNotFoundError,
    ResponseError,
)

TITLE = "OS-R1: Agentic Operating System Kernel Tuning with Reinforcement Learning"
ABSTRACT = (
    "Linux kernel tuning is essential for optimizing operating system (OS) performance. "
    "However, existing methods often face challenges in terms of efficiency, scalability, "
    "and generalization. This paper introduces OS-R1, an agentic Linux kernel tuning "
    "framework powered by rule-based reinforcement learning (RL). Furthermore, we propose "
    "a two-phase training process that accelerates convergence and minimizes retraining "
    "across diverse tuning scenarios. Experimental results show that OS-R1 significantly "
    "outperforms existing baseline methods, achieving up to 5.6% performance improvement "
    "over heuristic tuning and maintaining high data efficiency."
)


def summarizer_for(endpoint: Endpoint, **options: object) -> Summarizer:
    return Summarizer(
        base_url=endpoint.base_url,
        model=endpoint.model,
        api_key=endpoint.api_key,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.vcr
@pytest.mark.parametrize("mode", ["tools", "json_schema", "json", "md_json"])
def test_each_mode_gives_a_grounded_card(endpoint: Endpoint, mode: str) -> None:
    with summarizer_for(endpoint, mode=mode) as summarizer:
        card = summarizer.summarize(ABSTRACT, TITLE)
    assert card.method_name == "OS-R1"
    assert card.provenance.engine == "llm"
    assert card.provenance.mode == mode
    assert card.provenance.usage.requests == 1
    assert card.provenance.usage.prompt_tokens > 0
    assert not card.provenance.cached
    assert card.claimed_gains, "the 5.6% claim is a gain"
    for gain in card.claimed_gains:
        assert gain.span is not None
        assert ABSTRACT[gain.span.start : gain.span.end] == gain.quote
    assert card.warnings == []


@pytest.mark.vcr
def test_asking_again_makes_no_request(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint) as summarizer:
        first = summarizer.summarize(ABSTRACT, TITLE)
        second = summarizer.summarize(ABSTRACT, TITLE)
    assert not first.provenance.cached
    assert second.provenance.cached
    assert second.model_dump(exclude={"provenance"}) == first.model_dump(exclude={"provenance"})
    # The cassette holds one exchange; a second request would have failed the test.


@pytest.mark.vcr
def test_async_api_gives_the_same_card(endpoint: Endpoint) -> None:
    async def run() -> object:
        with summarizer_for(endpoint) as summarizer:
            return await summarizer.asummarize(ABSTRACT, TITLE)

    card = asyncio.run(run())
    assert card.method_name == "OS-R1"  # type: ignore[attr-defined]


@pytest.mark.vcr
@pytest.mark.server_script(["ungrounded", "ok"])
def test_an_ungrounded_answer_is_reasked(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint) as summarizer:
        card = summarizer.summarize(ABSTRACT, TITLE)
    assert card.provenance.usage.requests == 2
    assert card.warnings == []
    assert all(gain.span is not None for gain in card.claimed_gains)


@pytest.mark.vcr
@pytest.mark.server_script(["ungrounded", "ungrounded", "ungrounded"])
def test_still_ungrounded_after_the_last_reask_is_dropped(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint, max_reasks=2) as summarizer:
        card = summarizer.summarize(ABSTRACT, TITLE)
    assert card.provenance.usage.requests == 3
    assert any(warning.startswith("dropped ungrounded") for warning in card.warnings)
    assert all(gain.span is not None for gain in card.claimed_gains)


@pytest.mark.vcr
@pytest.mark.server_script(["ungrounded"])
def test_keep_ungrounded_keeps_it_flagged(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint, max_reasks=0, keep_ungrounded=True) as summarizer:
        card = summarizer.summarize(ABSTRACT, TITLE)
    assert card.provenance.usage.requests == 1
    flagged = [gain for gain in card.claimed_gains if gain.span is None]
    assert flagged, "the made-up gain is kept"
    assert any(warning.startswith("ungrounded claimed_gains") for warning in card.warnings)


@pytest.mark.vcr
@pytest.mark.server_script(["bad_json", "ok"])
def test_an_answer_that_is_not_json_is_reasked(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint, mode="md_json") as summarizer:
        card = summarizer.summarize(ABSTRACT, TITLE)
    assert card.provenance.usage.requests == 2


@pytest.mark.vcr
@pytest.mark.server_script(["schema_invalid", "schema_invalid", "schema_invalid"])
def test_schema_invalid_after_every_reask_is_an_error(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint) as summarizer, pytest.raises(ResponseError) as raised:
        summarizer.summarize(ABSTRACT, TITLE)
    assert raised.value.kind == "schema_invalid"
    assert raised.value.usage.requests == 3  # the bill of the failed paper is kept


@pytest.mark.vcr
@pytest.mark.server_script(["truncated"])
def test_a_truncated_answer_fails_at_once(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint) as summarizer, pytest.raises(ResponseError) as raised:
        summarizer.summarize(ABSTRACT, TITLE)
    assert raised.value.kind == "truncated"
    assert "--max-tokens" in str(raised.value)


@pytest.mark.vcr
@pytest.mark.server_script(["429", "500", "503", "ok"])
def test_rate_limits_and_server_errors_are_retried(endpoint: Endpoint) -> None:
    with summarizer_for(endpoint) as summarizer:
        card = summarizer.summarize(ABSTRACT, TITLE)
    assert card.provenance.usage.requests == 4


@pytest.mark.vcr
@pytest.mark.parametrize(
    ("outcome", "error", "fix"),
    [
        pytest.param(
            "401", AuthenticationError, "OPENAI_API_KEY", marks=pytest.mark.server_script(["401"])
        ),
        pytest.param(
            "404", ModelNotFoundError, "--model", marks=pytest.mark.server_script(["404"])
        ),
        pytest.param(
            "400_context",
            ContextTooLongError,
            "longer context",
            marks=pytest.mark.server_script(["400_context"]),
        ),
    ],
)
def test_client_errors_fail_at_once_saying_what_to_fix(
    endpoint: Endpoint, outcome: str, error: type[Exception], fix: str
) -> None:
    with summarizer_for(endpoint) as summarizer, pytest.raises(error) as raised:
        summarizer.summarize(ABSTRACT, TITLE)
    assert fix in str(raised.value)
    assert raised.value.usage.requests == 1  # type: ignore[attr-defined]


@pytest.mark.vcr
def test_cli_prints_the_card_as_json(endpoint: Endpoint, tmp_path: Path) -> None:
    abstract_file = tmp_path / "abstract.txt"
    abstract_file.write_text(ABSTRACT, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "summarize",
            str(abstract_file),
            "--title",
            TITLE,
            "--json",
            "--base-url",
            endpoint.base_url,
            "--model",
            endpoint.model,
        ],
        env={"OPENAI_API_KEY": endpoint.api_key},
    )
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["method_name"] == "OS-R1"
    assert card["provenance"]["model"] == endpoint.model
    assert result.stdout.count("\n") == 1  # one JSON object on one line
