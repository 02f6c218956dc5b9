"""The LLM engine's conversation on scripted answers (no HTTP): re-asks, fallbacks,
salvaging cut-off answers, lenient JSON strings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from openai.types.chat import ChatCompletion

from summarizer.engines.llm import TRUNCATED_WARNING, LLMEngine
from summarizer.errors import ContextTooLongError, ResponseError
from summarizer.settings import resolve_settings

ABSTRACT = "Training is slow. We propose FooNet. FooNet improves accuracy by 4.2% over BarNet."
GOOD = {
    "problem": "Training is slow.",
    "method": "We propose FooNet.",
    "method_name": "FooNet",
    "contribution": "method",
    "stages": [],
    "claimed_gains": [
        {
            "metric": "accuracy",
            "value": 4.2,
            "unit": "%",
            "direction": "higher",
            "baseline": "BarNet",
            "condition": None,
            "quote": "improves accuracy by 4.2% over BarNet",
        }
    ],
}
UNGROUNDED = {**GOOD, "claimed_gains": [{**GOOD["claimed_gains"][0], "quote": "made up 4.2%"}]}


def answer(arguments: str, *, finish: str = "stop", completion_tokens: int = 50) -> ChatCompletion:
    """A tools-mode answer, as a server sends it."""
    return ChatCompletion.model_validate(
        {
            "id": "c",
            "object": "chat.completion",
            "created": 0,
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": "t",
                                "type": "function",
                                "function": {"name": "CardFields", "arguments": arguments},
                            }
                        ],
                    },
                }
            ],
            "usage": {
                "prompt_tokens": 100,
                "completion_tokens": completion_tokens,
                "total_tokens": 100 + completion_tokens,
            },
        }
    )


class ScriptedEngine(LLMEngine):
    """The LLM engine with its HTTP transport replaced by a list of answers."""

    def __init__(self, answers: list[ChatCompletion], **options: Any) -> None:
        settings = resolve_settings(base_url="http://unused/v1", model="m", environ={}, **options)
        super().__init__(settings)
        self.answers = answers
        self.bodies: list[dict[str, Any]] = []

    def _sync_post(self) -> Callable[[dict[str, Any]], Any]:
        def post(body: dict[str, Any]) -> Any:
            self.bodies.append(body)
            return self.answers.pop(0)

        return post


def test_a_good_answer_is_taken_as_is() -> None:
    engine = ScriptedEngine([answer(json.dumps(GOOD))])
    result = engine.fill("FooNet", ABSTRACT)
    assert result.fields.method_name == "FooNet"
    assert result.usage.requests == 1 and result.warnings == ()


def test_an_ungrounded_answer_is_reasked_with_the_reason() -> None:
    engine = ScriptedEngine([answer(json.dumps(UNGROUNDED)), answer(json.dumps(GOOD))])
    result = engine.fill("FooNet", ABSTRACT)
    assert result.usage.requests == 2
    reask = json.dumps(engine.bodies[1]["messages"][-1])
    assert "not grounded in the abstract" in reask and "made up 4.2%" in reask


def test_a_number_fused_by_the_quote_is_reasked_naming_it() -> None:
    """The re-ask applies grounding's number rule: the abstract's "3-5%" is 3 and 5, so a
    quote that folds it into "35%" is found, but its 35 is named as not in the abstract."""
    abstract = ABSTRACT.replace("4.2%", "3-5%")
    gain = GOOD["claimed_gains"][0]
    fused = {**gain, "value": 35, "quote": "improves accuracy by 35% over BarNet"}
    fixed = {**gain, "value": 5, "quote": "improves accuracy by 3-5% over BarNet"}
    engine = ScriptedEngine(
        [
            answer(json.dumps({**GOOD, "claimed_gains": [fused]})),
            answer(json.dumps({**GOOD, "claimed_gains": [fixed]})),
        ]
    )
    result = engine.fill("FooNet", abstract)
    assert result.usage.requests == 2
    assert result.fields.claimed_gains[0].value == 5
    reask = engine.bodies[1]["messages"][-1]["content"]
    assert (
        "claimed_gains[0]: value 35 not a number of the abstract where its quote is, "
        "'improves accuracy by 3-5% over BarNet' (numbers there: 3, 5)"
    ) in reask


def test_a_broken_reask_falls_back_to_the_last_valid_answer() -> None:
    engine = ScriptedEngine(
        [answer(json.dumps(UNGROUNDED)), answer("{not json"), answer("{still not")],
        max_reasks=2,
    )
    result = engine.fill("FooNet", ABSTRACT)
    assert result.fields.claimed_gains[0].quote == "made up 4.2%"  # grounding drops it later
    assert result.usage.requests == 3


def test_a_cut_off_list_keeps_its_whole_items_with_a_warning() -> None:
    text = json.dumps({**GOOD, "claimed_gains": GOOD["claimed_gains"] * 3})
    cut = text[: text.rindex('"quote"') + 12]  # inside the third gain
    engine = ScriptedEngine([answer(cut, finish="length")])
    result = engine.fill("FooNet", ABSTRACT)
    assert len(result.fields.claimed_gains) == 2
    assert result.warnings == (TRUNCATED_WARNING,)
    assert result.usage.requests == 1  # no re-ask: it would be cut off again


def test_a_tool_call_that_used_every_token_counts_as_cut_off() -> None:
    text = json.dumps({**GOOD, "stages": [{"name": "x", "kind": "data", "description": "d"}] * 2})
    cut = text[: text.rindex('"kind"')]
    engine = ScriptedEngine(
        [answer(cut, finish="tool_calls", completion_tokens=2048)], max_tokens=2048
    )
    result = engine.fill("FooNet", ABSTRACT)
    assert len(result.fields.stages) == 1
    assert result.warnings == (TRUNCATED_WARNING,)


def test_a_cut_inside_a_text_field_is_an_error() -> None:
    cut = json.dumps(GOOD)[:30]  # inside "problem"
    engine = ScriptedEngine([answer(cut, finish="length")])
    with pytest.raises(ResponseError) as raised:
        engine.fill("FooNet", ABSTRACT)
    assert raised.value.kind == "truncated"


def test_raw_newlines_inside_strings_are_accepted() -> None:
    text = json.dumps({**GOOD, "method": "We propose FooNet."}).replace("We propose", "We\npropose")
    engine = ScriptedEngine([answer(text)])
    assert engine.fill("FooNet", ABSTRACT).fields.method == "We\npropose FooNet."


def test_schema_invalid_after_every_reask_is_an_error_with_its_bill() -> None:
    invalid = json.dumps({**GOOD, "contribution": "poetry"})
    engine = ScriptedEngine([answer(invalid)] * 3, max_reasks=2)
    with pytest.raises(ResponseError) as raised:
        engine.fill("FooNet", ABSTRACT)
    assert raised.value.kind == "schema_invalid"
    assert raised.value.usage.requests == 3
    assert raised.value.usage.prompt_tokens == 300


def test_a_reask_that_gets_no_answer_keeps_the_last_valid_answer() -> None:
    class ContextFullEngine(ScriptedEngine):
        def _sync_post(self) -> Callable[[dict[str, Any]], Any]:
            first = super()._sync_post()

            def post(body: dict[str, Any]) -> Any:
                if self.bodies:  # the re-ask no longer fits the model's context
                    raise ContextTooLongError("the prompt is too long")
                return first(body)

            return post

    engine = ContextFullEngine([answer(json.dumps(UNGROUNDED))])
    result = engine.fill("FooNet", ABSTRACT)
    assert result.fields.claimed_gains[0].quote == "made up 4.2%"
    assert result.warnings == ("reask_failed: LLM endpoint: the prompt is too long",)
    assert result.usage.requests == 2
