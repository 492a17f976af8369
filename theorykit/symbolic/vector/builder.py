"""The ``Derivation`` builder for vector derivations.

``Derivation(functions={"f": "smooth(L), convex"}, vectors=["x0", "xs"],
minimizers={"xs": "f"}, let={"x1": "x0 - eta*grad(f, x0)"}, assume=[...])``
(and ``noise=["e"]`` for random vectors with conditional mean zero, used inside ``E(...)``)
returns an instance of :class:`VectorDerivation` (a subclass), whose steps are
given as text in the ``.deriv`` expression syntax. The builder assembles the
equivalent ``.deriv`` text and checks it with the same code as ``theorykit
check``, so both give the same verdicts.
"""
from __future__ import annotations

from typing import Callable

import sympy

from ...errors import DerivationSyntaxError, InputError
from ..builder import _STEP_TIMEOUT, Derivation
from ..parse import RELATIONS
from ..report import DerivationReport

__all__ = ["VectorDerivation"]

_OPS = {"==": "=", "=": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">"}
_REL_OP = {"==": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">"}


def _text(value, argument: str) -> str:
    if isinstance(value, sympy.Basic) and not isinstance(value, sympy.core.relational.Relational):
        value = str(value)  # a SymPy scalar prints in the .deriv syntax
    if not isinstance(value, str):
        raise InputError(argument, f"expected text in the .deriv syntax, got {type(value).__name__}")
    if "\n" in value or "\r" in value or "#" in value:
        raise InputError(argument, "must be one line without '#'")
    if not value.strip():
        raise InputError(argument, "is empty")
    return value.strip()


class VectorDerivation(Derivation):
    """A vector derivation built in Python (see the module docstring)."""

    def __init__(self, assume=(), *, name: str | None = None, functions=None, vectors=None, minimizers=None,
                 let=None, stationary=None, noise=None):
        self.name = name
        self._lines: list[tuple[str, str]] = []  # (.deriv line, what it came from)
        self._calls: list[int | None] = []  # per line: the builder call that made it, if a step
        self._open = False
        self._steps = 0
        for fname, classes in dict(functions or {}).items():
            self._lines.append((f"function {_text(fname, 'functions')}: {_text(classes, f'functions[{fname!r}]')}",
                                f"functions[{fname!r}]"))
        if isinstance(vectors, str):
            vectors = [v for v in vectors.split(",")]
        names = [_text(v, "vectors") for v in (vectors or [])]
        if names:
            self._lines.append(("vectors: " + ", ".join(names), "vectors"))
        if isinstance(noise, str):
            noise = [v for v in noise.split(",")]
        noises = [_text(v, "noise") for v in (noise or [])]
        if noises:  # random vectors with E[e | the deterministic vectors] = 0 (see syntax.expectation)
            self._lines.append(("noise: " + ", ".join(noises), "noise"))
        for vec, fname in dict(minimizers or {}).items():
            self._lines.append((f"minimizer: {_text(vec, 'minimizers')} of {_text(fname, f'minimizers[{vec!r}]')}",
                                f"minimizers[{vec!r}]"))
        for vec, fname in dict(stationary or {}).items():
            self._lines.append((f"stationary: {_text(vec, 'stationary')} of "
                                f"{_text(fname, f'stationary[{vec!r}]')}", f"stationary[{vec!r}]"))
        for vec, expr in dict(let or {}).items():
            self._lines.append((f"let: {_text(vec, 'let')} = {_text(expr, f'let[{vec!r}]')}", f"let[{vec!r}]"))
        if isinstance(assume, (str, sympy.Basic)):
            assume = [assume]
        for position, item in enumerate(assume, start=1):
            if isinstance(item, sympy.core.relational.Relational) and item.rel_op in _REL_OP:
                item = f"{item.lhs} {_REL_OP[item.rel_op]} {item.rhs}"
            self._lines.append((f"assume: {_text(item, 'assume')}", f"assume item {position}"))

    def start(self, expr) -> "VectorDerivation":
        self._steps += 1
        self._lines.append((f"start: {_text(expr, 'start')}", f"start (call {self._steps})"))
        self._mark()
        self._open = True
        return self

    def _relate(self, op: str, expr, by) -> "VectorDerivation":
        self._steps += 1
        if not self._open:
            raise InputError(op, "call .start(expr) before adding relation steps")
        line = f"{op} {_text(expr, 'expr')}"
        if by is not None:
            line += f"   # by: {_text(by, 'by')}"
        self._lines.append((line, f"step {self._steps} ({op})"))
        self._mark()
        return self

    def claim(self, lhs, rel: str, rhs, by: str | None = None) -> "VectorDerivation":
        self._steps += 1
        op = _OPS.get(rel)
        if op is None or op not in RELATIONS:
            raise InputError("rel", f"{rel!r} is not one of {', '.join(RELATIONS)}")
        line = f"claim: {_text(lhs, 'lhs')} {op} {_text(rhs, 'rhs')}"
        if by is not None:
            line += f"   # by: {_text(by, 'by')}"
        self._lines.append((line, f"claim (call {self._steps})"))
        self._mark()
        self._open = False
        return self

    def _mark(self) -> None:
        self._calls += [None] * (len(self._lines) - 1 - len(self._calls)) + [self._steps]

    def to_text(self) -> str:
        """The equivalent ``.deriv`` text."""
        return "\n".join(line for line, _ in self._lines) + "\n"

    def check(self, timeout: float | None = None, *, prover: Callable | None = None) -> DerivationReport:
        from .check import check_vector_text

        if timeout is None:
            timeout = _STEP_TIMEOUT.get()
        if not self._steps:
            raise InputError("derivation", "no steps to check: add .claim(...) or .start(...).le(...)")
        try:
            report = check_vector_text(self.to_text(), self.name, timeout=timeout, prover=prover)
        except DerivationSyntaxError as exc:
            where = self._lines[exc.line - 1][1] if 0 < exc.line <= len(self._lines) else "derivation"
            raise InputError(where, f"{exc.message} (column {exc.column} of: {self._lines[exc.line - 1][0]!r})"
                             if 0 < exc.line <= len(self._lines) else exc.message) from None
        # as in the scalar builder, steps are numbered by call order (1-based) in place of lines
        calls = {number: call for number, call in enumerate(self._calls, start=1) if call}
        for step in report.steps:
            step.line = calls.get(step.line, step.line)
        for chain in report.chains:
            chain.start_line = calls.get(chain.start_line, chain.start_line)
        return report
