"""Settings of a run: from arguments, then the environment, then defaults, in that order.

Nothing here is read at import time: `resolve_settings` reads the environment it is
given (os.environ by default) when it is called.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.redaction import display_url

ENGINES = ("llm", "offline", "local")
MODES = ("tools", "json_schema", "json", "md_json")
DEFAULT_MODE = "tools"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
DEFAULT_TIMEOUT = 60.0
# A model on this machine (llama.cpp, Ollama, LM Studio) answers one request at a time,
# tens of seconds each on a CPU: requests queued behind others need far longer.
DEFAULT_LOCAL_TIMEOUT = 600.0
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
DEFAULT_MAX_REASKS = 2
DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_TOKENS = 2048

ENV_MODEL = "SUMMARIZER_MODEL"
ENV_ENGINE = "SUMMARIZER_ENGINE"
ENV_CACHE_DIR = "SUMMARIZER_CACHE_DIR"
ENV_BASE_URL = "OPENAI_BASE_URL"
ENV_API_KEY = "OPENAI_API_KEY"


@dataclass(frozen=True)
class Settings:
    """Everything that decides how a card is made, resolved once per run."""

    engine: str
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    mode: str = DEFAULT_MODE
    timeout: float = DEFAULT_TIMEOUT
    max_reasks: int = DEFAULT_MAX_REASKS
    max_tokens: int = DEFAULT_MAX_TOKENS
    temperature: float = 0.0
    keep_ungrounded: bool = False
    model_path: str | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    refresh: bool = False
    engine_was_chosen: bool = True  # False when picked because nothing was configured

    @property
    def engine_note(self) -> str | None:
        """One line for the user when the offline engine was picked for them."""
        if self.engine_was_chosen or self.engine != "offline":
            return None
        return (
            "no LLM configured (--model, OPENAI_API_KEY or OPENAI_BASE_URL): "
            "using the offline engine"
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values no message may show: the key and any credentials inside the base URL."""
        from summarizer.redaction import url_secrets

        return tuple(value for value in (self.api_key, *url_secrets(self.base_url)) if value)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some settings changed (validated again)."""
        return _validated(replace(self, **changes))  # type: ignore[arg-type]


def default_cache_dir() -> Path:
    """The user cache folder for summarizer (platformdirs)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("summarizer", appauthor=False))


def default_timeout(base_url: str | None) -> float:
    """Seconds per request: longer for an endpoint on this machine."""
    from urllib.parse import urlsplit

    host = urlsplit(base_url).hostname if base_url else None
    return DEFAULT_LOCAL_TIMEOUT if host in _LOOPBACK_HOSTS else DEFAULT_TIMEOUT


def _first(*values: str | None) -> str | None:
    for value in values:
        if value is not None and value != "":
            return value
    return None


def resolve_settings(
    *,
    engine: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    mode: str | None = None,
    timeout: float | None = None,
    max_reasks: int | None = None,
    max_tokens: int | None = None,
    keep_ungrounded: bool = False,
    model_path: str | None = None,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    refresh: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from explicit values, then the environment, then defaults.

    With no engine named, an LLM is used when a model, key or base URL is configured,
    the local engine when a model path is given, and the offline engine otherwise.
    """
    env = os.environ if environ is None else environ
    model = _first(model, env.get(ENV_MODEL))
    base_url = _first(base_url, env.get(ENV_BASE_URL))
    api_key = _first(api_key, env.get(ENV_API_KEY))
    chosen = _first(engine, env.get(ENV_ENGINE))
    if chosen is None:
        if model_path:
            chosen = "local"
        elif model or base_url or api_key:
            chosen = "llm"
        else:
            chosen = "offline"
    if chosen == "llm" and model is None and base_url is None:
        model = DEFAULT_OPENAI_MODEL
    directory = _first(str(cache_dir) if cache_dir else None, env.get(ENV_CACHE_DIR))
    settings = Settings(
        engine=chosen,
        model=model,
        base_url=base_url,
        api_key=api_key,
        mode=mode or DEFAULT_MODE,
        timeout=default_timeout(base_url) if timeout is None else timeout,
        max_reasks=DEFAULT_MAX_REASKS if max_reasks is None else max_reasks,
        max_tokens=DEFAULT_MAX_TOKENS if max_tokens is None else max_tokens,
        keep_ungrounded=keep_ungrounded,
        model_path=model_path,
        cache_dir=Path(directory).expanduser() if directory else None,
        use_cache=use_cache,
        refresh=refresh,
        engine_was_chosen=engine is not None or env.get(ENV_ENGINE) is not None,
    )
    return _validated(settings)


def _validated(settings: Settings) -> Settings:
    if settings.engine not in ENGINES:
        raise ConfigError("engine", f"unknown engine {settings.engine!r}", hint=_one_of(ENGINES))
    if settings.mode not in MODES:
        raise ConfigError("mode", f"unknown mode {settings.mode!r}", hint=_one_of(MODES))
    if settings.timeout <= 0:
        raise ConfigError("timeout", "must be a positive number of seconds")
    if settings.max_reasks < 0:
        raise ConfigError("max-reasks", "must be 0 or more")
    if settings.max_tokens <= 0:
        raise ConfigError("max-tokens", "must be a positive number")
    if settings.engine == "llm" and settings.model is None:
        raise ConfigError(
            "model",
            f"no model given for the endpoint {display_url(settings.base_url or '')}",
            hint="pass --model NAME (the name your server serves) or set SUMMARIZER_MODEL",
        )
    return settings


def _one_of(choices: tuple[str, ...]) -> str:
    return "use one of: " + ", ".join(choices)
