"""Settings come from flags, then the environment, then defaults; bad ones are refused."""

from __future__ import annotations

import pytest

from summarizer.errors import ConfigError
from summarizer.settings import resolve_settings


def test_nothing_configured_means_offline_with_a_note() -> None:
    settings = resolve_settings(environ={})
    assert settings.engine == "offline"
    assert settings.engine_note is not None and "offline" in settings.engine_note


def test_a_key_means_openai_with_the_default_model() -> None:
    settings = resolve_settings(environ={"OPENAI_API_KEY": "secret-value-123"})
    assert (settings.engine, settings.model, settings.base_url) == ("llm", "gpt-4o-mini", None)
    assert "secret-value-123" not in repr(settings)  # the key is never printed


def test_flags_beat_environment() -> None:
    env = {"SUMMARIZER_MODEL": "env-model", "OPENAI_BASE_URL": "http://env/v1"}
    settings = resolve_settings(model="flag-model", environ=env)
    assert settings.model == "flag-model"
    assert settings.base_url == "http://env/v1"


def test_explicit_engine_wins_and_has_no_note() -> None:
    settings = resolve_settings(engine="offline", model="m", environ={"OPENAI_API_KEY": "k"})
    assert settings.engine == "offline" and settings.engine_note is None


def test_base_url_without_model_is_refused() -> None:
    with pytest.raises(ConfigError, match="--model"):
        resolve_settings(base_url="http://localhost:8080/v1", environ={})


@pytest.mark.parametrize(
    ("changes", "setting"),
    [
        ({"mode": "xml"}, "mode"),
        ({"engine": "magic"}, "engine"),
        ({"timeout": 0}, "timeout"),
        ({"max_reasks": -1}, "max-reasks"),
    ],
)
def test_bad_settings_name_the_setting(changes: dict[str, object], setting: str) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve_settings(environ={}, model="m", **changes)  # type: ignore[arg-type]
    assert raised.value.setting == setting


def test_cache_dir_from_environment(tmp_path: object) -> None:
    settings = resolve_settings(environ={"SUMMARIZER_CACHE_DIR": "/tmp/x"})
    assert str(settings.cache_dir) == "/tmp/x"


def test_an_endpoint_on_this_machine_gets_a_longer_timeout() -> None:
    local = resolve_settings(base_url="http://127.0.0.1:8080/v1", model="m", environ={})
    remote = resolve_settings(base_url="https://api.example.com/v1", model="m", environ={})
    chosen = resolve_settings(base_url="http://localhost:8080/v1", model="m", timeout=5, environ={})
    assert (local.timeout, remote.timeout, chosen.timeout) == (600, 60, 5)
