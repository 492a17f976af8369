"""Step corpora: lines ``true|false ; assumptions ; lhs ; op ; rhs`` with known truth.

Used by the corpus test and ``benchmarks/bench_checker_corpus.py`` to measure the
prover: no false step may be proved and no true step refuted; the proved and
refuted fractions are the quality figures. Text goes through the safe parser.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = ["CorpusStep", "load_corpus", "run_corpus", "summarize"]


@dataclass(frozen=True)
class CorpusStep:
    line: int
    truth: bool
    assumptions: tuple
    lhs: object
    op: str
    rhs: object
    text: str


def load_corpus(path) -> list[CorpusStep]:
    """Parse a corpus file (raises InputError naming the line on bad content)."""
    from .parse import parse_assumptions, parse_expression

    steps = []
    for number, raw in enumerate(Path(path).read_text().splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = [p.strip() for p in text.split(";")]
        if len(parts) != 5 or parts[0] not in ("true", "false"):
            raise InputError("corpus", f"line {number}: expected 'true|false ; assumptions ; lhs ; op ; rhs'")
        truth, assume, lhs, op, rhs = parts
        rels = tuple(parse_assumptions(assume, line=number)) if assume else ()
        steps.append(CorpusStep(number, truth == "true", rels, parse_expression(lhs, line=number), op,
                                parse_expression(rhs, line=number), text))
    return steps


def run_corpus(steps, *, timeout: float = 10.0, isolate: bool = True):
    """[(step, verdict)] in order."""
    from .assumptions import Assumptions
    from .prover import prove_step

    out = []
    for s in steps:
        a = Assumptions.from_relations(list(s.assumptions))
        out.append((s, prove_step(s.lhs, s.op, s.rhs, a, timeout=timeout, isolate=isolate)))
    return out


def summarize(results) -> dict:
    """Counts, fractions, soundness violations and the slowest step."""
    true_steps = [(s, v) for s, v in results if s.truth]
    false_steps = [(s, v) for s, v in results if not s.truth]
    wrong_proofs = [(s, v) for s, v in false_steps if v.status == "proved"]
    wrong_refutations = [(s, v) for s, v in true_steps if v.status == "refuted"]
    slowest = max(results, key=lambda sv: sv[1].seconds) if results else None
    return {
        "steps": len(results),
        "proved_true": sum(v.status == "proved" for _, v in true_steps) / max(1, len(true_steps)),
        "refuted_false": sum(v.status == "refuted" for _, v in false_steps) / max(1, len(false_steps)),
        "wrong_proofs": wrong_proofs,
        "wrong_refutations": wrong_refutations,
        "seconds": sum(v.seconds for _, v in results),
        "slowest": slowest,
    }


