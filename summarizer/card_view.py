"""Show one card in a terminal: readable sections, evidence quotes, warnings."""

from __future__ import annotations

from typing import TextIO

from summarizer.cards import CardGain, PaperCard


def _gain_line(gain: CardGain) -> str:
    size = (
        ""
        if gain.value is None
        else f" {gain.value:g}{'' if gain.unit == 'abs' else gain.unit or ''}"
    )
    arrow = "↑" if gain.direction == "higher" else "↓"
    parts = [f"{gain.metric}{size} {arrow}"]
    if gain.baseline:
        parts.append(f"vs {gain.baseline}")
    if gain.condition:
        parts.append(f"on {gain.condition}")
    return " ".join(parts)


def write_card(card: PaperCard, out: TextIO) -> None:
    """A human-readable view of the card (rich markup, plain when not a terminal)."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=out, highlight=False, soft_wrap=False)
    name = f" ({escape(card.method_name)})" if card.method_name else ""
    console.print(f"[bold]{escape(card.title or '(untitled)')}[/bold]{name}")
    console.print(f"[dim]{card.paper_id} · {card.contribution}[/dim]")
    console.print(f"[bold]Problem[/bold]  {escape(card.problem)}")
    console.print(f"[bold]Method[/bold]   {escape(card.method)}")
    if card.stages:
        console.print("[bold]Stages[/bold]")
        for number, stage in enumerate(card.stages, start=1):
            console.print(
                f"  {number}. {escape(stage.name)} [dim]({stage.kind})[/dim]: "
                f"{escape(stage.description)}"
            )
    if card.claimed_gains:
        console.print("[bold]Claimed gains[/bold]")
        for gain in card.claimed_gains:
            console.print(f"  • {escape(_gain_line(gain))}")
            console.print(f"    [dim]“{escape(gain.quote)}”[/dim]")
    provenance = card.provenance
    engine = provenance.engine + (f" {provenance.model}" if provenance.model else "")
    cached = ", from cache" if provenance.cached else ""
    tokens = provenance.usage.total_tokens
    console.print(f"[dim]{engine}{cached}, {tokens} tokens[/dim]")
    for warning in card.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
