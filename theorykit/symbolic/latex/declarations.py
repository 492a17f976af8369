"""``% theorykit: ...`` declarations -> ``.deriv`` declaration lines.

The keywords are those of the ``.deriv`` format (function, vectors, minimizer,
let, assume) plus ``reset`` and ``skip``; expressions are LaTeX. A bad
declaration is an error at its line and column (it would change every step
after it), never a silently dropped line.
"""
from __future__ import annotations

from .grammar import ParseFailure, parse_tokens
from .lexer import Tok, lex
from .rows import REL_TEXT, split_relations, top_level_commas
from .scan import Declaration
from .translate import Unreadable, Value

__all__ = ["DeclarationReader"]


class DeclarationReader:
    """The declaration part of the document builder (mixed into it): uses its
    ``text``, ``table``, ``vectors``, ``functions``, ``declarations``,
    ``macros``, ``fail`` and ``emitter``."""

    def declaration(self, decl: Declaration) -> None:
        text = self.text
        start, end = decl.body_start, decl.body_end
        while start < end and text[start] in " \t":
            start += 1
        body = text[start:end].strip()
        word = body.split(":", 1)[0].strip()
        first = word.split()[0] if word.split() else ""
        if body in ("reset", "skip"):
            if body == "reset":
                self.vectors, self.functions, self.declarations = set(), {}, []
                self.defined = set()
                self.group_open = False
            else:
                self.skip_next = True
            return
        if ":" not in body or first not in ("function", "vectors", "minimizer", "stationary", "let", "assume"):
            self.fail(
                f"unknown theorykit declaration '{body[:40]}' (expected function, vectors, minimizer, "
                "let, assume, reset or skip)",
                start,
            )
        colon = text.index(":", start)
        rest_start, rest_end = colon + 1, end
        handler = getattr(self, "_decl_" + first)
        deriv = handler(start, colon, rest_start, rest_end)
        if deriv:
            self.declarations.append((deriv, start, end))
            self.group_open = False

    def _tokens(self, start: int, end: int) -> list[Tok]:
        toks = lex(self.text, start, end, macros=self.macros)
        for tok in toks:
            if tok.type == "UNKNOWN":
                self.fail(tok.value, tok.start)
        return toks

    def _expr(self, toks: list[Tok], fallback: int) -> Value:
        if not toks:
            self.fail("expected an expression", fallback)
        try:
            return self.emitter().expression(parse_tokens(toks))
        except (ParseFailure, Unreadable) as exc:
            self.fail(exc.message, exc.start)
        raise AssertionError("unreachable")  # pragma: no cover

    def _name(self, toks: list[Tok], fallback: int) -> str:
        if len(toks) >= 3 and toks[0].type == "NAME" and toks[1].type == "CARET":
            key = self.emitter().iterate_key(toks[0].value, toks[1].end, toks[-1].end)  # x^{k+1}
            if key is None:
                self.fail("expected a name such as x^k or x^{k+1}", toks[1].start)
            return self.table.ident(key, self.text[toks[0].start : toks[-1].end])
        if len(toks) != 1 or toks[0].type != "NAME":
            self.fail("expected one name", toks[0].start if toks else fallback)
        tok = toks[0]
        return self.table.ident(tok.value, self.text[tok.start : tok.end])

    def _split(self, toks: list[Tok], kind: str) -> list[list[Tok]]:
        parts: list[list[Tok]] = [[]]
        for tok in toks:
            if tok.type == kind and tok.depth == 0:
                parts.append([])
            else:
                parts[-1].append(tok)
        return parts

    def _decl_function(self, start, colon, rest_start, rest_end) -> str:
        name_start = start + len("function")
        toks = self._tokens(name_start, colon)
        if len(toks) != 1 or toks[0].type != "NAME":
            self.fail("expected 'function NAME: classes'", name_start)
        key = toks[0].value
        ident = self.table.ident(key, self.text[toks[0].start : toks[0].end])
        self.functions[key] = ident
        classes = []
        for item_start, item_end in top_level_commas(self.text, rest_start, rest_end):
            classes.append(self._class(item_start, item_end))
        if not classes:
            self.fail("a function needs at least one class (convex, smooth(L), ...)", rest_start)
        return f"function {ident}: {', '.join(classes)}"

    def _class(self, start: int, end: int) -> str:
        text = self.text
        while start < end and text[start] in " \t":
            start += 1
        while end > start and text[end - 1] in " \t":
            end -= 1
        word_end = start
        while word_end < end and (text[word_end].isascii() and (text[word_end].isalpha() or text[word_end] == "_")):
            word_end += 1
        word = text[start:word_end]
        if not word:
            self.fail("expected a function class such as convex or smooth(L)", start)
        if word_end == end:
            return word
        if text[word_end] != "(" or text[end - 1] != ")":
            self.fail(f"expected '{word}(parameter)'", word_end)
        value = self._expr(self._tokens(word_end + 1, end - 1), word_end + 1)
        if value.typ != "s":
            self.fail("a class parameter must be a scalar", word_end + 1)
        return f"{word}({value.text})"

    def _decl_vectors(self, start, colon, rest_start, rest_end) -> str:
        names = [self._name(part, rest_start) for part in self._split(self._tokens(rest_start, rest_end), "COMMA")]
        self.vectors.update(names)
        return f"vectors: {', '.join(names)}"

    def _decl_minimizer(self, start, colon, rest_start, rest_end) -> str:
        toks = self._tokens(rest_start, rest_end)
        of = [i for i, tok in enumerate(toks) if tok.type == "NAME" and self.text[tok.start : tok.end] == "o"]
        # 'of' lexes as the names o, f: find the pair written together
        cut = next((i for i in of if i + 1 < len(toks) and toks[i + 1].start == toks[i].end
                    and self.text[toks[i].start : toks[i + 1].end] == "of"), None)
        if cut is None:
            self.fail("expected 'minimizer: POINT of FUNCTION'", rest_start)
        point = self._name(toks[:cut], rest_start)
        function_toks = toks[cut + 2 :]
        if len(function_toks) != 1 or function_toks[0].value not in self.functions:
            self.fail("minimizer: the function after 'of' must be declared first", toks[cut].start)
        self.vectors.add(point)
        return f"minimizer: {point} of {self.functions[function_toks[0].value]}"

    def _decl_let(self, start, colon, rest_start, rest_end) -> str:
        toks = self._tokens(rest_start, rest_end)
        cut = next((i for i, tok in enumerate(toks) if tok.type == "REL" and tok.depth == 0), None)
        if cut is None or toks[cut].value != "=":
            self.fail("expected 'let: NAME = expression'", rest_start)
        value = self._expr(toks[cut + 1 :], toks[cut].end)
        name = self._name(toks[:cut], rest_start)
        if value.typ == "v":
            self.vectors.add(name)
            self.defined.add(name)
            return f"let: {name} = {value.text}"
        if value.typ != "s":
            self.fail("let: the right side must be a vector or a scalar", toks[cut].end)
        return f"assume: {name} = {value.text}"

    def _interval(self, part: list[Tok]) -> str | None:
        """``x \\in (a, b]``, ``[a, b)``, ...: ``a < x <= b``; None when not that form."""
        rels = [i for i, tok in enumerate(part) if tok.type == "REL" and tok.depth == 0]
        if len(rels) != 1 or self.text[part[rels[0]].start : part[rels[0]].end] != "\\in":
            return None
        inside = part[rels[0] + 1 :]
        if len(inside) < 5 or inside[0].type not in ("LPAR", "LBRACK") or inside[-1].type not in ("RPAR", "RBRACK"):
            self.fail("expected an interval such as (0, 1] after \\in", part[rels[0]].start)
        commas = [i for i, tok in enumerate(inside) if tok.type == "COMMA" and tok.depth == 1]
        if len(commas) != 1:
            self.fail("expected an interval such as (0, 1] after \\in", inside[0].start)
        low = self._expr(inside[1 : commas[0]], inside[0].end)
        high = self._expr(inside[commas[0] + 1 : -1], inside[commas[0]].end)
        name = self._expr(part[: rels[0]], part[0].start)
        left = "<" if inside[0].type == "LPAR" else "<="
        right = "<" if inside[-1].type == "RPAR" else "<="
        return f"{low.text} {left} {name.text} {right} {high.text}"

    def _split_assumptions(self, toks: list[Tok]) -> list[list[Tok]]:
        """Top-level commas, except those inside an interval after \\in."""
        parts: list[list[Tok]] = [[]]
        for tok in toks:
            if tok.type == "COMMA" and tok.depth == 0:
                parts.append([])
            else:
                parts[-1].append(tok)
        return parts

    def _decl_assume(self, start, colon, rest_start, rest_end) -> str:
        parts = []
        for part in self._split_assumptions(self._tokens(rest_start, rest_end)):
            interval = self._interval(part) if part else None
            if interval is not None:
                parts.append(interval)
                continue
            pieces: list[str] = []
            for tok_group in split_relations(part):
                if isinstance(tok_group, Tok):
                    if tok_group.value is None:
                        self.fail(tok_group.note or "this relation cannot be assumed", tok_group.start)
                    pieces.append(REL_TEXT[tok_group.value])
                else:
                    value = self._expr(tok_group, part[0].start if part else rest_start)
                    if value.typ != "s":
                        self.fail("assumptions relate scalars", tok_group[0].start)
                    pieces.append(value.text)
            if len(pieces) < 3:
                self.fail("each assumption needs a relation, such as L > 0", part[0].start if part else rest_start)
            parts.append(" ".join(pieces))
        return f"assume: {', '.join(parts)}"

    # ------------------------------------------------------------ displays
