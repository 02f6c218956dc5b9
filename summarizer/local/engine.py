"""The local engine: a GGUF model run in-process by llama-cpp-python, no server, no network.

It is the LLM engine with another transport: the same prompt, instructor's mode handlers,
re-asks, grounding and cache, but each request body goes to
`Llama.create_chat_completion_openai_v1` instead of over HTTP. `--mode tools` (the
default) and `--mode json_schema` are both constrained to the card's schema by a grammar.
Needs the `local` extra (pip install -e '.[local]').
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from summarizer.engines.llm import LLMEngine, generative_recipe
from summarizer.errors import ContextTooLongError, EngineUnavailableError
from summarizer.local.compat import adapt_chat_request
from summarizer.local.models import INSTALL_HINT, bundled_model_path, checked_model_path
from summarizer.recipe import Recipe
from summarizer.settings import Settings

DEFAULT_CONTEXT_TOKENS = 8192  # SmolLM2 was trained to 8k: room for re-asks


def model_path_of(settings: Settings) -> Path:
    """The GGUF file the settings name, else the bundled SmolLM2 (not checked here)."""
    return Path(settings.model_path) if settings.model_path else bundled_model_path()


class LocalEngine(LLMEngine):
    """Cards from a GGUF file loaded in this process."""

    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.model_path = checked_model_path(model_path_of(settings))
        super().__init__(settings.with_overrides(model=self.model_path.name))
        self._llama: Any = None
        # One model, one context: requests take turns (concurrency only queues them).
        self._turn = threading.Lock()

    def _context_tokens(self, settings: Settings) -> int | None:
        del settings  # the context this engine gives the model it loads
        return DEFAULT_CONTEXT_TOKENS

    def _check_credentials(self, settings: Settings) -> None:
        del settings  # nothing leaves the machine, so there is no key to check

    def _model(self) -> Any:
        if self._llama is None:
            # llama.cpp's OpenMP threads otherwise spin while waiting for each other,
            # several times slower when another process shares the cores.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            try:
                from llama_cpp import Llama
            except ImportError:
                raise EngineUnavailableError(
                    "local", "llama-cpp-python is not installed", hint=INSTALL_HINT
                ) from None
            self._llama = Llama(
                model_path=str(self.model_path),
                n_ctx=DEFAULT_CONTEXT_TOKENS,
                n_threads=os.cpu_count() or 1,
                verbose=False,
            )
        return self._llama

    def _sync_post(self) -> Callable[[dict[str, Any]], Any]:
        llama = self._model()

        def post(body: dict[str, Any]) -> Any:
            request = adapt_chat_request(body)
            with self._turn:
                try:
                    return llama.create_chat_completion_openai_v1(**request)
                except ValueError as exc:
                    if "context window" in str(exc):
                        raise ContextTooLongError(
                            f"the abstract does not fit the model's context: {exc}",
                            hint="use a model with a longer context, or shorten the abstract",
                        ) from None
                    raise

        return post

    def _async_post(self) -> Callable[[dict[str, Any]], Any]:
        post = self._sync_post()
        return lambda body: asyncio.to_thread(post, body)

    def close(self) -> None:
        """Free the model."""
        if self._llama is not None:
            self._llama.close()
            self._llama = None


def recipe(settings: Settings) -> Recipe:
    """What `--engine local` cards are made with: the model is the GGUF file's name."""
    return generative_recipe(settings, engine=LocalEngine.name, model=model_path_of(settings).name)


def build(settings: Settings) -> LocalEngine:
    """The engine for `--engine local`."""
    return LocalEngine(settings)
