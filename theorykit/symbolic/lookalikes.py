"""Warn about names that look alike but are different symbols.

A Cyrillic ``х`` typed next to a Latin ``x`` is a second symbol: the step is
then checked about two independent variables, which silently changes its
meaning. Python's identifier rules (NFKC) already fold full-width and other
compatibility forms; what is left are letters of other scripts that render
like Latin ones. This module maps them to their Latin look-alike (a small
"skeleton", in the spirit of Unicode TR39) and reports names that collide, and
names that mix scripts.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["lookalike_warnings", "skeleton"]

# Cyrillic and Greek letters that render like Latin ones in common fonts.
_LATIN_LOOKALIKE = {
    # Cyrillic lower case
    "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ь": "b",
    # Cyrillic upper case
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "І": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}


def _script(char: str) -> str | None:
    if char.isascii():
        return "Latin" if char.isalpha() else None
    try:
        name = unicodedata.name(char)
    except ValueError:
        return None
    for script in ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"):
        if name.startswith(script):
            return script.capitalize()
    return None


def _scripts(name: str) -> list[str]:
    out: list[str] = []
    for char in name:
        script = _script(char)
        if script and script not in out:
            out.append(script)
    return out


def skeleton(name: str) -> str:
    """``name`` with every look-alike letter replaced by its Latin twin."""
    return "".join(_LATIN_LOOKALIKE.get(char, char) for char in unicodedata.normalize("NFKC", name))


def _describe(name: str) -> str:
    scripts = _scripts(name)
    return f"'{name}' ({'/'.join(scripts) or 'no script'})"


def lookalike_warnings(names: Iterable[str]) -> list[str]:
    """Messages for names that collide after :func:`skeleton`, or mix scripts."""
    names = sorted(set(names))
    warnings: list[str] = []
    by_skeleton: dict[str, list[str]] = {}
    for name in names:
        by_skeleton.setdefault(skeleton(name), []).append(name)
    for group in by_skeleton.values():
        if len(group) > 1:
            listed = " and ".join(_describe(n) for n in group)
            warnings.append(f"names {listed} look alike but are different symbols")
    for name in names:
        scripts = _scripts(name)
        if len(scripts) > 1:
            warnings.append(f"name {_describe(name)} mixes scripts; a look-alike letter is a different character")
    return warnings
