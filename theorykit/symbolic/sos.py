"""Exact sum-of-squares certificates for polynomial inequalities.

A certificate for ``p >= 0`` on a region where the multipliers ``g_k >= 0`` is

    p = eps*h + sum_k g_k * (b_k^T Q_k b_k),      g_0 = 1,

with every Gram matrix ``Q_k`` positive semidefinite, ``b_k`` a vector of
monomials, and ``eps >= 0`` (``eps > 0`` with ``h > 0`` on the region gives
``p > 0``). Products ``g_i g_j`` of assumptions are passed in as multipliers of
their own (the degree-2 Positivstellensatz); a constant multiplier block is a
1x1 Gram matrix, i.e. a nonnegative number.

How it is found and why it can be trusted (Peyrl and Parrilo, "Computing sum of
squares decompositions with rational coefficients", Theor. Comput. Sci. 409,
2008):

1. a floating-point SDP (Clarabel, called directly: importing cvxpy costs
   seconds in every forked prover worker) maximises the smallest eigenvalue
   margin of the Gram matrices, so the numerical point sits inside the
   feasible set where that set has an interior;
2. the entries are rounded to rationals with small denominators, then projected
   in exact rational arithmetic onto the affine space of Gram matrices whose
   identity matches ``p`` coefficient by coefficient;
3. each projected Gram matrix is checked PSD exactly (LDL^T over fractions),
   and the whole identity is re-expanded with SymPy (``verify_certificate``).

A float never proves anything here: only step 3 decides. Monomial bases are
pruned with the degree bounds of the Newton polytope and the "diagonal" rule
(a square monomial that no entry can produce must have a zero Gram row),
and capped in size so that an SDP never runs away.
"""
from __future__ import annotations

import itertools
import time
from fractions import Fraction
from typing import NamedTuple

import sympy

__all__ = [
    "MAX_BASIS",
    "SOSCertificate",
    "find_certificate",
    "is_psd_exact",
    "verify_certificate",
]

MAX_BASIS = 36          # monomials in one Gram block
MAX_VARIABLES = 900     # Gram entries over all blocks
_DENOMINATORS = (1, 2, 4, 6, 12, 24, 60, 120, 840, 10**4, 10**6, 10**8)


class SOSCertificate(NamedTuple):
    """``p == eps*strict_term + sum_k multipliers[k] * bases[k]^T grams[k] bases[k]``."""

    gens: tuple
    multipliers: tuple      # SymPy polynomials, each >= 0 on the region (caller's claim)
    bases: tuple            # tuples of SymPy monomials
    grams: tuple            # sympy.Matrix with Rational entries, PSD (checked exactly)
    eps: sympy.Rational
    strict_term: sympy.Expr

    def expression(self) -> sympy.Expr:
        total = self.eps * self.strict_term
        for g, basis, gram in zip(self.multipliers, self.bases, self.grams):
            v = sympy.Matrix(basis)
            total += g * (v.T * gram * v)[0, 0]
        return total


# -- exact linear algebra ----------------------------------------------------------

def is_psd_exact(matrix) -> bool:
    """Exact PSD test of a symmetric rational matrix by LDL^T (Fractions).

    A zero pivot is allowed only with a zero row (else a 2x2 minor is negative)."""
    m = [[Fraction(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) if not isinstance(x, Fraction) else x
          for x in row] for row in _rows(matrix)]
    n = len(m)
    for i in range(n):
        for j in range(i + 1, n):
            if m[i][j] != m[j][i]:
                return False
    for i in range(n):
        piv = m[i][i]
        if piv < 0:
            return False
        if piv == 0:
            if any(m[i][j] != 0 for j in range(i + 1, n)):
                return False
            continue
        for r in range(i + 1, n):
            f = m[r][i] / piv
            if f == 0:
                continue
            row_r, row_i = m[r], m[i]
            for c in range(i + 1, n):
                row_r[c] -= f * row_i[c]
    return True


def _rows(matrix):
    if isinstance(matrix, sympy.MatrixBase):
        return [list(matrix.row(i)) for i in range(matrix.rows)]
    return [list(r) for r in matrix]


def _solve_exact(rows, rhs, deadline=None):
    """Solve the square system rows * y = rhs over the rationals (rows: dicts
    {column: value}, sparse Gauss-Jordan); None if singular or out of time."""
    n = len(rows)
    a = [dict(r) for r in rows]
    b = list(rhs)
    for col in range(n):
        if deadline is not None and col % 16 == 0 and time.monotonic() > deadline:
            return None
        piv = next((r for r in range(col, n) if a[r].get(col, 0) != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        b[col], b[piv] = b[piv], b[col]
        rowc = a[col]
        inv = 1 / rowc[col]
        for r in range(n):
            if r == col:
                continue
            row = a[r]
            v = row.get(col, 0)
            if v == 0:
                continue
            f = v * inv
            for c, w in rowc.items():
                nv = row.get(c, 0) - f * w
                if nv:
                    row[c] = nv
                else:
                    row.pop(c, None)
            b[r] -= f * b[col]
    return [b[i] / a[i][i] for i in range(n)]


# -- problem set-up -------------------------------------------------------------------

def _poly_dict(expr, gens):
    """{exponent tuple: Fraction} of a polynomial with rational coefficients, or None."""
    try:
        poly = sympy.Poly(sympy.expand(expr), *gens)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded):
        return None
    out = {}
    for monom, c in poly.terms():
        if not c.is_Rational:
            return None
        out[monom] = Fraction(int(c.p), int(c.q))
    return out


def _add(a, b):
    return tuple(x + y for x, y in zip(a, b))


def _basis(target, mult, n, homogeneous, pure):
    """Monomials b with mult * b^2 able to appear in ``target``'s degree range."""
    degs = [sum(m) for m in target]
    top, low = max(degs), min(degs)
    mdeg = [sum(m) for m in mult]
    mtop, mlow = max(mdeg), min(mdeg)
    hi_deg = (top - mtop) // 2 if top >= mtop else -1
    if hi_deg < 0:
        return []
    if homogeneous:
        if mtop != mlow or (top - mtop) % 2:
            return []
        lo_deg = hi_deg
    else:
        lo_deg = 0
        if pure:
            lo_deg = (low + 1) // 2
    # per-variable exponent ranges (valid for a pure sum of squares only)
    var_hi = [max(m[i] for m in target) // 2 for i in range(n)] if pure else [hi_deg] * n
    var_lo = [(min(m[i] for m in target) + 1) // 2 for i in range(n)] if pure else [0] * n
    out = []
    for d in range(lo_deg, hi_deg + 1):
        for combo in itertools.combinations_with_replacement(range(n), d):
            e = [0] * n
            for i in combo:
                e[i] += 1
            if all(var_lo[i] <= e[i] <= var_hi[i] for i in range(n)):
                out.append(tuple(e))
            if len(out) > 4 * MAX_BASIS:
                return None
    if pure:
        out = _diagonal_prune(out, set(target))
    return out


def _diagonal_prune(basis, support):
    """Drop b when b*b is not in the support and no other pair of basis monomials
    gives it: its Gram diagonal entry is forced to 0, hence its row (PSD)."""
    basis = list(basis)
    while True:
        keep = []
        pairs = {}
        for i, a in enumerate(basis):
            for b in basis[i + 1:]:
                pairs.setdefault(_add(a, b), 0)
        for b in basis:
            sq = _add(b, b)
            if sq in support or sq in pairs:
                keep.append(b)
        if len(keep) == len(basis):
            return keep
        basis = keep


class _Problem(NamedTuple):
    blocks: list        # (multiplier dict, basis list)
    rows: dict          # monomial -> row index
    columns: list       # (block, i, j) per Gram variable (i <= j), then 'eps'
    a_eq: list          # per row: {column: Fraction}
    b_eq: list          # per row: Fraction


def _setup(target, mults, n, strict_term, homogeneous):
    pure = len(mults) == 1 and strict_term is None
    blocks = []
    for m in mults:
        basis = _basis(target, m, n, homogeneous, pure)
        if basis is None or len(basis) > MAX_BASIS:
            return None
        if basis:
            blocks.append((m, basis))
    columns = []
    entries = {}
    for k, (m, basis) in enumerate(blocks):
        for i in range(len(basis)):
            for j in range(i, len(basis)):
                col = len(columns)
                columns.append((k, i, j))
                factor = 1 if i == j else 2
                base = _add(basis[i], basis[j])
                for beta, c in m.items():
                    mono = _add(base, beta)
                    entries.setdefault(mono, {})[col] = entries.get(mono, {}).get(col, 0) + factor * c
    if len(columns) > MAX_VARIABLES:
        return None
    if strict_term is not None:
        col = len(columns)
        columns.append("eps")
        for mono, c in strict_term.items():
            entries.setdefault(mono, {})[col] = entries.get(mono, {}).get(col, 0) + c
    for mono, c in target.items():
        if c != 0 and mono not in entries:
            return None  # no block reaches this monomial: no certificate of this shape
    rows = {}
    a_eq, b_eq = [], []
    for mono, row in entries.items():
        row = {k: v for k, v in row.items() if v != 0}
        if not row:
            if target.get(mono, 0) != 0:
                return None
            continue
        rows[mono] = len(a_eq)
        a_eq.append(row)
        b_eq.append(target.get(mono, Fraction(0)))
    return _Problem(blocks, rows, columns, a_eq, b_eq)


# -- the numerical search ----------------------------------------------------------------

def _solve_sdp(prob: _Problem, deadline):
    """Float solution (one value per column) maximizing the PSD margin, or None."""
    import clarabel
    import numpy as np
    import scipy.sparse as sp

    ncol = len(prob.columns)
    lam = ncol  # the margin variable
    nvar = ncol + 1
    data, ri, ci, b = [], [], [], []
    row = 0
    for r, entries in enumerate(prob.a_eq):
        for col, v in entries.items():
            data.append(float(v)); ri.append(row); ci.append(col)
        b.append(float(prob.b_eq[r]))
        row += 1
    cones = [clarabel.ZeroConeT(row)]
    # lam <= 1 keeps the problem bounded; eps >= lam makes a strict certificate
    index = {c: k for k, c in enumerate(prob.columns)}
    start = row
    data.append(1.0); ri.append(row); ci.append(lam); b.append(1.0); row += 1
    if "eps" in index:
        data += [1.0, -1.0]; ri += [row, row]; ci += [lam, index["eps"]]; b.append(0.0); row += 1
    cones.append(clarabel.NonnegativeConeT(row - start))
    sq2 = 2.0 ** 0.5
    for k, (_m, basis) in enumerate(prob.blocks):
        size = len(basis)
        # svec of (Q - lam I): upper triangle by columns, off-diagonal scaled by sqrt(2)
        for j in range(size):
            for i in range(j + 1):
                col = index[(k, i, j)]
                if i == j:
                    data += [-1.0, 1.0]; ri += [row, row]; ci += [col, lam]
                else:
                    data.append(-sq2); ri.append(row); ci.append(col)
                b.append(0.0)
                row += 1
        cones.append(clarabel.PSDTriangleConeT(size) if size > 1 else clarabel.NonnegativeConeT(1))
    a = sp.csc_matrix((data, (ri, ci)), shape=(row, nvar))
    q = np.zeros(nvar)
    q[lam] = -1.0
    p = sp.csc_matrix((nvar, nvar))
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.max_iter = 100
    left = deadline - time.monotonic()
    if left <= 0.05:
        return None
    settings.time_limit = left
    try:
        sol = clarabel.DefaultSolver(p, q, a, np.array(b), cones, settings).solve()
    except Exception:  # noqa: BLE001 - a solver failure only means no candidate
        return None
    if str(sol.status) not in ("Solved", "AlmostSolved"):
        return None
    x = list(sol.x)
    if x[lam] < -1e-6:
        return None  # the margin is negative: no certificate of this shape
    return x[:ncol]


def _project(prob: _Problem, values, deadline=None):
    """Exact orthogonal projection of ``values`` onto {x : A x = b}; None if singular."""
    resid = []
    for r, entries in enumerate(prob.a_eq):
        resid.append(sum(v * values[c] for c, v in entries.items()) - prob.b_eq[r])
    if all(v == 0 for v in resid):
        return values
    n = len(prob.a_eq)
    # A A^T is sparse-ish: columns shared by two rows
    by_col = {}
    for r, entries in enumerate(prob.a_eq):
        for c, v in entries.items():
            by_col.setdefault(c, []).append((r, v))
    gram = [{} for _ in range(n)]
    for lst in by_col.values():
        for r1, v1 in lst:
            row = gram[r1]
            for r2, v2 in lst:
                row[r2] = row.get(r2, 0) + v1 * v2
    y = _solve_exact(gram, resid, deadline)
    if y is None:
        return None
    out = list(values)
    for c, lst in by_col.items():
        out[c] -= sum(v * y[r] for r, v in lst)
    return out


def _grams(prob: _Problem, values):
    mats = []
    for k, (_m, basis) in enumerate(prob.blocks):
        size = len(basis)
        mats.append([[Fraction(0)] * size for _ in range(size)])
    eps = Fraction(0)
    for c, col in enumerate(prob.columns):
        if col == "eps":
            eps = values[c]
            continue
        k, i, j = col
        mats[k][i][j] = values[c]
        mats[k][j][i] = values[c]
    return mats, eps


def _monomial(gens, e):
    return sympy.Mul(*[g**k for g, k in zip(gens, e)])


def _rational(f: Fraction) -> sympy.Rational:
    return sympy.Rational(f.numerator, f.denominator)


def find_certificate(p, gens, multipliers=(), *, strict_term=None, deadline=None, homogeneous=None):
    """An exactly verified ``SOSCertificate`` for ``p >= 0`` (``p > 0`` when
    ``strict_term`` h is given: then eps > 0), or None.

    ``multipliers`` are polynomials the caller knows to be >= 0 on the region
    (strict_term > 0 there); the constant 1 is always the first block. Only
    rational coefficients are handled. ``deadline`` is a ``time.monotonic()``
    value; the search returns None once it has passed.
    """
    if deadline is None:
        deadline = time.monotonic() + 10.0
    gens = tuple(gens)
    n = len(gens)
    target = _poly_dict(p, gens)
    if target is None or not target or n == 0:
        return None
    mults = [{(0,) * n: Fraction(1)}]
    mult_exprs = [sympy.Integer(1)]
    for g in multipliers:
        d = _poly_dict(g, gens)
        if d is None or not d:
            continue
        mults.append(d)
        mult_exprs.append(sympy.expand(g))
    h = None
    if strict_term is not None:
        h = _poly_dict(strict_term, gens)
        if h is None or not h:
            return None
    if homogeneous is None:
        homogeneous = len({sum(m) for m in target}) == 1 and all(
            len({sum(m) for m in d}) == 1 for d in mults[1:]) and (h is None or len({sum(m) for m in h}) == 1)
    prob = _setup(target, mults, n, h, homogeneous)
    if prob is None or not prob.blocks:
        return None
    if time.monotonic() > deadline:
        return None
    try:
        x = _solve_sdp(prob, deadline)
    except (OverflowError, ValueError):
        return None  # coefficients beyond float range: no numerical candidate
    if x is None:
        return None
    seen = set()
    for den in _DENOMINATORS:
        if time.monotonic() > deadline:
            return None
        rounded = [Fraction(round(v * den), den) if den <= 10**4 else Fraction(v).limit_denominator(den) for v in x]
        key = tuple(rounded)
        if key in seen:
            continue
        seen.add(key)
        values = _project(prob, rounded, deadline)
        if values is None:
            continue
        mats, eps = _grams(prob, values)
        if h is not None and eps <= 0:
            continue
        if not all(is_psd_exact(m) for m in mats):
            continue
        cert = SOSCertificate(
            gens=gens,
            multipliers=tuple(mult_exprs[mults.index(m)] for m, _ in prob.blocks),
            bases=tuple(tuple(_monomial(gens, e) for e in basis) for _m, basis in prob.blocks),
            grams=tuple(sympy.Matrix([[_rational(v) for v in row] for row in m]) for m in mats),
            eps=_rational(eps),
            strict_term=sympy.expand(strict_term) if strict_term is not None else sympy.Integer(0),
        )
        if verify_certificate(p, cert):
            return cert
    return None


def verify_certificate(p, cert: SOSCertificate) -> bool:
    """Independent exact re-check: every Gram matrix PSD, eps >= 0, and the
    identity expands to ``p`` (SymPy polynomial arithmetic over QQ)."""
    if cert.eps < 0:
        return False
    if not all(is_psd_exact(g) for g in cert.grams):
        return False
    try:
        lhs = sympy.Poly(sympy.expand(p), *cert.gens, domain="QQ")
        rhs = sympy.Poly(cert.eps * cert.strict_term, *cert.gens, domain="QQ")
        for g, basis, gram in zip(cert.multipliers, cert.bases, cert.grams):
            v = [sympy.Poly(b, *cert.gens, domain="QQ") for b in basis]
            form = sympy.Poly(0, *cert.gens, domain="QQ")
            for i, bi in enumerate(v):
                for j, bj in enumerate(v):
                    if gram[i, j] != 0:
                        form += bi * bj * gram[i, j]
            rhs += sympy.Poly(g, *cert.gens, domain="QQ") * form
    except (sympy.PolynomialError, sympy.CoercionFailed):
        return False
    return (lhs - rhs).is_zero
