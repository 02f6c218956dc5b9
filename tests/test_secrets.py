"""No key or URL credential is ever printed or written, even when a server echoes it."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_runner import run_cli

from summarizer.errors import SummarizerError
from summarizer.redaction import display_url, redact, redact_error, url_secrets

KEY = "sk-test-echoed-0123456"  # key-like, under the length key scanners flag
PASSWORD = "hunter2-PASSWORD"
QUERY_SECRET = "QUERYSECRET987"


class _EchoingHandler(BaseHTTPRequestHandler):
    """Refuses every request (401) and repeats what it was sent, as some servers do."""

    def _refuse(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        message = (
            f"Incorrect API key provided: {self.headers.get('Authorization')} "
            f"for {self.path} (basic: {self.headers.get('Authorization', '')})"
        )
        body = json.dumps(
            {"error": {"message": message, "type": "invalid_request_error", "code": "bad_key"}}
        ).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def echoing_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _every_text_under(folder: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace") for path in folder.rglob("*") if path.is_file()
    )


# The key travels as a Bearer token; URL credentials replace it with Basic auth.
ECHO_CASES = {
    "key-and-query": (
        "http://127.0.0.1:{port}/v1?api-key=" + QUERY_SECRET,
        [KEY, KEY[3:], QUERY_SECRET],
    ),
    "userinfo": (
        "http://admin:" + PASSWORD + "@127.0.0.1:{port}/v1",
        [PASSWORD, base64.b64encode(f"admin:{PASSWORD}".encode()).decode()],
    ),
}


@pytest.mark.parametrize("case", sorted(ECHO_CASES))
def test_echoed_secrets_land_nowhere(
    case: str, echoing_server: int, tmp_path: Path, repo: Path
) -> None:
    base_url, secrets = ECHO_CASES[case]
    out, cache = tmp_path / "out", tmp_path / "cache"
    result = run_cli(
        "batch", str(repo / "seeds" / "000_7a3839734a59cdb6.txt"), "-o", str(out),
        "--base-url", base_url.format(port=echoing_server), "--model", "m", "--quiet",
        "--cache-dir", str(cache), env={"OPENAI_API_KEY": KEY},
    )  # fmt: skip
    assert result.exit_code == 2  # a refused key stops the batch
    written = _every_text_under(out) + _every_text_under(tmp_path / "home")
    if cache.exists():
        written += _every_text_under(cache)
    shown = result.stdout + result.stderr
    assert "Incorrect API key provided" in shown  # the echo did reach us
    for secret in secrets:
        assert secret not in shown
        assert secret not in written
    errors = (out / "errors.jsonl").read_text()
    assert errors and "***" in errors
    assert "***" in json.loads((out / "run.json").read_text())["stopped_by"]


def test_the_summarize_command_redacts_too(echoing_server: int) -> None:
    result = run_cli(
        "summarize", "--abstract", "We propose X. It improves accuracy by 3%.",
        "--base-url", f"http://127.0.0.1:{echoing_server}/v1", "--model", "m",
        env={"OPENAI_API_KEY": KEY},
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Bearer ***" in result.stderr
    assert KEY not in result.stderr + result.stdout


def test_url_secrets_and_display() -> None:
    url = f"https://bob:{PASSWORD}@host.example/v1?api-key={QUERY_SECRET}&deployment=d1"
    basic = base64.b64encode(f"bob:{PASSWORD}".encode()).decode()
    assert url_secrets(url) == ["bob", PASSWORD, basic, QUERY_SECRET]
    assert display_url(url) == "https://***@host.example/v1?api-key=***&deployment=d1"
    assert display_url("http://localhost:8080/v1") == "http://localhost:8080/v1"
    assert url_secrets("http://localhost:8080/v1?model=x") == []


def test_redact_masks_longest_first_and_any_userinfo() -> None:
    text = f"key {KEY} and {KEY[:10]} at ftp://u:p@h/x"
    assert redact(text, [KEY, KEY[:10]]) == "key *** and *** at ftp://***@h/x"
    assert redact("a 12 b", ["12"]) == "a 12 b"  # too short to be a secret
    error = redact_error(SummarizerError(f"bad {KEY}", hint=f"not {KEY}"), [KEY])
    assert (str(error), error.args) == ("bad *** (not ***)", ("bad ***",))
