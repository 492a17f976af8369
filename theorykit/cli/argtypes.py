"""argparse value types shared by the commands.

Each returns the parsed value or raises ``argparse.ArgumentTypeError``, which argparse
turns into ``theorykit CMD: error: argument --NAME: MESSAGE`` with exit code 2, so a bad
value is reported against the argument that carried it.
"""
from __future__ import annotations

import argparse
import math

__all__ = ["positive_int", "positive_number", "seed", "timeout", "unit_score", "fraction_below_one", "int_in"]


def _int(text: str, expected: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def _float(text: str, expected: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def positive_int(text: str) -> int:
    value = _int(text, "a positive integer")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def seed(text: str) -> int:
    value = _int(text, "a non-negative integer")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text!r}")
    return value


def timeout(text: str) -> float:
    value = _float(text, "a number of seconds")
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive finite number of seconds, got {text!r}")
    return value


def positive_number(text: str) -> float:
    value = _float(text, "a positive number")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def fraction_below_one(text: str) -> float:
    """A number in [0, 1): a momentum, a relative band."""
    value = _float(text, "a number in [0, 1)")
    if not 0 <= value < 1:  # also rejects nan
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


def unit_score(text: str) -> float:
    value = _float(text, "a number in [0, 1]")
    if not 0 <= value <= 1:  # also rejects nan
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r}")
    return value


def int_in(lo: int, hi: int):
    """An integer type bounded to [lo, hi] (e.g. a figure's dpi)."""
    def parse(text: str) -> int:
        value = _int(text, "an integer")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}], got {value}")
        return value
    parse.__name__ = f"int_in_{lo}_{hi}"
    return parse
