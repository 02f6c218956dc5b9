"""`summarizer serve-local` with the real llama.cpp server and the bundled SmolLM2 model.

Marked `local_llm` (`pytest -m local_llm` runs only these). They need the `local` extra,
which the README's test command installs; without it they fail, saying what to install:
they never skip.

The model is tiny and its prose is poor; these tests check the server, json_schema mode
through it (grammar-constrained decoding), the batch end to end with grounding as the
guard rail, the in-process engine, and a clean shutdown, not the content. One runs
llama-cpp-python's own server directly, to check how a batch meets its refusal of
json_schema.
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

from summarizer import Summarizer
from summarizer.cards import PaperCard
from summarizer.grounding import check
from summarizer.local.models import bundled_model_path
from summarizer.local.server import (
    ensure_port_free,
    free_port,
    models_answered,
    server_environment,
)
from summarizer.papers import Paper, read_papers

pytestmark = pytest.mark.local_llm

ANNOUNCEMENT = re.compile(r"--base-url (?P<base_url>\S+) --model (?P<model>\S+)$")
STARTUP_SECONDS = 120
BATCH_PAPER_IDS = (
    "parameter-dynamics-of-81dfe6f5",
    "appendix412-table-of-6c838cae",
    "the-common-pile-v0-1-17c32a28",
)
MAX_TOKENS = 1000


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


def test_json_schema_mode_is_constrained_through_serve_local(server: RunningServer) -> None:
    """llama-cpp-python's server refuses response_format json_schema (HTTP 500); the
    request rewrite serve-local puts in front turns it into its grammar-constrained form."""
    import openai

    client = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": 20}},
        "required": ["name"],
        "additionalProperties": False,
    }
    completion = client.chat.completions.create(
        model=server.model,
        messages=[{"role": "user", "content": "Name one planet as JSON."}],
        response_format={"type": "json_schema", "json_schema": {"name": "P", "schema": schema}},
        max_tokens=40,
        temperature=0,
    )
    answer = json.loads(completion.choices[0].message.content or "", strict=False)
    assert set(answer) == {"name"} and isinstance(answer["name"], str)


def three_seed_papers(tmp_path: Path) -> tuple[Path, dict[str, Paper]]:
    """A reading list of three seed papers SmolLM2 finishes at temperature 0 (170-260
    tokens each; on others it may loop to the token limit, which is not what this tests)."""
    papers = {p.paper_id: p for p in read_papers([str(SEEDS)]).papers}
    chosen = [papers[paper_id] for paper_id in BATCH_PAPER_IDS]
    reading_list = tmp_path / "three.jsonl"
    reading_list.write_text(
        "".join(json.dumps({"title": p.title, "abstract": p.abstract}) + "\n" for p in chosen)
    )
    return reading_list, {p.paper_id: p for p in chosen}


def test_batch_of_three_seed_papers_in_json_schema_mode(
    server: RunningServer, tmp_path: Path
) -> None:
    """The issue's end-to-end run: every card schema-valid, and grounding removed whatever
    the small model made up (and said so), leaving only grounded items."""
    reading_list, chosen = three_seed_papers(tmp_path)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable, "-m", "summarizer", "batch", str(reading_list), "-o", str(out),
            "--base-url", server.base_url, "--model", server.model, "--mode", "json_schema",
            "--max-tokens", str(MAX_TOKENS), "--max-reasks", "0", "--timeout", "600",
            "--concurrency", "1", "--quiet", "--cache-dir", str(tmp_path / "cache"),
            "--no-skip",  # the appendix fragment is one of the three, on purpose
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    lines = (out / "cards.jsonl").read_text().splitlines()
    errors = (out / "errors.jsonl").read_text().splitlines()
    assert len(lines) + len(errors) == 3
    assert len(lines) >= 2, errors
    dropped = 0
    for line in lines:
        card = PaperCard.model_validate_json(line)
        assert card.provenance.mode == "json_schema"
        assert check(card.fields(), chosen[card.paper_id].abstract) == []
        dropped += sum(warning.startswith("dropped ungrounded") for warning in card.warnings)
    assert dropped > 0, "SmolLM2 always makes something up; grounding must have caught it"


@pytest.fixture
def plain_llama_cpp_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """llama-cpp-python's own server, run directly (no serve-local rewrite in front), on a
    free port: its base URL and its log."""
    port = free_port("127.0.0.1")
    log = tmp_path / "llama_cpp.server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()),
                "--host", "127.0.0.1", "--port", str(port),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=server_environment(os.environ),
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while models_answered(base_url) is None:
            assert process.poll() is None, f"llama_cpp.server exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, "llama_cpp.server did not start in time"
            time.sleep(0.25)
        yield base_url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    ensure_port_free("127.0.0.1", port)


def test_json_schema_refused_by_llama_cpp_server_stops_the_batch_at_once(
    plain_llama_cpp_server: tuple[str, Path], tmp_path: Path
) -> None:
    """llama-cpp-python's server answers response_format json_schema with an HTTP 500 (a
    request validation error): one request, no retry, one line naming the mode and what to
    try instead, and the batch stops instead of asking for every paper."""
    base_url, log = plain_llama_cpp_server
    reading_list, _ = three_seed_papers(tmp_path)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable, "-m", "summarizer", "batch", str(reading_list), "-o", str(out),
            "--base-url", base_url, "--model", "smollm2", "--mode", "json_schema",
            "--concurrency", "1", "--quiet", "--cache-dir", str(tmp_path / "cache"),
            "--no-skip",  # the appendix fragment is one of the three, on purpose
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    refusal = (
        f"LLM endpoint at {base_url} (HTTP 500): the server does not accept --mode "
        "json_schema: it refused response_format.type (Input should be 'text' or "
        "'json_object') (try --mode tools or --mode json)"
    )
    assert result.returncode == 2
    assert result.stderr == f"summarizer: {refusal}\n"
    run = json.loads((out / "run.json").read_text())
    assert run["usage"]["requests"] == 1
    assert (run["failed"], run["not_attempted"], run["stopped_by"]) == (1, 2, refusal)
    (error,) = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert error["error"] == "ModeNotSupportedError"
    access_log = '"POST /v1/chat/completions HTTP/1.1"'
    posts = [line for line in log.read_text().splitlines() if access_log in line]
    assert len(posts) == 1 and posts[0].endswith(f"{access_log} 500 Internal Server Error")


def test_engine_local_runs_the_model_in_process(tmp_path: Path) -> None:
    """`--engine local`: no server; json_schema mode constrained by the same rewrite."""
    papers = {p.paper_id: p for p in read_papers([str(SEEDS)]).papers}
    source = papers["appendix412-table-of-6c838cae"]
    with Summarizer(
        engine="local", mode="json_schema", max_reasks=0, max_tokens=MAX_TOKENS,
        cache_dir=tmp_path / "cache",
    ) as summarizer:  # fmt: skip
        card = summarizer.summarize_paper(source)
    assert card.provenance.engine == "local"
    assert card.provenance.model == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert card.provenance.usage.completion_tokens > 0
    assert check(card.fields(), source.abstract) == []


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
