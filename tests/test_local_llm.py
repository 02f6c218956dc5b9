"""`summarizer serve-local` with the real llama.cpp server and the bundled SmolLM2 model.

Marked `local_llm` (`pytest -m local_llm` runs only these). They need the `local` extra,
which the README's test command installs; without it they fail, saying what to install:
they never skip.

The model is tiny and its prose is poor; these tests check the server, the request shape
that gets a schema-valid card out of it (forced tool call: grammar-constrained decoding),
and a clean shutdown, not the content.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SEEDS

from summarizer.cards import CardFields
from summarizer.local_server import ensure_port_free, free_port
from summarizer.papers import Paper, read_papers
from summarizer.prompts import render_messages

pytestmark = pytest.mark.local_llm

ANNOUNCEMENT = re.compile(r"--base-url (?P<base_url>\S+) --model (?P<model>\S+)$")
STARTUP_SECONDS = 120
# A seed paper SmolLM2 answers in full at temperature 0 (190 tokens here); on others it
# loops until max_tokens, which the pipeline handles (re-ask) but a one-shot test cannot.
PAPER_ID = "maximize-your-data-s-27a99997"
MAX_TOKENS = 800


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    base_url: str
    model: str
    port: int


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first line the process prints on stdout, or fail with its stderr."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=0.5):
            line = process.stdout.readline()
            if line:
                return line.rstrip("\n")
        if process.poll() is not None:
            break
    process.kill()
    _, stderr = process.communicate()
    pytest.fail(f"serve-local printed no base URL (exit {process.returncode}):\n{stderr}")


def start_serve_local(tmp_path: Path, *extra: str) -> RunningServer:
    # Fail with the fix, never skip: these tests are selected on purpose.
    assert importlib.util.find_spec("llama_cpp") is not None, (
        "llama-cpp-python is missing: pip install -e '.[local]'"
    )
    port = free_port("127.0.0.1")
    process = subprocess.Popen(
        [sys.executable, "-m", "summarizer", "serve-local", "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "serve-local.log").open("w"),
        text=True,
        # A background CI job may inherit an ignored SIGINT; Ctrl-C must work here.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    found = ANNOUNCEMENT.search(read_line(process, STARTUP_SECONDS))
    assert found, "the announcement names --base-url and --model"
    return RunningServer(process, found["base_url"], found["model"], port)


def stop_server(server: RunningServer, sig: signal.Signals) -> int:
    server.process.send_signal(sig)
    try:
        return server.process.wait(timeout=30)
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_serve_local(tmp_path_factory.mktemp("serve-local"))
    yield running
    assert stop_server(running, signal.SIGTERM) == 0
    ensure_port_free("127.0.0.1", running.port)


def test_announces_loopback_base_url_and_the_smollm2_alias(server: RunningServer) -> None:
    assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
    assert server.model == "smollm2"
    from openai import OpenAI

    client = OpenAI(base_url=server.base_url, api_key="sk-no-key-required", max_retries=0)
    assert [model.id for model in client.models.list()] == ["smollm2"]


def seed_paper(paper_id: str) -> Paper:
    papers = [paper for paper in read_papers([str(SEEDS)]).papers if paper.paper_id == paper_id]
    assert papers, f"seed paper {paper_id} is missing"
    return papers[0]


def test_a_forced_tool_call_gives_a_schema_valid_card(server: RunningServer) -> None:
    from openai import OpenAI

    paper = seed_paper(PAPER_ID)
    client = OpenAI(base_url=server.base_url, api_key="sk-no-key-required", max_retries=0)
    completion = client.chat.completions.create(
        model=server.model,
        messages=render_messages(paper.title, paper.abstract),  # type: ignore[arg-type]
        tools=[
            {
                "type": "function",
                "function": {
                    "name": "CardFields",
                    "description": "The card of the paper.",
                    "parameters": CardFields.model_json_schema(),
                },
            }
        ],
        tool_choice={"type": "function", "function": {"name": "CardFields"}},
        temperature=0,
        max_tokens=MAX_TOKENS,
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert call.type == "function"
    assert call.function.name == "CardFields"
    assert completion.usage is not None
    # Cut off at the limit, the finish reason would still say tool_calls: only usage shows it.
    assert 0 < completion.usage.completion_tokens < MAX_TOKENS, "the answer ended by itself"
    # llama.cpp's grammar lets raw newlines into strings; JSON's non-strict parse takes them.
    CardFields.model_validate(json.loads(call.function.arguments, strict=False))


def test_json_schema_response_format_is_refused_by_this_server(server: RunningServer) -> None:
    """llama-cpp-python's server knows response_format types text and json_object only."""
    import openai

    client = openai.OpenAI(base_url=server.base_url, api_key="sk-no-key-required", max_retries=0)
    with pytest.raises(openai.InternalServerError, match=r"should be .*text.* or .*json_object"):
        client.chat.completions.create(
            model=server.model,
            messages=[{"role": "user", "content": "Hi"}],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "CardFields", "schema": CardFields.model_json_schema()},
            },
            max_tokens=5,
        )


def test_ctrl_c_stops_the_server_and_exits_130(tmp_path: Path) -> None:
    running = start_serve_local(tmp_path, "--n-ctx", "512")
    assert stop_server(running, signal.SIGINT) == 130
    ensure_port_free("127.0.0.1", running.port)


def test_a_bad_model_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    model = tmp_path / "notes.gguf"
    model.write_text("not a model")
    result = subprocess.run(
        [sys.executable, "-m", "summarizer", "serve-local", "--model-path", str(model)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PORT": "1"},
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"summarizer: --model-path: {model} is not a GGUF file")
    assert result.stderr.count("\n") == 1
