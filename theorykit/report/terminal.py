"""Rich tables for the terminal (``theorykit verify`` summary, ``theorykit list``)."""
from __future__ import annotations

from typing import Iterable

from ..claims.result import ClaimResult, format_number

__all__ = ["summary_table", "claims_table", "print_summary"]

_STYLE = {"verified": "green", "proved": "green", "passed": "green", "failed": "red", "refuted": "red",
          "error": "yellow", "unknown": "yellow", "skipped": "dim",
          "incomplete": "yellow"}


def _styled(status: str) -> str:
    style = _STYLE.get(status)
    return f"[{style}]{status}[/{style}]" if style else status


def summary_table(results: Iterable[ClaimResult]):
    """Claim, derivation, mutants k/n, status, then predicted / measured per check (last, so it
    takes whatever width is left on an 80-column terminal)."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="theorykit verify")
    table.add_column("Claim", no_wrap=True)
    table.add_column("Derivation", no_wrap=True)
    table.add_column("Mutants", justify="center", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Predicted / measured")
    for r in results:
        k, n = r.mutants_refuted
        named = len(r.checks) > 1
        checks = "\n".join((f"{escape(c.name)}: " if named else "")
                           + f"{format_number(c.predicted)} / {c.measured_text()}"
                           + ("" if c.status == "passed" else f" {_styled(c.status)}") for c in r.checks)
        table.add_row(escape(r.claim_id), _styled(r.derivation_status) + f" ({r.derivation_scope})", f"{k}/{n}",
                      _styled(r.status),
                      checks or "—")
    return table


def claims_table(claims):
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="theorykit claims")
    table.add_column("Id", no_wrap=True)
    table.add_column("Kind")
    table.add_column("Title")
    for c in claims:
        table.add_row(escape(c.id), escape(c.kind.value), escape(c.title))
    return table


def print_summary(results: list[ClaimResult], console=None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = console or Console()
    console.print(summary_table(results))
    for r in results:
        if r.status != "verified":
            # soft_wrap: long messages stay on one line, so they can be grepped from logs
            console.print(f"[bold]{escape(r.claim_id)}[/bold]: {_styled(r.status)}: {escape(r.message)}",
                          soft_wrap=True)
            for c in r.checks:
                if c.status != "passed":
                    console.print(f"  check {escape(c.name)}: {escape(c.message)}", soft_wrap=True)
            for m in r.mutants:
                if not m.refuted:
                    console.print(f"  mutant {escape(m.name)}: {escape(m.message)}", soft_wrap=True)
    ok = sum(r.status == "verified" for r in results)
    seconds = sum(r.seconds for r in results)
    console.print(f"{ok}/{len(results)} claims verified ({seconds:.1f} s)")
