"""`batch --dry-run` sends nothing, so it needs no key and no server."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli

from summarizer.batch import dry_run
from summarizer.prices import load_prices
from summarizer.recipe import recipe_for
from summarizer.settings import resolve_settings

SEEDS_000 = "000_7a3839734a59cdb6.txt"


@pytest.mark.parametrize("model", sorted(load_prices()))
def test_every_priced_model_dry_runs_with_no_key_and_no_server(
    model: str, tmp_path: Path, repo: Path
) -> None:
    settings = resolve_settings(model=model, environ={})  # OpenAI, and no key anywhere
    plan = dry_run([str(repo / "seeds" / SEEDS_000)], tmp_path / "out", settings)
    assert (plan.to_request, plan.skipped) == (8, 1)
    assert plan.estimated_cost_usd is not None
    assert plan.estimated_prompt_tokens > 8 * 500
    assert plan.recipe == recipe_for(settings)
    assert not (tmp_path / "out").exists()


def test_the_command_prints_the_work_the_cost_and_the_recipe(tmp_path: Path, repo: Path) -> None:
    result = run_cli(
        "batch", str(repo / "seeds" / SEEDS_000), "-o", str(tmp_path / "out"),
        "--model", "gpt-4o-mini", "--dry-run",
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "")
    work, recipe = result.stdout.splitlines()
    assert work.startswith(
        "9 unique papers (9 read): 0 already in the output folder, 1 skipped, 0 cached, "
        "8 to request from llm gpt-4o-mini; estimated "
    )
    assert " completion tokens, cost $0.00" in work
    assert work.endswith(". No request was made.")
    assert recipe.startswith("Recipe ")
    assert "engine llm, model gpt-4o-mini, mode tools, prompt version " in recipe


def test_an_unknown_price_is_said_to_be_unknown(tmp_path: Path, repo: Path) -> None:
    result = run_cli(
        "batch", str(repo / "seeds" / SEEDS_000), "-o", str(tmp_path / "out"),
        "--model", "no-such-model", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0
    assert (
        "cost unknown (no price for model 'no-such-model': add it to the price table, "
        "see --prices). No request was made." in result.stdout
    )


def test_a_server_that_is_down_does_not_matter(tmp_path: Path, repo: Path) -> None:
    result = run_cli(
        "batch", str(repo / "seeds" / SEEDS_000), "-o", str(tmp_path / "out"),
        "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "8 to request from llm m;" in result.stdout
