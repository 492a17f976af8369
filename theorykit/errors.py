"""Errors that theorykit raises on bad input.

Every error names what was wrong: the argument, or the line and column of a
derivation file, so that the CLI can print it without a traceback.
"""
from __future__ import annotations

__all__ = [
    "TheorykitError",
    "InputError",
    "DerivationSyntaxError",
    "BackendUnavailable",
    "UnknownClaimError",
]


class TheorykitError(Exception):
    """Base class: the CLI prints these as one clean message and exits 2."""


class InputError(TheorykitError, ValueError):
    """A bad argument value. ``argument`` names the parameter."""

    def __init__(self, argument: str, message: str):
        self.argument = argument
        super().__init__(f"{argument}: {message}")


class DerivationSyntaxError(TheorykitError, ValueError):
    """Bad derivation text, located by 1-based ``line`` and ``column``."""

    def __init__(self, message: str, line: int, column: int, source: str | None = None):
        self.line = line
        self.column = column
        self.source = source
        where = f"{source}:" if source else ""
        super().__init__(f"{where}{line}:{column}: {message}")
        self.message = message


class BackendUnavailable(TheorykitError, RuntimeError):
    """The requested array backend (e.g. cupy) cannot be used here."""


class UnknownClaimError(TheorykitError, KeyError):
    """No claim with that id; the message lists the close ids."""

    def __init__(self, claim_id: str, close: list[str]):
        self.claim_id = claim_id
        self.close = close
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        super().__init__(f"unknown claim id {claim_id!r}.{hint}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]
