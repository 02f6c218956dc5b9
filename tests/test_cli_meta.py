"""Every command has help and a section in docs/cli.md; `--help` starts fast (imports)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from cli_runner import run_cli

from summarizer.cli import cli


def all_commands(group: click.Group = cli, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(all_commands(command, f"{path} "))
        else:
            found.append((path, command))
    return found


def test_every_command_has_help() -> None:
    for path, command in all_commands():
        assert command.help and command.help.strip(), path
        result = run_cli(*path.split(), "--help")
        assert result.exit_code == 0, path
        assert result.stdout.startswith(f"Usage: summarizer {path}"), path


def test_every_command_is_documented(repo: Path) -> None:
    docs = (repo / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, _ in all_commands():
        top = path.split()[0]
        assert f"## `{top}" in docs or f"`{path}`" in docs, f"docs/cli.md has no section for {path}"


def test_every_option_is_documented(repo: Path) -> None:
    docs = (repo / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, command in all_commands():
        for parameter in command.params:
            if isinstance(parameter, click.Option) and parameter.name != "help":
                longest = max(parameter.opts, key=len)
                assert longest in docs, f"{path} {longest} is not in docs/cli.md"


def test_help_does_not_import_the_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from summarizer.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('openai', 'instructor', 'pydantic', 'rich', 'diskcache') "
        "if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip().splitlines()[-1] == "heavy:"


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli("summarise")
    assert result.exit_code == 2
    assert "No such command 'summarise'" in result.stderr


def option_table() -> str:
    """The engine options table docs/cli.md must hold, made from the declaration."""
    from summarizer.settings import options

    rows = ["| option | environment | default | meaning |", "|---|---|---|---|"]
    for option in options():
        spec = option.spec
        flag = f"`{option.flag}`" if spec.cli else "(none: never a flag)"
        if spec.choices:
            flag = f"`{option.flag} {'|'.join(spec.choices)}`".replace("|", "\\|")
        env = f"`{spec.env}`" if spec.env else ""
        if spec.default_note is not None:
            default = spec.default_note
        elif option.kind is bool or option.default is None:
            default = "off" if option.kind is bool else ""
        else:
            default = f"{option.default:g}" if option.kind is float else str(option.default)
        rows.append(f"| {flag} | {env} | {default} | {spec.help} |")
    return "\n".join(rows) + "\n"


def test_the_option_table_is_the_declaration(repo: Path) -> None:
    docs = (repo / "docs" / "cli.md").read_text(encoding="utf-8")
    assert option_table() in docs, "regenerate it: python tests/test_cli_meta.py"


if __name__ == "__main__":
    print(option_table(), end="")
