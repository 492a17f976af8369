"""Warnings about a ``.deriv`` text that is valid but probably not what was meant.

``single_use_names(text)``: every name is a symbol, so a misspelled variable
(``etta`` for ``eta``) silently becomes a new one, and the step is then judged
about a different statement. A name that occurs exactly once in the whole file
(assumptions included) is the usual sign: a real variable of a derivation appears
in at least two places (an assumption and a step, or two steps of a chain). The
warning names the line and column, and a close name when there is one.

Works on the raw text with a tokenizer (never parses or evaluates it), so it can
run before, after or without the checker.
"""
from __future__ import annotations

import difflib
import re
from typing import NamedTuple

__all__ = ["NameWarning", "single_use_names"]

# the directive words and the whitelist of parse.py (functions, constants) are not variables
_RESERVED = frozenset({
    "assume", "claim", "start", "pi", "E",
    "sqrt", "exp", "log", "Abs", "Min", "Max", "sin", "cos", "tan", "atan", "cosh", "sinh", "tanh",
    "floor", "ceiling", "sign",
})
_VECTOR_WORDS = frozenset({
    "function", "vectors", "minimizer", "stationary", "let", "noise", "of", "grad", "dot", "norm",
    "convex", "smooth", "strongly_convex", "lipschitz",
})
# a name not glued to a digit or dot before it (so the 'e' of 1e-3 is not a name)
_NAME = re.compile(r"(?<![\w.])[^\W\d]\w*")
_DIRECTIVE = re.compile(r"^\s*(assume|claim|start)\s*:")
_STEP_LINE = re.compile(r"^\s*(claim\s*:|=|==|<=|<|>=|>)")


class NameWarning(NamedTuple):
    name: str
    line: int
    column: int
    suggestion: str | None  # a close name used elsewhere in the file

    def message(self) -> str:
        hint = f"; did you mean {self.suggestion!r}?" if self.suggestion else " (a typo?)"
        return f"warning: {self.name!r} is used only once{hint}"


def _names(text: str):
    for lineno, raw in enumerate(text.splitlines(), start=1):
        code = raw.split("#", 1)[0]
        directive = _DIRECTIVE.match(code)
        start = directive.end() if directive else 0
        for m in _NAME.finditer(code, start):
            if m.group() not in _RESERVED:
                yield m.group(), lineno, m.start() + 1


def single_use_names(text: str) -> list[NameWarning]:
    """Names that occur exactly once in ``text``, in file order.

    A file with a single step and no assumptions (``claim: x**2 >= 0``) is exempt
    unless the lone name is close to another one: there every name occurs once.
    """
    seen: dict[str, list[tuple[int, int]]] = {}
    from .vector.syntax import is_vector_text

    # the declaration words and functions of vector derivations are not variables either
    vector_words = _VECTOR_WORDS if is_vector_text(text) else frozenset()
    for name, line, col in _names(text):
        if name in vector_words:
            continue
        seen.setdefault(name, []).append((line, col))
    steps = sum(1 for raw in text.splitlines() if _STEP_LINE.match(raw.split("#", 1)[0]))
    has_assumptions = any(_DIRECTIVE.match(raw) and raw.split(":", 1)[0].strip() == "assume"
                          for raw in text.splitlines())
    small = steps <= 1 and not has_assumptions
    out = []
    for name, places in seen.items():
        if len(places) != 1:
            continue
        others = [n for n in seen if n != name and len(seen[n]) > 1]
        close = difflib.get_close_matches(name, others, n=1, cutoff=0.75)
        if small and not close:
            continue
        line, col = places[0]
        out.append(NameWarning(name, line, col, close[0] if close else None))
    return sorted(out, key=lambda w: (w.line, w.column))
