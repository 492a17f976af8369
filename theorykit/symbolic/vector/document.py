"""Reading a whole vector ``.deriv`` file into declarations and typed steps."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from ...errors import DerivationSyntaxError
from ..derivation import MAX_STEPS, _Chain, _leading_relation, _split_comment, _Step
from ..parse import parse_assumptions_located, split_relations
from .classes import FunctionClass, parse_classes
from .syntax import VectorContext, moment_symbol, parse_vector_expression

__all__ = ["VectorDerivation", "parse_vector_derivation"]

_FUNCTION = re.compile(r"^(\s*)function\s+([A-Za-z_]\w*)\s*:")
_KEYWORD = re.compile(r"^(\s*)([A-Za-z_]\w*)\s*:")
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_KNOWN = ("assume", "claim", "start", "vectors", "minimizer", "stationary", "let", "noise")
# E(norm(e)**2) or E(dot(e, e)) in an assume: line: the moment scalar of a noise vector e
_MOMENT = re.compile(r"\bE\s*\(\s*(?:norm\s*\(\s*([A-Za-z_]\w*)\s*\)\s*\*\*\s*2|"
                     r"dot\s*\(\s*([A-Za-z_]\w*)\s*,\s*([A-Za-z_]\w*)\s*\))\s*\)")
_RESERVED = {"grad", "dot", "norm", "function", "of"}


@dataclass
class VectorDerivation:
    source: str | None
    ctx: VectorContext
    assumptions: list = field(default_factory=list)  # (relation, line, column)
    steps: list = field(default_factory=list)  # _Step with placeholder expressions
    chains: list = field(default_factory=list)
    texts: list = field(default_factory=list)  # (lhs text, rhs text) per step, as written


def _names(body: str, column: int, line: int, source, what: str) -> list[tuple[str, int]]:
    out = []
    offset = 0
    for piece in body.split(","):
        name = piece.strip()
        where = column + offset + (len(piece) - len(piece.lstrip()))
        offset += len(piece) + 1
        if not _NAME.match(name) or "__" in name:
            raise DerivationSyntaxError(f"expected a {what} name, got '{name}'", line, where, source)
        out.append((name, where))
    return out


def _check_new_name(name, where, line, source, ctx: VectorContext, functions: dict):
    from ..parse import CONSTANTS, FUNCTIONS

    if "__" in name:
        raise DerivationSyntaxError(f"name '{name}' is not allowed (double underscores)", line, where, source)

    if name in _RESERVED or name in FUNCTIONS or name in CONSTANTS:
        raise DerivationSyntaxError(f"'{name}' is a reserved name", line, where, source)
    if name in functions or name in ctx.vectors or name in ctx.lets:
        raise DerivationSyntaxError(f"'{name}' is already declared", line, where, source)


def parse_vector_derivation(text: str, source: str | None = None) -> VectorDerivation:
    """Parse a vector derivation; raises :class:`DerivationSyntaxError` (line:column) on bad input."""
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        content, justification = _split_comment(raw.rstrip("\r"))
        if content.strip():
            lines.append((number, content, justification))
    ctx = VectorContext()
    doc = VectorDerivation(source, ctx)
    functions: dict[str, FunctionClass] = {}
    minimizer_lines = []
    # pass 1: functions, vectors, minimizers (usable anywhere below)
    for number, content, _ in lines:
        match = _FUNCTION.match(content)
        if match:
            name = match.group(2)
            _check_new_name(name, content.index(name) + 1, number, source, ctx, functions)
            functions[name] = parse_classes(content[match.end():], line=number, column=match.end() + 1,
                                            source=source)
            continue
        keyword = _KEYWORD.match(content)
        if keyword and keyword.group(2) == "vectors":
            for name, where in _names(content[keyword.end():], keyword.end() + 1, number, source, "vector"):
                _check_new_name(name, where, number, source, ctx, functions)
                ctx.add_free_vector(name)
        elif keyword and keyword.group(2) in ("minimizer", "stationary"):
            minimizer_lines.append((number, content, keyword.end()))
        elif keyword and keyword.group(2) == "noise":
            for name, where in _names(content[keyword.end():], keyword.end() + 1, number, source, "noise vector"):
                _check_new_name(name, where, number, source, ctx, functions)
                if name in ctx.noises:
                    raise DerivationSyntaxError(f"'{name}' is already declared", number, where, source)
                ctx.noises.append(name)
                # E||e||^2 >= 0 always holds
                doc.assumptions.append((sympy.GreaterThan(moment_symbol(name), 0), number, where))
    ctx.functions = functions
    for number, content, _ in lines:
        match = _FUNCTION.match(content)
        if match:
            cls = functions[match.group(2)]
            for value in (cls.L, cls.mu, cls.M):
                clash = sorted(s.name for s in getattr(value, "free_symbols", ())
                               if s.name in ctx.vector_names() or s.name in functions or "__" in s.name)
                if clash:
                    raise DerivationSyntaxError(
                        f"'{clash[0]}' is a vector or a function; a class parameter must be a scalar",
                        number, match.end() + 1, source)
    for number, content, end in minimizer_lines:
        word = _KEYWORD.match(content).group(2)  # minimizer (global) or stationary (zero gradient only)
        offset = end
        for piece in content[end:].split(","):
            where = offset + len(piece) - len(piece.lstrip()) + 1
            offset += len(piece) + 1
            parts = piece.split()
            if len(parts) != 3 or parts[1] != "of":
                raise DerivationSyntaxError(f"expected '{word}: xs of f'", number, where, source)
            vec, fun = parts[0], parts[2]
            if fun not in functions:
                raise DerivationSyntaxError(
                    f"{word} of an undeclared function '{fun}' (declare it with 'function {fun}: ...')",
                    number, where + piece.strip().rindex(fun), source)
            if vec not in ctx.vectors:
                raise DerivationSyntaxError(
                    f"'{vec}' is not a declared vector (add it to 'vectors:')", number, where, source)
            if (vec, fun) in ctx.minimizers:
                raise DerivationSyntaxError(
                    f"'{vec}' is already a {'stationary point' if ctx.minimizers[vec, fun] == 'stationary' else 'minimizer'}"
                    f" of {fun}", number, where, source)
            ctx.minimizers[vec, fun] = word
    ctx.ensure_minimizer_points()
    # pass 2: lets, assumptions and steps, in file order
    chain = None
    chain_expr = None
    chain_text = None
    for number, content, justification in lines:
        if _FUNCTION.match(content):
            continue
        indent = len(content) - len(content.lstrip())
        keyword = _KEYWORD.match(content)
        if keyword:
            word = keyword.group(2)
            body = content[keyword.end():]
            col = keyword.end() + 1
            if word in ("vectors", "minimizer", "stationary", "noise"):
                continue
            if word not in _KNOWN:
                hint = f"; did you mean '{word.lower()}:'?" if word.lower() in _KNOWN else ""
                raise DerivationSyntaxError(
                    f"unknown line type '{word}:' (expected function NAME:, vectors:, minimizer:, let:, "
                    f"assume:, claim:, start: or a relation){hint}", number, indent + 1, source)
            if word == "let":
                _parse_let(body, col, number, source, ctx, functions)
            elif word == "assume":
                body, moments = _moments_in_assumption(body, col, number, source, ctx)
                for relation, column in parse_assumptions_located(body, line=number, column=col, source=source):
                    reserved = sorted(s.name for s in relation.free_symbols if "__" in s.name)
                    if reserved:
                        raise DerivationSyntaxError(
                            f"name '{reserved[0]}' is not allowed (double underscores)", number, column, source)
                    clash = sorted(s.name for s in relation.free_symbols
                                   if s.name in ctx.vector_names() or s.name in functions)
                    if clash:
                        raise DerivationSyntaxError(
                            f"'{clash[0]}' is a vector or a function, not a scalar: assume: constrains scalars",
                            number, column, source)
                    if moments:
                        relation = relation.xreplace({s: moments[s.name] for s in relation.free_symbols
                                                      if s.name in moments})
                    doc.assumptions.append((relation, number, column))
            elif word == "claim":
                chain, chain_expr = None, None
                parts, ops = split_relations(body, line=number, column=col, source=source)
                if len(ops) != 1:
                    raise DerivationSyntaxError(
                        "expected one relation (=, <=, <, >=, >) between two expressions" if not ops else
                        "more than one relation; write a chain with start: and relation lines instead",
                        number, col if not ops else parts[1][1] + len(parts[1][0]), source)
                (left, lc), (right, rc) = parts
                lhs = parse_vector_expression(left, ctx, line=number, column=lc, source=source)
                rhs = parse_vector_expression(right, ctx, line=number, column=rc, source=source)
                doc.steps.append(_Step(number, lhs, ops[0], rhs, justification))
                doc.texts.append((left.strip(), right.strip()))
            else:
                _single(body, number, col, source)
                chain_expr = parse_vector_expression(body, ctx, line=number, column=col, source=source)
                chain_text = body.strip()
                chain = _Chain(start_line=number)
                doc.chains.append(chain)
            continue
        stripped = content.lstrip()
        op = _leading_relation(stripped)
        if op is None:
            raise DerivationSyntaxError(
                "expected a declaration (function NAME:, vectors:, minimizer:, stationary:, let:), 'assume:', 'claim:', "
                "'start:' or a relation line beginning with =, <=, <, >= or >", number, indent + 1, source)
        if chain is None:
            raise DerivationSyntaxError(
                f"relation line '{op} ...' without a preceding 'start:' (a claim: ends a chain)",
                number, indent + 1, source)
        body = stripped[len(op):]
        col = indent + len(op) + 1
        if body[:1] in ("<", ">", "="):
            raise DerivationSyntaxError(f"unexpected '{op}{body[:1]}' at the start of the line", number,
                                        indent + 1, source)
        _single(body, number, col, source)
        expr = parse_vector_expression(body, ctx, line=number, column=col, source=source)
        doc.steps.append(_Step(number, chain_expr, "=" if op == "==" else op, expr, justification))
        doc.texts.append((chain_text, body.strip()))
        chain.steps.append(len(doc.steps) - 1)
        chain_expr, chain_text = expr, body.strip()
    for item in doc.chains:
        if not item.steps:
            raise DerivationSyntaxError("'start:' is not followed by any relation line", item.start_line, 1, source)
    if not doc.steps:
        raise DerivationSyntaxError("no steps to check: add a 'claim:' or a chain", 1, 1, source)
    if len(doc.steps) > MAX_STEPS:
        raise DerivationSyntaxError(f"more than {MAX_STEPS} steps", doc.steps[MAX_STEPS].line, 1, source)
    return doc


def _moments_in_assumption(body, col, number, source, ctx: VectorContext):
    """``body`` with each ``E(norm(e)**2)`` (or ``E(dot(e, e))``) of a noise vector replaced by a
    stand-in name padded to the same length (columns stay right), and the stand-ins' moment symbols.
    Any other ``E(...)`` is refused: assume: bounds scalars, and the moments are the only random ones."""
    moments = {}
    pieces = []
    last = 0
    for match in _MOMENT.finditer(body):
        names = [n for n in match.groups() if n is not None]
        where = col + match.start()
        if len(set(names)) != 1:
            raise DerivationSyntaxError("assume: can bound E(norm(e)**2) of a noise vector, not E(dot(u, v)) "
                                        "of two vectors", number, where, source)
        if names[0] not in ctx.noises:
            raise DerivationSyntaxError(f"'{names[0]}' is not a noise vector (declare it with 'noise: {names[0]}')",
                                        number, where, source)
        stand_in = f"_m{len(moments)}_"
        if re.search(rf"\b{stand_in}\b", body):
            raise DerivationSyntaxError(f"name '{stand_in}' is reserved in a file with noise vectors",
                                        number, col, source)
        moments[stand_in] = moment_symbol(names[0])
        pieces.append(body[last:match.start()] + stand_in.ljust(match.end() - match.start()))
        last = match.end()
    body = "".join(pieces) + body[last:]
    other = re.search(r"\bE\s*\(", body)
    if other and ctx.noises:
        raise DerivationSyntaxError("assume: can bound only E(norm(e)**2) of a noise vector e; other "
                                    "expectations are not scalars of the file", number, col + other.start(), source)
    return body, moments


def _single(body, number, col, source):
    parts, ops = split_relations(body, line=number, column=col, source=source)
    if ops:
        raise DerivationSyntaxError("one relation per line: continue the chain on the next line",
                                    number, parts[0][1] + len(parts[0][0]), source)


def _parse_let(body, col, number, source, ctx: VectorContext, functions):
    eq = body.find("=")
    if eq < 0 or body[eq + 1:eq + 2] == "=":
        raise DerivationSyntaxError("expected 'let: NAME = vector expression'", number, col, source)
    name = body[:eq].strip()
    where = col + len(body[:eq]) - len(body[:eq].lstrip())
    if not _NAME.match(name) or "__" in name:
        raise DerivationSyntaxError(f"expected a vector name before '=', got '{name}'", number, where, source)
    _check_new_name(name, where, number, source, ctx, functions)
    value = parse_vector_expression(body[eq + 1:], ctx, line=number, column=col + eq + 1, source=source,
                                    want=None)
    if not hasattr(value, "terms"):
        raise DerivationSyntaxError(
            f"let: defines vectors; '{name}' is a scalar here (use 'assume: {name} = ...' for scalars)",
            number, col + eq + 1, source)
    ctx.lets[name] = value
    ctx.let_order.append(name)
    ctx.let_text[name] = body[eq + 1:].strip()
    # a point already met at this location takes the let's name
    for point in ctx.points:
        if point.label.startswith("@") and (point.location - value).is_zero():
            point.label = name
            if point.grad is not None:
                ctx.basis_label[point.grad] = f"grad({point.function}, {name})"
