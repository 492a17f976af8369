"""A LaTeX or Markdown document -> ``.deriv`` sources, with a map back.

Rows become chains by the rules of issue 13: a row that begins with a
relation continues the chain of the previous row; a row with its own left
side starts a new chain; a row with no relation starts a chain (``start:``);
several relations in one row are consecutive steps. A row that begins with
``+``/``-``/``\\cdot`` (and has no relation, or follows a row without one),
or that follows a row ending in an operator or a relation, continues that
row's expression (``multline``). Chains never run across displays.

Declarations (``% theorykit: ...``) hold from their line to the end of the
document or the next ``reset``; steps under different declarations go to
different ``.deriv`` sources (*groups*), so that a declaration never reaches
back to steps above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import DerivationSyntaxError
from ..derivation import MAX_STEPS
from .grammar import ParseFailure, parse_tokens
from .lexer import Tok, lex
from .names import NameTable
from .scan import Declaration, Display, LineIndex, scan_latex, scan_markdown
from .translate import Emitter, Unreadable, Value

__all__ = ["Step", "Chain", "Group", "Translation", "translate_document"]

_KEPT_PREFIXES = ("\\left", "\\bigl", "\\Bigl", "\\biggl", "\\Biggl", "\\big", "\\Big", "\\bigg", "\\Bigg")
_REL_TEXT = {"<=": "<=", ">=": ">=", "=": "=", "<": "<", ">": ">"}
_OPERATORS = ("PLUS", "MINUS", "TIMES")
_VECTOR_KEYWORDS = ("function", "vectors", "minimizer")


@dataclass
class Step:
    index: int
    line: int  # of the relation in the document
    column: int
    start: int  # offsets of the step's LaTeX (left side .. right side)
    end: int
    lhs_latex: str
    relation_latex: str
    rhs_latex: str
    relation: str | None
    lhs: str | None = None  # .deriv text
    rhs: str | None = None
    justification: str | None = None
    unreadable: str | None = None  # 'line:col: message'
    display: int = 0
    mark: int = 0  # document offset where the row's margin mark goes
    group: int = 0

    @property
    def latex(self) -> str:
        return " ".join(f"{self.lhs_latex} {self.relation_latex} {self.rhs_latex}".split())


@dataclass
class Chain:
    """A run of readable consecutive steps: one ``.deriv`` chain."""

    steps: list[int]
    start_line: int


@dataclass
class Group:
    declarations: list[tuple[str, int, int]]  # (.deriv line, document offsets of the declaration)
    chains: list[Chain] = field(default_factory=list)


@dataclass
class Translation:
    kind: str  # 'latex' or 'markdown'
    text: str
    source: str | None
    steps: list[Step]
    groups: list[Group]
    names: NameTable
    displays: list[Display]
    skipped: list[int]  # indices of displays skipped by '% theorykit: skip'
    begin_document: int | None = None
    end_document: int | None = None

    def deriv_source(self, group_index: int, excluded: set[int] | None = None) -> tuple[str, dict]:
        """The ``.deriv`` text of a group and its line map (line -> ('step', i) /
        ('chain', c) / ('decl', offset))."""
        excluded = excluded or set()
        group = self.groups[group_index]
        lines: list[str] = []
        where: dict[int, tuple] = {}
        for deriv, start, _ in group.declarations:
            lines.append(deriv)
            where[len(lines)] = ("decl", start)
        for chain_index, chain in enumerate(group.chains):
            runs: list[list[int]] = [[]]
            for position in chain.steps:
                if position in excluded:
                    runs.append([])
                else:
                    runs[-1].append(position)
            for run in (r for r in runs if r):
                first = self.steps[run[0]]
                lines.append(f"start: {first.lhs}")
                where[len(lines)] = ("chain", chain_index, run)
                for position in run:
                    step = self.steps[position]
                    lines.append(f"{_REL_TEXT[step.relation]} {step.rhs}")
                    where[len(lines)] = ("step", position)
        return "\n".join(lines) + "\n", where


class _Segment:
    __slots__ = ("toks", "start", "end", "value", "error")

    def __init__(self, toks: list[Tok], start: int, end: int):
        self.toks, self.start, self.end = toks, start, end
        self.value: Value | None = None
        self.error: tuple[str, int] | None = None  # (message, offset)


class _Builder:
    def __init__(self, text: str, kind: str, source: str | None):
        self.text, self.kind, self.source = text, kind, source
        self.lines = LineIndex(text)
        self.table = NameTable()
        self.vectors: set[str] = set()
        self.functions: dict = {}
        self.declarations: list[tuple[str, int, int]] = []
        self.groups: list[Group] = []
        self.group_open = False
        self.steps: list[Step] = []
        self.skip_next = False
        self.skipped: list[int] = []
        self.macros: dict = {}

    # ------------------------------------------------------------ helpers

    def fail(self, message: str, offset: int):
        line, column = self.lines.at(offset)
        raise DerivationSyntaxError(message, line, column, self.source)

    def located(self, message: str, offset: int) -> str:
        line, column = self.lines.at(offset)
        return f"{line}:{column}: {message}"

    def emitter(self) -> Emitter:
        return Emitter(self.text, self.table, self.vectors, self.functions)

    def segment(self, toks: list[Tok], raw_start: int) -> _Segment:
        """Translate the tokens of one side; its LaTeX runs from ``raw_start``
        (after the previous relation or the row start) to its last token, so
        that dropped commands such as ``\\left`` stay in the source shown."""
        if not toks:
            return _Segment([], raw_start, raw_start)
        start = raw_start
        while start < toks[0].start and self.text[start] in " \t\r\n&":
            start += 1
        if not self.text.startswith(_KEPT_PREFIXES, start):
            start = toks[0].start  # '\\begin{aligned}', comments, spacing: not part of the side
        seg = _Segment(toks, start, toks[-1].end)
        try:
            seg.value = self.emitter().expression(parse_tokens(toks))
        except (ParseFailure, Unreadable) as exc:
            seg.error = (exc.message, exc.start)
        return seg

    def group(self) -> int:
        if not self.group_open:
            self.groups.append(Group(list(self.declarations)))
            self.group_open = True
        return len(self.groups) - 1

    # ------------------------------------------------------------ declarations

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
                self.group_open = False
            else:
                self.skip_next = True
            return
        if ":" not in body or first not in ("function", "vectors", "minimizer", "let", "assume"):
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
        for item_start, item_end in _top_level_commas(self.text, rest_start, rest_end):
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
            for tok_group in _split_relations(part):
                if isinstance(tok_group, Tok):
                    if tok_group.value is None:
                        self.fail(tok_group.note or "this relation cannot be assumed", tok_group.start)
                    pieces.append(_REL_TEXT[tok_group.value])
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

    def display(self, index: int, disp: Display) -> None:
        if self.skip_next:
            self.skip_next = False
            self.skipped.append(index)
            return
        rows = []  # (tokens, justification, mark offset)
        pieces = []  # formulas: a row splits at top-level commas between relations
        pairs = disp.kind.rstrip("*") in _ALIGN_FAMILY or any(
            marker in self.text[disp.body_start : disp.body_end] for marker in _ALIGN_MARKERS)
        for row in disp.rows:
            toks, justification = self._row(row.start, row.end)
            formulas = [f for group in _split_columns(toks, pairs) for f in _split_formulas(group)]
            for position, formula in enumerate(formulas):
                last = position == len(formulas) - 1
                start = row.start if position == 0 else formulas[position - 1][-1].end + 1
                pieces.append((formula, justification if last else None, row.end, start))
        for toks, justification, row_end, row_start in pieces:
            if not toks and justification is None:
                continue
            if rows and toks and self._continues(rows[-1][0], toks) and rows[-1][1] is None:
                previous = rows.pop()
                toks, row_start = previous[0] + toks, previous[3]
            rows.append((toks, justification, row_end, row_start))
        group = self.group()
        chain: list[int] | None = None
        current: _Segment | None = None
        orphan = None  # an unreadable row without relation, until a row continues it
        for toks, justification, mark, row_start in rows:
            parts = _split_relations(toks)
            segments = [p for p in parts if not isinstance(p, Tok)]
            relations = [p for p in parts if isinstance(p, Tok)]
            if segments[0] and orphan is not None:
                self._orphan(*orphan)  # nothing continued it: report the row itself
                orphan = None
            if not relations:
                if segments[0]:
                    current = self.segment(segments[0], row_start)
                    chain = self._new_chain(group, current)
                    if current.error is not None:
                        orphan = (current, index, mark, group)
                continue
            orphan = None
            if segments[0]:
                current = self.segment(segments[0], row_start)
                chain = self._new_chain(group, current)
            elif current is None:
                chain = self._new_chain(group, None)
            for relation, seg_toks in zip(relations, segments[1:]):
                right = self.segment(seg_toks, relation.end)
                chain = self._step(current, relation, right, justification, index, mark, group, chain)
                current = right
        if orphan is not None:
            self._orphan(*orphan)

    def _orphan(self, segment: _Segment, display: int, mark: int, group: int) -> None:
        """A row that cannot be read at all (so its relations are unknown) is
        still reported, as one unreadable step."""
        line, column = self.lines.at(segment.start)
        if len(self.steps) >= MAX_STEPS:
            self.fail(f"more than {MAX_STEPS} displayed steps; split the document", segment.start)
        source = self.text[segment.start : segment.end]
        self.steps.append(Step(
            index=len(self.steps), line=line, column=column, start=segment.start, end=segment.end,
            lhs_latex=source if len(source) <= 200 else source[:200] + " ...", relation_latex="",
            rhs_latex="", relation=None, unreadable=self.located(*segment.error), display=display,
            mark=mark, group=group,
        ))

    def _new_chain(self, group: int, start: _Segment | None) -> list[int]:
        line = self.lines.at(start.start)[0] if start is not None else 0
        chain = Chain([], line)
        self.groups[group].chains.append(chain)
        return chain.steps

    def _continues(self, previous: list[Tok], toks: list[Tok]) -> bool:
        if not previous:
            return False
        if previous[-1].type in _OPERATORS or (previous[-1].type == "REL" and previous[-1].depth == 0):
            return True
        if toks[0].type in _OPERATORS:
            has_relation = any(t.type == "REL" and t.depth == 0 for t in toks)
            had_relation = any(t.type == "REL" and t.depth == 0 for t in previous)
            return not (has_relation and had_relation)
        return False

    def _row(self, start: int, end: int) -> tuple[list[Tok], str | None]:
        toks = lex(self.text, start, end, keep_amp=True, macros=self.macros)
        justification = None
        cut = next((i for i, tok in enumerate(toks) if tok.type == "TEXT"), None)
        if cut is not None:
            if toks[cut].depth > 0:
                cut = max(j for j in range(cut) if toks[j].depth == 0) if any(
                    toks[j].depth == 0 for j in range(cut)) else cut
            justification = clean_justification(self.text[toks[cut].start : end]) or None
            toks = toks[:cut]
        while toks and toks[-1].depth == 0 and toks[-1].type in ("PUNCT", "COMMA", "AMP"):
            toks.pop()
        return toks, justification

    def _step(self, left, relation: Tok, right: _Segment, justification, display, mark, group, chain) -> list[int]:
        """Record one step; returns the .deriv chain that later steps continue."""
        line, column = self.lines.at(relation.start)
        if len(self.steps) >= MAX_STEPS:  # each step costs a prover run: stop early
            self.fail(f"more than {MAX_STEPS} displayed steps; split the document", relation.start)
        text = self.text
        step = Step(
            index=len(self.steps), line=line, column=column,
            start=left.start if left is not None and left.toks else relation.start,
            end=right.end if right.toks else relation.end,
            lhs_latex=text[left.start : left.end].strip() if left is not None else "",
            relation_latex=text[relation.start : relation.end],
            rhs_latex=text[right.start : right.end].strip(),
            relation=relation.value, display=display, mark=mark, group=group,
        )
        step.justification = relation.note if relation.note and relation.value else justification
        problem = None
        if left is None:
            problem = self.located("a relation with no left side (no chain is open here)", relation.start)
        elif left.error is not None:
            problem = self.located(*left.error)
        if problem is None and relation.value is None:
            problem = self.located(relation.note or "not a checked relation", relation.start)
        if problem is None and not right.toks:
            problem = self.located("nothing after the relation", relation.end)
        if problem is None and right.error is not None:
            problem = self.located(*right.error)
        if problem is None:
            for side in (left, right):
                if side.value.typ != "s":
                    problem = self.located("a relation between vectors is not a checked step", side.start)
                    break
        self.steps.append(step)
        if problem is None:
            step.lhs, step.rhs = left.value.text, right.value.text
            chain.append(step.index)
            return chain
        step.unreadable = problem
        return self._new_chain(group, None)  # an unreadable step breaks the chain

    def build(self, scan) -> Translation:
        self.macros = dict(getattr(scan, "macros", {}) or {})
        displays = []
        for item in scan.items:
            if isinstance(item, Declaration):
                self.declaration(item)
            else:
                displays.append(item)
                self.display(len(displays) - 1, item)
        for group in self.groups:
            group.chains = [chain for chain in group.chains if chain.steps]
            for chain in group.chains:
                chain.start_line = self.steps[chain.steps[0]].line if not chain.start_line else chain.start_line
        return Translation(self.kind, self.text, self.source, self.steps, self.groups, self.table,
                           displays, self.skipped, getattr(scan, "begin_document", None),
                           getattr(scan, "end_document", None))


_DROPPED = ("label", "tag", "eqref", "ref", "hspace", "vspace")
_SILENT = ("nonumber", "notag", "quad", "qquad", "displaystyle", ",", ";", "!", ":", " ")


def clean_justification(raw: str) -> str:
    """``\\quad\\text{(convexity)}\\label{eq:3}`` -> ``(convexity)``: text
    unwrapped, labels and spacing dropped, other LaTeX kept as written."""
    from .lexer import TEXT_COMMANDS, _command, find_group_end

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


_ALIGN_FAMILY = frozenset({"align", "flalign", "alignat"})
_ALIGN_MARKERS = ("\\begin{aligned}", "\\begin{alignedat}", "\\begin{align}", "\\begin{align*}")


def _split_columns(toks: list[Tok], pairs: bool) -> list[list[Tok]]:
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


def _split_formulas(toks: list[Tok]) -> list[list[Tok]]:
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


def _split_relations(toks: list[Tok]) -> list:
    """[segment, REL, segment, REL, ...] at top-level relations."""
    parts: list = [[]]
    for tok in toks:
        if tok.type == "REL" and tok.depth == 0:
            parts.append(tok)
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def _top_level_commas(text: str, start: int, end: int) -> list[tuple[int, int]]:
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


def translate_document(text: str, *, kind: str = "latex", source: str | None = None) -> Translation:
    """Scan and translate a document (``kind``: 'latex' or 'markdown')."""
    if kind not in ("latex", "markdown"):
        raise ValueError(f"kind must be 'latex' or 'markdown', got {kind!r}")
    scan = scan_latex(text, source=source) if kind == "latex" else scan_markdown(text, source=source)
    return _Builder(text, kind, source).build(scan)


def translate_expression(latex: str, *, vectors=(), functions=()) -> str:
    """One LaTeX expression -> ``.deriv`` text (names declared as vectors or
    functions by their LaTeX, e.g. ``vectors=["x_k"]``). Raises
    :class:`DerivationSyntaxError` (line 1, column of the construct) when it
    cannot be read."""
    builder = _Builder(latex, "latex", None)
    for name in vectors:
        toks = lex(name, 0, len(name))
        builder.vectors.add(builder.table.ident(toks[0].value, name))
    for name in functions:
        toks = lex(name, 0, len(name))
        builder.functions[toks[0].value] = builder.table.ident(toks[0].value, name)
    toks = lex(latex, 0, len(latex))
    while toks and toks[-1].depth == 0 and toks[-1].type in ("PUNCT", "COMMA"):
        toks.pop()
    return builder._expr(toks, 0).text
