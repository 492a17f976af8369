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
from .declarations import DeclarationReader
from .grammar import ParseFailure, parse_tokens
from .lexer import Tok, lex
from .names import NameTable
from .rows import (
    ALIGN_FAMILY,
    ALIGN_MARKERS,
    REL_TEXT,
    clean_justification,
    split_columns,
    split_formulas,
    split_relations,
)
from .scan import Declaration, Display, LineIndex, scan_latex, scan_markdown
from .translate import Emitter, Unreadable, Value

__all__ = ["Step", "Chain", "Group", "Translation", "translate_document"]

_KEPT_PREFIXES = ("\\left", "\\bigl", "\\Bigl", "\\biggl", "\\Biggl", "\\big", "\\Big", "\\bigg", "\\Bigg")
_OPERATORS = ("PLUS", "MINUS", "TIMES")


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
                    lines.append(f"{REL_TEXT[step.relation]} {step.rhs}")
                    where[len(lines)] = ("step", position)
        return "\n".join(lines) + "\n", where


class _Segment:
    __slots__ = ("toks", "start", "end", "value", "error")

    def __init__(self, toks: list[Tok], start: int, end: int):
        self.toks, self.start, self.end = toks, start, end
        self.value: Value | None = None
        self.error: tuple[str, int] | None = None  # (message, offset)


class _Builder(DeclarationReader):
    def __init__(self, text: str, kind: str, source: str | None):
        self.text, self.kind, self.source = text, kind, source
        self.lines = LineIndex(text)
        self.table = NameTable()
        self.vectors: set[str] = set()
        self.defined: set[str] = set()  # vectors defined by let:
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

    def display(self, index: int, disp: Display) -> None:
        if self.skip_next:
            self.skip_next = False
            self.skipped.append(index)
            return
        rows = []  # (tokens, justification, mark offset)
        pieces = []  # formulas: a row splits at top-level commas between relations
        pairs = disp.kind.rstrip("*") in ALIGN_FAMILY or any(
            marker in self.text[disp.body_start : disp.body_end] for marker in ALIGN_MARKERS)
        for row in disp.rows:
            toks, justification = self._row(row.start, row.end)
            formulas = [f for group in split_columns(toks, pairs) for f in split_formulas(group)]
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
            parts = split_relations(toks)
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
        if problem is None and not left.toks:
            problem = self.located("nothing before the relation", relation.start)
        if problem is None and not right.toks:
            problem = self.located("nothing after the relation", relation.end)
        if problem is None and right.error is not None:
            problem = self.located(*right.error)
        lhs = rhs = None
        if problem is None:
            lhs, rhs, problem = self._sides(left, relation, right)
        self.steps.append(step)
        if problem is None:
            step.lhs, step.rhs = lhs, rhs
            chain.append(step.index)
            return chain
        step.unreadable = problem
        return self._new_chain(group, None)  # an unreadable step breaks the chain

    def _sides(self, left: _Segment, relation: Tok, right: _Segment):
        """The .deriv sides of a step: (lhs, rhs, problem). Two vectors are equal
        exactly when the squared norm of their difference is 0, so ``u = v`` is
        checked as ``norm(u - v)**2 = 0``; a free vector name on the left
        (``x_{k+1} = x_k - \\eta g``) reads as a definition and is not checked."""
        types = left.value.typ + right.value.typ
        if types == "ss":
            return left.value.text, right.value.text, None
        if types == "vv" and relation.value == "=":
            toks = left.toks
            if len(toks) == 1 and toks[0].type == "NAME" and left.value.text not in self.defined:
                return None, None, self.located(
                    "a vector equation with a free vector on the left reads as a definition; declare it "
                    f"(% theorykit: let: {self.text[toks[0].start : toks[0].end]} = ...) to check the steps "
                    "that use it", left.start)
            return f"norm({left.value.text} - ({right.value.text}))**2", "0", None
        side = left if left.value.typ != "s" else right
        return None, None, self.located("only scalars are ordered: this relation between a vector and "
                                        "something else is not a step", side.start)

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
