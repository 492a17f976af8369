"""Rows of a display: justifications, columns, formulas and relations (helpers
of ``document.py`` and ``declarations.py``)."""
from __future__ import annotations

from .lexer import Tok

__all__ = ["REL_TEXT", "clean_justification", "split_columns", "split_formulas", "split_relations",
           "top_level_commas", "ALIGN_FAMILY", "ALIGN_MARKERS"]

REL_TEXT = {"<=": "<=", ">=": ">=", "=": "=", "<": "<", ">": ">"}
_DROPPED = ("label", "tag", "eqref", "ref", "hspace", "vspace")
_SILENT = ("nonumber", "notag", "quad", "qquad", "displaystyle", ",", ";", "!", ":", " ")


def clean_justification(raw: str) -> str:
    """``\\quad\\text{(convexity)}\\label{eq:3}`` -> ``(convexity)``: text
    unwrapped, labels and spacing dropped, other LaTeX kept as written."""
    from .tex import TEXT_COMMANDS, _command, find_group_end

    out: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        char = raw[i]
        if char == "%":
            newline = raw.find("\n", i)
            i = n if newline < 0 else newline + 1
            continue
        if char != "\\":
            out.append(char)
            i += 1
            continue
        name, after = _command(raw, i, n)
        k = after
        while k < n and raw[k] in " *":
            k += 1
        has_group = k < n and raw[k] == "{"
        close = find_group_end(raw, k, n) if has_group else -1
        if name in _DROPPED and close > 0:
            i = close
        elif name in TEXT_COMMANDS and close > 0:
            out.append(raw[k + 1 : close - 1])
            i = close
        elif name in _SILENT:
            out.append(" ")
            i = after
        else:
            out.append(raw[i:after])
            i = after
    return " ".join("".join(out).split())


ALIGN_FAMILY = frozenset({"align", "flalign", "alignat"})
ALIGN_MARKERS = ("\\begin{aligned}", "\\begin{alignedat}", "\\begin{align}", "\\begin{align*}")


def split_columns(toks: list[Tok], pairs: bool) -> list[list[Tok]]:
    """Drop alignment '&'; in the align family every second '&' separates
    two formulas (``x &= 1 & y &= 2``), as the environment lays them out."""
    groups: list[list[Tok]] = [[]]
    count = 0
    for tok in toks:
        if tok.type == "AMP":
            count += 1
            if pairs and tok.depth == 0 and count % 2 == 0:
                groups.append([])
            continue
        groups[-1].append(tok)
    return [group for group in groups if group] or [[]]


def split_formulas(toks: list[Tok]) -> list[list[Tok]]:
    """``a \\le b, \\quad c \\ge d``: two formulas; a comma that does not separate
    two relations stays (and makes its side unreadable)."""
    pieces: list[list[Tok]] = [[]]
    for tok in toks:
        if tok.type == "COMMA" and tok.depth == 0:
            pieces.append([])
        pieces[-1].append(tok)
    formulas: list[list[Tok]] = []
    for piece in pieces:
        body = piece[1:] if piece and piece[0].type == "COMMA" else piece
        has_relation = any(t.type == "REL" and t.depth == 0 for t in body)
        if formulas and not (has_relation and any(t.type == "REL" and t.depth == 0 for t in formulas[-1])):
            formulas[-1].extend(piece)
        else:
            formulas.append(body)
    return formulas or [[]]


def split_relations(toks: list[Tok]) -> list:
    """[segment, REL, segment, REL, ...] at top-level relations."""
    parts: list = [[]]
    for tok in toks:
        if tok.type == "REL" and tok.depth == 0:
            parts.append(tok)
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def top_level_commas(text: str, start: int, end: int) -> list[tuple[int, int]]:
    items, depth, item_start = [], 0, start
    for i in range(start, end):
        char = text[i]
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif char == "," and depth == 0:
            items.append((item_start, i))
            item_start = i + 1
    if text[item_start:end].strip():
        items.append((item_start, end))
    return items
