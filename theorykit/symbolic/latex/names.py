"""LaTeX names -> ``.deriv`` identifiers, deterministic and collision-free.

A LaTeX name is read into a *key*: its base (a Latin letter, a Greek letter
command or a ``\\mathrm{word}``), its decorations (``\\bar``, ``\\hat``, ...,
innermost first), the marks of a superscript that is part of the name
(``x^*``, ``x^+``, ``x'``, ``x^{(k)}``) and its subscript. The identifier is
built from the key as

    base + decorations + marks [+ "_" + subscript]

for example ``\\eta`` -> ``eta``, ``x_{k+1}`` -> ``x_kp1``, ``x^\\star`` and
``x^*`` -> ``xstar`` (one key: ``*`` and ``\\star`` are the same mark),
``x_\\star`` -> ``x_star``, ``\\bar x_k`` -> ``xbar_k``, ``\\mathbf{x}`` ->
``xbf``, ``x_k^+`` -> ``xplus_k``, ``x^{(k)}`` -> ``xsupk``, ``\\lambda`` ->
``lambda_`` (a Python keyword), ``E`` -> ``E_`` (``E`` is Euler's number in
``.deriv``). In subscripts ``+`` is ``p``, ``-`` is ``m``, ``,`` is ``_``.

Two different keys never share an identifier: :class:`NameTable` hands out
identifiers in document order and, when a candidate is already taken by
another key (``x_{kp1}`` after ``x_{k+1}``) or reserved, appends ``_2``,
``_3``, ... until it is free. The table also remembers the LaTeX source of
each name, so that reports show the original.
"""
from __future__ import annotations

import keyword
from typing import NamedTuple

__all__ = ["NameKey", "NameTable", "GREEK", "RESERVED", "encode_units"]

GREEK = frozenset(
    """alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
    lambda mu nu xi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
    Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell""".split()
)

# identifiers that mean something else in .deriv text (functions, constants,
# the vector forms and keywords of issue 12) or that Python refuses as names
RESERVED = frozenset(
    """sqrt exp log Abs Min Max sin cos tan atan cosh sinh tanh floor ceiling sign
    pi E I oo nan zoo grad dot norm of assume claim start function vectors minimizer let
    True False None""".split()
)


_UNIT_CODES = {"+": "p", "-": "m", ",": "_", "*": "star", "'": "prime"}


def encode_units(units: tuple[str, ...]) -> str:
    """Identifier characters for the units of a subscript (``('k', '+', '1')`` -> ``kp1``)."""
    return "".join(_UNIT_CODES.get(unit, unit.lstrip("\\")) for unit in units)


class NameKey(NamedTuple):
    base: str  # 'x', 'eta', 'word' (from \mathrm{word})
    decorations: tuple[str, ...] = ()
    # superscript marks: 'star', 'plus', 'prime', ('sup', units) for x^{(k)}, and
    # ('up', units) for the iterate x^{k+1} of a declared vector
    marks: tuple = ()
    # the subscript as units (letters, digits, '+', '\\alpha', ...): x_{k+1} and
    # x_{kp1} are different keys even though both encode to 'kp1'
    subscript: tuple[str, ...] = ()

    def without_marks(self) -> "NameKey":
        return self._replace(marks=())

    def candidate(self) -> str:
        marks = "".join(m if isinstance(m, str) else m[0] + encode_units(m[1]) for m in self.marks)
        text = self.base + "".join(self.decorations) + marks
        if self.subscript:
            text += "_" + encode_units(self.subscript)
        while "__" in text:  # .deriv refuses double underscores
            text = text.replace("__", "_")
        if keyword.iskeyword(text):
            text += "_"
        return text


class NameTable:
    """The identifiers of one document; injective by construction."""

    def __init__(self) -> None:
        self._ident: dict[NameKey, str] = {}
        self._taken: set[str] = set()
        self.latex: dict[str, str] = {}  # identifier -> LaTeX source of its first use

    def ident(self, key: NameKey, latex: str = "") -> str:
        found = self._ident.get(key)
        if found is not None:
            return found
        candidate = key.candidate()
        if candidate in RESERVED:
            candidate += "_"
        name, number = candidate, 1
        while name in self._taken or name in RESERVED:
            number += 1
            name = f"{candidate.rstrip('_')}_{number}"
        self._ident[key] = name
        self._taken.add(name)
        self.latex[name] = latex.strip() or name
        return name

    def known(self, key: NameKey) -> str | None:
        """The identifier of a key already seen, else None (nothing is registered)."""
        return self._ident.get(key)

    def items(self):
        return self._ident.items()
