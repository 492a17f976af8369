"""Check a translated document with the ``.deriv`` checker and map the report back.

Each group of the translation is one ``.deriv`` source, checked by
:func:`theorykit.symbolic.derivation.check`. A step that the ``.deriv``
parser still refuses (a limit of the checker, say) becomes ``unreadable``
with the checker's message, and its group is parsed again without it.
Verdicts, methods and counterexamples are the checker's own: nothing here
decides a step.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from ...errors import DerivationSyntaxError, InputError
from ..derivation import check as check_deriv
from ..derivation import parse_derivation, read_source
from .document import Translation, translate_document
from .report import LatexChain, LatexReport, LatexStep

__all__ = ["check_latex", "check_markdown", "check_document", "vector_syntax_supported", "read_document"]


def _parse_any(text: str):
    try:
        from ..vector import is_vector_text, parse_vector_derivation
    except ImportError:  # no vector checker: the scalar parser refuses vector lines itself
        return parse_derivation(text)
    return parse_vector_derivation(text) if is_vector_text(text) else parse_derivation(text)


def _parse(text: str):
    """Parse .deriv text without checking it: the scalar parser, or the vector
    parser of issue 12 for text with vector declarations when it is installed.
    Any failure is a DerivationSyntaxError (line 0 when the parser did not say
    where: e.g. SymPy's ValueError for Max(sqrt(-2), 1))."""
    try:
        return _parse_any(text)
    except DerivationSyntaxError:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - reported at the step, never as a traceback
        raise DerivationSyntaxError(f"{type(exc).__name__}: {exc}"[:300], 0, 0) from None


@functools.lru_cache(maxsize=1)
def vector_syntax_supported() -> bool:
    """Whether this checker reads the vector declarations of issue 12 (detected, not assumed)."""
    probe = "function f: smooth(L), convex\nvectors: x\nassume: L > 0\nclaim: f(x) <= f(x)\n"
    try:
        _parse(probe)
    except DerivationSyntaxError:
        return False
    except Exception:  # noqa: BLE001 - any other failure also means "not supported"
        return False
    return True


def _uses_vectors(line: str) -> bool:
    return line.startswith(("function ", "vectors:", "minimizer:", "let:"))


def _parsable(translation: Translation, index: int, excluded: set[int]) -> tuple[str, dict]:
    """The group's .deriv text, after dropping steps that the parser refuses.

    The whole group is parsed once; only when that fails is each step parsed
    on its own (with the group's declarations), so a hostile document costs
    one parse per step, never one per step per failure.
    """
    source, where = translation.deriv_source(index, excluded)
    if not any(kind[0] == "step" for kind in where.values()):
        return source, where
    try:
        _parse(source)
        return source, where
    except DerivationSyntaxError as exc:
        target = where.get(exc.line)
        if target is None and exc.line != 0:
            raise
        if target is not None and target[0] == "decl":
            raise _declaration_error(translation, target[1], exc.message) from None
    group_declarations = translation.groups[index].declarations
    declarations = "".join(line + "\n" for line, _, _ in group_declarations)
    try:  # the declarations alone (a trivial claim, since a file needs a step)
        _parse(f"{declarations}claim: 0 <= 1\n")
    except DerivationSyntaxError as exc:
        where_decl = exc.line - 1 if 1 <= exc.line <= len(group_declarations) else 0
        raise _declaration_error(translation, group_declarations[where_decl][1], exc.message) from None
    for kind in list(where.values()):
        if kind[0] != "step":
            continue
        step = translation.steps[kind[1]]
        try:
            _parse(f"{declarations}claim: {step.lhs} {step.relation} {step.rhs}\n")
        except DerivationSyntaxError as exc:
            step.unreadable = f"{step.line}:{step.column}: the checker cannot read this step: {exc.message}"
            excluded.add(step.index)
    for _ in range(20):  # what fails only in context (e.g. a chain's start)
        source, where = translation.deriv_source(index, excluded)
        if not any(kind[0] == "step" for kind in where.values()):
            return source, where
        try:
            _parse(source)
            return source, where
        except DerivationSyntaxError as exc:
            target = where.get(exc.line)
            if target is not None and target[0] == "decl":
                raise _declaration_error(translation, target[1], exc.message) from None
            if target is None:  # nowhere to point: none of the group's steps is checked
                for kind in where.values():
                    if kind[0] == "step":
                        step = translation.steps[kind[1]]
                        step.unreadable = f"{step.line}:{step.column}: the checker cannot read this group: {exc.message}"
                        excluded.add(step.index)
                continue
            position = target[1] if target[0] == "step" else target[2][0]
            step = translation.steps[position]
            step.unreadable = f"{step.line}:{step.column}: the checker cannot read this step: {exc.message}"
            excluded.add(position)
    raise DerivationSyntaxError("too many steps the checker cannot read", 1, 1, translation.source)


def _declaration_error(translation: Translation, offset: int, message: str) -> DerivationSyntaxError:
    from .scan import LineIndex

    line, column = LineIndex(translation.text).at(offset)
    return DerivationSyntaxError(f"in this declaration: {message}", line, column, translation.source)


def _check_group(translation: Translation, index: int, timeout: float, prover):
    """Check one group: (report, .deriv source, line map), or (None, ...) when no
    step is left. An error that the checker finds only while checking (a type
    error at a step, say) makes that step unreadable and the group is checked again."""
    group = translation.groups[index]
    for _ in range(len(translation.steps) + 1):
        excluded = {s.index for s in translation.steps if s.unreadable}
        source, where = _parsable(translation, index, excluded)
        if not any(kind[0] == "step" for kind in where.values()):
            return None, source, where
        try:
            return check_deriv(source, timeout=timeout, prover=prover), source, where
        except DerivationSyntaxError as exc:
            target = where.get(exc.line)
            if target is None:
                raise
            if target[0] == "decl":
                raise _declaration_error(translation, target[1], exc.message) from None
            step = translation.steps[target[1] if target[0] == "step" else target[2][0]]
            step.unreadable = f"{step.line}:{step.column}: the checker cannot read this step: {exc.message}"
        except InputError as exc:
            start = group.declarations[0][1] if group.declarations else 0
            raise _declaration_error(translation, start, str(exc)) from None
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - a checker failure is reported, never a traceback
            for kind in where.values():
                if kind[0] == "step":
                    step = translation.steps[kind[1]]
                    step.unreadable = (f"{step.line}:{step.column}: the checker failed on this group: "
                                       f"{type(exc).__name__}: {exc}"[:300])
            return None, source, where
    raise AssertionError("unreachable")  # pragma: no cover


def check_document(translation: Translation, *, timeout: float = 10.0, prover=None) -> LatexReport:
    """Check every group of a translation; one report in document order."""
    results: dict[int, dict] = {}
    chains: list[LatexChain] = []
    sources: list[str] = []
    for index, group in enumerate(translation.groups):
        if any(_uses_vectors(line) for line, _, _ in group.declarations) and not vector_syntax_supported():
            _, start, _ = next(d for d in group.declarations if _uses_vectors(d[0]))
            raise _declaration_error(
                translation, start,
                "vector declarations (function, vectors, minimizer, let of a vector) need the vector "
                "checker of issue 12, which this theorykit does not have",
            )
        report, source, where = _check_group(translation, index, timeout, prover)
        if report is None:
            continue
        sources.append(source)
        for result in report.steps:
            target = where.get(result.line)
            if target and target[0] == "step":
                results[target[1]] = {
                    "status": result.status, "method": result.method,
                    "counterexample": result.counterexample, "seconds": result.seconds,
                }
        for chain in report.chains:
            target = where.get(chain.start_line)
            if target and target[0] == "chain":
                run = target[2]
                chains.append(LatexChain(
                    start_line=translation.steps[run[0]].line, relation=chain.relation, status=chain.status,
                    step_indices=list(run), method=chain.method,
                    counterexample=getattr(chain, "counterexample", None),
                ))
    steps = []
    for step in translation.steps:
        found = results.get(step.index)
        if step.unreadable or found is None:
            status, method, counterexample, seconds = "unreadable", "unreadable", None, 0.0
            message = step.unreadable or f"{step.line}:{step.column}: not checked"
        else:
            status, method = found["status"], found["method"]
            counterexample, seconds, message = found["counterexample"], found["seconds"], None
        steps.append(LatexStep(
            index=step.index, line=step.line, column=step.column, latex=step.latex,
            lhs_latex=step.lhs_latex, relation_latex=step.relation_latex, rhs_latex=step.rhs_latex,
            relation=step.relation, lhs=step.lhs, rhs=step.rhs, status=status, method=method,
            counterexample=counterexample, seconds=seconds, justification=step.justification,
            message=message, mark=step.mark, display=step.display,
        ))
    chains.sort(key=lambda chain: chain.step_indices[0])
    return LatexReport(
        file=translation.source, kind=translation.kind, steps=steps, chains=chains,
        names=dict(translation.names.latex), deriv_sources=sources,
    )


def read_document(path) -> tuple[str, str]:
    """The text of a .tex/.md file (same limits and errors as .deriv files)."""
    return read_source(path)


def _check_text(source, kind: str, timeout: float, prover) -> LatexReport:
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source
                                            and source.strip().endswith((".tex", ".md", ".markdown"))):
        text, name = read_document(Path(source))
    elif isinstance(source, str):
        text, name = source, None
    else:
        raise InputError("source", f"expected document text or a path, got {type(source).__name__}")
    from ..derivation import MAX_FILE_BYTES

    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise InputError("source", f"document is larger than {MAX_FILE_BYTES} bytes")
    translation = translate_document(text, kind=kind, source=name)
    from ..derivation import MAX_STEPS

    if len(translation.steps) > MAX_STEPS:
        extra = translation.steps[MAX_STEPS]
        raise DerivationSyntaxError(f"more than {MAX_STEPS} displayed steps; split the document",
                                    extra.line, extra.column, name)
    if not translation.steps:
        raise DerivationSyntaxError("no displayed relation to check (inline $...$ is not checked)", 1, 1, name)
    report = check_document(translation, timeout=timeout, prover=prover)
    report.translation = translation
    return report


def check_latex(source, *, timeout: float = 10.0, prover=None) -> LatexReport:
    """Check every displayed step of a LaTeX document (text, or a path to a ``.tex`` file)."""
    return _check_text(source, "latex", timeout, prover)


def check_markdown(source, *, timeout: float = 10.0, prover=None) -> LatexReport:
    """Check every ``$$``/```` ```math ```` step of Markdown text (or a ``.md`` path)."""
    return _check_text(source, "markdown", timeout, prover)
