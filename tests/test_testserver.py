"""The OpenAI-compatible test server, seen from its clients: the openai SDK, instructor, httpx."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the openai SDK 3.x sends through httpx2
import instructor
import openai
import pytest
from pydantic import ValidationError

from summarizer.cards import CardFields
from summarizer.papers import Paper, read_papers
from summarizer.testserver import (
    PaperText,
    Server,
    ServerConfig,
    heuristic_card,
    parse_fault_list,
    running_server,
)
from summarizer.testserver.chat import BadRequest, parse_chat_request
from summarizer.testserver.faults import UNGROUNDED_QUOTE

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
MODES = ("tools", "json_schema", "json", "md_json")
INSTRUCTOR_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}
TOOL = {
    "type": "function",
    "function": {
        "name": "CardFields",
        "description": "The card of a paper.",
        "parameters": CardFields.model_json_schema(),
    },
}
# What instructor adds to a request in each mode (see instructor/v2/providers/openai).
MODE_ARGUMENTS: dict[str, dict[str, Any]] = {
    "tools": {
        "tools": [TOOL],
        "tool_choice": {"type": "function", "function": {"name": "CardFields"}},
    },
    "json_schema": {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "CardFields", "schema": CardFields.model_json_schema()},
        }
    },
    "json": {"response_format": {"type": "json_object"}},
    "md_json": {},
}
FENCED_JSON = re.compile(r"```json\n(.*?)(?:\n```|$)", re.DOTALL)


@pytest.fixture(scope="module")
def seed_papers() -> list[Paper]:
    return [paper for paper in read_papers([str(SEEDS)]).papers if paper.duplicate_of is None]


@pytest.fixture(scope="module")
def paper(seed_papers: list[Paper]) -> Paper:
    """A seed paper whose abstract claims a percentage gain."""
    return next(paper for paper in seed_papers if "%" in paper.abstract)


def prompt(paper: Paper) -> list[dict[str, Any]]:
    """Messages as the LLM engine's template writes them."""
    user = f"<title>{paper.title}</title>\n<abstract>\n{paper.abstract}\n</abstract>"
    return [
        {"role": "system", "content": "Summarize the paper as a card."},
        {"role": "user", "content": user},
    ]


@pytest.fixture
def client(test_server: Server) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(
        base_url=test_server.base_url, api_key="test-key", max_retries=0, timeout=10
    ) as sdk:
        yield sdk


def ask(client: openai.OpenAI, paper: Paper, mode: str = "tools", **extra: Any) -> Any:
    arguments = {**MODE_ARGUMENTS[mode], **extra}
    return client.chat.completions.create(
        model="test-model", messages=prompt(paper), temperature=0, **arguments
    )


def answer_text(completion: Any, mode: str) -> str:
    """The card's text as instructor would extract it in `mode`."""
    message = completion.choices[0].message
    if mode == "tools":
        return str(message.tool_calls[0].function.arguments)
    if mode == "md_json":
        found = FENCED_JSON.search(message.content)
        assert found is not None, message.content
        return found[1]
    return str(message.content)


def expected_card(paper: Paper) -> dict[str, Any]:
    return heuristic_card(PaperText(paper.title, paper.abstract))


# --- the answer ----------------------------------------------------------------------


def test_the_heuristic_card_is_valid_and_grounded_for_every_seed_paper(
    seed_papers: list[Paper],
) -> None:
    assert len(seed_papers) == 296
    gains = stages = names = 0
    for paper in seed_papers:
        card = CardFields.model_validate(expected_card(paper))
        for gain in card.claimed_gains:
            assert gain.quote in paper.abstract, paper.title
            assert f"{gain.value:g}" in gain.quote, paper.title
            assert len(gain.quote) <= 130
        for stage in card.stages:
            assert all(word in paper.abstract for word in re.findall(r"\w+", stage.name))
        gains += len(card.claimed_gains)
        stages += bool(card.stages)
        names += card.method_name is not None
    # The heuristic is not degenerate: every kind of field gets filled somewhere.
    assert gains > 20 and stages > 5 and names > 50


def test_the_heuristic_card_follows_the_abstract() -> None:
    paper = PaperText(
        title="FooNet: Faster Widgets",
        abstract="Widgets are slow to build. We propose FooNet, a widget builder. "
        "First, we collect widget data. Then, we fine-tune a model on it. "
        "FooNet improves accuracy by 12.5% over BarNet on WidgetBench.",
    )
    card = heuristic_card(paper)
    assert card["problem"] == "Widgets are slow to build."
    assert card["method"] == "We propose FooNet, a widget builder."
    assert card["method_name"] == "FooNet"
    assert card["contribution"] == "method"
    assert [(stage["name"], stage["kind"]) for stage in card["stages"]] == [
        ("collect widget data", "data"),
        ("fine-tune a model on it", "finetuning"),
    ]
    [gain] = card["claimed_gains"]
    assert (gain["metric"], gain["value"], gain["unit"]) == ("accuracy", 12.5, "%")
    assert gain["quote"] == "FooNet improves accuracy by 12.5% over BarNet on WidgetBench"
    assert heuristic_card(PaperText("A Survey of Widgets", paper.abstract))["contribution"] == (
        "survey"
    )


# --- modes ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_each_mode_answers_a_valid_card_with_usage(
    client: openai.OpenAI, test_server: Server, paper: Paper, mode: str
) -> None:
    completion = ask(client, paper, mode)
    card = CardFields.model_validate_json(answer_text(completion, mode))
    assert card.model_dump() == CardFields.model_validate(expected_card(paper)).model_dump()
    assert completion.object == "chat.completion"
    assert completion.model == "test-model"
    assert completion.id.startswith("chatcmpl-")
    assert completion.usage.prompt_tokens > len(paper.abstract) // 4
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )
    assert test_server.stats.snapshot().by_mode == {mode: 1}


def test_tools_mode_calls_the_requested_tool(client: openai.OpenAI, paper: Paper) -> None:
    tool = {"type": "function", "function": {**TOOL["function"], "name": "Card"}}
    forced = ask(
        client, paper, tools=[tool], tool_choice={"type": "function", "function": {"name": "Card"}}
    )
    chosen = ask(client, paper, tools=[tool], tool_choice="auto")
    for completion in (forced, chosen):
        message = completion.choices[0].message
        assert message.content is None
        assert message.tool_calls[0].type == "function"
        assert message.tool_calls[0].function.name == "Card"
        assert message.tool_calls[0].id.startswith("call_")
    # As OpenAI does: a forced function call ends with "stop", a chosen one "tool_calls".
    assert forced.choices[0].finish_reason == "stop"
    assert chosen.choices[0].finish_reason == "tool_calls"


def test_md_json_mode_answers_a_sentence_then_a_fenced_block(
    client: openai.OpenAI, paper: Paper
) -> None:
    content = ask(client, paper, "md_json").choices[0].message.content
    sentence, _, rest = content.partition("\n\n")
    assert sentence.endswith(".") and "{" not in sentence
    assert rest.startswith("```json\n{") and rest.endswith("}\n```")


@pytest.mark.parametrize("mode", MODES)
def test_instructor_gets_the_card_in_each_mode(
    client: openai.OpenAI, paper: Paper, mode: str
) -> None:
    structured = instructor.from_openai(client, mode=INSTRUCTOR_MODES[mode])
    card = structured.chat.completions.create(
        model="test-model", response_model=CardFields, messages=prompt(paper), max_retries=0
    )
    assert card.model_dump() == CardFields.model_validate(expected_card(paper)).model_dump()


@pytest.mark.parametrize("mode", ["tools", "json_schema", "md_json"])
@pytest.mark.parametrize("fault", ["schema_invalid", "bad_json"])
def test_instructor_reask_after_a_broken_answer_gets_a_good_one(
    client: openai.OpenAI, test_server: Server, paper: Paper, mode: str, fault: str
) -> None:
    test_server.script([fault])
    structured = instructor.from_openai(client, mode=INSTRUCTOR_MODES[mode])
    card = structured.chat.completions.create(
        model="test-model", response_model=CardFields, messages=prompt(paper), max_retries=1
    )
    assert card.model_dump() == CardFields.model_validate(expected_card(paper)).model_dump()
    stats = test_server.stats.snapshot()
    assert stats.reasks == 1
    assert stats.by_outcome == {fault: 1, "ok": 1}


def test_a_reask_never_draws_a_random_content_fault(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    test_server.config.fault_rate = 1.0
    test_server.config.faults = ("ungrounded",)
    first = ask(client, paper, "json")
    wrong = first.choices[0].message.content
    assert UNGROUNDED_QUOTE in wrong
    correction = [
        {"role": "assistant", "content": wrong},
        {"role": "user", "content": "Correct your JSON ONLY RESPONSE: quote not in abstract"},
    ]
    second = client.chat.completions.create(
        model="test-model",
        messages=prompt(paper) + correction,
        response_format={"type": "json_object"},
    )
    assert json.loads(second.choices[0].message.content) == expected_card(paper)
    assert test_server.stats.snapshot().by_outcome == {"ungrounded": 1, "ok": 1}


# --- reading requests ------------------------------------------------------------------


def _body(messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": messages, **extra}


def test_the_paper_is_the_last_tagged_user_message_and_examples_are_not_reasks() -> None:
    example = "<title>Example</title>\n<abstract>\nAn example abstract.\n</abstract>"
    real = "<title>Real</title>\n<abstract>\nThe real abstract.\n</abstract>"
    messages = [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": example},
        {"role": "assistant", "content": "{}"},
        {"role": "user", "content": [{"type": "text", "text": real}]},
    ]
    request = parse_chat_request(_body(messages), size=100)
    assert request.paper == PaperText("Real", "The real abstract.")
    assert not request.is_reask
    with_tool_reply = [
        *messages,
        {"role": "assistant", "content": None, "tool_calls": []},
        {"role": "tool", "tool_call_id": "call_1", "content": "fix it"},
    ]
    assert parse_chat_request(_body(with_tool_reply), size=100).is_reask


def test_without_tags_the_whole_user_message_is_the_abstract() -> None:
    instruction = "Return the correct JSON response within a ```json codeblock. not the JSON_SCHEMA"
    messages = [{"role": "user", "content": f"Cats purr. Dogs bark.\n\n{instruction}"}]
    request = parse_chat_request(_body(messages), size=100)
    assert request.paper == PaperText("", "Cats purr. Dogs bark.")
    assert request.mode == "md_json"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"messages": [{"role": "user", "content": "x"}]}, "model"),
        ({"model": "m", "messages": []}, "messages"),
        (_body([{"role": "user", "content": "x"}], stream=True), "stream"),
        (_body([{"role": "user", "content": "x"}], response_format={"type": "yaml"}), None),
        (_body([{"role": "user", "content": "x"}], tools=[{"type": "function"}]), "tools"),
    ],
)
def test_unreadable_requests_are_bad_requests(body: dict[str, Any], param: str | None) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_chat_request(body, size=100)
    if param is not None:
        assert caught.value.param == param


# --- faults, as the client sees them ---------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "error", "status", "code"),
    [
        ("429", openai.RateLimitError, 429, "rate_limit_exceeded"),
        ("500", openai.InternalServerError, 500, None),
        ("503", openai.InternalServerError, 503, "service_unavailable"),
        ("401", openai.AuthenticationError, 401, "invalid_api_key"),
        ("404", openai.NotFoundError, 404, "model_not_found"),
        ("400_context", openai.BadRequestError, 400, "context_length_exceeded"),
    ],
)
def test_error_outcomes_are_openai_errors(
    client: openai.OpenAI,
    test_server: Server,
    paper: Paper,
    outcome: str,
    error: type[openai.APIStatusError],
    status: int,
    code: str | None,
) -> None:
    test_server.script([outcome])
    with pytest.raises(error) as caught:
        ask(client, paper)
    assert caught.value.status_code == status
    body = caught.value.response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["code"] == code
    assert test_server.stats.snapshot().by_outcome == {outcome: 1}


def test_429_says_when_to_retry(client: openai.OpenAI, test_server: Server, paper: Paper) -> None:
    test_server.config.retry_after = 0.25
    test_server.script(["429"])
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client, paper)
    assert caught.value.response.headers["retry-after"] == "0.25"
    assert caught.value.response.headers["retry-after-ms"] == "250"
    test_server.config.retry_after = 2
    test_server.script(["429"])
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client, paper)
    assert caught.value.response.headers["retry-after"] == "2"


def test_drop_closes_the_connection_without_a_response(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    test_server.script(["drop"])
    with pytest.raises(openai.APIConnectionError) as caught:
        ask(client, paper)
    assert not isinstance(caught.value, openai.APITimeoutError)
    assert ask(client, paper).choices[0].finish_reason == "stop"  # the server lives on


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)


def test_stall_outlasts_the_client_timeout_and_is_then_cut(
    test_server: Server, paper: Paper
) -> None:
    test_server.config.stall_seconds = 30
    test_server.script(["stall"])
    impatient = openai.OpenAI(
        base_url=test_server.base_url, api_key="k", max_retries=0, timeout=0.3
    )
    with impatient, pytest.raises(openai.APITimeoutError):
        ask(impatient, paper)
    # The client's disconnect cancels the stalled handler instead of leaving it running.
    wait_until(lambda: test_server.stats.snapshot().in_flight == 0)
    assert test_server.stats.snapshot().by_outcome == {"stall": 1}


def test_a_short_stall_still_answers(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    test_server.config.stall_seconds = 0.05
    test_server.script(["stall"])
    assert CardFields.model_validate_json(answer_text(ask(client, paper), "tools"))


@pytest.mark.parametrize("mode", MODES)
def test_bad_json_is_not_json(
    client: openai.OpenAI, test_server: Server, paper: Paper, mode: str
) -> None:
    test_server.script(["bad_json"])
    completion = ask(client, paper, mode)
    text = answer_text(completion, mode)
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    assert completion.choices[0].finish_reason != "length"


def test_schema_invalid_is_json_that_breaks_the_schema(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    test_server.script(["schema_invalid"])
    card = json.loads(answer_text(ask(client, paper, "json_schema"), "json_schema"))
    assert "method" not in card
    with pytest.raises(ValidationError) as caught:
        CardFields.model_validate(card)
    assert {error["loc"][0] for error in caught.value.errors()} == {"method", "contribution"}


@pytest.mark.parametrize("mode", MODES)
def test_truncated_is_a_cut_answer_with_finish_reason_length(
    client: openai.OpenAI, test_server: Server, paper: Paper, mode: str
) -> None:
    test_server.script(["truncated", "ok"])
    cut, whole = ask(client, paper, mode), ask(client, paper, mode)
    assert cut.choices[0].finish_reason == "length"
    cut_text, whole_text = answer_text(cut, mode), answer_text(whole, mode)
    assert whole_text.startswith(cut_text) and len(cut_text) < len(whole_text)
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut_text)


def test_ungrounded_adds_a_gain_quoting_what_the_abstract_never_says(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    test_server.script(["ungrounded"])
    card = CardFields.model_validate_json(answer_text(ask(client, paper), "tools"))
    good = CardFields.model_validate(expected_card(paper))
    *kept, forged = card.claimed_gains
    assert kept == good.claimed_gains
    assert forged.quote not in paper.abstract
    assert f"{forged.value:g}" in forged.quote
    assert card.model_copy(update={"claimed_gains": kept}) == good


def test_the_context_limit_rejects_a_long_prompt(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    test_server.config.context_tokens = 100
    with pytest.raises(openai.BadRequestError) as caught:
        ask(client, paper)
    error = caught.value.response.json()["error"]
    assert error["code"] == "context_length_exceeded"
    assert "maximum context length is 100 tokens" in error["message"]


# --- scripts and random faults ---------------------------------------------------------


def statuses(base_url: str, count: int) -> list[int]:
    """Status codes of `count` sequential minimal requests."""
    body = _body([{"role": "user", "content": "<abstract>\nA 5% gain.\n</abstract>"}])
    with httpx.Client(base_url=base_url) as http:
        return [http.post("/chat/completions", json=body).status_code for _ in range(count)]


def test_scripted_outcomes_come_in_order_then_the_config_rules(test_server: Server) -> None:
    test_server.script(["429", "ok", "500"])
    test_server.script(["503"])
    assert statuses(test_server.base_url, 6) == [429, 200, 500, 503, 200, 200]


def test_scripts_name_known_outcomes_only(test_server: Server) -> None:
    with pytest.raises(ValueError, match="unknown outcome 'teapot'"):
        test_server.script(["ok", "teapot"])
    root = test_server.base_url.removesuffix("/v1")
    assert httpx.post(f"{root}/_script", json={"outcomes": ["teapot"]}).status_code == 400
    reply = httpx.post(f"{root}/_script", json={"outcomes": ["503", "ok"]})
    assert reply.json() == {"pending": ["503", "ok"]}
    assert statuses(test_server.base_url, 2) == [503, 200]


def random_statuses(seed: int, count: int = 40) -> list[int]:
    config = ServerConfig(fault_rate=0.5, faults=("429", "500", "503"), seed=seed)
    with running_server(config) as server:
        return statuses(server.base_url, count)


def test_random_faults_are_drawn_from_the_seed_in_request_order() -> None:
    first = random_statuses(seed=1)
    assert random_statuses(seed=1) == first
    assert random_statuses(seed=2) != first
    assert set(first) == {200, 429, 500, 503}


def test_reset_restarts_the_fault_sequence(test_server: Server) -> None:
    test_server.config.fault_rate = 0.5
    test_server.config.faults = ("500",)
    first = statuses(test_server.base_url, 20)
    assert {200, 500} == set(first)
    httpx.post(test_server.base_url.removesuffix("/v1") + "/_reset")
    assert statuses(test_server.base_url, 20) == first


def test_fault_rate_one_faults_every_request(test_server: Server) -> None:
    test_server.config.fault_rate = 1.0
    test_server.config.faults = ("503",)
    assert statuses(test_server.base_url, 5) == [503] * 5


# --- concurrency, keys, stats, other routes --------------------------------------------


def post_concurrently(base_url: str, count: int, timeout: float = 10) -> list[httpx.Response]:
    body = _body([{"role": "user", "content": "<abstract>\nSome text.\n</abstract>"}])

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=count)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout) as http:
            return list(
                await asyncio.gather(
                    *(http.post("/chat/completions", json=body) for _ in range(count))
                )
            )

    return asyncio.run(run())


def test_latency_does_not_serialise_requests(test_server: Server) -> None:
    test_server.config.latency = 1.0
    responses = post_concurrently(test_server.base_url, 16)
    assert [response.status_code for response in responses] == [200] * 16
    assert test_server.stats.snapshot().max_in_flight == 16


def test_more_requests_than_max_concurrent_get_429(test_server: Server) -> None:
    test_server.config.max_concurrent = 2
    test_server.config.stall_seconds = 30
    test_server.script(["stall", "stall"])
    holder_errors: list[Exception] = []

    def hold_both_slots() -> None:
        try:
            post_concurrently(test_server.base_url, 2, timeout=1.0)
        except httpx.ReadTimeout as exc:
            holder_errors.append(exc)

    holders = threading.Thread(target=hold_both_slots)
    holders.start()  # two stalled requests hold both slots until their client gives up
    try:
        wait_until(lambda: test_server.stats.snapshot().in_flight == 2)
        with httpx.Client(base_url=test_server.base_url) as http:
            body = _body([{"role": "user", "content": "x"}])
            refused = [http.post("/chat/completions", json=body) for _ in range(3)]
    finally:
        holders.join()
    assert len(holder_errors) == 1  # the stalled pair timed out, as meant
    assert [response.status_code for response in refused] == [429] * 3
    assert all(response.headers["retry-after"] == "1" for response in refused)
    wait_until(lambda: test_server.stats.snapshot().in_flight == 0)
    assert statuses(test_server.base_url, 1) == [200]  # the slots are free again
    assert test_server.stats.snapshot().by_outcome == {"stall": 2, "over_capacity": 3, "ok": 1}


def test_require_key_turns_away_requests_without_it(test_server: Server, paper: Paper) -> None:
    test_server.config.require_key = "sesame"
    for key in ("wrong", "sesame"):
        with openai.OpenAI(base_url=test_server.base_url, api_key=key, max_retries=0) as sdk:
            if key == "wrong":
                with pytest.raises(openai.AuthenticationError):
                    ask(sdk, paper)
            else:
                assert ask(sdk, paper).choices[0].message.tool_calls
    assert statuses(test_server.base_url, 1) == [401]  # no Authorization header at all
    assert test_server.stats.snapshot().by_outcome == {"unauthorized": 2, "ok": 1}


def test_stats_count_requests_modes_outcomes_reasks_and_tokens(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    test_server.script(["ok", "ok", "500"])
    tokens = 0
    for mode in ("tools", "json"):
        tokens += ask(client, paper, mode).usage.total_tokens
    with pytest.raises(openai.InternalServerError):
        ask(client, paper, "json")
    root = test_server.base_url.removesuffix("/v1")
    served = httpx.get(f"{root}/_stats").json()
    assert served == test_server.stats.snapshot().to_dict()
    assert served["requests"] == 3
    assert served["by_mode"] == {"tools": 1, "json": 2}
    assert served["by_outcome"] == {"ok": 2, "500": 1}
    assert served["reasks"] == 0 and served["in_flight"] == 0 and served["max_in_flight"] == 1
    assert served["prompt_tokens"] + served["completion_tokens"] == tokens
    after = httpx.post(f"{root}/_reset").json()
    assert after["requests"] == 0 and after["by_outcome"] == {} and after["prompt_tokens"] == 0


def test_models_are_listed(client: openai.OpenAI, test_server: Server) -> None:
    assert [model.id for model in client.models.list()] == ["test-model"]
    test_server.config.models = ("a", "b")
    assert [model.id for model in client.models.list()] == ["a", "b"]


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/nope"), ("GET", "/v1/chat/completions"), ("POST", "/")]
)
def test_unknown_routes_are_openai_style_404s(test_server: Server, method: str, path: str) -> None:
    root = test_server.base_url.removesuffix("/v1")
    response = httpx.request(method, root + path)
    assert response.status_code == 404
    assert response.json()["error"] == {
        "message": f"Invalid URL ({method} {path})",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_a_body_that_is_not_json_is_a_400(test_server: Server) -> None:
    response = httpx.post(test_server.base_url + "/chat/completions", content=b"{not json")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert test_server.stats.snapshot().by_outcome == {"bad_request": 1}


def test_the_answerer_can_be_replaced(
    client: openai.OpenAI, test_server: Server, paper: Paper
) -> None:
    fixed = {**expected_card(paper), "problem": "Replaced."}
    test_server.config.answerer = lambda seen: fixed if seen.title == paper.title else {}
    assert json.loads(answer_text(ask(client, paper), "tools")) == fixed


# --- life cycle ------------------------------------------------------------------------


def test_running_server_leaves_no_thread_or_listening_socket() -> None:
    before = threading.active_count()
    with running_server() as server:
        base_url = server.base_url
        assert threading.active_count() == before + 1
        assert statuses(base_url, 1) == [200]
    assert threading.active_count() == before
    with pytest.raises(httpx.ConnectError):
        statuses(base_url, 1)


def test_config_rejects_impossible_values() -> None:
    with pytest.raises(ValueError, match="fault_rate"):
        ServerConfig(fault_rate=1.5)
    with pytest.raises(ValueError, match="unknown outcome 'ok'"):
        ServerConfig(faults=("ok",))
    assert parse_fault_list(" 429, drop ,") == ("429", "drop")


def test_the_command_line_prints_its_url_serves_and_stops_on_sigterm() -> None:
    command = [sys.executable, "-m", "summarizer.testserver", "--port", "0"]
    command += ["--fault-rate", "1", "--faults", "503"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base_url)
        assert statuses(base_url, 2) == [503, 503]
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=10)
    assert server.returncode == 0, stderr


def test_the_command_line_rejects_an_unknown_fault() -> None:
    command = [sys.executable, "-m", "summarizer.testserver", "--faults", "429,teapot"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "unknown outcome 'teapot'" in result.stderr


def test_the_server_answers_every_declared_mode() -> None:
    from summarizer.settings import MODES
    from summarizer.testserver import chat

    assert set(chat._RENDERERS) == set(MODES)


def test_without_aiohttp_the_server_says_what_to_install() -> None:
    import subprocess
    import sys

    code = (
        "import sys, runpy\n"
        "sys.modules['aiohttp'] = None  # as if it were not installed\n"
        "runpy.run_module('summarizer.testserver', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        "testserver: the test server needs aiohttp, which comes with the 'testserver' extra "
        "(pip install -e '.[testserver]', or '.[dev]')\n"
    )
