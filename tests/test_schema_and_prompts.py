"""The exported JSON Schemas are up to date, and prompts render safely with a stable hash."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from summarizer.cards import CardFields, render_schema, schema_version
from summarizer.cli import cli
from summarizer.prompts import prompt_version, render_messages


def test_schema_files_match_the_models(repo: Path) -> None:
    for part, name in (("card", "card.schema.json"), ("fields", "card_fields.schema.json")):
        exported = (repo / "schemas" / name).read_text(encoding="utf-8")
        assert exported == render_schema(part), (
            f"schemas/{name} is out of date: run `summarizer schema --part {part} > schemas/{name}`"
        )


def test_schema_command_prints_the_card_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["title"] == "PaperCard"
    assert {"paper_id", "claimed_gains", "provenance", "warnings"} <= set(schema["properties"])


def test_fields_schema_carries_the_spec_rules() -> None:
    schema = CardFields.model_json_schema()
    gain = schema["$defs"]["Gain"]["properties"]
    assert "verbatim" in gain["quote"]["description"]
    assert schema["properties"]["problem"]["maxLength"] == 400
    assert set(schema["$defs"]["Stage"]["properties"]["kind"]["enum"]) >= {"rl", "alignment"}


def test_schema_version_is_a_short_stable_hash() -> None:
    assert schema_version() == schema_version()
    assert len(schema_version()) == 12


def test_messages_hold_the_paper_as_data() -> None:
    abstract = "We show {{ 7*7 }} and {% if x %} braces stay literal."
    system, user = render_messages("A {{title}}", abstract)
    assert system["role"] == "system" and user["role"] == "user"
    assert "<abstract>\n" + abstract + "\n</abstract>" in user["content"]
    assert "<title>A {{title}}</title>" in user["content"]
    assert "49" not in user["content"]


def test_system_prompt_states_the_rules_and_an_example() -> None:
    system = render_messages(None, "x")[0]["content"]
    for rule in ("problem", "method_name", "claimed_gains", "quote", "Never invent"):
        assert rule in system
    assert "38.8% to 8.4%" in system  # the worked example
    assert "(no title given)" in render_messages(None, "x")[1]["content"]


def test_prompt_version_changes_with_the_templates(tmp_path: Path, monkeypatch: object) -> None:
    import summarizer.prompts as prompts
    import summarizer.resources as resources

    before = prompt_version()
    copy = tmp_path / "prompts"
    copy.mkdir()
    for template in resources.data_dir("prompts").glob("*.j2"):
        (copy / template.name).write_text(template.read_text() + "\nExtra rule.")
    original = resources.data_dir
    try:
        resources.data_dir.cache_clear()
        prompts.prompt_version.cache_clear()
        prompts.data_dir = lambda name: copy  # type: ignore[assignment]
        assert prompts.prompt_version() != before
    finally:
        prompts.data_dir = original
        prompts.prompt_version.cache_clear()
    assert prompt_version() == before
