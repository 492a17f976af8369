"""The grammar of LaTeX math expressions (lark, LALR) over the lexer's tokens.

The grammar reads one expression (no relations: rows are split at relations
before parsing). Implicit products (``2\\eta L``, ``t(y-x)``) are juxtaposed
factors; whether ``f(x)`` is an application or a product is decided later,
in ``translate.py``, from the declared functions. The result is a tree of
:class:`Node` items located by absolute document offsets.
"""
from __future__ import annotations

from typing import NamedTuple

from lark import Lark, Token, Transformer_NonRecursive
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer

from .lexer import Tok

__all__ = ["Node", "ParseFailure", "parse_tokens", "MAX_TOKENS"]

MAX_TOKENS = 1500

GRAMMAR = r"""
?start: sum
?sum: sum PLUS product -> add
    | sum MINUS product -> sub
    | product
    | MINUS product -> neg
    | PLUS product -> pos
?product: product TIMES signed -> mul
    | product SLASH signed -> div
    | product power -> imul
    | power
?signed: MINUS signed -> neg
    | PLUS signed -> pos
    | power
?power: postfix CARET arg -> pow
    | postfix
?postfix: atom TRANSPOSE -> transpose
    | atom
?atom: NUMBER -> number
    | NAME -> name
    | NABLA -> nabla
    | LPAR args RPAR -> paren
    | LBRACK sum RBRACK -> group
    | LBRACE sum RBRACE -> group
    | LCURLY args RCURLY -> paren
    | ABSOPEN sum ABSCLOSE -> abs
    | NORMOPEN sum NORMCLOSE -> norm
    | LANGLE sum COMMA sum RANGLE -> inner
    | FRAC arg arg -> frac
    | SQRT arg -> sqrt
    | SQRT LBRACK sum RBRACK arg -> root
    | FUNC power -> func
    | FUNC CARET arg power -> funcpow
    | MAXMIN LCURLY args RCURLY -> maxmin
    | MAXMIN LPAR args RPAR -> maxmin
?arg: LBRACE sum RBRACE -> group
    | NUMBER -> number
    | NAME -> name
args: sum (COMMA sum)*

%declare NUMBER NAME NABLA PLUS MINUS TIMES SLASH CARET TRANSPOSE LPAR RPAR LBRACK RBRACK
%declare LBRACE RBRACE LCURLY RCURLY ABSOPEN ABSCLOSE NORMOPEN NORMCLOSE LANGLE RANGLE COMMA
%declare FRAC SQRT FUNC MAXMIN
"""

_NAMES = {
    "NUMBER": "a number", "NAME": "a name", "NABLA": "\\nabla", "PLUS": "'+'", "MINUS": "'-'",
    "TIMES": "a product sign", "SLASH": "'/'", "CARET": "'^'", "TRANSPOSE": "a transpose",
    "LPAR": "'('", "RPAR": "')'", "LBRACK": "'['", "RBRACK": "']'", "LBRACE": "'{'",
    "RBRACE": "'}'", "LCURLY": "'\\{'", "RCURLY": "'\\}'", "ABSOPEN": "'|'", "ABSCLOSE": "'|'",
    "NORMOPEN": "'\\|'", "NORMCLOSE": "'\\|'", "LANGLE": "\\langle", "RANGLE": "\\rangle",
    "COMMA": "','", "FRAC": "\\frac", "SQRT": "\\sqrt", "FUNC": "a function", "MAXMIN": "\\max",
    "REL": "a relation inside brackets", "PUNCT": "punctuation", "TEXT": "\\text",
}


class Node(NamedTuple):
    kind: str  # the grammar's alias: add, sub, neg, mul, div, imul, pow, name, ...
    children: tuple  # Nodes, or a Tok for leaves
    start: int
    end: int


class ParseFailure(Exception):
    def __init__(self, message: str, start: int, end: int):
        super().__init__(message)
        self.message, self.start, self.end = message, start, end


class _TokLexer(Lexer):
    """Feeds the already lexed ``Tok`` list to lark; a token's value is its index."""

    def __init__(self, lexer_conf):  # noqa: D401 - lark's interface
        pass

    def lex(self, data):
        for index, tok in enumerate(data):
            yield Token(tok.type, str(index), start_pos=tok.start, end_pos=tok.end)


_PARSER = Lark(GRAMMAR, parser="lalr", lexer=_TokLexer, start="start")


class _Build(Transformer_NonRecursive):
    def __init__(self, toks: list[Tok]):
        super().__init__()
        self.toks = toks

    def __default__(self, data, children, meta):
        items = []
        for child in children:
            if isinstance(child, Token):
                tok = self.toks[int(child)]
                if data in ("number", "name", "nabla") or tok.type in ("FUNC", "MAXMIN"):
                    items.append(tok)
            else:
                items.append(child)
        starts, ends = [], []
        for child in children:
            if isinstance(child, Token):
                tok = self.toks[int(child)]
                starts.append(tok.start)
                ends.append(tok.end)
            else:
                starts.append(child.start)
                ends.append(child.end)
        return Node(str(data), tuple(items), min(starts), max(ends))


def parse_tokens(toks: list[Tok]) -> Node:
    """Parse one expression; :class:`ParseFailure` names the offending token."""
    if not toks:
        raise ParseFailure("expected an expression, found nothing", 0, 0)
    if len(toks) > MAX_TOKENS:
        raise ParseFailure(f"expression longer than {MAX_TOKENS} tokens", toks[0].start, toks[0].end)
    for tok in toks:
        if tok.type == "UNKNOWN":
            raise ParseFailure(tok.value, tok.start, tok.end)
        if tok.type not in _NAMES or tok.type in ("REL", "PUNCT", "TEXT"):
            raise ParseFailure(f"unexpected {_NAMES.get(tok.type, tok.type)}", tok.start, tok.end)
    try:
        tree = _PARSER.parse(toks)
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        if token is not None and getattr(token, "type", "$END") != "$END":
            tok = toks[int(token)]
            raise ParseFailure(f"unexpected {_NAMES.get(tok.type, tok.type)}", tok.start, tok.end) from None
        raise ParseFailure("the expression ends too early", toks[-1].start, toks[-1].end) from None
    except RecursionError:
        raise ParseFailure("expression nested too deeply", toks[0].start, toks[0].end) from None
    if isinstance(tree, Token):  # a single-token expression is returned bare
        tok = toks[int(tree)]
        return Node(tok.type.lower() if tok.type != "NABLA" else "nabla", (tok,), tok.start, tok.end)
    return _Build(toks).transform(tree)
