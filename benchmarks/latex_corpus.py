"""How much of a realistic proof corpus the LaTeX front end reads and proves.

Each item is a display written the way lecture notes, Q&A answers and blog
posts write them (different authors' habits: \\left/\\right, \\Big, \\tfrac,
\\cdot, implicit products, \\text justifications, align/aligned/eqnarray),
with the truth of every step. Prints: the share of steps read, the share of
true steps proved, and every unsound verdict (there must be none).

    PYTHONPATH=. python benchmarks/latex_corpus.py [--timeout 3]
"""
from __future__ import annotations

import argparse
import sys

# (assumptions in LaTeX or "", display, truths of its steps in order)
CORPUS = [
    (r"L > 0, 0 < \eta \le 1/L",
     r"""\begin{align*}
f_t - \eta g^2 + \frac{L\eta^2}{2} g^2 &= f_t - \eta\Big(1-\frac{L\eta}{2}\Big) g^2\\
&\leq f_t - \frac{\eta}{2}g^2 .
\end{align*}""", [True, True]),
    (r"\mu > 0, L > \mu",
     r"\[ \frac{\kappa - 1}{\kappa + 1} = 1 - \frac{2}{\kappa+1}, \quad\text{where } \kappa = L/\mu. \]", [True]),
    (r"a > 0, b > 0, \epsilon > 0",
     r"$$ 2ab \le \epsilon a^2 + \frac{b^2}{\epsilon} $$", [True]),
    (r"a \ge 0, b \ge 0",
     r"\begin{equation} \sqrt{ab} \leq \frac{a+b}{2} \end{equation}", [True]),
    ("", r"\begin{equation*} (a+b)^2 \le 2a^2 + 2b^2 \end{equation*}", [True]),
    (r"x > 0", r"\[ \log(1+x) \geq \frac{x}{1+x} \]", [True]),
    ("", r"\[ 1 - x \le e^{-x} \]", [True]),
    (r"x > -1", r"\[ \frac{1}{1+x} \ge 1 - x \]", [True]),
    (r"L > 0, \eta > 0",
     r"\[ \frac{L}{2}\eta^2 - \eta = -\eta\left(1 - \frac{L\eta}{2}\right) \]", [True]),
    (r"0 < \mu, \mu \le L",
     r"""\begin{align}
\left(1 - \frac{\mu}{L}\right)^2 &= 1 - 2\frac{\mu}{L} + \frac{\mu^2}{L^2} \nonumber\\
&\le 1 - \frac{\mu}{L} && \text{since } \mu \le L
\end{align}""", [True, True]),
    (r"\kappa \ge 1",
     r"""\[
\begin{aligned}
\frac{\sqrt{\kappa}-1}{\sqrt{\kappa}+1} &= 1 - \frac{2}{\sqrt{\kappa}+1} \\
&\le 1 \,.
\end{aligned}
\]""", [True, True]),
    (r"0 < \beta, \beta < 1, \eta > 0, \lambda > 0",
     r"""\begin{eqnarray*}
(1 + \beta - \eta\lambda)^2 - 4\beta &=& (1 - \beta)^2 - 2\eta\lambda(1+\beta) + \eta^2\lambda^2
\end{eqnarray*}""", [True]),
    (r"\eta > 0, L > 0, \eta L < 2",
     r"\[ |1 - \eta L| < 1 \]", [True]),
    (r"\eta > 0, L > 0",
     r"\[ |1 - \eta L| < 1 \]", [False]),
    (r"t \ge 1",
     r"\[ \frac{1}{t(t+1)} = \frac{1}{t} - \frac{1}{t+1} \le \frac{1}{t^2} \]", [True, True]),
    (r"T \ge 1, D > 0, L > 0",
     r"\[ \frac{2 L D^2}{T + 4} \le \frac{2LD^2}{T} \]", [True]),
    (r"\sigma > 0, \eta > 0, L > 0, \eta \le 1/L",
     r"""\begin{align}
\mathrm{E}_{t} &\le (1 - \eta\mu)\,\Delta + \frac{L\eta^2\sigma^2}{2} \label{eq:sgd}
\end{align}""", [None]),
    (r"x \ge 0",
     r"\[ x e^{-x} \le e^{-1} \]", [True]),
    (r"0 < p, p < 1",
     r"\[ \max\{p, 1-p\} \ge \frac12 \]", [True]),
    ("",
     r"\[ \max(a, b) \ge \frac{a + b}{2} \ge \min\{a, b\} \]", [True, True]),
    (r"x > 0, y > 0",
     r"\[ \frac{x}{y} + \frac{y}{x} \geq 2 \]", [True]),
    (r"a > 0, b > 0",
     r"\[ \frac{2}{\frac1a + \frac1b} \le \sqrt{ab} \]", [True]),
    (r"n \geq 1",
     r"\[ \left(1 + \frac{1}{n}\right)^n \le e \]", [True]),
    ("",
     r"\[ x^2 - 2x + 1 = (x - 1)^2 \ge 0 \]", [True, True]),
    ("",
     r"\[ x^2 + x + 1 \ge \tfrac{3}{4} \]", [True]),
    ("", r"\[ |a + b| \le |a| + |b| \]", [True]),
    ("", r"\[ |a - b| \ge |a| - |b| \]", [True]),
    ("", r"\[ 2|ab| \le a^2 + b^2 \]", [True]),
    (r"L > 0", r"\[ \frac{1}{2L} \le \frac{1}{L} \]", [True]),
    (r"L > 0", r"\[ \frac{1}{L} \le \frac{1}{2L} \]", [False]),
    (r"0 \le x, x \le 1", r"\[ x^2 \le x \le \sqrt{x} \]", [True, True]),
    (r"c > 0", r"\[ \frac{c}{c+1} < 1 \le \frac{c+1}{c} \]", [True, True]),
    ("", r"\[ \cos(x)^2 + \sin(x)^2 = 1 \]", [True]),
    (r"\gamma \in (0,1)", r"\[ \gamma^2 < \gamma \]", [True]),
    (r"0 < \gamma, \gamma < 1",
     r"\[ \sum_{k=0}^\infty \gamma^k = \frac{1}{1 - \gamma} \]", [True]),
    (r"L > 0, \mu > 0, \mu \le L",
     r"\[ \frac{2}{L + \mu} \le \frac{1}{\mu} \]", [True]),
    (r"L > 0, \mu > 0, \mu \le L",
     r"\[ 1 - \frac{2\mu}{L + \mu} = \frac{L - \mu}{L + \mu} = \frac{\kappa - 1}{\kappa + 1} \]", [True, None]),
]

# vector proofs (need the vector checker of issue 12): full declaration blocks
_SMOOTH_CONVEX = r"""% theorykit: function f: smooth(L), convex
% theorykit: vectors: x, y, x^\star
% theorykit: minimizer: x^\star of f
% theorykit: assume: L > 0
"""
_STRONG = r"""% theorykit: function f: smooth(L), strongly_convex(\mu)
% theorykit: vectors: x, y, x^\star
% theorykit: minimizer: x^\star of f
% theorykit: assume: 0 < \mu, \mu < L
"""
VECTOR_CORPUS = [
    (_SMOOTH_CONVEX + "% theorykit: vectors: x_t\n% theorykit: let: x_{t+1} = x_t - \\frac{1}{L}\\nabla f(x_t)\n",
     r"""\begin{align*}
\|x_{t+1} - x^\star\|^2 &= \|x_t - x^\star\|^2 - \frac{2}{L}\langle \nabla f(x_t), x_t - x^\star\rangle
   + \frac{1}{L^2}\|\nabla f(x_t)\|^2 \\
&\le \|x_t - x^\star\|^2 - \frac{1}{L^2}\|\nabla f(x_t)\|^2 \qquad \text{(co-coercivity)}
\end{align*}""", [True, True]),
    (_SMOOTH_CONVEX,
     r"\[ \langle \nabla f(x) - \nabla f(y), x - y \rangle \ge \frac{1}{L}\|\nabla f(x) - \nabla f(y)\|^2 \]",
     [True]),
    (_SMOOTH_CONVEX,
     r"\[ f(y) \ge f(x) + \nabla f(x)^\top (y - x) + \frac{1}{2L}\left\|\nabla f(y) - \nabla f(x)\right\|^2 \]",
     [True]),
    (_SMOOTH_CONVEX,
     r"\[ f(x) - f(x^\star) \le \frac{L}{2}\|x - x^\star\|^2 , \qquad f(x) - f(x^\star) \ge \frac{L}{2}\|x - x^\star\|^2 \]",
     [True, False]),
    (_SMOOTH_CONVEX + "% theorykit: assume: \\eta > 0\n",
     r"\[ f(x - \eta \nabla f(x)) \le f(x) - \eta\Big(1 - \frac{L\eta}{2}\Big)\|\nabla f(x)\|^2 \]", [True]),
    (_STRONG,
     r"""\begin{align}
\langle \nabla f(x) - \nabla f(y), x - y\rangle &\ge \mu \|x - y\|^2 \\
f(x) - f(x^\star) &\le \frac{1}{2\mu}\|\nabla f(x)\|^2 \\
\|\nabla f(x)\|^2 &\le 2\mu\,(f(x) - f(x^\star))
\end{align}""", [True, True, False]),
    (_STRONG + "% theorykit: let: x^+ = x - \\frac{2}{\\mu + L}\\nabla f(x)\n",
     r"\[ \|x^+ - x^\star\|^2 \le \left(\frac{L - \mu}{L + \mu}\right)^2 \|x - x^\star\|^2 \]", [True]),
    (_SMOOTH_CONVEX,
     r"\[ \|\nabla f(x)\|^2 \le 2L\bigl(f(x) - f(x^\star)\bigr) \]", [True]),
    (_SMOOTH_CONVEX,
     r"\[ f(x^\star) \ge f(x) + \langle \nabla f(x), x^\star - x\rangle \]", [True]),
    (_SMOOTH_CONVEX,
     r"\[ f(x^\star) \ge f(x) + \langle \nabla f(x), x^\star - x\rangle + \frac{L}{2}\|x - x^\star\|^2 \]", [False]),
]


def main(argv=None) -> int:
    from theorykit.errors import TheorykitError
    from theorykit.symbolic.latex import check_latex

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    total = read = true = proved = 0
    unsound = []
    from theorykit.symbolic.latex import vector_syntax_supported

    corpus = list(CORPUS)
    if vector_syntax_supported():
        corpus += VECTOR_CORPUS
    else:
        print(f"(the vector checker of issue 12 is not installed: {len(VECTOR_CORPUS)} vector items skipped)")
    for assumptions, display, truths in corpus:
        if assumptions.startswith("%"):
            doc = assumptions + display
        else:
            doc = (f"% theorykit: assume: {assumptions}\n" if assumptions else "") + display
        try:
            report = check_latex(doc, timeout=args.timeout)
        except TheorykitError as exc:
            print(f"ERROR {exc}\n  {display[:80]!r}")
            total += len(truths)
            continue
        if len(report.steps) != len(truths):
            print(f"STEP COUNT {len(report.steps)} != {len(truths)}: {display[:80]!r}")
        for step, truth in zip(report.steps, truths):
            total += 1
            read += step.status != "unreadable"
            if truth is True:
                true += 1
                proved += step.status == "proved"
            if (truth is True and step.status == "refuted") or (truth is False and step.status == "proved"):
                unsound.append((step.latex, step.status))
            if step.status in ("unreadable", "unknown") and truth is not None:
                print(f"{step.status:>10}: {step.latex}  [{step.message or step.method}]")
    print(f"read {read}/{total} = {read / max(total, 1):.0%}; true steps proved {proved}/{true} = "
          f"{proved / max(true, 1):.0%}; unsound verdicts: {len(unsound)}")
    for item in unsound:
        print("UNSOUND", item)
    return 1 if unsound else 0


if __name__ == "__main__":
    sys.exit(main())
